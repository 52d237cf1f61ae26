r"""Brownian bridges and the Gaussian Schroedinger bridge (sympy only).

Bridge time: source at $t = 0$, target at $t = 1$. Reference process $dX_t = \sqrt{2\varepsilon}\,dW_t$,
so $X_t \mid X_0 = x_0 \sim N(x_0, 2\varepsilon t)$ and $Cov(X_s, X_t \mid X_0) = 2\varepsilon\min(s, t)$.
Conditioning on $X_1 = x_1$ (Gaussian conditioning) gives the bridge mean $(1-t)x_0 + t x_1$ and
variance $2\varepsilon t(1-t)$. The static Schroedinger problem between $N(a, A)$ and $N(b, B)$ (1-D)
is entropic OT with plan $\propto e^{-(x-y)^2/(4\varepsilon)} f(x) g(y)$; its Gaussian plan has
cross-covariance $c = \sqrt{AB + \varepsilon^2} - \varepsilon$ (Janati et al. 2020, Bunne et al. 2023).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

__all__ = [
    "t", "eps", "x0", "x1", "a", "b", "A", "B", "c",
    "reference_joint_covariance", "brownian_bridge_mean", "brownian_bridge_variance",
    "seed_formula_variance", "bridge_sde_drift", "gaussian_sb_cross_covariance",
    "gaussian_sb_marginal_mean", "gaussian_sb_marginal_variance",
]

t = sp.Symbol("t", positive=True)            # bridge time, 0 < t < 1
eps = sp.Symbol("epsilon", positive=True)    # reference diffusion coefficient is sqrt(2 epsilon)
x0, x1 = sp.symbols("x0 x1", real=True)      # endpoints
a, b = sp.symbols("a b", real=True)          # Gaussian endpoint means
A, B = sp.symbols("A B", positive=True)      # Gaussian endpoint variances
c = sp.Symbol("c", real=True)                # cross-covariance of the plan


def reference_joint_covariance() -> sp.Matrix:
    r"""$Cov((X_t, X_1) \mid X_0)$ under $dX = \sqrt{2\varepsilon}dW$: $2\varepsilon[[t, t], [t, 1]]$."""
    return 2 * eps * sp.Matrix([[t, t], [t, 1]])


def _conditional() -> tuple[sp.Expr, sp.Expr]:
    """Gaussian conditioning of X_t on X_1 = x1 (both given X_0 = x0)."""
    cov = reference_joint_covariance()
    mean = x0 + cov[0, 1] / cov[1, 1] * (x1 - x0)
    var = cov[0, 0] - cov[0, 1] ** 2 / cov[1, 1]
    return sp.expand(mean), sp.factor(var)


def brownian_bridge_mean() -> sp.Expr:
    r"""$E[X_t \mid X_0 = x_0, X_1 = x_1] = (1-t)x_0 + t x_1$ (derived by conditioning)."""
    return _conditional()[0]


def brownian_bridge_variance() -> sp.Expr:
    r"""$Var[X_t \mid X_0, X_1] = 2\varepsilon t(1-t)$ per coordinate (derived by conditioning)."""
    return _conditional()[1]


def seed_formula_variance() -> sp.Expr:
    r"""Variance implied by the seed's $X_t = (1-t)X_0 + tX_1 + \sqrt{2\varepsilon}B_t$ given the endpoints,
    $B$ a standard Brownian bridge: $B_t = W_t - tW_1$, $Var B_t = a^T Cov(W_t, W_1) a$, $a = (1, -t)$."""
    a = sp.Matrix([1, -t])
    var_b = (a.T * sp.Matrix([[t, t], [t, 1]]) * a)[0]  # Cov(W_s, W_u) = min(s, u)
    return sp.factor(sp.expand(2 * eps * var_b))


def bridge_sde_drift(x: sp.Expr) -> sp.Expr:
    r"""Drift of the bridge to $x_1$ (Doob h-transform of $\sqrt{2\varepsilon}W$): $\nabla\log$ of the
    transition density $\propto e^{-(x_1 - x)^2/(4\varepsilon(1-t))}$ times $2\varepsilon$, i.e. $(x_1 - x)/(1-t)$."""
    log_h = -(x1 - x) ** 2 / (4 * eps * (1 - t))
    return sp.cancel(2 * eps * sp.diff(log_h, x))


@lru_cache(maxsize=None)
def gaussian_sb_cross_covariance() -> sp.Expr:
    r"""1-D Gaussian EOT plan with kernel $e^{-(x-y)^2/(4\varepsilon)}$: the plan's precision must have
    off-diagonal $-1/(2\varepsilon)$, i.e. $c/(AB - c^2) = 1/(2\varepsilon)$; the root with $|c| < \sqrt{AB}$."""
    roots = sp.solve(sp.Eq(2 * eps * c, A * B - c ** 2), c)
    root = [r for r in roots if sp.simplify(r.subs({A: 1, B: 1, eps: 1})) > 0]
    return sp.simplify(root[0])


def gaussian_sb_marginal_mean() -> sp.Expr:
    r"""SB marginal mean $(1-t)a + tb$ (mixture of bridges under the Gaussian plan)."""
    return (1 - t) * a + t * b


def gaussian_sb_marginal_variance() -> sp.Expr:
    r"""SB marginal variance $(1-t)^2A + t^2B + 2t(1-t)c + 2\varepsilon t(1-t)$ (Bunne et al. 2023, 1-D)."""
    return (1 - t) ** 2 * A + t ** 2 * B + 2 * t * (1 - t) * gaussian_sb_cross_covariance() \
        + brownian_bridge_variance()
