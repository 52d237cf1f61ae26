r"""Exact log-likelihood by the augmented ODE, with a per-point error estimate.

Integrating $(x, \ell)$ with $\dot x = v$, $\dot\ell = \nabla\cdot v$ (exact divergence) from $t_0$ to
$t_1$ gives (instantaneous change of variables)
$\log p_{t_0}(x) = \log p_{t_1}(x_{t_1}) + \int_{t_0}^{t_1}\nabla\cdot v(x_t, t)\,dt$.
The solves run compiled in `verify.numerics.mixture_ode`, each point with its own steps; a field here is anything with
`kernel` = (kind, params, sched) for it (`verify.q2.fields.RFVelocity`, `VPFlow`).

Error estimate: Richardson on each point's own mesh. The reported value comes from the adaptive mesh
with every step halved; `error_estimate` is |adaptive - halved|, which is ~ the adaptive solve's
error, and asymptotically ~256 times the halved one's (DOP853 has order 8). It is not a rigorous
bound, and the ratio is not 256 at every point; what holds is a margin, measured on 1024 q2 test
points with tails to radius 8 (benchmarks/bench_q2.py): at rtol = atol = 1e-10 no point's error
exceeds it, for the rectified and the VP flow, while the textbook |adaptive - halved| / 255 is
exceeded at 57 and 15 points. At looser tolerances even |adaptive - halved| fails at 1-2 points per
tolerance (from 1e-9 for the VP flow, from 1e-8 for the rectified flow). So the first round runs at
1e-10, and points whose estimate exceeds `tol` are solved again at tolerances / 10 (rtol floored at
`mixture_ode.RTOL_FLOOR`, where rounding takes over).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import mixture_ode

__all__ = ["Likelihood", "richardson", "log_likelihood"]

_FAILURES = {mixture_ode.UNDERFLOW: "step size underflow",
             mixture_ode.TOO_MANY_ATTEMPTS: f"more than {mixture_ode.MAX_ATTEMPTS} step attempts",
             mixture_ode.NOT_FINITE: "the step size is not finite (NaN or inf in the point or field)"}


@dataclass(frozen=True)
class Likelihood:
    """Per point: `value` = $\\log p_{t_0}(x)$, `error_estimate` (estimate of |error|), endpoint
    `x_end`, `log_p_end` = $\\log p_{t_1}(x_{t_1})$, `integrals` (column 0: $\\int\\nabla\\cdot v$),
    `rounds` = Richardson pairs (1 = accepted at first try), `evals` = field evaluations (all its
    solves)."""

    value: np.ndarray
    error_estimate: np.ndarray
    x_end: np.ndarray
    log_p_end: np.ndarray
    integrals: np.ndarray
    rounds: np.ndarray
    evals: np.ndarray
    tol: float

    @property
    def within_tol(self) -> bool:
        return bool(np.all(self.error_estimate <= self.tol))


def richardson(field, x: np.ndarray, t0: float, t1: float, rtol, atol, threads: int = 1,
               rows: np.ndarray | None = None):
    """`mixture_ode.solve` of `field.kernel` for the rows of x, in `threads` threads taking every
    `threads`-th row (each point has its own steps, so the threads change nothing but the time):
    (adaptive (n, D), halved (n, D), evaluations (n,)). A point whose solve fails raises
    RuntimeError naming the first such row (its number in `rows`, default 0..n-1)."""
    x = np.asarray(x, float)
    n = len(x)
    rtol, atol = (np.broadcast_to(np.asarray(v, float), (n,)) for v in (rtol, atol))
    threads = max(1, min(threads, n))
    blocks = [slice(i, None, threads) for i in range(threads)]

    def solve(part: slice):
        return mixture_ode.solve(*field.kernel, x[part], t0, t1, rtol[part], atol[part])

    if threads == 1:
        parts = [solve(blocks[0])]
    else:
        with ThreadPoolExecutor(threads) as pool:  # numba releases the GIL; joined on exit
            parts = list(pool.map(solve, blocks))
    coarse, fine, evals = (np.empty((n,) + p.shape[1:], p.dtype) for p in parts[0])
    for part, (c, f, e) in zip(blocks, parts):
        coarse[part], fine[part], evals[part] = c, f, e
    failed = np.flatnonzero(evals < 0)
    if failed.size:
        row = int(failed[0] if rows is None else rows[failed[0]])
        raise RuntimeError(f"augmented ODE failed at row {row}: {_FAILURES[int(evals[failed[0]])]}")
    return coarse, fine, evals


def log_likelihood(field, log_p_end: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                   t0: float, t1: float, *, tol: float = 1e-8, rtol: float = 1e-10,
                   atol: float = 1e-10, factor: float = 10.0, max_rounds: int = 3,
                   threads: int = 1) -> Likelihood:
    """$\\log p_{t_0}(x) = \\log p_{t_1}(x_{t_1}) + \\int_{t_0}^{t_1}\\nabla\\cdot v$ per point, from the
    halved-mesh solve, with `error_estimate` = |adaptive - halved| (see the module docstring);
    points whose estimate exceeds `tol` are solved again at tolerances / `factor`."""
    x = np.asarray(x, float)
    n, d = x.shape
    value, estimate, lp = np.full(n, np.nan), np.full(n, np.inf), np.full(n, np.nan)
    ends = np.full((n, d + mixture_ode.n_integrands(field.kernel[0])), np.nan)  # halved-mesh (x, ints)
    rounds, evals = np.zeros(n, int), np.zeros(n, int)
    todo = np.arange(n)
    for k in range(max_rounds):
        coarse, fine, ev = richardson(field, x[todo], t0, t1, rtol / factor ** k, atol / factor ** k,
                                      threads, rows=todo)
        lp_fine = log_p_end(fine[:, :d])
        value[todo], lp[todo], ends[todo] = lp_fine + fine[:, d], lp_fine, fine
        estimate[todo] = np.abs(log_p_end(coarse[:, :d]) + coarse[:, d] - value[todo])
        rounds[todo], evals[todo] = rounds[todo] + 1, evals[todo] + ev
        todo = todo[estimate[todo] > tol]
        if todo.size == 0:
            break
    return Likelihood(value, estimate, ends[:, :d], lp, ends[:, d:], rounds, evals, tol)
