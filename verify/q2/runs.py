"""The numerical runs behind question 2's "yes" cases (sheet-independent).

VP-SDE: data at t = 0, noise at T (`VPFlow`); rectified flow: source N(0, I) at t = 0, data at 1
(`RFVelocity`). Each run returns per-point arrays: the exact log-density, the augmented-ODE value
with its per-point error estimate, and the ingredients of every variant q2b asks about (endpoint from
the ODE / an SDE path / a fresh noised copy, integrand along the trajectory / at the fixed test point,
one augmented ODE / a state solve followed by quadrature along its dense output).
"""
from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from ..numerics.likelihood_ode import log_likelihood
from ..models import VPSchedule
from .fields import RFVelocity, VPFlow, standard_normal_log_prob

__all__ = ["TOL", "RTOL", "ATOL", "vp_run", "rf_run", "sde_path", "fixed_x_integrals",
           "separate_integrals"]

TOL, RTOL, ATOL = 1e-8, 1e-10, 1e-10  # target per-point |error|; first-round tolerances (per point)
_SEP_RTOL, _SEP_ATOL = 1e-12, 1e-13  # state solve of `separate_integrals` (whole-batch solve_ivp;
# at 1e-10 its error reached 2.7e-8 on some seeds, at 1e-12 it stays <= 3e-10, for +0.05 s)
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(16)


def _gauss_legendre(f, a: float, b: float, panels: int = 8):
    """Composite 16-point Gauss-Legendre of `f(t) -> (n, m)` over [a, b] (a > b allowed)."""
    edges = np.linspace(a, b, panels + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        half, mid = 0.5 * (hi - lo), 0.5 * (hi + lo)
        total = total + sum(w * half * f(mid + half * z) for z, w in zip(_GL_NODES, _GL_WEIGHTS))
    return total


def fixed_x_integrals(field, x: np.ndarray, t0: float, t1: float) -> np.ndarray:
    """$\\int_{t_0}^{t_1}$ integrands evaluated at the fixed test points (not along a trajectory)."""
    return _gauss_legendre(lambda tt: field(tt, x)[1], t0, t1, panels=4)


def separate_integrals(field, x: np.ndarray, t0: float, t1: float):
    """State ODE alone (dense output), then 8-point Gauss-Legendre of the integrands on every solver
    step along the dense output: (x_end, integrals)."""
    n, dim = x.shape
    sol = solve_ivp(lambda tt, y: field(tt, y.reshape(n, dim))[0].ravel(), (t0, t1), x.ravel(),
                    method="DOP853", rtol=_SEP_RTOL, atol=_SEP_ATOL, dense_output=True)
    nodes, weights = np.polynomial.legendre.leggauss(8)  # exact to degree 15 on each solver step
    ints = 0.0
    for lo, hi in zip(sol.t[:-1], sol.t[1:]):
        half, mid = 0.5 * (hi - lo), 0.5 * (hi + lo)
        tt = mid + half * nodes
        states = sol.sol(tt).T.reshape(len(tt), n, dim)
        ints = ints + sum(w * half * field(ti, xi)[1] for ti, xi, w in zip(tt, states, weights))
    return sol.y[:, -1].reshape(n, dim), ints


def sde_path(flow: VPFlow, x: np.ndarray, rng: np.random.Generator, steps: int = 200):
    """A forward VP-SDE path from each row of `x` (exact OU transitions on a grid): returns
    $x_T$ and the trapezoid $\\int_0^T\\beta(t)\\nabla\\cdot s(x_t, t)\\,dt$ along the path."""
    sch = flow.schedule
    grid = np.linspace(0.0, sch.T, steps + 1)
    xt, vals = x.copy(), []
    for i, tt in enumerate(grid):
        vals.append(float(sch.beta(tt)) * flow.score_laplacian(tt, xt)[1])
        if i < steps:
            ratio = float(sch.alpha(grid[i + 1]) / sch.alpha(tt))
            xt = ratio * xt + np.sqrt(1 - ratio * ratio) * rng.standard_normal(xt.shape)
    vals = np.array(vals)
    h = grid[1] - grid[0]
    return xt, h * (vals.sum(axis=0) - 0.5 * (vals[0] + vals[-1]))


def vp_run(mixture, x: np.ndarray, rng: np.random.Generator, *, schedule=VPSchedule(),
           draws: int = 0, variants: bool = False) -> dict:
    """Probability-flow log-likelihood of `x` (data time 0) and, on request, the endpoint variants
    (`draws` SDE paths and noised copies per point) and the q2b integration variants."""
    flow = VPFlow(mixture, schedule)
    T = schedule.T
    sol = log_likelihood(flow, flow.log_p_T, x, 0.0, T, tol=TOL, rtol=RTOL, atol=ATOL)
    out = {"x": x, "exact": mixture.log_prob(x), "value": sol.value, "estimate": sol.error_estimate,
           "log_pT": sol.log_p_end, "int_div_v": sol.integrals[:, 0],
           "int_beta_div_s": sol.integrals[:, 1], "int_beta": float(schedule.integrated_beta(T)),
           "d": mixture.dim, "x_T": sol.x_end, "evals": sol.evals}
    if draws:
        n = len(x)
        rep = np.repeat(x, draws, axis=0)
        xs, ints = sde_path(flow, rep, rng)
        out["sde_log_pT"] = flow.log_p_T(xs).reshape(n, draws)
        out["sde_int_beta_div_s"] = ints.reshape(n, draws)
        noised = float(schedule.alpha(T)) * rep + float(schedule.sigma(T)) * rng.standard_normal(rep.shape)
        out["noised_log_pT"] = flow.log_p_T(noised).reshape(n, draws)
    if variants:
        out["fixed_int_beta_div_s"] = fixed_x_integrals(flow, x, 0.0, T)[:, 1]
        x_end, ints = separate_integrals(flow, x, 0.0, T)
        out["sep_log_pT"], out["sep_int_beta_div_s"] = flow.log_p_T(x_end), ints[:, 1]
    return out


def rf_run(mixture, x: np.ndarray, *, variants: bool = False) -> dict:
    """Rectified-flow log-likelihood of `x` (data time 1), solving back to the source at t = 0;
    `int_div_v` is $\\int_0^1\\nabla\\cdot v\\,dt$ (positive orientation)."""
    field = RFVelocity(mixture)
    sol = log_likelihood(field, standard_normal_log_prob, x, 1.0, 0.0, tol=TOL, rtol=RTOL, atol=ATOL)
    out = {"x": x, "exact": mixture.log_prob(x), "value": sol.value, "estimate": sol.error_estimate,
           "log_p0": sol.log_p_end, "int_div_v": -sol.integrals[:, 0], "x_0": sol.x_end,
           "evals": sol.evals}
    if variants:
        out["fixed_int_div_v"] = -fixed_x_integrals(field, x, 1.0, 0.0)[:, 0]
        x_end, ints = separate_integrals(field, x, 1.0, 0.0)
        out["sep_log_p0"], out["sep_int_div_v"] = standard_normal_log_prob(x_end), -ints[:, 0]
        # one Euler step of the straight-line assumption: x_0 = x - v(x, 1) (= 0 since v(x, 1) = x)
        out["euler_log_p0"] = standard_normal_log_prob(x - field(1.0, x)[0])
    return out
