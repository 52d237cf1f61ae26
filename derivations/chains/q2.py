r"""Derivation chains of question 2(a) for the report (protocol of `chains`: `(lhs LaTeX, sympy
expression, check text)`; each check text states what sympy established, computed here).

Score SDE (VP, data at $t = 0$): $\log p_0(x) = \log p_T(x_T) - \frac12\int_0^T\beta\nabla\cdot s\,dt
- \frac d2\int_0^T\beta\,dt$. Rectified flow (source at $t = 0$): $\log p_1(x) = \log p_0(x_0) -
\int_0^1\nabla\cdot u\,dt$.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from .. import likelihood as lik
from .checks import identity, is_zero

__all__ = ["change_of_variables_steps", "vp_gaussian_check", "rf_gaussian_check",
           "score_sde_derivation", "rectified_flow_derivation"]


@lru_cache(maxsize=None)
def change_of_variables_steps() -> tuple[tuple[str, sp.Expr, str], ...]:
    r"""1-D Gaussian flow $p_t = N(m(t), s(t)^2)$, $v = \dot m + \frac{\dot s}{s}(x - m)$: continuity,
    then $\frac{d}{dt}\log p_t(x_t) = -\partial_x v$ along $x_t = m + s z$."""
    cv = lik.change_of_variables_gaussian()
    return (
        (r"\partial_t p_t + \partial_x(p_t v),\ v = \dot m + \tfrac{\dot s}{s}(x - m)",
         cv["continuity"], is_zero(cv["continuity"], "continuity residual of N(m(t), s(t)^2)")),
        (r"\tfrac{d}{dt}\log p_t(x_t) + \partial_x v(x_t, t)", cv["residual"],
         is_zero(cv["residual"], "residual along x_t = m + s z")),
    )


def _vp_divergence_check(dim: int = 3) -> str:
    """div of $-\\frac12\\beta(x + s(x))$ in `dim` dimensions for an arbitrary score s, by sympy."""
    xs = sp.symbols(f"x1:{dim + 1}", real=True)
    score = [sp.Function(f"s{i}")(*xs) for i in range(dim)]
    beta = sp.Symbol("beta", positive=True)
    div = sum(sp.diff(lik.vp_probability_flow_drift(xi, si, beta), xi) for xi, si in zip(xs, score))
    div_s = sum(sp.diff(si, xi) for xi, si in zip(xs, score))
    return identity(div, lik.vp_flow_divergence(dim, beta, div_s)) + f" (d = {dim}, any score)"


def vp_gaussian_check(formula: sp.Expr) -> str:
    r"""1-D data $N(0, c^2)$, constant $\beta$: $p_t = N(0, v_t)$, $v_t = 1 + (c^2 - 1)e^{-\beta t}$, the
    flow keeps $x_t^2/v_t$, so $\log p_0(x_0) - \log p_T(x_T) = \frac12\log(v_T/v_0)$; the formula's
    `formula` (in the sheet symbols) minus $\log p_T$ must have the same T-derivative (both vanish at
    T = 0)."""
    T, b, c = sp.symbols("T beta c", positive=True)
    v = 1 + (c ** 2 - 1) * sp.exp(-b * T)
    formula = formula - lik.log_pT
    # d/dT of int_0^T beta * div s = beta * (-1/v_T); of int_0^T beta = beta; d = 1
    rate = formula.subs({lik.int_beta_div_s: -b / v, lik.int_beta: b, lik.d: 1})
    return is_zero(rate - sp.diff(sp.log(v) / 2, T),
                   "d/dT[formula - log p_T] - d/dT[log(v_T/v_0)/2] on 1-D Gaussian data")


def score_sde_derivation() -> tuple[tuple[str, sp.Expr, str], ...]:
    """Change of variables, the VP probability-flow divergence, the integrated formula."""
    beta, div_s = sp.Symbol("beta", positive=True), sp.Symbol(r"\nabla\cdot s")
    return change_of_variables_steps() + (
        (r"\nabla\cdot\left(-\tfrac12\beta(t)\,(x + s_t(x))\right)",
         lik.vp_flow_divergence(lik.d, beta, div_s), _vp_divergence_check()),
        (r"\log p_0(x) = \log p_T(x_T) + \int_0^T \nabla\cdot v\,dt", lik.vp_log_likelihood(),
         vp_gaussian_check(lik.vp_log_likelihood())),
    )


def rectified_flow_derivation() -> tuple[tuple[str, sp.Expr, str], ...]:
    r"""Gaussian target $N(\mu, c^2)$: the marginal velocity two ways, its continuity equation, and
    $\frac{d}{dt}\log p_t(x_t) = -\partial_x u$, integrated from the source (t = 0) to the data (t = 1)."""
    u = lik.rf_gaussian_velocity()
    mu, c = lik.gaussian_target_symbols()
    log_p = lik.gaussian_log_density(lik.x, lik.t * mu, sp.sqrt(lik.t ** 2 * c ** 2 + (1 - lik.t) ** 2))
    along = sp.diff(log_p, lik.t) + u * sp.diff(log_p, lik.x) + sp.diff(u, lik.x)
    return change_of_variables_steps() + (
        (r"u_t(x) = E[x_1 - x_0 \mid x_t = x]", u, identity(u, lik.rf_tweedie_velocity())
         + " against the Tweedie form (x + (1-t) grad log p_t)/t"),
        (r"\frac{\partial_t p_t + \partial_x(p_t u_t)}{p_t}", lik.rf_continuity_residual(u),
         is_zero(lik.rf_continuity_residual(u), "continuity residual")),
        (r"\log p_1(x) = \log p_0(x_0) - \int_0^1 \nabla\cdot u\,dt", lik.rf_log_likelihood(),
         is_zero(along, "d/dt log p_t(x_t) + div u along the flow") + "; "
         + rf_gaussian_check(lik.rf_log_likelihood())),
    )


def rf_gaussian_check(formula: sp.Expr) -> str:
    r"""Target $N(0, c^2)$: $x_t = \sqrt{t^2c^2 + (1-t)^2}\,z$, so $\log p_1(x_1) - \log p_0(x_0) = -\log c$ and
    $\int_0^1\partial_x u\,dt$ is integrated by sympy; `formula` (sheet symbols) minus $\log p_0$ must
    equal $-\log c$."""
    mu, c = lik.gaussian_target_symbols()
    integral = sp.integrate(sp.diff(lik.rf_gaussian_velocity(), lik.x).subs(mu, 0), (lik.t, 0, 1))
    gap = formula.subs(lik.int_div_v, integral) - lik.log_p0 + sp.log(c)
    return is_zero(gap, "formula - log p_0 + log c on 1-D Gaussian data N(0, c^2)")
