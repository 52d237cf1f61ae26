r"""Conditional and marginal velocity fields of flow matching (question 4(b), 4(c)ii), in sympy.

Time convention of question 4: source at $t = 0$, data at $t = 1$. The affine conditional flow of
eq. (4) is $\psi_t(x_0 | x_1) = \alpha_t x_1 + \sigma_t x_0$ with $x_0 \sim N(0, 1)$; question 4(c)i
takes $\alpha_t = t$, $\sigma_t = 1 - t$. A velocity field is always a function of the *current
point* $x$; the marginal field is $u_t(x) = \int u_t(x | x_1) p_t(x | x_1) q(x_1) dx_1 / p_t(x)$
(Lipman et al. 2023, eq. (8)). Every function returns sympy expressions; results are cached.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

__all__ = [
    "t", "x", "x0", "x1", "m", "s", "z", "y", "alpha", "sigma", "dalpha", "dsigma",
    "linear_conditional_flow", "conditional_vf_current_point", "linear_conditional_density",
    "posterior_mean_linear", "marginal_vf_linear_gaussian", "gaussian_path_marginal_vf",
    "mixture_marginal_vf", "gaussian_pdf", "continuity_residual", "gaussian_conditional_vf",
    "quartic_path_density", "quartic_path_flux_antiderivative", "rotational_addition_2d",
]

t = sp.Symbol("t", positive=True)          # time in (0, 1)
x, x0, x1, y = sp.symbols("x x0 x1 y", real=True)  # current point, source and target samples
m = sp.Symbol("m", real=True)              # target mean E[x1]
s = sp.Symbol("s", positive=True)          # target standard deviation
z = sp.Symbol("z", real=True)              # conditioning variable of a conditional path
alpha, sigma = sp.symbols("alpha sigma", nonnegative=True)  # alpha_t, sigma_t at one time
dalpha, dsigma = sp.symbols("dalpha dsigma", real=True)     # their time derivatives


def gaussian_pdf(point: sp.Expr, mean: sp.Expr, std: sp.Expr) -> sp.Expr:
    r"""$N(point; mean, std^2)$."""
    return sp.exp(-(point - mean) ** 2 / (2 * std ** 2)) / sp.sqrt(2 * sp.pi * std ** 2)


def linear_conditional_flow() -> sp.Expr:
    r"""$\psi_t(x_0 | x_1) = t x_1 + (1 - t) x_0$ (eq. (4) with $\alpha_t = t, \sigma_t = 1 - t$)."""
    return t * x1 + (1 - t) * x0


@lru_cache(maxsize=None)
def conditional_vf_current_point() -> sp.Expr:
    r"""$u_t(x | x_1)$ at the current point: invert $x = \psi_t(x_0|x_1)$ for $x_0$ and put it into
    $\partial_t\psi_t$; gives $(x_1 - x)/(1 - t)$."""
    psi = linear_conditional_flow()
    source_of_x = (x - psi.subs(x0, 0)) / psi.coeff(x0)  # psi is affine in x0
    return sp.factor(sp.cancel(sp.diff(psi, t).subs(x0, source_of_x)))


def linear_conditional_density() -> sp.Expr:
    r"""$p_t(x | x_1) = N(x; t x_1, (1 - t)^2)$, the law of $\psi_t(x_0|x_1)$, $x_0 \sim N(0, 1)$."""
    return gaussian_pdf(x, t * x1, 1 - t)


@lru_cache(maxsize=None)
def posterior_mean_linear() -> sp.Expr:
    r"""$E[x_1 | x_t = x]$ for $q = N(m, s^2)$: complete the square in $x_1$ of
    $\log p_t(x|x_1) + \log q(x_1)$; the posterior mean is $-b/(2a)$ of $a x_1^2 + b x_1 + c$."""
    exponent = -(x - t * x1) ** 2 / (2 * (1 - t) ** 2) - (x1 - m) ** 2 / (2 * s ** 2)
    a, b, _ = sp.Poly(sp.expand(exponent), x1).all_coeffs()
    return sp.factor(sp.cancel(-b / (2 * a)))


@lru_cache(maxsize=None)
def marginal_vf_linear_gaussian() -> sp.Expr:
    r"""$u_t(x) = \int u_t(x|x_1) p_t(x|x_1) q(x_1) dx_1 / p_t(x) = (E[x_1|x_t = x] - x)/(1 - t)$
    for source $N(0,1)$, target $N(m, s^2)$; simplifies to
    $m + \frac{t s^2 - (1 - t)}{t^2 s^2 + (1 - t)^2}(x - t m)$."""
    return sp.factor(sp.cancel((posterior_mean_linear() - x) / (1 - t)))


def gaussian_path_marginal_vf(mean: sp.Expr = m, var: sp.Expr = s ** 2) -> sp.Expr:
    r"""Marginal field of $x_t = \alpha x_1 + \sigma x_0$, $x_1 \sim N(mean, var)$, $x_0 \sim N(0,1)$:
    $u = \dot\alpha\,mean + \frac{\alpha\dot\alpha\,var + \sigma\dot\sigma}{\alpha^2 var + \sigma^2}
    (x - \alpha\,mean)$, i.e. $E[\dot\alpha x_1 + \dot\sigma x_0 | x_t = x]$ by Gaussian conditioning."""
    gain = (alpha * dalpha * var + sigma * dsigma) / (alpha ** 2 * var + sigma ** 2)
    return dalpha * mean + gain * (x - alpha * mean)


def mixture_marginal_vf(weights, means, variances) -> sp.Expr:
    r"""Marginal field for a 1-D mixture target $\sum_k w_k N(\mu_k, v_k)$, source $N(0,1)$, any
    $(\alpha, \sigma)$: $u = \sum_k r_k(x) u_k(x)$, $r_k \propto w_k N(x; \alpha\mu_k, \alpha^2 v_k +
    \sigma^2)$, $u_k$ the Gaussian field of `gaussian_path_marginal_vf` (symbols alpha, sigma,
    dalpha, dsigma)."""
    dens = [w * gaussian_pdf(x, alpha * mu, sp.sqrt(alpha ** 2 * v + sigma ** 2))
            for w, mu, v in zip(weights, means, variances)]
    fields = [gaussian_path_marginal_vf(mu, v) for mu, v in zip(means, variances)]
    return sum(d * f for d, f in zip(dens, fields)) / sum(dens)


def continuity_residual(u: sp.Expr, p: sp.Expr, var: sp.Symbol = x) -> sp.Expr:
    r"""$\partial_t \log p + \partial_x u + u\,\partial_x \log p$, i.e. $(\partial_t p + \partial_x(u p))/p$."""
    logp = sp.expand_log(sp.log(p), force=True)
    return sp.diff(logp, t) + sp.diff(u, var) + u * sp.diff(logp, var)


def gaussian_conditional_vf():
    r"""Gaussian conditional path $p_t(x|z) = N(x; \mu_t(z), \sigma_t(z)^2)$ with arbitrary smooth
    $\mu, \sigma$: returns (u, p) with $u_t(x|z) = \dot\mu_t + \frac{\dot\sigma_t}{\sigma_t}(x - \mu_t)$
    (Lipman et al. 2023, Theorem 3)."""
    mu, sd = sp.Function("mu")(t, z), sp.Function("sigma")(t, z)
    u = sp.diff(mu, t) + sp.diff(sd, t) / sd * (x - mu)
    return u, gaussian_pdf(x, mu, sd)


def quartic_path_density() -> sp.Expr:
    r"""Unnormalised non-Gaussian path $\tilde p_t(x) = \exp(-(1-t)x^2/2 - t x^4/4)$: $N(0,1)$ at
    $t = 0$, quartic at $t = 1$. In 1-D $u_t(x) = -\partial_t F_t(x)/p_t(x)$ ($F_t$ the CDF)."""
    return sp.exp(-(1 - t) * x ** 2 / 2 - t * x ** 4 / 4)


@lru_cache(maxsize=None)
def quartic_path_flux_antiderivative():
    r"""Risch integration in $y$ of $\partial_t p_t(y)$ with $p_t = \tilde p_t / Z_t$, written
    $(\partial_t\log\tilde p_t - c)\tilde p_t / Z_t$ with $c = \dot Z_t/Z_t$ a free constant. A
    `NonElementaryIntegral` result proves that $\partial_t F_t(x)$, hence $u_t = -\partial_t F_t/p_t$,
    is not elementary."""
    from sympy.integrals.risch import risch_integrate

    c = sp.Symbol("c", real=True)
    q = quartic_path_density().subs(x, y)
    return risch_integrate((sp.diff(sp.log(q), t).expand() - c) * q, y)


def rotational_addition_2d(p: sp.Expr, u1: sp.Expr, u2: sp.Expr, omega: sp.Expr):
    r"""A second field for the same path: $\tilde u = u + \omega J\nabla p / p$ with $J$ the
    rotation by $\pi/2$; $\nabla\cdot(J\nabla p) = 0$, so $\tilde u$ solves the same continuity
    equation. Uses symbols x, y for the plane. Returns ($\tilde u_1, \tilde u_2$, divergence of the
    added flux)."""
    w1, w2 = -omega * sp.diff(p, y), omega * sp.diff(p, x)
    return u1 + w1 / p, u2 + w2 / p, sp.cancel(sp.diff(w1, x) + sp.diff(w2, y))
