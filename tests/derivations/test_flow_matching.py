"""derivations.flow_matching: conditional/marginal fields of the linear path, continuity, q4b pieces."""
import numpy as np
import sympy as sp
from sympy.integrals.risch import NonElementaryIntegral

from derivations import flow_matching as fm
from verify.models import GaussianMixture
from verify.models.mixture_flows import gaussian_marginal_vf, mixture_marginal_vf


def test_conditional_vf_at_current_point_moves_points_along_the_path():
    u = fm.conditional_vf_current_point()
    psi = fm.linear_conditional_flow()
    assert sp.cancel(u - (fm.x1 - fm.x) / (1 - fm.t)) == 0
    assert sp.cancel(u.subs(fm.x, psi) - sp.diff(psi, fm.t)) == 0  # d/dt psi = u(psi)


def test_marginal_vf_solves_continuity_equation_and_equals_gaussian_conditioning():
    u = fm.marginal_vf_linear_gaussian()
    p = fm.gaussian_pdf(fm.x, fm.t * fm.m, sp.sqrt(fm.t ** 2 * fm.s ** 2 + (1 - fm.t) ** 2))
    assert sp.cancel(fm.continuity_residual(u, p)) == 0
    lin = {fm.alpha: fm.t, fm.sigma: 1 - fm.t, fm.dalpha: 1, fm.dsigma: -1}
    assert sp.cancel(u - fm.gaussian_path_marginal_vf().subs(lin)) == 0
    assert sp.cancel(u.subs(fm.t, 0) - (fm.m - fm.x)) == 0  # E[x1] - x holds at t = 0 only


def test_gaussian_conditional_path_field_solves_conditional_continuity():
    u, p = fm.gaussian_conditional_vf()
    assert sp.cancel(fm.continuity_residual(u, p)) == 0


def test_float_transcriptions_match_sympy():
    f = sp.lambdify((fm.x, fm.t, fm.m, fm.s), fm.marginal_vf_linear_gaussian(), "numpy")
    x, t = np.meshgrid(np.linspace(-3, 3, 7), np.linspace(0, 1, 11))
    np.testing.assert_allclose(gaussian_marginal_vf(x, t, 0.7, 1.3), f(x, t, 0.7, 1.3),
                               rtol=1e-13, atol=1e-13)  # float64 rounding of a rational function
    w, mu, v = (0.3, 0.7), (-2.0, 1.5), (0.25, 0.36)
    expr = fm.mixture_marginal_vf(w, mu, v)
    g = sp.lambdify((fm.x, fm.alpha, fm.sigma, fm.dalpha, fm.dsigma), expr, "numpy")
    gmm = GaussianMixture(np.array(w), np.array(mu)[:, None], np.array(v)[:, None, None])
    xs = np.linspace(-3, 3, 13)
    for sched in ((0.2, 0.9, 1.3, -0.4), (0.8, 0.3, 0.5, -2.0), (0.5, 0.5, 1.0, -1.0)):
        np.testing.assert_allclose(mixture_marginal_vf(gmm, xs[:, None], *sched)[:, 0],
                                   g(xs, *sched), rtol=1e-12, atol=1e-13)  # log-sum-exp vs direct


def test_quartic_path_needs_a_non_elementary_antiderivative():
    assert isinstance(fm.quartic_path_flux_antiderivative(), NonElementaryIntegral)


def test_rotational_addition_is_divergence_free():
    p = sp.exp(-(fm.x ** 2 + fm.y ** 2) / (2 * (1 + fm.t) ** 2))
    *_, div = fm.rotational_addition_2d(p, fm.x, fm.y, sp.Rational(1, 2))
    assert div == 0
