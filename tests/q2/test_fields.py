"""verify.q2.fields: the analytic fields match the Tweedie forms and finite differences."""
import numpy as np

from verify.q2 import fields as F
from verify.q2.fields import RFVelocity, VPFlow


def test_rf_velocity_is_tweedie_form_with_exact_divergence():
    mix = F.test_mixture(3)
    x = F.test_points(mix, 5, np.random.default_rng(0))
    rf, t = RFVelocity(mix), 0.42
    u, div = rf.velocity_divergence(t, x)
    m = rf.marginal(t)
    # two evaluation orders (rotated to eigenbases vs inverse covariances, both LAPACK): rounding
    # relative to each point's scale of summed terms (the largest over coordinates: a rotation
    # spreads errors), ~1e3 in the tails (|g_k|^2, cancelling in the Laplacian); 64 eps of it,
    # against <= 20 eps measured under each OpenBLAS kernel and thread count
    r, g, s = m.responsibilities(x), m._component_scores(x), m.score(x)
    eps = np.finfo(float).eps
    u_scale = (np.abs(x) + (1 - t) * np.einsum("nk,nki->ni", r, np.abs(g))).max(1, keepdims=True) / t
    lap_scale = (np.einsum("nk,nki->n", r, g * g) + (s * s).sum(1)
                 + r @ np.trace(np.abs(m._prec), axis1=1, axis2=2))
    assert np.all(np.abs(u - (x + (1 - t) * s) / t) <= 64 * eps * u_scale)
    lap = np.trace(m.hessian(x), axis1=1, axis2=2)
    assert np.all(np.abs(div - (3 + (1 - t) * lap) / t) <= 64 * eps * (3 + (1 - t) * lap_scale) / t)


def test_vp_flow_divergence_matches_central_differences():
    mix = F.test_mixture(2)
    flow, x, t, h = VPFlow(mix), np.array([[0.3, -0.4], [2.0, 1.0]]), 0.3, 1e-5
    div = flow(t, x)[1][:, 0]
    fd = sum((flow(t, x + h * e)[0][:, i] - flow(t, x - h * e)[0][:, i]) / (2 * h)
             for i, e in enumerate(np.eye(2)))
    assert np.abs(div - fd).max() < 1e-6  # O(h^2) central difference error


def test_one_component_fields_are_the_sympy_likelihood_expressions():
    """RFVelocity and VPFlow for N(mu, c^2) in 1-D against derivations.likelihood (lambdify)."""
    import sympy as sp
    from derivations import likelihood as L
    from verify.models import GaussianMixture

    mu_s, c_s = sp.Symbol("mu", real=True), sp.Symbol("c", positive=True)
    u_expr = L.rf_gaussian_velocity()
    u_ref = sp.lambdify((L.x, L.t, mu_s, c_s), u_expr, "numpy")
    du_ref = sp.lambdify((L.x, L.t, mu_s, c_s), sp.diff(u_expr, L.x), "numpy")
    a, sig, beta = sp.symbols("a sig beta", positive=True)
    logp = L.gaussian_log_density(L.x, a * mu_s, sp.sqrt(a ** 2 * c_s ** 2 + sig ** 2))
    args = (L.x, a, sig, beta, mu_s, c_s)
    v_ref = sp.lambdify(args, L.vp_probability_flow_drift(L.x, sp.diff(logp, L.x), beta), "numpy")
    div_ref = sp.lambdify(args, L.vp_flow_divergence(1, beta, sp.diff(logp, L.x, 2)), "numpy")

    mu, c = 0.7, 1.3
    g = GaussianMixture.gaussian([mu], c * c)
    x = np.linspace(-3.0, 4.0, 8)
    rf, vp = RFVelocity(g), VPFlow(g)
    for t in (0.0, 0.25, 0.5, 0.8, 1.0):
        u, div = rf.velocity_divergence(t, x[:, None])
        # float64 evaluations of one closed form: rounding only
        np.testing.assert_allclose(u[:, 0], u_ref(x, t, mu, c), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(div, du_ref(x, t, mu, c), rtol=1e-12, atol=1e-14)
    sched = vp.schedule
    for t in (0.05, 0.3, 0.6, 0.9):
        at = (x, float(sched.alpha(t)), float(sched.sigma(t)), float(sched.beta(t)), mu, c)
        v, integrands = vp(t, x[:, None])
        np.testing.assert_allclose(v[:, 0], v_ref(*at), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(integrands[:, 0], div_ref(*at), rtol=1e-12, atol=1e-14)


def test_fields_take_one_time_per_point():
    """A time vector (n,) gives, row by row, the field at that row's own time."""
    mix = F.test_mixture(3)
    x = F.test_points(mix, 5, np.random.default_rng(1), radii=(6.0,))
    t = np.linspace(0.0, 1.0, len(x))
    for field in (RFVelocity(mix), VPFlow(mix)):
        v, g = field(t, x)
        for i in (0, 4, 7, len(x) - 1):
            vi, gi = field(t[i], x[i:i + 1])
            # same elementwise arithmetic, only the time broadcast differs: float rounding
            np.testing.assert_allclose(v[i], vi[0], rtol=1e-14, atol=1e-14)
            np.testing.assert_allclose(g[i], gi[0], rtol=1e-14, atol=1e-14)


def test_vp_laplacian_matches_the_mixture_hessian_trace_in_the_tails():
    """noised_score_laplacian (eigenbasis, variance form) against GaussianMixture.score/hessian."""
    mix = F.test_mixture(2)
    x = F.test_points(mix, 4, np.random.default_rng(2), radii=(4.0, 8.0))
    flow = VPFlow(mix)
    for t in (0.01, 0.4, 1.0):
        s, lap = flow.score_laplacian(t, x)
        m = flow.marginal(t)
        # |s| up to ~1e2 and |lap| up to ~1e2 in the tails: float64 rounding of two evaluation orders
        np.testing.assert_allclose(s, m.score(x), rtol=1e-12, atol=1e-11)
        np.testing.assert_allclose(lap, np.trace(m.hessian(x), axis1=1, axis2=2), rtol=1e-10,
                                   atol=1e-10)
