r"""Derivation chains for the report (protocol: steps `(lhs LaTeX, sympy expression, check text)`).

`q4d_derivation(rate)` derives eq. (5) and its eq. (4) conditions step by step; every check text
states what sympy established for that step (computed here, never written as a literal).
Flow time: source at $t = 0$, data at $t = 1$.
"""
from __future__ import annotations

import sympy as sp

from .affine_paths import beta, integrated, question_4d_schedule, t
from .step_checks import identity

__all__ = ["q4d_derivation"]



def q4d_derivation(rate: sp.Expr = sp.Integer(598)) -> tuple[tuple[str, sp.Expr, str], ...]:
    r"""Eq. (5) with constant $\beta$: $T(1-t) = \beta(1-t)$, $\alpha_t = e^{-\beta(1-t)/2}$,
    $\sigma_t = 1 - \alpha_t^2$; then $\alpha_0$, $\alpha_1$, $\sigma_1$, $\dot\alpha_t$, $-\dot\sigma_t$."""
    T = integrated(beta, 1 - t)
    alpha, sigma = question_4d_schedule()
    d_alpha, minus_d_sigma = sp.diff(alpha, t), -sp.diff(sigma, t)
    alpha0 = alpha.subs(t, 0)
    at_rate = alpha0.subs(beta, rate)
    pos = lambda e: "sympy: positive for beta > 0, t real" if sp.simplify(e).is_positive \
        else "sympy: sign not settled"  # noqa: E731
    return (
        (r"T(1-t) = \int_0^{1-t} \beta\,ds", T,
         identity(T, beta * (1 - t))),
        (r"\alpha_t = e^{-\frac12 T(1-t)}", alpha, identity(alpha, sp.exp(-beta * (1 - t) / 2))),
        (r"\sigma_t = 1 - \alpha_t^2", sigma, identity(sigma, 1 - sp.exp(-beta * (1 - t)))),
        (r"\alpha_0", alpha0, "sympy: nonzero for every beta > 0" if alpha0.is_zero is False
         else "sympy: not settled"),
        (rf"\alpha_0\big|_{{\beta = {sp.latex(rate)}}}", at_rate,
         f"= {sp.N(at_rate, 6)} != 0, so eq. (4) fails" if at_rate.is_zero is False else "zero"),
        (r"\alpha_1", alpha.subs(t, 1), identity(alpha.subs(t, 1), 1)),
        (r"\sigma_1", sigma.subs(t, 1), identity(sigma.subs(t, 1), 0)),
        (r"\dot\alpha_t", d_alpha, pos(d_alpha)),
        (r"-\dot\sigma_t", minus_d_sigma, pos(minus_d_sigma)),
    )
