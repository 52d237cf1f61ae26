r"""Derivation chains of question 4 for the report: steps `(lhs LaTeX, sympy expression, check
text)`, each check text what sympy established for that step (`checks`), never a literal.

Flow time: source $N(0,1)$ at $t = 0$, data at $t = 1$; bridge time likewise.
"""
from __future__ import annotations

import sympy as sp

from .. import bridges as br
from .. import dsm
from .. import flow_matching as fm
from .. import optimal_transport as ot
from ..affine_paths import beta, conditions, integrated, linear_schedule, question_4d_schedule, \
    settle_symbolically, t
from .checks import identity, is_zero

__all__ = ["q4a_derivation", "q4b_derivation", "q4ci_derivation", "q4cii_derivation",
           "q4ciii_derivation", "q4d_derivation", "q4ei_derivation"]


_Z0, _Z1 = sp.symbols("z0 z1", real=True)  # x0 = z0, x1 = m + s z1, independent N(0, 1)


def _expectation(numerator: sp.Expr, denominator: sp.Expr = sp.Integer(1)) -> sp.Expr:
    r"""$E[numerator]/denominator$ over independent $z_0, z_1 \sim N(0,1)$ (`dsm.gaussian_expectation`)."""
    return sp.cancel(dsm.gaussian_expectation(numerator, (_Z0, _Z1)) / denominator)


def _variance(linear: sp.Expr) -> sp.Expr:
    """$Var L = a_0^2 + a_1^2$ for $L = c + a_0 z_0 + a_1 z_1$."""
    poly = sp.Poly(linear, _Z0, _Z1)
    return sum(poly.coeff_monomial(z) ** 2 for z in (_Z0, _Z1))


def _mean_square(linear: sp.Expr) -> sp.Expr:
    """$E[L^2] = (E L)^2 + Var L$ for $L = c + a_0 z_0 + a_1 z_1$: $c^2 + a_0^2 + a_1^2$."""
    return sp.Poly(linear, _Z0, _Z1).coeff_monomial(1) ** 2 + _variance(linear)


def _linear_path():
    x0, x1 = _Z0, fm.m + fm.s * _Z1
    return x0, x1, fm.t * x1 + (1 - fm.t) * x0


def q4a_derivation(m: sp.Expr = sp.Integer(1), s: sp.Expr = sp.Rational(1, 2)):
    r"""$v_\theta = \phi(t, x)\cdot\theta$, $\phi = (x, tx, 1, t)$, target $N(m, s^2)$: the cross terms
    $E[\phi(x_1 - x_0 - u_t)]$ vanish, so $L_{FM} - L_{CFM} = \int_0^1 E u_t^2 - E(x_1 - x_0)^2\,dt$."""
    x0, x1, xt = _linear_path()
    u = fm.marginal_vf_linear_gaussian().subs(fm.x, xt)
    num, den = sp.fraction(sp.together(x1 - x0 - u))
    cross = sp.Matrix([_expectation(f * num, den) for f in (xt, fm.t * xt, 1, fm.t)]).T
    u_num, u_den = sp.fraction(sp.together(u ** 2))
    kinetic, target = ot.flow_kinetic_integrand(), _expectation((x1 - x0) ** 2)
    gap = sp.integrate((kinetic - target).subs({fm.m: m, fm.s: s}), (fm.t, 0, 1))
    return (
        (r"E\left[\phi(t, x_t)\,(x_1 - x_0 - u_t(x_t))\right]", cross,
         is_zero(sum(e ** 2 for e in cross), "sum of the squared cross terms")
         + ": L_FM - L_CFM is free of theta"),
        (r"E\left[u_t(x_t)^2\right]", kinetic,
         identity(_expectation(u_num, u_den), kinetic) + " (Gaussian moments)"),
        (r"E\left[(x_1 - x_0)^2\right]", target, identity(target, _mean_square(x1 - x0))
         + " (mean^2 + variance of the linear form)"),
        (rf"L_{{FM}} - L_{{CFM}}\big|_{{m = {sp.latex(m)},\ s = {sp.latex(s)}}}", gap,
         f"sympy: definite integral over t in [0, 1] = {sp.N(gap, 6)}"),
    )


def q4b_derivation():
    r"""Gaussian paths: $u = \dot\mu + \frac{\dot\sigma}{\sigma}(x - \mu)$ solves continuity; the quartic
    path's flux is a non-elementary integral (Risch); in 2-D a rotational flux can be added freely."""
    from sympy.integrals.risch import NonElementaryIntegral

    u, p = fm.gaussian_conditional_vf()
    residual = sp.cancel(fm.continuity_residual(u, p))
    flux = fm.quartic_path_flux_antiderivative()
    elementary = not isinstance(flux, NonElementaryIntegral)
    density = sp.Function("p")(fm.t, fm.x, fm.y)
    *_, div = fm.rotational_addition_2d(density, sp.Integer(0), sp.Integer(0), sp.Symbol("omega"))
    return (
        (r"\frac{\partial_t p_t + \partial_x(p_t u_t)}{p_t},\ u_t = \dot\mu + \tfrac{\dot\sigma}{\sigma}(x - \mu)",
         residual, is_zero(residual, "continuity residual for any mu(t, z), sigma(t, z)")),
        (r"Z_t\,\partial_t F_t = \int(\partial_t\log\tilde p_t - c)\,\tilde p_t\,dy,\ "
         r"\tilde p_t = e^{-(1-t)y^2/2 - t y^4/4}", flux,
         "sympy (Risch): elementary" if elementary
         else "sympy (Risch): non-elementary (c symbolic), so u_t = -d_t F_t / p_t is not closed-form"),
        (r"\nabla\cdot(\omega J\nabla p_t),\ J = \begin{pmatrix}0 & -1\\ 1 & 0\end{pmatrix}", div,
         is_zero(div, "divergence for any p") + ": u + omega J grad p / p also solves it"),
    )


def q4ciii_derivation(m: sp.Expr = sp.Rational(3, 2), s: sp.Expr = sp.Rational(1, 2)):
    r"""Source $N(0,1)$, target $N(m, s^2)$: the monotone map, McCann's and the flow's spreads, their
    gap $2t(1-t)s > 0$, $W_2^2$ as McCann's kinetic energy, and the flow's larger kinetic energy."""
    t, z0, x1 = fm.t, _Z0, fm.m + fm.s * _Z1
    T = ot.ot_map_gaussian()
    slope = sp.diff(T, fm.x)
    mccann = sp.Poly((1 - t) * fm.x + t * T, fm.x).coeff_monomial(fm.x)
    gap = ot.std_gap_squared()
    u = sp.Symbol("u", positive=True)  # t = u / (1 + u) covers 0 < t < 1
    positive = sp.simplify(gap.subs(t, u / (1 + u))).is_positive
    w2, values = ot.w2_squared_gaussian(), {fm.m: m, fm.s: s}
    energy = sp.integrate(ot.flow_kinetic_integrand().subs(values), (t, 0, 1))
    above = sp.N(energy - w2.subs(values)) > 0
    return (
        (r"T(x) = F_1^{-1}(F_0(x))", T, f"sympy: T'(x) = {sp.sstr(slope)}"
         + (" > 0: the monotone map, optimal in 1-D" if slope.is_positive else " (sign not settled)")),
        (r"\mathrm{sd}\left[(1-t)x + tT(x)\right]", mccann, identity(mccann, ot.mccann_std())),
        (r"\mathrm{sd}\left[t x_1 + (1-t) x_0\right]", ot.flow_std(),
         identity(ot.flow_std() ** 2, _variance(t * x1 + (1 - t) * z0)) + " (squared)"),
        (r"\mathrm{sd}_{OT}^2 - \mathrm{sd}_{flow}^2", gap, identity(gap, 2 * t * (1 - t) * fm.s)
         + ("; positive for 0 < t < 1" if positive else "; sign not settled")),
        (r"W_2^2 = \int_0^1 E\left[(T(x) - x)^2\right]dt", w2,
         identity(w2, _mean_square(T.subs(fm.x, z0) - z0))),
        (rf"\int_0^1 E[u_t^2]\,dt\big|_{{m = {sp.latex(m)},\ s = {sp.latex(s)}}}", energy,
         f"sympy: definite integral = {sp.N(energy, 6)} > W2^2 = {sp.N(w2.subs(values), 6)}"
         if above else "sympy: not above W2^2 (step FAILS)"),
    )


def q4ei_derivation():
    r"""Reference $\sqrt{2\varepsilon}W$: the bridge by Gaussian conditioning, the seed's formula, the 1-D
    Gaussian Schroedinger bridge, and its $\varepsilon \to 0$ limit (McCann's interpolation)."""
    mean, var = br.brownian_bridge_mean(), br.brownian_bridge_variance()
    c = br.gaussian_sb_cross_covariance()
    sb_var = br.gaussian_sb_marginal_variance()
    mccann = ((1 - br.t) * sp.sqrt(br.A) + br.t * sp.sqrt(br.B)) ** 2
    return (
        (r"\mathrm{Cov}\left((X_t, X_1) \mid X_0\right)", br.reference_joint_covariance(),
         "Brownian motion: Cov(W_s, W_u) = min(s, u)"),
        (r"E[X_t \mid X_0 = x_0, X_1 = x_1]", mean, identity(mean, (1 - br.t) * br.x0 + br.t * br.x1)),
        (r"\mathrm{Var}[X_t \mid X_0, X_1]", var, identity(var, 2 * br.eps * br.t * (1 - br.t))),
        (r"\mathrm{Var}\left[(1-t)x_0 + t x_1 + \sqrt{2\varepsilon}B_t\right]",
         br.seed_formula_variance(), identity(br.seed_formula_variance(), var)),
        (r"c = \mathrm{Cov}(X_0, X_1)", c,
         is_zero(2 * br.eps * c - (br.A * br.B - c ** 2), "2 eps c - (AB - c^2)")),
        (r"\mathrm{Var}[X_t]", sb_var,
         is_zero(sp.limit(sb_var, br.eps, 0) - sp.expand(mccann), "limit eps -> 0 minus McCann's")),
    )


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
