r"""Log-domain Sinkhorn for entropic optimal transport between two weighted point clouds.

Solves $\min_\pi \langle C, \pi\rangle - \lambda H(\pi)$ over couplings of $(\mu, \nu)$; the plan is
$\pi_{ij} = \exp((f_i + g_j - C_{ij})/\lambda)$. For the Schroedinger bridge with reference
$dX = \sqrt{2\varepsilon}dW$ and $C_{ij} = |x_i - y_j|^2$, the matching regularisation is $\lambda = 4\varepsilon$
(the plan is $\propto e^{-|x-y|^2/(4\varepsilon)}$ times a product, the static SB).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SinkhornResult", "sinkhorn_log", "squared_distances"]


@dataclass(frozen=True)
class SinkhornResult:
    """Potentials f: (n,), g: (m,), log-plan: (n, m), iterations used, final marginal error (L1)."""

    f: np.ndarray
    g: np.ndarray
    log_plan: np.ndarray
    iterations: int
    marginal_error: float

    @property
    def plan(self) -> np.ndarray:
        return np.exp(self.log_plan)


def squared_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """$|x_i - y_j|^2$, x: (n, d), y: (m, d) -> (n, m), clipped at 0 against rounding."""
    d = (x * x).sum(1)[:, None] + (y * y).sum(1)[None] - 2.0 * x @ y.T
    return np.maximum(d, 0.0)


def _lse(a: np.ndarray, axis: int) -> np.ndarray:
    """log-sum-exp along `axis` (max-shifted; inputs are finite)."""
    top = a.max(axis=axis, keepdims=True)
    return (np.log(np.exp(a - top).sum(axis=axis, keepdims=True)) + top).squeeze(axis)


def sinkhorn_log(cost: np.ndarray, reg: float, mu: np.ndarray | None = None,
                 nu: np.ndarray | None = None, *, tol: float = 1e-10,
                 max_iter: int = 20_000, check_every: int = 10,
                 init: tuple[np.ndarray, np.ndarray] | None = None) -> SinkhornResult:
    """Alternate $f_i = \\lambda(\\log\\mu_i - \\log\\sum_j e^{(g_j - C_{ij})/\\lambda})$ and the same for $g$
    in the log domain until the row-marginal L1 error is below `tol` (columns are exact after each
    g update); `init` = warm-start potentials (f, g)."""
    n, m = cost.shape
    log_mu = np.log(np.full(n, 1.0 / n) if mu is None else np.asarray(mu, float))
    log_nu = np.log(np.full(m, 1.0 / m) if nu is None else np.asarray(nu, float))
    kernel = -cost / reg
    f, g = (np.zeros(n), np.zeros(m)) if init is None else (init[0].copy(), init[1].copy())
    err = np.inf
    it = 0
    for it in range(1, max_iter + 1):
        f = reg * (log_mu - _lse(kernel + g[None] / reg, axis=1))
        g = reg * (log_nu - _lse(kernel + f[:, None] / reg, axis=0))
        if it % check_every == 0:
            rows = _lse(kernel + (f[:, None] + g[None]) / reg, axis=1)
            err = float(np.abs(np.exp(rows) - np.exp(log_mu)).sum())
            if err < tol:
                break
    log_plan = kernel + (f[:, None] + g[None]) / reg
    rows = _lse(log_plan, axis=1)
    err = float(np.abs(np.exp(rows) - np.exp(log_mu)).sum())
    return SinkhornResult(f, g, log_plan, it, err)
