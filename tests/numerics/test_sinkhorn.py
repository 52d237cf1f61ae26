"""verify.numerics.sinkhorn: log-domain Sinkhorn against an exp-domain solve and exact OT."""
import numpy as np
from scipy.optimize import linear_sum_assignment

from verify.numerics.sinkhorn import sinkhorn_log, squared_distances


def _exp_domain(cost, reg, iters=5000):
    k = np.exp(-cost / reg)
    n, m = cost.shape
    u, v = np.ones(n), np.ones(m)
    for _ in range(iters):
        u = (1 / n) / (k @ v)
        v = (1 / m) / (k.T @ u)
    return u[:, None] * k * v[None]


def test_matches_exp_domain_sinkhorn_at_moderate_regularisation():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((30, 2)), rng.standard_normal((40, 2)) + 1
    cost = squared_distances(x, y)
    res = sinkhorn_log(cost, 1.0, tol=1e-13)
    assert res.marginal_error < 1e-12
    # both converged to ~eps; entries ~1/1200, so 1e-14 is ~1e-11 relative
    np.testing.assert_allclose(res.plan, _exp_domain(cost, 1.0), rtol=0, atol=1e-14)


def test_plan_has_the_prescribed_marginals():
    rng = np.random.default_rng(1)
    cost = squared_distances(rng.standard_normal((25, 2)), rng.standard_normal((25, 2)))
    res = sinkhorn_log(cost, 0.2, tol=1e-11)
    assert res.iterations < 20_000 and res.marginal_error < 1e-11
    # the g update makes columns exact up to the rounding of a 25-term sum of ~1/625 (~1e-16)
    np.testing.assert_allclose(res.plan.sum(0), 1 / 25, rtol=0, atol=1e-15)
    # rows: each within the L1 error < tol = 1e-11 the loop stopped on
    np.testing.assert_allclose(res.plan.sum(1), 1 / 25, rtol=0, atol=1e-11)


def test_slow_convergence_is_reported_not_hidden():
    # at small regularisation Sinkhorn contracts very slowly: the result says it missed tol
    rng = np.random.default_rng(1)
    cost = squared_distances(rng.standard_normal((25, 2)), rng.standard_normal((25, 2)))
    res = sinkhorn_log(cost, 0.05, tol=1e-11, max_iter=2000)
    assert res.iterations == 2000 and res.marginal_error > 1e-11


def test_small_regularisation_recovers_the_optimal_assignment():
    # exp(-C/reg) underflows to 0 here: the log domain is needed
    rng = np.random.default_rng(2)
    n, reg = 8, 0.05
    x, y = 2.5 * rng.standard_normal((n, 2)), 2.5 * rng.standard_normal((n, 2))
    cost = squared_distances(x, y)
    assert np.exp(-cost.max() / reg) == 0.0
    res = sinkhorn_log(cost, reg, tol=2e-4, max_iter=10_000)  # near-ties: sublinear convergence
    assert res.marginal_error < 2e-4
    r, c = linear_sum_assignment(cost)
    gap = (res.plan * cost).sum() - cost[r, c].mean()
    # 0 <= <C, pi> - OT <= reg (H(pi) - H(pi*)) <= reg log n for the exact entropic plan; the
    # remaining marginal error can move <C, pi> by at most max C times that error
    slack = cost.max() * res.marginal_error
    assert -slack <= gap <= reg * np.log(n) + slack
