r"""KL divergence between isotropic Gaussians with a common mean, integrated (question 1(b)).

$KL(N(\mu, s_1^2 I_d) \| N(\mu, s_0^2 I_d)) = \frac d2 (r - 1 - \log r)$, $r = s_1^2/s_0^2$: derived in 1-D
by integrating the log-ratio against the first density (a polynomial in the standardised variable,
so by the standard-normal moments), then summed over the d independent
coordinates; it increases in $s_1$ on $s_1 > s_0$. For the joint laws
$q_\sigma(\tilde x, x) = q_0(x) N(\tilde x; x, \sigma^2 I)$ the factor $q_0$ cancels in the log-ratio, so
$KL(q_{\sigma_j} \| q_{\sigma_0})$ is this Gaussian KL for every $q_0$ (homework eq. (3)).
"""
from functools import lru_cache

import sympy as sp

from .dsm import gaussian_expectation

__all__ = ["x", "y", "mu", "s0", "s1", "d", "sigma_0", "sigma_j", "gaussian_density",
           "kl_1d", "kl_1d_reverse", "kl_product_2d", "kl_isotropic", "kl_answer_form",
           "kl_derivative_in_s1", "joint_log_ratio"]

x, y, mu = sp.symbols("x y mu", real=True)
z1, z2 = sp.symbols("z1 z2", real=True)  # standardised integration variables
s0, s1 = sp.symbols("s0 s1", positive=True)
d = sp.Symbol("d", positive=True, integer=True)
sigma_0, sigma_j = sp.symbols("sigma_0 sigma_j", positive=True)  # the sheet's symbols


def gaussian_density(var: sp.Symbol, mean: sp.Expr, sd: sp.Expr) -> sp.Expr:
    r"""$N(var; mean, sd^2)$ in 1-D."""
    return sp.exp(-(var - mean) ** 2 / (2 * sd ** 2)) / (sp.sqrt(2 * sp.pi) * sd)


def _kl_integral(sa: sp.Expr, sb: sp.Expr) -> sp.Expr:
    r"""$\int N(x;\mu,s_a^2)[\log N(x;\mu,s_a^2) - \log N(x;\mu,s_b^2)]dx$: with $x = \mu + s_a z$
    (so $N(x;\mu,s_a^2)dx = \phi(z)dz$) the log-ratio is a polynomial in z, integrated against
    $\phi$ by the standard-normal moments (`dsm.gaussian_expectation`)."""
    p, q = gaussian_density(x, mu, sa), gaussian_density(x, mu, sb)
    log_ratio = sp.expand(sp.expand_log(sp.log(p) - sp.log(q), force=True))
    return gaussian_expectation(log_ratio.subs(x, mu + sa * z1), [z1])


@lru_cache(maxsize=None)
def kl_1d() -> sp.Expr:
    r"""$KL(N(\mu, s_1^2) \| N(\mu, s_0^2)) = \log(s_0/s_1) - \frac12 + s_1^2/(2 s_0^2)$, integrated."""
    return _kl_integral(s1, s0)


@lru_cache(maxsize=None)
def kl_1d_reverse() -> sp.Expr:
    r"""$KL(N(\mu, s_0^2) \| N(\mu, s_1^2))$, the other direction, integrated."""
    return _kl_integral(s0, s1)


@lru_cache(maxsize=None)
def kl_product_2d() -> sp.Expr:
    r"""KL of the 2-D isotropic pair by a double integral (the product step, checked for d = 2)."""
    p = gaussian_density(x, mu, s1) * gaussian_density(y, mu, s1)
    q = gaussian_density(x, mu, s0) * gaussian_density(y, mu, s0)
    log_ratio = sp.expand(sp.expand_log(sp.log(p) - sp.log(q), force=True))
    return gaussian_expectation(log_ratio.subs({x: mu + s1 * z1, y: mu + s1 * z2}), [z1, z2])


@lru_cache(maxsize=None)
def kl_isotropic() -> sp.Expr:
    r"""$KL(N(\mu, s_1^2 I_d) \| N(\mu, s_0^2 I_d)) = d \cdot KL_{1-D}$: the log-ratio of product densities
    is the sum of the coordinates' log-ratios, and each has the same expectation."""
    return d * kl_1d()


def kl_answer_form() -> sp.Expr:
    r"""The derived KL in the sheet's symbols: $s_1 \to \sigma_j$, $s_0 \to \sigma_0$."""
    return kl_isotropic().subs({s1: sigma_j, s0: sigma_0})


def kl_derivative_in_s1() -> sp.Expr:
    r"""$\partial_{s_1} KL = d (s_1^2 - s_0^2) / (s_0^2 s_1)$, positive on $s_1 > s_0$."""
    return sp.factor(sp.together(sp.diff(kl_isotropic(), s1)))


def joint_log_ratio() -> sp.Expr:
    r"""$\log\frac{q_0(x) N(\tilde x; x, s_1^2)}{q_0(x) N(\tilde x; x, s_0^2)}$ in 1-D: free of $q_0$."""
    q0 = sp.Function("q0", positive=True)
    xt = sp.Symbol("xt", real=True)
    num = q0(x) * gaussian_density(xt, x, s1)
    den = q0(x) * gaussian_density(xt, x, s0)
    return sp.expand(sp.expand_log(sp.log(num) - sp.log(den), force=True))
