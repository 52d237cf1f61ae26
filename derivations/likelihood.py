r"""Exact likelihood by the instantaneous change of variables (sympy only).

Along $\dot x_t = v(x_t, t)$ with marginals $p_t$ solving $\partial_t p + \nabla\cdot(p v) = 0$:
$\frac{d}{dt}\log p_t(x_t) = -\nabla\cdot v(x_t, t)$, hence for any two times $a, b$
$\log p_a(x_a) = \log p_b(x_b) + \int_a^b \nabla\cdot v(x_t, t)\,dt$ (Chen et al. 2018, Song et al. 2021 eq. (39)).

VP-SDE (data at $t = 0$, noise at $T$): $f = -\frac12\beta x$, $g^2 = \beta$, probability-flow drift
$f - \frac12 g^2 s$, so $\nabla\cdot v = -\frac12\beta d - \frac12\beta\nabla\cdot s$.
Rectified flow (source $N(0, I)$ at $t = 0$, data at $t = 1$, $x_t = t x_1 + (1-t) x_0$):
$u_t(x) = E[x_1 - x_0 | x_t = x] = (x + (1-t)\nabla\log p_t(x)) / t$ (Tweedie).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

__all__ = [
    "t", "x", "d", "log_pT", "int_beta_div_s", "int_beta", "log_p0", "int_div_v",
    "SCORE_SDE_SYMBOLS", "RF_SYMBOLS",
    "change_of_variables_gaussian", "vp_probability_flow_drift", "vp_flow_divergence",
    "vp_log_likelihood", "rf_log_likelihood", "rf_gaussian_velocity", "rf_tweedie_velocity",
    "rf_continuity_residual", "gaussian_log_density", "gaussian_target_symbols",
]

t = sp.Symbol("t", positive=True)
x = sp.Symbol("x", real=True)
# Sheet symbols (the formula vocabulary of [q2a.score_sde] and [q2a.rf_gaussian]).
log_pT = sp.Symbol("log_pT", real=True)  # log p_T at the probability-flow endpoint x_T
int_beta_div_s = sp.Symbol("int_beta_div_s", real=True)  # int_0^T beta(t) div s(x_t, t) dt
int_beta = sp.Symbol("int_beta", positive=True)  # int_0^T beta(t) dt
d = sp.Symbol("d", positive=True, integer=True)  # data dimension
log_p0 = sp.Symbol("log_p0", real=True)  # log p_0 at the rectified-flow ODE's t = 0 endpoint
int_div_v = sp.Symbol("int_div_v", real=True)  # int_0^1 div v(x_t, t) dt along the trajectory
SCORE_SDE_SYMBOLS = (log_pT, int_beta_div_s, int_beta, d)
RF_SYMBOLS = (log_p0, int_div_v)


def gaussian_log_density(y: sp.Expr, mean: sp.Expr, std: sp.Expr) -> sp.Expr:
    r"""$\log N(y; m, s^2)$ in one dimension."""
    return -(y - mean) ** 2 / (2 * std ** 2) - sp.log(std) - sp.log(2 * sp.pi) / 2


def change_of_variables_gaussian() -> dict[str, sp.Expr]:
    r"""The identity $\frac{d}{dt}\log p_t(x_t) = -\partial_x v$ for a 1-D Gaussian flow.

    $p_t = N(m(t), s(t)^2)$ is transported by $v = \dot m + (\dot s / s)(x - m)$; along $x_t = m + s z$
    both sides are returned (`lhs`, `rhs`) and `residual` = lhs - rhs simplifies to 0.
    """
    m, s = sp.Function("m")(t), sp.Function("s")(t)
    z = sp.Symbol("z", real=True)
    v = sp.diff(m, t) + sp.diff(s, t) / s * (x - m)
    xt = m + s * z  # the trajectory through z (z is constant along it)
    lhs = sp.diff(gaussian_log_density(xt, m, s), t)
    rhs = -sp.diff(v, x).subs(x, xt)
    continuity = sp.diff(sp.exp(gaussian_log_density(x, m, s)), t) + sp.diff(
        sp.exp(gaussian_log_density(x, m, s)) * v, x)
    return {"velocity": v, "lhs": lhs, "rhs": rhs, "residual": sp.simplify(lhs - rhs),
            "continuity": sp.simplify(continuity)}


def vp_probability_flow_drift(xx: sp.Expr, score: sp.Expr, beta: sp.Expr) -> sp.Expr:
    r"""$f - \frac12 g^2 s = -\frac12\beta x - \frac12\beta s$ (Song et al. 2021, eq. (13))."""
    return -beta * xx / 2 - beta * score / 2


def vp_flow_divergence(dim: sp.Expr, beta: sp.Expr, div_score: sp.Expr) -> sp.Expr:
    r"""$\nabla\cdot(f - \frac12 g^2 s) = -\frac12\beta d - \frac12\beta\nabla\cdot s$."""
    return -beta * dim / 2 - beta * div_score / 2


def vp_log_likelihood() -> sp.Expr:
    r"""$\log p_0(x) = \log p_T(x_T) + \int_0^T\nabla\cdot v\,dt
    = \log p_T(x_T) - \frac12\int_0^T\beta\nabla\cdot s\,dt - \frac d2\int_0^T\beta\,dt$.

    Obtained by integrating `vp_flow_divergence` term by term over [0, T] (x_T: the ODE endpoint).
    """
    b, ds = sp.Symbol("b_"), sp.Symbol("ds_")
    div = sp.expand(vp_flow_divergence(d, b, ds))
    # div is linear in (b, b*ds): integrate term by term, int b -> int_beta, int b*ds -> int_beta_div_s
    integral = div.coeff(b * ds) * int_beta_div_s + div.subs(ds, 0).coeff(b) * int_beta
    return log_pT + integral


def rf_log_likelihood() -> sp.Expr:
    r"""$\log p_1(x) = \log p_0(x_0) - \int_0^1 \nabla\cdot v(x_t, t)\,dt$ (flow time: source at 0)."""
    return log_p0 - int_div_v


def gaussian_target_symbols() -> tuple[sp.Symbol, sp.Symbol]:
    """(mu, c) of the rectified-flow Gaussian target N(mu, c^2)."""
    return sp.Symbol("mu", real=True), sp.Symbol("c", positive=True)  # target N(mu, c^2)


def rf_gaussian_velocity() -> sp.Expr:
    r"""$E[x_1 - x_0 | x_t = x]$ for target $N(\mu, c^2)$, source $N(0,1)$, by Gaussian conditioning:
    $\mu + \frac{t c^2 - (1-t)}{t^2c^2 + (1-t)^2}(x - t\mu)$ (regular on [0, 1])."""
    mu, c = gaussian_target_symbols()
    var_t = t ** 2 * c ** 2 + (1 - t) ** 2
    cov = t * c ** 2 - (1 - t)  # Cov(x1 - x0, x_t)
    return mu + cov / var_t * (x - t * mu)


def rf_tweedie_velocity() -> sp.Expr:
    r"""$(x + (1-t)\nabla\log p_t(x)) / t$ with $p_t = N(t\mu, t^2c^2 + (1-t)^2)$ (Tweedie form)."""
    mu, c = gaussian_target_symbols()
    score = sp.diff(gaussian_log_density(x, t * mu, sp.sqrt(t ** 2 * c ** 2 + (1 - t) ** 2)), x)
    return (x + (1 - t) * score) / t


@lru_cache(maxsize=None)
def rf_continuity_residual(velocity: sp.Expr) -> sp.Expr:
    r"""$\partial_t p_t + \partial_x(p_t u)$ for $p_t = N(t\mu, t^2c^2 + (1-t)^2)$, simplified."""
    mu, c = gaussian_target_symbols()
    p = sp.exp(gaussian_log_density(x, t * mu, sp.sqrt(t ** 2 * c ** 2 + (1 - t) ** 2)))
    return sp.simplify((sp.diff(p, t) + sp.diff(p * velocity, x)) / p)
