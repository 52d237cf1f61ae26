r"""Derivation chains of question 1 for the report: steps `(lhs LaTeX, sympy expression, check
text)`, each check text what sympy established for that step (`checks`), never a literal.
"""
from __future__ import annotations

import sympy as sp

from .. import dsm
from .. import gaussian_kl as kl
from .checks import identity

__all__ = ["q1a_derivation", "q1b_derivation"]


def q1a_derivation(n: int = 2) -> tuple[tuple[str, sp.Expr, str], ...]:
    r"""Question 1(a) for $q_0 = N(m, diag(\tau^2))$ on $R^n$, kernel $N(x, \sigma^2 I)$ and
    $s_\theta = A\tilde x + b$: $J_1 - J_2$ is free of $(A, b)$ and equals $-\frac12 E\,tr Var$."""
    d = dsm.derive(n)
    params = set(d.A) | set(d.b)
    free = not (d.c.free_symbols & params)
    return (
        (r"J_1 - J_2", d.c, "sympy: no entry of A or b is left" if free
         else "sympy: depends on (A, b) (step FAILS)"),
        (r"-\tfrac12\,E_{\tilde x}\,\mathrm{tr}\,\mathrm{Var}_{x|\tilde x}[\nabla\log q_\sigma(\tilde x|x)]",
         -d.E_tr_var / 2, identity(d.c, -d.E_tr_var / 2)),
        (r"\tfrac12\left(E\|\nabla\log q_\sigma(\tilde x)\|^2 - E\|\nabla\log q_\sigma(\tilde x|x)\|^2\right)",
         (d.E_marg_sq - d.E_cond_sq) / 2, identity(d.c, (d.E_marg_sq - d.E_cond_sq) / 2)),
    )


def q1b_derivation() -> tuple[tuple[str, sp.Expr, str], ...]:
    r"""KL of the joint laws: $q_0$ cancels, the 1-D Gaussian KL by integration, the product over
    $d$ coordinates, and $\partial_{s_1}KL = d(s_1^2 - s_0^2)/(s_0^2 s_1) > 0$ for $s_1 > s_0$."""
    ratio = kl.joint_log_ratio()
    one, two = kl.kl_1d(), kl.kl_product_2d()
    r = kl.s1 ** 2 / kl.s0 ** 2
    deriv = kl.kl_derivative_in_s1()
    free = not ratio.atoms(sp.core.function.AppliedUndef)
    return (
        (r"\log\frac{q_{s_1}(\tilde x, x)}{q_{s_0}(\tilde x, x)}", ratio,
         "sympy: q_0(x) cancels (no q_0 left)" if free else "sympy: q_0 does not cancel (step FAILS)"),
        (r"KL_1 = \int N(\tilde x; x, s_1^2)\log\frac{N(\tilde x; x, s_1^2)}{N(\tilde x; x, s_0^2)}",
         one, identity(one, (r - 1 - sp.log(r)) / 2)),
        (r"KL_2 = 2\,KL_1 \text{ (double integral)}", two, identity(two, 2 * one)),
        (r"KL_d = \frac d2\left(r - 1 - \log r\right),\ r = s_1^2/s_0^2", kl.kl_isotropic(),
         identity(kl.kl_isotropic(), kl.d * one)),
        (r"\partial_{s_1} KL_d", deriv,
         identity(deriv, kl.d * (kl.s1 ** 2 - kl.s0 ** 2) / (kl.s0 ** 2 * kl.s1)) + "; "
         + _sign_above(deriv)),
    )


def _sign_above(deriv: sp.Expr) -> str:
    """Sign of the derivative on $s_1 = s_0(1 + u)$, $u > 0$, $d > 0$, as sympy settles it."""
    u = sp.Symbol("u", positive=True)
    d = sp.Symbol("d_pos", positive=True)
    positive = sp.simplify(deriv.subs({kl.s1: kl.s0 * (1 + u), kl.d: d})).is_positive
    return "positive for s_1 > s_0 > 0" if positive else "sign for s_1 > s_0 not settled"
