"""The mpmath reference of smoothed-mixture KLs: closed forms at 30 digits, the float quadrature's
error bounds on the search's hardest families."""
import mpmath
import numpy as np
import pytest

from verify.numerics.smoothed_kl import MixtureLaw, margins
from verify.numerics.smoothed_kl_mp import mixture_kls
from verify.q1 import marginals as mg


def _gauss_kl(a, b):
    """KL(N(0, a) || N(0, b)) for variances a, b, at the working precision."""
    r = mpmath.mpf(a) / mpmath.mpf(b)
    return (r - 1 - mpmath.log(r)) / 2


def test_a_single_gaussian_gives_the_closed_form_within_the_error_estimate():
    v, s = 0.3, (0.5, 2.0, 70.0)
    with mpmath.workdps(30):
        kls = mixture_kls([1.0], [0.0], [v], s)
        var = [mpmath.mpf(v) + mpmath.mpf(x) ** 2 for x in s]
        exact = (_gauss_kl(var[1], var[0]), _gauss_kl(var[2], var[0]), _gauss_kl(var[0], var[1]),
                 _gauss_kl(var[0], var[2]))
        got = kls.forward + kls.reverse
        # the estimate sum |G24 - G12| bounds the error; G24 converges far below the 1e-14 panel
        # tolerance on these smooth panels (seen: 5e-24), so 1e-20 relative holds with room
        assert all(abs(g - e) <= min(kls.err, mpmath.mpf("1e-20") * e) for g, e in zip(got, exact))
        assert kls.err < mpmath.mpf("1e-12") * max(exact)  # 1e-14 per panel, over ~100 panels


def test_separated_modes_add_their_component_kls():
    # modes 10^4 sd apart: the overlap is below e^-10^7, so the KL is sum_k w_k KL_k exactly
    w, mu, v, s = [0.25, 0.75], [-1e4, 1e4], [1e-4, 0.5], (0.3, 1.0, 2.0)
    with mpmath.workdps(30):
        kls = mixture_kls(w, mu, v, s)
        var = lambda k, j: mpmath.mpf(v[k]) + mpmath.mpf(s[j]) ** 2  # noqa: E731
        exact = sum(mpmath.mpf(w[k]) * _gauss_kl(var(k, 2), var(k, 0)) for k in range(2))
        assert abs(kls.forward[1] - exact) <= min(kls.err, mpmath.mpf("1e-20") * exact)  # as above


@pytest.mark.parametrize("name, seed", [("spike_broad", 3), ("spike_broad", 8), ("mixture", 5)])
def test_float_quadrature_bound_holds_against_mpmath_where_counterexamples_live(name, seed):
    # the families whose counterexamples the search counts by the float bound alone: a drawn
    # configuration, |float - mpmath| <= float bound + mpmath estimate in both directions
    fam = mg.FAMILIES[name]
    w, mu, v0, s0, s1, s2 = (a[0] for a in fam.decode(fam.draw(1, np.random.default_rng(seed))))
    res = margins(MixtureLaw(w[None], mu[None], v0[None], np.array([[s0, s1, s2]])))
    kls = mixture_kls(w, mu, v0, (s0, s1, s2))
    for d in ("forward", "reverse"):
        m, e, k2 = (float(a[0]) for a in res[d])
        assert abs(m - float(kls.margin(d))) <= e + float(kls.err)
        assert abs(k2 - float(getattr(kls, d)[1])) <= e + float(kls.err)  # e bounds KL_2's too
