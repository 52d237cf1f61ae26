r"""Noise schedules as sympy expressions.

VP-SDE of Song et al. (2021), data at t = 0 and noise at t = T: $dx = -\tfrac12\beta(t)x\,dt +
\sqrt{\beta(t)}\,dW$, linear $\beta(t) = \beta_{min} + (\beta_{max} - \beta_{min})t$; the kernel is
$x_t | x_0 \sim N(\alpha(t)x_0, \sigma(t)^2 I)$ with $\alpha = e^{-\frac12\int_0^t\beta}$, $\sigma^2 = 1 - \alpha^2$.
"""
import sympy as sp

__all__ = ["t", "s", "beta_min", "beta_max", "vp_linear_beta", "vp_integrated_beta",
           "vp_alpha", "vp_sigma", "vp_reverse_euler_step"]

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


def vp_reverse_euler_step(y: sp.Expr, h: sp.Expr, beta: sp.Expr, score: sp.Expr,
                          lam: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    r"""One Euler(-Maruyama) step of $dy = -[f - \lambda g^2 s]\,d\tau$ backwards in VP time, $f = -\frac12\beta y$,
    $g^2 = \beta$: mean $y + h\beta(\frac12 y + \lambda s(y))$ and noise variance $(2\lambda - 1)h\beta$
    ($\lambda = 1$: reverse SDE; $\lambda = \frac12$: probability-flow ODE, no noise)."""
    return y + h * beta * (y / 2 + lam * score), (2 * lam - 1) * h * beta
