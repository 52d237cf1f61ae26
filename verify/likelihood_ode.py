r"""Exact log-likelihood by the augmented ODE, with per-point error control.

A field maps `(t, x: (n, d))` to `(v: (n, d), integrands: (n, m))`; column 0 of `integrands` must
be $\nabla\cdot v(x, t)$ (exact, e.g. from an analytic Jacobian), further columns are extra
quantities integrated along the same trajectories. Integrating $(x, \ell)$ with
$\dot x = v$, $\dot\ell = \nabla\cdot v$ from $t_0$ to $t_1$ gives (instantaneous change of variables)
$\log p_{t_0}(x) = \log p_{t_1}(x_{t_1}) + \int_{t_0}^{t_1}\nabla\cdot v(x_t, t)\,dt$.

`solve_ivp` controls one RMS error norm over the whole stacked state, so in a batch a tail point can
end far above the tolerance and its result depends on its batch mates. `log_likelihood` therefore
solves each batch twice (tolerance and tolerance / `factor`), takes $|\hat L_{loose} - \hat L_{tight}|$
as a per-point bound on the error of $\hat L_{tight}$ (conservative when the global error shrinks
with the tolerance), and re-solves only the points whose bound exceeds `tol`, at tighter settings.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.integrate import solve_ivp

__all__ = ["FieldFn", "Augmented", "Likelihood", "integrate", "log_likelihood", "RTOL_FLOOR"]

FieldFn = Callable[[float, np.ndarray], tuple[np.ndarray, np.ndarray]]
RTOL_FLOOR = 1e-13  # solve_ivp warns below 100 * float64 eps (~2.2e-14)


@dataclass(frozen=True)
class Augmented:
    """One augmented solve: `x_end: (n, d)`, `integrals: (n, m)` = $\\int_{t_0}^{t_1}$ integrands."""

    x_end: np.ndarray
    integrals: np.ndarray
    nfev: int


@dataclass(frozen=True)
class Likelihood:
    """Per point: `value` = $\\log p_{t_0}(x)$, `error_bound` (estimate of |error|), endpoint
    `x_end`, `log_p_end` = $\\log p_{t_1}(x_{t_1})$, `integrals` (column 0: $\\int\\nabla\\cdot v$);
    `rounds` = solves per point (2 = accepted at first try), `nfev` = field evaluations in total."""

    value: np.ndarray
    error_bound: np.ndarray
    x_end: np.ndarray
    log_p_end: np.ndarray
    integrals: np.ndarray
    rounds: np.ndarray
    nfev: int
    tol: float

    @property
    def guaranteed(self) -> bool:
        return bool(np.all(self.error_bound <= self.tol))


def integrate(field: FieldFn, x: np.ndarray, t0: float, t1: float, *, rtol: float = 1e-10,
              atol: float = 1e-12, method: str = "DOP853") -> Augmented:
    """Solve $\\dot x = v$, $\\dot I = $ integrands jointly from `t0` to `t1` for all rows of `x`."""
    x = np.asarray(x, float)
    n, dim = x.shape
    m = np.asarray(field(t0, x[:1])[1]).shape[1]

    def rhs(tt, y):
        v, g = field(tt, y[: n * dim].reshape(n, dim))
        return np.concatenate([v.ravel(), g.ravel()])

    y0 = np.concatenate([x.ravel(), np.zeros(n * m)])
    sol = solve_ivp(rhs, (t0, t1), y0, method=method, rtol=max(rtol, RTOL_FLOOR), atol=atol)
    if not sol.success:
        raise RuntimeError(f"augmented ODE failed: {sol.message}")
    y = sol.y[:, -1]
    return Augmented(y[: n * dim].reshape(n, dim), y[n * dim:].reshape(n, m), int(sol.nfev))


def log_likelihood(field: FieldFn, log_p_end: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                   t0: float, t1: float, *, tol: float = 1e-8, rtol: float = 1e-10,
                   atol: float = 1e-12, factor: float = 10.0, max_rounds: int = 4,
                   batch: int | None = None, method: str = "DOP853") -> Likelihood:
    """$\\log p_{t_0}(x) = \\log p_{t_1}(x_{t_1}) + \\int_{t_0}^{t_1}\\nabla\\cdot v$ with |error| <= `tol`
    per point: points whose bound fails are re-solved (alone in their group) at tolerances / `factor`."""
    x = np.asarray(x, float)
    n = len(x)
    out_value, out_bound = np.full(n, np.nan), np.full(n, np.inf)
    out_x, out_lp = np.full_like(x, np.nan), np.full(n, np.nan)
    out_int, rounds, nfev = None, np.zeros(n, int), 0
    todo = np.arange(n)
    r, a, loose = rtol, atol, None  # `loose`: previous value of each pending point
    for _ in range(max_rounds):
        if todo.size == 0:
            break
        groups = [todo] if batch is None else np.array_split(todo, -(-todo.size // batch))
        for idx in groups:
            sols = [] if loose is not None else [integrate(field, x[idx], t0, t1, rtol=r, atol=a,
                                                           method=method)]
            sols.append(integrate(field, x[idx], t0, t1, rtol=r / factor, atol=a / factor,
                                  method=method))
            nfev += sum(s.nfev for s in sols)
            fine = sols[-1]
            lp = log_p_end(fine.x_end)
            value = lp + fine.integrals[:, 0]
            prev = (log_p_end(sols[0].x_end) + sols[0].integrals[:, 0]) if loose is None \
                else loose[np.searchsorted(todo, idx)]
            if out_int is None:
                out_int = np.full((n, fine.integrals.shape[1]), np.nan)
            out_value[idx], out_bound[idx] = value, np.abs(value - prev)
            out_x[idx], out_lp[idx], out_int[idx] = fine.x_end, lp, fine.integrals
            rounds[idx] += len(sols)
        failed = todo[out_bound[todo] > tol]
        loose = out_value[failed]
        todo, r, a = failed, r / factor, a / factor
    return Likelihood(out_value, out_bound, out_x, out_lp, out_int, rounds, nfev, tol)
