"""derivations.bridges: the Brownian bridge's conditional law and the Gaussian Schroedinger bridge."""
import numpy as np
import sympy as sp

from derivations import bridges as D


def test_bridge_mean_and_variance_given_endpoints():
    assert sp.expand(D.brownian_bridge_mean() - ((1 - D.t) * D.x0 + D.t * D.x1)) == 0
    assert sp.expand(D.brownian_bridge_variance() - 2 * D.eps * D.t * (1 - D.t)) == 0


def test_seed_form_with_standard_bridge_has_the_bridge_variance():
    assert sp.expand(D.seed_formula_variance() - D.brownian_bridge_variance()) == 0


def test_conditioning_on_an_extra_intermediate_time_changes_nothing():
    # Markov property: conditioning X_t on (X_s, X_1) for s < t equals conditioning on X_1 when X_s is
    # integrated out; here checked numerically with a 3x3 covariance 2 eps min(.,.), exact in float64
    eps, t = 0.3, 0.6
    times = np.array([0.25, t, 1.0])
    cov = 2 * eps * np.minimum.outer(times, times)
    idx, given = [1], [2]
    schur = cov[np.ix_(idx, idx)] - cov[np.ix_(idx, given)] @ np.linalg.solve(
        cov[np.ix_(given, given)], cov[np.ix_(given, idx)])
    want = float(D.brownian_bridge_variance().subs({D.t: t, D.eps: eps}))
    assert abs(schur[0, 0] - want) < 1e-14  # float64 rounding of a Schur complement


def test_bridge_drift_points_to_the_endpoint():
    x = sp.Symbol("x", real=True)
    assert sp.simplify(D.bridge_sde_drift(x) - (D.x1 - x) / (1 - D.t)) == 0


def test_sb_cross_covariance_gives_product_form_plan():
    c = D.gaussian_sb_cross_covariance()
    # the plan's precision off-diagonal -c/(AB - c^2) must equal -1/(2 eps): kernel exp(-(x-y)^2/(4 eps))
    assert sp.simplify(c / (D.A * D.B - c ** 2) - 1 / (2 * D.eps)) == 0
    # as eps -> 0 the plan becomes the monotone OT map: c -> sqrt(AB)
    assert sp.limit(c, D.eps, 0) == sp.sqrt(D.A * D.B)


def test_sb_marginal_variance_interpolates_the_endpoints():
    v = D.gaussian_sb_marginal_variance()
    assert sp.simplify(v.subs(D.t, 0) - D.A) == 0 and sp.simplify(v.subs(D.t, 1) - D.B) == 0
