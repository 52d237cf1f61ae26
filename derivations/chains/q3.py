r"""Derivation chain of question 3 for the report (protocol of `chains`: `(lhs LaTeX, sympy expression,
check text)`; each check text states what sympy established).

VP-SDE, data at t = 0: $dx = -\frac12\beta x\,dt + \sqrt\beta\,dW$. Its kernel is $N(\alpha x_0, \sigma^2)$;
the reverse SDE that regenerates the data law needs the score $\nabla\log p_t$ of the model's own
marginals (the Husky model's, for translation into Huskies), not a density used as a drift.
"""
from __future__ import annotations

import sympy as sp

from ..schedules import t, vp_alpha, vp_linear_beta
from .checks import is_zero

__all__ = ["q3_derivation"]


def q3_derivation() -> tuple[tuple[str, sp.Expr, str], ...]:
    r"""Kernel mean and variance from the moment ODEs $\dot m = -\frac12\beta m$, $\dot v = \beta(1 - v)$;
    then, for any density $p(x, t)$, the reverse-time Fokker-Planck with drift $f - g^2\nabla\log p$
    equals the forward one, so the reverse SDE with the right score has the marginals $p_t$."""
    beta, alpha = vp_linear_beta(), vp_alpha()
    var = 1 - alpha ** 2
    x = sp.Symbol("x", real=True)
    p = sp.Function("p")(x, t)
    b = sp.Symbol("beta", positive=True)
    drift = -b * x / 2
    forward = -sp.diff(drift * p, x) + b / 2 * sp.diff(p, x, 2)

    def reverse(correction):  # d_t p under the reverse SDE with drift f - g^2 correction, forward time
        return -sp.diff((drift - b * correction) * p, x) - b / 2 * sp.diff(p, x, 2)

    gap = sp.simplify(reverse(sp.diff(sp.log(p), x)) - forward)
    with_density = sp.simplify(reverse(p) - forward) == 0
    return (
        (r"\alpha(t) = e^{-\frac12\int_0^t\beta}", alpha,
         is_zero(sp.diff(alpha, t) + beta * alpha / 2, "d alpha/dt + beta alpha / 2")
         + f"; alpha(0) = {alpha.subs(t, 0)}"),
        (r"\sigma^2(t) = 1 - \alpha(t)^2", var,
         is_zero(sp.diff(var, t) - beta * (1 - var), "d sigma^2/dt - beta (1 - sigma^2)")
         + f"; sigma^2(0) = {var.subs(t, 0)}"),
        (r"\partial_t p\big|_{\text{reverse SDE}} - \partial_t p\big|_{\text{forward SDE}}", gap,
         is_zero(gap, "difference (any p, drift f - g^2 grad log p)")
         + ("; with p in place of grad log p: not 0" if not with_density else "; with p: 0 too")),
    )
