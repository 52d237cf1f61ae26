r"""Denoising score matching: $J_1(\theta) = J_2(\theta) + c$ for a Gaussian $q_0$ (question 1(a)).

$q_0 = N(m, \mathrm{diag}(\tau_i^2))$, kernel $q_\sigma(\tilde x | x) = N(x, \sigma^2 I)$, affine score model
$s_\theta(\tilde x) = A\tilde x + b$ (A a full n x n matrix of symbols). The marginal is derived by
integrating the kernel against $q_0$; $J_1$, $J_2$ are Gaussian expectations of quadratics, taken with
the standard-normal moments $E z^{2k} = (2k-1)!!$. Result: $J_1 - J_2 = c$ with
$c = \frac12(E\|\nabla\log q_\sigma(\tilde x)\|^2 - E\|\nabla\log q_\sigma(\tilde x|x)\|^2)
   = -\frac12 E_{\tilde x}\,\mathrm{tr}\,\mathrm{Var}_{x|\tilde x}[\nabla\log q_\sigma(\tilde x|x)]
   = -\frac12\sum_i \tau_i^2 / (\sigma^2(\tau_i^2 + \sigma^2))$, free of $(A, b)$ (Vincent 2011).
"""
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

__all__ = ["sigma", "DSM", "gaussian_expectation", "marginal_density_1d", "posterior_variance_1d",
           "derive", "c_closed_form", "gaussian_integral"]

sigma = sp.Symbol("sigma", positive=True)
_x, _xt, _m = sp.symbols("x xt m", real=True)
_tau = sp.Symbol("tau", positive=True)
_alpha = sp.Symbol("alpha", positive=True)
_beta = sp.Symbol("beta", real=True)


def gaussian_expectation(poly: sp.Expr, zs) -> sp.Expr:
    r"""$E[poly(z)]$ for independent standard normals $z$: each monomial $\prod z_i^{k_i}$ is replaced
    by $\prod E z_i^{k_i}$, $E z^k = (k-1)!!$ for even k and 0 for odd k."""
    poly_z = sp.Poly(sp.expand(poly), *zs)
    total = sp.S(0)
    for powers, coeff in poly_z.terms():
        moment = sp.S(1)
        for k in powers:
            moment *= 0 if k % 2 else sp.factorial2(k - 1)
        total += coeff * moment
    return sp.expand(total)


@lru_cache(maxsize=None)
def gaussian_integral() -> sp.Expr:
    r"""$\int_R e^{-\alpha x^2 + \beta x} dx = \sqrt{\pi/\alpha}\,e^{\beta^2/(4\alpha)}$: shift
    $x = y + \beta/(2\alpha)$ (translation invariance of $dx$), then sympy integrates over y."""
    shifted = sp.expand(-_alpha * (_x + _beta / (2 * _alpha)) ** 2 + _beta * (_x + _beta / (2 * _alpha)))
    return sp.integrate(sp.exp(shifted), (_x, -sp.oo, sp.oo), conds="none")


@lru_cache(maxsize=None)
def marginal_density_1d() -> sp.Expr:
    r"""$q_\sigma(\tilde x) = \int N(\tilde x; x, \sigma^2) N(x; m, \tau^2) dx$ in 1-D: the exponent is
    written as $-\alpha x^2 + \beta x + \gamma$ and the Gaussian integral above is applied."""
    exponent = sp.expand(-(_xt - _x) ** 2 / (2 * sigma ** 2) - (_x - _m) ** 2 / (2 * _tau ** 2))
    poly = sp.Poly(exponent, _x)
    alpha, beta = -poly.coeff_monomial(_x ** 2), poly.coeff_monomial(_x)
    gamma = poly.coeff_monomial(1)
    value = gaussian_integral().subs({_alpha: alpha, _beta: beta}) * sp.exp(gamma)
    return sp.simplify(value / (2 * sp.pi * sigma * _tau))


@lru_cache(maxsize=None)
def posterior_variance_1d() -> sp.Expr:
    r"""$\mathrm{Var}(x | \tilde x)$ by completing the square: $-1/(2\,[x^2]\log(q_0(x) q_\sigma(\tilde x|x)))$."""
    log_joint = sp.expand(-(_x - _m) ** 2 / (2 * _tau ** 2) - (_xt - _x) ** 2 / (2 * sigma ** 2))
    return sp.simplify(-1 / (2 * sp.Poly(log_joint, _x).coeff_monomial(_x ** 2)))


@dataclass(frozen=True)
class DSM:
    """The derived pieces for dimension n: J1, J2 (expressions in A, b, m, tau, sigma) and c."""

    n: int
    A: sp.Matrix
    b: sp.Matrix
    m: tuple
    tau: tuple
    J1: sp.Expr
    J2: sp.Expr
    c: sp.Expr          # J1 - J2, expanded
    E_marg_sq: sp.Expr  # E ||grad log q_sigma(xt)||^2
    E_cond_sq: sp.Expr  # E ||grad log q_sigma(xt | x)||^2
    E_tr_var: sp.Expr   # E_xt tr Var_{x|xt}[grad log q_sigma(xt | x)]


@lru_cache(maxsize=None)
def derive(n: int = 2) -> DSM:
    """Derive J1, J2 and c for $q_0 = N(m, diag(\\tau^2))$ on $R^n$ with $s_\\theta = A\\tilde x + b$."""
    A = sp.Matrix(n, n, lambda i, j: sp.Symbol(f"a{i}{j}", real=True))
    b = sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"b{i}", real=True))
    m = tuple(sp.Symbol(f"m{i}", real=True) for i in range(n))
    tau = tuple(sp.Symbol(f"tau{i}", positive=True) for i in range(n))
    z = sp.symbols(f"z0:{n}", real=True)   # x = m + tau z
    w = sp.symbols(f"w0:{n}", real=True)   # xt = x + sigma w
    u = sp.symbols(f"u0:{n}", real=True)   # xt = m + sqrt(tau^2 + sigma^2) u (the marginal)
    q = marginal_density_1d()
    # marginal score per coordinate, from the derived (integrated) marginal density
    score_1d = sp.cancel(sp.diff(sp.expand_log(sp.log(q), force=True), _xt))
    # J2: expectation over the joint; conditional score -(xt - x)/sigma^2 = -w/sigma
    xt_joint = sp.Matrix([m[i] + tau[i] * z[i] + sigma * w[i] for i in range(n)])
    cond_score = sp.Matrix([-w[i] / sigma for i in range(n)])
    r2 = A * xt_joint + b - cond_score
    J2 = gaussian_expectation((r2.T * r2)[0] / 2, z + w)
    # J1: expectation over the marginal
    xt_marg = sp.Matrix([m[i] + sp.sqrt(tau[i] ** 2 + sigma ** 2) * u[i] for i in range(n)])
    marg_score = sp.Matrix([score_1d.subs({_xt: xt_marg[i], _m: m[i], _tau: tau[i]})
                            for i in range(n)])
    r1 = A * xt_marg + b - marg_score
    J1 = gaussian_expectation(sp.expand((r1.T * r1)[0] / 2), u)
    E_marg_sq = gaussian_expectation(sp.expand((marg_score.T * marg_score)[0]), u)
    E_cond_sq = gaussian_expectation((cond_score.T * cond_score)[0], w)
    # Var of -(xt - x)/sigma^2 given xt is Var(x | xt)/sigma^4, constant in xt for Gaussian q0
    v = posterior_variance_1d()
    E_tr_var = sp.Add(*[v.subs(_tau, tau[i]) / sigma ** 4 for i in range(n)])
    c = sp.factor(sp.together(sp.expand(J1 - J2)))
    return DSM(n, A, b, m, tau, J1, J2, c, sp.together(E_marg_sq), E_cond_sq,
               sp.together(E_tr_var))


def c_closed_form(n: int = 2) -> sp.Expr:
    r"""$-\frac12\sum_i \tau_i^2/(\sigma^2(\tau_i^2 + \sigma^2))$ in the symbols of `derive(n)`."""
    tau = derive(n).tau
    return -sp.Rational(1, 2) * sp.Add(*[t ** 2 / (sigma ** 2 * (t ** 2 + sigma ** 2)) for t in tau])
