r"""Noise schedules as sympy expressions.

VP-SDE of Song et al. (2021), data at t = 0 and noise at t = T: $dx = -\tfrac12\beta(t)x\,dt +
\sqrt{\beta(t)}\,dW$, linear $\beta(t) = \beta_{min} + (\beta_{max} - \beta_{min})t$; the kernel is
$x_t | x_0 \sim N(\alpha(t)x_0, \sigma(t)^2 I)$ with $\alpha = e^{-\frac12\int_0^t\beta}$, $\sigma^2 = 1 - \alpha^2$.
"""
import sympy as sp

__all__ = ["t", "s", "beta_min", "beta_max", "vp_linear_beta", "vp_integrated_beta",
           "vp_alpha", "vp_sigma"]

t, s = sp.symbols("t s", nonnegative=True)
beta_min, beta_max = sp.symbols("beta_min beta_max", positive=True)


def vp_linear_beta(time: sp.Expr = t) -> sp.Expr:
    r"""$\beta(t) = \beta_{min} + (\beta_{max} - \beta_{min}) t$."""
    return beta_min + (beta_max - beta_min) * time


def vp_integrated_beta(time: sp.Expr = t) -> sp.Expr:
    r"""$\int_0^t \beta(s)\,ds$, integrated by sympy."""
    return sp.integrate(vp_linear_beta(s), (s, 0, time))


def vp_alpha(time: sp.Expr = t) -> sp.Expr:
    r"""Mean coefficient $\alpha(t) = \exp(-\frac12\int_0^t\beta)$ of the VP kernel."""
    return sp.exp(-vp_integrated_beta(time) / 2)


def vp_sigma(time: sp.Expr = t) -> sp.Expr:
    r"""Standard deviation $\sigma(t) = \sqrt{1 - \alpha(t)^2}$ of the VP kernel."""
    return sp.sqrt(1 - vp_alpha(time) ** 2)
