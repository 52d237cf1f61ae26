r"""Affine conditional flows $\psi_t(x | x_1) = \alpha_t x_1 + \sigma_t x$ and the conditions of eq. (4).

Flow time: source at $t = 0$, data at $t = 1$. Eq. (4) asks $\alpha_0 = 0 = \sigma_1$, $\alpha_1 = 1$,
$\dot\alpha_t > 0$ and $-\dot\sigma_t > 0$ on $(0, 1)$. Question 4(d) builds
$\alpha_t = e^{-\frac12 T(1-t)}$, $T(t) = \int_0^t \beta(s)\,ds$, $\sigma_t = 1 - \alpha_t^2$.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = [
    "t", "s", "u", "beta", "CONDITIONS", "CONDITION_TEXT", "Condition",
    "linear_schedule", "integrated", "question_4d_schedule", "vp_variant_schedule",
    "endpoint_value", "conditions", "settle_symbolically",
]

t = sp.Symbol("t", real=True)
s = sp.Symbol("s", real=True)
u = sp.Symbol("u", positive=True)  # t = u / (1 + u) maps u > 0 onto 0 < t < 1
beta = sp.Symbol("beta", positive=True)

CONDITIONS = ("alpha_0", "alpha_1", "sigma_1", "alpha_increasing", "sigma_decreasing")
CONDITION_TEXT = {
    "alpha_0": r"\alpha_0 = 0",
    "alpha_1": r"\alpha_1 = 1",
    "sigma_1": r"\sigma_1 = 0",
    "alpha_increasing": r"\dot\alpha_t > 0 \text{ on } (0,1)",
    "sigma_decreasing": r"-\dot\sigma_t > 0 \text{ on } (0,1)",
}


@dataclass(frozen=True)
class Condition:
    """One condition of eq. (4): `expr` must be zero (kind 'zero') or positive on (0,1) ('positive').
    An endpoint condition keeps the `function` of t it reads and the end `at` (0 or 1): `expr` is
    `endpoint_value(function, at)`, and a numeric fallback evaluates `function` there the same way."""

    tag: str
    kind: str
    expr: sp.Expr
    function: sp.Expr | None = None
    at: int | None = None


def linear_schedule() -> tuple[sp.Expr, sp.Expr]:
    r"""Question 4(c)i: $(\alpha_t, \sigma_t) = (t, 1 - t)$."""
    return t, 1 - t


def integrated(rate: sp.Expr, upper: sp.Expr) -> sp.Expr:
    r"""$T(\text{upper}) = \int_0^{\text{upper}} \beta(s)\,ds$ for a rate given as an expression in `t`."""
    return sp.integrate(rate.subs(t, s), (s, 0, upper))


def question_4d_schedule(rate: sp.Expr = beta) -> tuple[sp.Expr, sp.Expr]:
    r"""Eq. (5) as written: $\alpha_t = e^{-\frac12 T(1-t)}$, $\sigma_t = 1 - \alpha_t^2$."""
    alpha = sp.exp(-integrated(rate, 1 - t) / 2)
    return alpha, 1 - alpha**2


def vp_variant_schedule(rate: sp.Expr = beta) -> tuple[sp.Expr, sp.Expr]:
    r"""The common VP variant (Lipman et al. 2023): same $\alpha_t$, $\sigma_t = \sqrt{1 - \alpha_t^2}$."""
    alpha, _ = question_4d_schedule(rate)
    return alpha, sp.sqrt(1 - alpha**2)


def endpoint_value(expr: sp.Expr, at: int) -> sp.Expr:
    r"""`expr` at $t$ = `at` (0 or 1) as eq. (4) reads it: the value, or where that is 0/0 or a pole
    (sympy's nan, zoo, oo) the one-sided limit from inside (0, 1): $t/t \to 1$, $1/t \to \infty$."""
    value = expr.subs(t, at)
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        value = sp.limit(expr, t, at, "+" if at == 0 else "-")
    return value


def _at_end(tag: str, function: sp.Expr, at: int) -> Condition:
    return Condition(tag, "zero", endpoint_value(function, at), function, at)


def conditions(alpha: sp.Expr, sigma: sp.Expr) -> tuple[Condition, ...]:
    """The five conditions of eq. (4) for a schedule, as expressions to be zero or positive; the
    endpoint values are limits where the schedule is 0/0 there (`endpoint_value`)."""
    return (
        _at_end("alpha_0", alpha, 0),
        _at_end("alpha_1", alpha - 1, 1),
        _at_end("sigma_1", sigma, 1),
        Condition("alpha_increasing", "positive", sp.diff(alpha, t)),
        Condition("sigma_decreasing", "positive", -sp.diff(sigma, t)),
    )


def settle_symbolically(condition: Condition) -> bool | None:
    """True/False when sympy settles the condition for every admissible parameter, else None.

    'zero': simplify(expr) == 0, or sympy proves expr nonzero. 'positive': with $t = u/(1+u)$,
    $u > 0$, sympy proves the sign on all of (0, 1).
    """
    expr = sp.simplify(condition.expr)
    if condition.kind == "zero":
        if expr == 0:
            return True
        return False if expr.is_zero is False else None
    on_interval = sp.simplify(expr.subs(t, u / (1 + u)))
    if on_interval.is_positive:
        return True
    return False if on_interval.is_nonpositive else None
