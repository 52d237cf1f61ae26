"""verify.models.mixture_flows: the numeric mixture marginal field, its Jacobian, flows and quantiles."""
import numpy as np
from scipy.special import ndtri

from verify.models import GaussianMixture
from verify.models.mixture_flows import flow, gaussian_marginal_vf, linear_schedule, mixture_cdf, \
    mixture_marginal_vf, mixture_marginal_vf_jacobian, mixture_quantile

R = np.array([[0.8, -0.6], [0.6, 0.8]])
GMM = GaussianMixture(np.array([0.4, 0.6]), np.array([[-1.0, 0.5], [1.2, -0.3]]),
                      np.array([R @ np.diag([0.3, 0.05]) @ R.T, np.diag([0.2, 0.5])]))
S0 = np.array([[1.0, 0.3], [0.3, 0.5]])


def test_jacobian_matches_central_differences():
    x = np.random.default_rng(0).standard_normal((6, 2))
    sched, h = (0.6, 0.5, 1.1, -0.7), 1e-6
    jac = mixture_marginal_vf_jacobian(GMM, x, *sched, S0)
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        fd = (mixture_marginal_vf(GMM, x + e, *sched, S0)
              - mixture_marginal_vf(GMM, x - e, *sched, S0)) / (2 * h)
        np.testing.assert_allclose(jac[:, :, j], fd, rtol=0, atol=1e-8)  # O(h^2) + eps/h ~ 1e-10


def test_mixture_field_solves_continuity_equation_in_2d():
    x = np.random.default_rng(1).standard_normal((8, 2))
    t, h = 0.4, 1e-5
    logp = lambda tt, xx: GMM.noised(tt, 1 - tt).log_prob(xx)
    p = np.exp(logp(t, x))
    dpt = (np.exp(logp(t + h, x)) - np.exp(logp(t - h, x))) / (2 * h)
    div = np.zeros(len(x))
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        flux = lambda xx: mixture_marginal_vf(GMM, xx, *linear_schedule(t))[:, j] * np.exp(
            logp(t, xx))
        div += (flux(x + e) - flux(x - e)) / (2 * h)
    np.testing.assert_allclose((dpt + div) / p, 0.0, rtol=0, atol=1e-6)  # central differences, h = 1e-5


def test_single_component_reduces_to_gaussian_formula():
    g = GaussianMixture.gaussian([0.7], 1.69)
    x = np.linspace(-3, 3, 9)
    for t in (0.0, 0.3, 0.99):
        np.testing.assert_allclose(mixture_marginal_vf(g, x[:, None], *linear_schedule(t))[:, 0],
                                   gaussian_marginal_vf(x, t, 0.7, 1.3), rtol=1e-12, atol=1e-12)


def test_flow_converges_to_the_monotone_map():
    z = ndtri(np.linspace(0.05, 0.95, 9))
    (y,), _ = flow(lambda v, t: gaussian_marginal_vf(v, t, -1.0, 2.0), z[None])
    (y_loose,), _ = flow(lambda v, t: gaussian_marginal_vf(v, t, -1.0, 2.0), z[None], rtol=1e-5,
                         atol=1e-7)
    err, loose = np.max(np.abs(y - (-1 + 2 * z))), np.max(np.abs(y_loose - (-1 + 2 * z)))
    assert err < 1e-9 and err < loose  # DOP853 at rtol 1e-10 against rtol 1e-5


def test_mixture_quantile_inverts_cdf():
    g1 = GaussianMixture(np.array([0.3, 0.7]), np.array([[-2.0], [1.5]]),
                         np.array([[[0.25]], [[0.36]]]))
    u = np.linspace(0.001, 0.999, 11)
    # Brent's xtol 1e-14 times the density (< 0.5) plus the cdf's rounding: an absolute bound
    np.testing.assert_allclose(mixture_cdf(g1, mixture_quantile(g1, u)), u, rtol=0, atol=1e-13)


# sympy (derivations.flow_matching) against the numeric transcriptions: the same closed form in
# float64 on both sides, so agreement to rounding (rtol 1e-12).
def test_mixture_field_is_the_sympy_mixture_field_in_1d():
    import sympy as sp
    from derivations import flow_matching as fm

    w, mu, v = (0.35, 0.65), (-1.5, 0.8), (0.4, 0.09)
    expr = fm.mixture_marginal_vf([sp.Float(a) for a in w], [sp.Float(a) for a in mu],
                                  [sp.Float(a) for a in v])
    ref = sp.lambdify((fm.x, fm.alpha, fm.sigma, fm.dalpha, fm.dsigma), expr, "numpy")
    g = GaussianMixture(np.array(w), np.array(mu)[:, None], np.array(v)[:, None, None])
    x = np.linspace(-2.5, 2.0, 7)
    for t in (0.05, 0.3, 0.5, 0.8, 0.97):
        got = mixture_marginal_vf(g, x[:, None], *linear_schedule(t))[:, 0]
        np.testing.assert_allclose(got, ref(x, *linear_schedule(t)), rtol=1e-12, atol=1e-14)


def test_gaussian_field_is_the_sympy_linear_gaussian_marginal_field():
    import sympy as sp
    from derivations import flow_matching as fm

    ref = sp.lambdify((fm.x, fm.t, fm.m, fm.s), fm.marginal_vf_linear_gaussian(), "numpy")
    x = np.linspace(-3.0, 3.0, 7)
    for t in (0.0, 0.2, 0.5, 0.9, 1.0):
        for m, s in ((0.7, 1.3), (-1.0, 0.4)):
            np.testing.assert_allclose(gaussian_marginal_vf(x, t, m, s), ref(x, t, m, s),
                                       rtol=1e-12, atol=1e-14)


def test_divergence_in_one_pass_is_the_trace_of_the_jacobian():
    from verify.models import GaussianMixture
    from verify.models.mixture_flows import (mixture_marginal_vf, mixture_marginal_vf_divergence,
                                  mixture_marginal_vf_jacobian)

    gmm = GaussianMixture(np.array([0.3, 0.7]), np.array([[1.0, -1.0], [-0.5, 2.0]]),
                          np.array([[[0.5, 0.1], [0.1, 0.3]], [[1.0, -0.2], [-0.2, 0.6]]]))
    x = np.random.default_rng(3).normal(size=(20, 2))
    for t in (0.1, 0.5, 0.93):
        args = (gmm, x, t, 1 - t, 1.0, -1.0)
        u, div = mixture_marginal_vf_divergence(*args)
        # the same closed form summed in another order: float64 rounding only
        np.testing.assert_allclose(u, mixture_marginal_vf(*args), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(div, np.trace(mixture_marginal_vf_jacobian(*args), axis1=1, axis2=2),
                                   rtol=1e-11, atol=1e-11)


def test_divergence_takes_one_schedule_value_per_point():
    """Per-point (a, b, da, db) arrays (n,) give each row the field of its own time."""
    from verify.models import GaussianMixture
    from verify.models.mixture_flows import linear_schedule, mixture_marginal_vf_divergence

    gmm = GaussianMixture(np.array([0.3, 0.7]), np.array([[1.0, -1.0], [-0.5, 2.0]]),
                          np.array([[[0.5, 0.1], [0.1, 0.3]], [[1.0, -0.2], [-0.2, 0.6]]]))
    x = np.random.default_rng(4).normal(size=(6, 2)) * 3
    t = np.linspace(0.0, 1.0, 6)
    u, div = mixture_marginal_vf_divergence(gmm, x, *linear_schedule(t))
    for i, ti in enumerate(t):
        ui, di = mixture_marginal_vf_divergence(gmm, x[i:i + 1], *linear_schedule(ti))
        # elementwise arithmetic either way: float rounding only
        np.testing.assert_allclose(u[i], ui[0], rtol=1e-14, atol=1e-14)
        np.testing.assert_allclose(div[i], di[0], rtol=1e-14, atol=1e-14)


def test_linear_schedule_transcribes_the_sympy_one_and_its_derivatives():
    import sympy as sp

    from derivations.affine_paths import linear_schedule as sym_schedule, t
    from verify.models.mixture_flows import linear_schedule

    alpha, sigma = sym_schedule()
    for tv in (0.0, 0.3, 1.0):
        want = [float(e.subs(t, tv)) for e in (alpha, sigma, sp.diff(alpha, t), sp.diff(sigma, t))]
        assert list(linear_schedule(tv)) == want  # exact: affine in t
