"""1-D quadrature of KLs between smoothed laws: Gauss-Kronrod rules, smoothed densities against
direct convolution, and KLs against closed forms, mpmath and quad within the error estimate."""
import mpmath
import numpy as np
import pytest
from scipy import integrate, optimize, stats

from verify.numerics import smoothed_kl as q
from verify.q1.search import kl_gauss


def test_gauss_kronrod_rules_integrate_polynomials_of_their_degree_exactly():
    x = q.GK_NODES
    for k in range(0, 24, 2):  # odd powers vanish by symmetry of the nodes
        exact = 2 / (k + 1)
        # sums of <= 15 positive terms: relative rounding <= ~40 u, so rel alone (not pytest's abs 1e-12)
        assert q.GK_WEIGHTS @ x ** k == pytest.approx(exact, rel=1e-14, abs=0)  # K15: degree 22
        if k <= 13:
            assert q.G7_WEIGHTS @ x[1::2] ** k == pytest.approx(exact, rel=1e-14, abs=0)  # G7: degree 13


@pytest.mark.parametrize("x, L, sd", [(-0.9, 1.5, 0.3), (0.1, 1.5, 0.3), (0.75, 1.5, 0.3), (2.1, 1.5, 0.3),
                                      (1.55, 1.5, 0.01), (-0.3, 0.2, 2.0)])
def test_uniform_smoothed_density_is_the_convolution(x, L, sd):
    ref, _ = integrate.quad(lambda y: stats.norm.pdf(x - y, scale=sd) / L, 0, L, epsabs=0, epsrel=1e-12,
                            points=[min(max(x, 0), L)])
    # quad's relative tolerance; densities down to 2e-7 here, so no absolute floor (abs=0)
    assert np.exp(q.log_uniform_smoothed(x, L, sd)) == pytest.approx(ref, rel=1e-9, abs=0)


@pytest.mark.parametrize("x, gam, sd", [(0.0, 0.5, 0.3), (1.7, 0.5, 0.3), (-40.0, 0.2, 1.5), (3.0, 0.1, 0.02)])
def test_voigt_density_is_the_convolution(x, gam, sd):
    f = lambda y: stats.cauchy.pdf(y, scale=gam) * stats.norm.pdf(x - y, scale=sd)
    lo, hi = min(0.0, x) - 12 * sd, max(0.0, x) + 12 * sd
    parts = [integrate.quad(f, -np.inf, lo, epsabs=0, epsrel=1e-12)[0],
             integrate.quad(f, lo, hi, epsabs=0, epsrel=1e-12, points=[0.0, x], limit=200)[0],
             integrate.quad(f, hi, np.inf, epsabs=0, epsrel=1e-12)[0]]
    # quad's relative tolerance; densities down to 4e-5 here, so no absolute floor (abs=0)
    assert np.exp(q.log_voigt(x, gam, sd)) == pytest.approx(sum(parts), rel=1e-9, abs=0)


GAUSS_CASES = [(0.3, 0.7, 0.2), (0.3, 0.2, 0.7), (1e-10, 2.0, 0.01), (1e-10, 0.01, 2.0), (0.5, 1.0, 1.0001)]


@pytest.mark.parametrize("v, s_a, s_b", GAUSS_CASES)
def test_quadrature_kl_of_two_gaussians_is_the_closed_form_within_its_error_estimate(v, s_a, s_b):
    one = np.ones((1, 1))
    kl, err = q.kl_mixture(one, 0.4 * one, v * one, np.array([s_a]), np.array([s_b]))
    exact = kl_gauss(1, np.sqrt(v + s_a ** 2), np.sqrt(v + s_b ** 2))
    assert abs(kl[0] - exact) <= err[0] + 1e-14 * exact  # the estimate bounds the error (plus round-off)
    # and is small: panels are refined to 1e-10 of int |integrand| (~1e-4 in the last case, whose KL
    # 4e-9 is a cancellation)
    assert err[0] <= 1e-8 * exact + 1e-14


def test_error_estimate_bounds_the_error_for_narrow_separated_modes():
    # modes 40 apart with widths <= 0.3: their overlap is below e^-1000, so the mixture KL is exactly
    # sum_k w_k KL(component_k): the forward case (wide law against narrow modes) that GH got wrong
    w, mu, v = np.array([[0.3, 0.7]]), np.array([[-20.0, 20.0]]), np.array([[1e-10, 1e-6]])
    sa, sb = np.array([0.3]), np.array([0.01])
    kl, err = q.kl_mixture(w, mu, v, sa, sb)
    exact = sum(w[0, k] * kl_gauss(1, np.sqrt(v[0, k] + 0.09), np.sqrt(v[0, k] + 1e-4)) for k in range(2))
    assert abs(kl[0] - exact) <= err[0] + 1e-14 * exact and err[0] <= 1e-8 * exact


def test_mixture_quadrature_matches_an_independent_quad_where_modes_overlap():
    # forward direction: the wide law q_1.5 covers both narrow modes of q_0.02, and log q_0.02 switches
    # from one mode to the other within ~1e-4 (the old Gauss-Hermite estimate: ~10)
    w, mu, v = np.array([0.3, 0.7]), np.array([-1.0, 2.0]), np.array([1e-8, 1e-6])
    sa, sb = 1.5, 0.02

    def terms(x, sd):
        var = v + sd ** 2
        return np.log(w) - 0.5 * np.log(2 * np.pi * var) - (x - mu) ** 2 / (2 * var)

    logq = lambda x, sd: np.logaddexp(*terms(x, sd))
    f = lambda x: np.exp(logq(x, sa)) * (logq(x, sa) - logq(x, sb))
    xc = optimize.brentq(lambda x: np.subtract(*terms(x, sb)), -1, 2, xtol=1e-15)  # the switch
    pts = [-1, xc - 1e-3, xc - 1e-4, xc, xc + 1e-4, xc + 1e-3, 2]
    ref, ref_err = integrate.quad(f, -25, 25, points=pts, epsabs=0, epsrel=1e-13, limit=400)
    kl, err = q.kl_mixture(w[None], mu[None], v[None], np.array([sa]), np.array([sb]))
    assert abs(kl[0] - ref) <= err[0] + ref_err and err[0] <= 1e-8 * ref


def test_uniform_quadrature_matches_mpmath_within_its_error_estimate():
    L, a, b = 1.0, 0.7, 0.2
    # reflected right of L/2 so that neither difference of normal cdfs cancels to 0
    p = lambda x, sd: ((mpmath.ncdf(x / sd) - mpmath.ncdf((x - L) / sd)) if x < L / 2 else
                       (mpmath.ncdf((L - x) / sd) - mpmath.ncdf(-x / sd))) / L
    with mpmath.workdps(30):
        ref = mpmath.quad(lambda x: p(x, a) * mpmath.log(p(x, a) / p(x, b)), [-8, 0, 0.5, 1, 9])
    kl, err = q.kl_uniform(L, a, b)
    assert abs(kl - float(ref)) <= err + 1e-15 and err < 1e-9  # tails beyond [-8, 9]: < 1e-20


def test_cauchy_quadrature_is_zero_for_equal_sigmas_and_positive_otherwise():
    assert abs(q.kl_cauchy(0.5, 0.3, 0.3)[0]) < 1e-15
    kl, err = q.kl_cauchy(0.5, 0.7, 0.2)
    assert kl > 0 and err < 1e-9
