r"""Derivation chains for the report, one function per claim (protocol of `steps_affine`: steps
`(lhs LaTeX, sympy expression, check text)`; every check text states what sympy established).
"""
from __future__ import annotations

import sympy as sp

from . import dsm
from . import flow_matching as fm
from . import gaussian_kl as kl
from .affine_paths import conditions, linear_schedule, settle_symbolically
from .step_checks import identity, is_zero

__all__ = ["q1a_derivation", "q1b_derivation", "q4ci_derivation", "q4cii_derivation"]



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


def q4ci_derivation() -> tuple[tuple[str, sp.Expr, str], ...]:
    r"""Eq. (4) for $(\alpha_t, \sigma_t) = (t, 1 - t)$: each condition's expression and its settlement."""
    verdict = {True: "holds", False: "fails", None: "not settled"}
    alpha, sigma = linear_schedule()
    path = (r"\psi_t(x | x_1) = \alpha_t x_1 + \sigma_t x", alpha * sp.Symbol("x_1") + sigma * sp.Symbol("x"),
            "question 4(c)i's choice alpha_t = t, sigma_t = 1 - t")
    return (path,) + tuple(
        (_CONDITION_LHS[c.tag], c.expr, f"sympy: condition {c.tag} ({_CONDITION_WORDS[c.tag]}) {verdict[settle_symbolically(c)]}")
        for c in conditions(alpha, sigma))


_CONDITION_WORDS = {"alpha_0": "alpha_0 = 0", "alpha_1": "alpha_1 = 1", "sigma_1": "sigma_1 = 0",
                    "alpha_increasing": "d alpha/dt > 0 on (0, 1)",
                    "sigma_decreasing": "-d sigma/dt > 0 on (0, 1)"}
_CONDITION_LHS = {"alpha_0": r"\alpha_0", "alpha_1": r"\alpha_1 - 1", "sigma_1": r"\sigma_1",
                  "alpha_increasing": r"\dot\alpha_t", "sigma_decreasing": r"-\dot\sigma_t"}


def q4cii_derivation() -> tuple[tuple[str, sp.Expr, str], ...]:
    r"""Question 4(c)ii for source $N(0,1)$, target $N(m, s^2)$: the conditional field at the current
    point, the posterior mean by completing the square, the marginal field, the continuity equation."""
    psi, cond = fm.linear_conditional_flow(), fm.conditional_vf_current_point()
    post, marg = fm.posterior_mean_linear(), fm.marginal_vf_linear_gaussian()
    p_t = fm.gaussian_pdf(fm.x, fm.t * fm.m, sp.sqrt(fm.t ** 2 * fm.s ** 2 + (1 - fm.t) ** 2))
    residual = sp.simplify(fm.continuity_residual(marg, p_t))
    closed = fm.m + (fm.t * fm.s ** 2 - (1 - fm.t)) / (fm.t ** 2 * fm.s ** 2 + (1 - fm.t) ** 2) \
        * (fm.x - fm.t * fm.m)
    return (
        (r"\psi_t(x_0 | x_1)", psi, "question 4(c)i's path"),
        (r"u_t(x | x_1) = \partial_t\psi_t\big|_{x_0 = (x - t x_1)/(1 - t)}", cond,
         identity(cond, (fm.x1 - fm.x) / (1 - fm.t)) + "; x is the current point, not x_0"),
        (r"E[x_1 | x_t = x]", post, "sympy: by completing the square in x_1 of log p_t(x|x_1) + log q(x_1)"),
        (r"u_t(x) = \frac{E[x_1 | x_t = x] - x}{1 - t}", marg, identity(marg, closed)),
        (r"\frac{\partial_t p_t + \partial_x(u_t p_t)}{p_t}", residual,
         is_zero(residual, "continuity residual")),
    )


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
