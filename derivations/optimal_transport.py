r"""Quadratic-cost optimal transport between 1-D Gaussians, against the rectified-flow path.

Source $N(0, 1)$ at $t = 0$, target $N(m, s^2)$ at $t = 1$ (question 4(c)iii). The OT map is
$T(x) = m + s x$; McCann's displacement interpolation is $((1-t)\,id + tT)_\# p_0 = N(tm, (1-t+ts)^2)$.
The linear flow-matching path with independent coupling has $x_t \sim N(tm, t^2s^2 + (1-t)^2)$.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from .flow_matching import m, s, t, x, marginal_vf_linear_gaussian

__all__ = ["ot_map_gaussian", "mccann_std", "flow_std", "w2_squared_gaussian",
           "flow_kinetic_integrand", "std_gap_squared"]


def ot_map_gaussian() -> sp.Expr:
    r"""$T = F_1^{-1}\circ F_0$: $T(x) = m + s x$."""
    return m + s * x


def mccann_std() -> sp.Expr:
    r"""Standard deviation of McCann's interpolant: $1 - t + t s$."""
    return 1 - t + t * s


def flow_std() -> sp.Expr:
    r"""Standard deviation of $t x_1 + (1 - t) x_0$, independent coupling: $\sqrt{t^2 s^2 + (1-t)^2}$."""
    return sp.sqrt(t ** 2 * s ** 2 + (1 - t) ** 2)


def std_gap_squared() -> sp.Expr:
    r"""$(1-t+ts)^2 - (t^2s^2 + (1-t)^2) = 2t(1-t)s$: positive on $(0,1)$ for every $s > 0$."""
    return sp.factor(sp.expand(mccann_std() ** 2 - flow_std() ** 2))


def w2_squared_gaussian() -> sp.Expr:
    r"""$W_2^2(N(0,1), N(m,s^2)) = m^2 + (1 - s)^2$ (Benamou-Brenier: the kinetic energy of McCann's path)."""
    return m ** 2 + (1 - s) ** 2


@lru_cache(maxsize=None)
def flow_kinetic_integrand() -> sp.Expr:
    r"""$E[u_t(x_t)^2]$ for the rectified-flow marginal field: $m^2 + (ts^2 - (1-t))^2/(t^2s^2 + (1-t)^2)$
    (the field is $m + k_t(x - tm)$ and $Var\,x_t = t^2s^2 + (1-t)^2$)."""
    u = marginal_vf_linear_gaussian()
    k = sp.simplify(sp.diff(u, x))
    return sp.simplify(m ** 2 + k ** 2 * flow_std() ** 2)
