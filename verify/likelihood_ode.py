r"""Exact log-likelihood by the augmented ODE, with per-point error control.

A field maps `(t, x: (n, d))` to `(v: (n, d), integrands: (n, m))`, where `t` is a scalar or one time
per row (n,); column 0 of `integrands` must be $\nabla\cdot v(x, t)$ (exact, e.g. from an analytic
Jacobian), further columns are extra quantities integrated along the same trajectories. Integrating
$(x, \ell)$ with $\dot x = v$, $\dot\ell = \nabla\cdot v$ from $t_0$ to $t_1$ gives (instantaneous
change of variables) $\log p_{t_0}(x) = \log p_{t_1}(x_{t_1}) + \int_{t_0}^{t_1}\nabla\cdot v(x_t, t)\,dt$.

`integrate` is a vectorised DOP853 (Dormand-Prince 8(5,3), Hairer, Norsett & Wanner, Solving ODEs I,
sec. II.10; coefficients from scipy) in which every point has its own time, step size and error norm
and leaves the batch when it reaches $t_1$: a point's result does not depend on its batch mates.
`log_likelihood` estimates each point's error by Richardson on its own mesh: it solves again on the
adaptive mesh with every step halved (`integrate_on_mesh`), whose error is ~$2^{-8}$ times smaller,
and takes $|\hat L_h - \hat L_{h/2}|$ (~ the error of $\hat L_h$, so ~256 times the error of the
reported $\hat L_{h/2}$) as its error estimate: asymptotic, not a rigorous bound, but never exceeded
by the measured error in the tests; points whose estimate exceeds `tol` are solved again at tighter
tolerances. (Two adaptive solves at tolerances $\tau$ and $\tau/10$ give no per-point estimate: a
point's global error is not monotone in $\tau$; that estimate failed for ~5-19% of the q2 test points.)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.integrate._ivp import dop853_coefficients as _dop853

__all__ = ["FieldFn", "Augmented", "Likelihood", "integrate", "integrate_on_mesh", "halve",
           "log_likelihood", "RTOL_FLOOR"]

FieldFn = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
RTOL_FLOOR = 1e-13  # round-off dominates below ~100 float64 eps (solve_ivp warns there)
MAX_ATTEMPTS = 100_000  # step attempts of the batch before giving up

_S = _dop853.N_STAGES  # 12 stages; stage 12 (the FSAL one) has zero error weight
_A, _B, _C = _dop853.A[:_S, :_S], _dop853.B, _dop853.C[:_S]
_E5, _E3 = _dop853.E5[:_S], _dop853.E3[:_S]
_SAFETY, _MIN_FACTOR, _MAX_FACTOR, _ERR_EXP = 0.9, 0.2, 10.0, -1.0 / 8  # error estimate of order 7


@dataclass(frozen=True)
class Augmented:
    """One augmented solve: `x_end: (n, d)`, `integrals: (n, m)` = $\\int_{t_0}^{t_1}$ integrands,
    `nfev` field calls; per-point solver only: `evals: (n,)` field evaluations per point and `mesh`
    (n, steps + 1), each point's accepted times from t0 to t1, NaN-padded."""

    x_end: np.ndarray
    integrals: np.ndarray
    nfev: int
    evals: np.ndarray | None = None
    mesh: np.ndarray | None = None


@dataclass(frozen=True)
class Likelihood:
    """Per point: `value` = $\\log p_{t_0}(x)$, `error_estimate` (estimate of |error|), endpoint
    `x_end`, `log_p_end` = $\\log p_{t_1}(x_{t_1})$, `integrals` (column 0: $\\int\\nabla\\cdot v$);
    `rounds` = Richardson pairs per point (1 = accepted at first try), `nfev` = field calls in
    total, `evals` = field evaluations per point (all its solves)."""

    value: np.ndarray
    error_estimate: np.ndarray
    x_end: np.ndarray
    log_p_end: np.ndarray
    integrals: np.ndarray
    rounds: np.ndarray
    nfev: int
    tol: float
    evals: np.ndarray | None = None

    @property
    def within_tol(self) -> bool:
        return bool(np.all(self.error_estimate <= self.tol))


def _rhs(field: FieldFn, t: np.ndarray, y: np.ndarray, d: int) -> np.ndarray:
    """Augmented right-hand side on points-last states: y (d + m, n) -> (d + m, n)."""
    v, g = field(t, y[:d].T)
    return np.concatenate([np.asarray(v, float).T, np.asarray(g, float).T])


def _rms(e: np.ndarray) -> np.ndarray:
    """Per-point RMS over the state components: (D, n) -> (n,)."""
    return np.sqrt((e * e).mean(axis=0))


def _initial_step(field, t0, y0, f0, t1, rtol, atol, d):
    """Hairer's starting step (Solving ODEs I, sec. II.4), per point: one extra field call."""
    scale = atol + np.abs(y0) * rtol
    d0, d1 = _rms(y0 / scale), _rms(f0 / scale)
    h0 = np.where((d0 < 1e-5) | (d1 < 1e-5), 1e-6, 0.01 * d0 / np.maximum(d1, 1e-300))
    span = np.abs(t1 - t0)
    h0 = np.minimum(h0, span)
    direction = np.sign(t1 - t0)
    f1 = _rhs(field, t0 + direction * h0, y0 + direction * h0 * f0, d)
    d2 = _rms((f1 - f0) / scale) / h0
    dmax = np.maximum(d1, d2)
    h1 = np.where(dmax <= 1e-15, np.maximum(1e-6, h0 * 1e-3),
                  (0.01 / np.maximum(dmax, 1e-300)) ** (1.0 / 8))
    return np.minimum(np.minimum(100 * h0, h1), span)


def _combine(weights: np.ndarray, stages: list) -> np.ndarray:
    """$\\sum_j w_j k_j$ over the nonzero weights (elementwise, so per point)."""
    return sum(w * k for w, k in zip(weights, stages) if w != 0.0)


def _stages(field, t, y, f, h, d) -> list:
    """The 12 DOP853 stage derivatives of a step of signed size h (n,) from (t, y); f: field there."""
    stages = [f]
    for s in range(1, _S):
        stages.append(_rhs(field, t + _C[s] * h, y + h * _combine(_A[s, :s], stages), d))
    return stages


def _error_norm(y, y_new, err5, err3, h, rtol, atol) -> np.ndarray:
    """Hairer's DOP853 error norm per point, $|h|\\,e_5^2 / \\sqrt{D(e_5^2 + 0.01 e_3^2)}$ with
    $e_q = \\|err_q / (atol + rtol\\max(|y|, |y_{new}|))\\|_2$; <= 1 accepts the step."""
    scale = atol + rtol * np.maximum(np.abs(y), np.abs(y_new))
    e5 = ((err5 / scale) ** 2).sum(axis=0)
    e3 = ((err3 / scale) ** 2).sum(axis=0)
    denom = np.sqrt(np.maximum(e5 + 0.01 * e3, 1e-300) * y.shape[0])
    return np.abs(h) * e5 / denom


def _step_factor(err: np.ndarray, accepted: np.ndarray, rejected_before: np.ndarray) -> np.ndarray:
    """Next step / this step: $0.9\\,err^{-1/8}$ clipped to [0.2, 10] (at most 1 right after a
    rejection of the same point)."""
    with np.errstate(divide="ignore"):
        raw = np.where(err > 0, _SAFETY * err ** _ERR_EXP, _MAX_FACTOR)
    raw = np.where(np.isfinite(err), raw, _MIN_FACTOR)  # NaN or inf error (overflow): shrink
    grow = np.minimum(raw, np.where(rejected_before, 1.0, _MAX_FACTOR))
    return np.where(accepted, grow, np.clip(raw, _MIN_FACTOR, 1.0))


@dataclass
class _Batch:
    """Points still moving (columns): index into the input, time, signed step, state, field there,
    tolerances, rejected-since-last-acceptance flag, field evaluations."""

    idx: np.ndarray
    t: np.ndarray
    h: np.ndarray
    y: np.ndarray
    f: np.ndarray
    rtol: np.ndarray
    atol: np.ndarray
    rejected: np.ndarray
    evals: np.ndarray

    def keep(self, mask: np.ndarray) -> "_Batch":
        return _Batch(*(v[..., mask] for v in (self.idx, self.t, self.h, self.y, self.f, self.rtol,
                                                self.atol, self.rejected, self.evals)))


def _advance(field, b: _Batch, t1: float, d: int) -> tuple[_Batch, np.ndarray, np.ndarray, int]:
    """One step attempt for every point of the batch: (batch, accepted, reached t1, field calls)."""
    h = np.where(np.abs(b.h) >= np.abs(t1 - b.t), t1 - b.t, b.h)  # land exactly on t1
    k = _stages(field, b.t, b.y, b.f, h, d)
    y_new = b.y + h * _combine(_B, k)
    err = _error_norm(b.y, y_new, _combine(_E5, k), _combine(_E3, k), h, b.rtol, b.atol)
    ok = err <= 1.0
    done = ok & (h == t1 - b.t)
    b.h = h * _step_factor(err, ok, b.rejected)
    b.rejected, b.evals = ~ok, b.evals + _S - 1
    b.t = np.where(ok, np.where(done, t1, b.t + h), b.t)
    b.y = np.where(ok, y_new, b.y)
    moved = ok & ~done  # FSAL: the field at the new point, only where the point goes on
    if moved.any():
        b.f[:, moved] = _rhs(field, b.t[moved], b.y[:, moved], d)
        b.evals = b.evals + moved
    if np.any(~done & (np.abs(b.h) <= 8 * np.finfo(float).eps * np.maximum(np.abs(b.t), 1.0))):
        raise RuntimeError("augmented ODE failed: step size underflow")
    return b, ok, done, _S - 1 + int(moved.any())


def integrate(field: FieldFn, x: np.ndarray, t0: float, t1: float, *, rtol=1e-10,
              atol=1e-12) -> Augmented:
    """Solve $\\dot x = v$, $\\dot I = $ integrands from `t0` to `t1` for every row of `x` by DOP853
    with a per-point step size and error norm; `rtol`, `atol` scalars or per point (n,)."""
    x = np.asarray(x, float)
    n, d = x.shape
    t = np.full(n, float(t0))
    v, g = field(t, x)
    y = np.concatenate([x.T, np.zeros((np.shape(g)[1], n))])
    if t0 == t1:
        return Augmented(x.copy(), y[d:].T.copy(), 1, np.ones(n, int), t[:, None].copy())
    f0 = np.concatenate([np.asarray(v, float).T, np.asarray(g, float).T])
    rt = np.maximum(np.broadcast_to(np.asarray(rtol, float), (n,)), RTOL_FLOOR)
    at = np.broadcast_to(np.asarray(atol, float), (n,)).copy()
    h = np.sign(t1 - t0) * _initial_step(field, t, y, f0, t1, rt, at, d)
    b = _Batch(np.arange(n), t, h, y, f0, rt, at, np.zeros(n, bool), np.full(n, 2))
    out, evals, nfev, steps = np.empty_like(y), np.zeros(n, int), 2, [(np.arange(n), t.copy())]
    for _ in range(MAX_ATTEMPTS):
        if b.idx.size == 0:
            mesh = _padded(*(np.concatenate(v) for v in zip(*steps)), n)
            return Augmented(out[:d].T.copy(), out[d:].T.copy(), nfev, evals, mesh)
        b, ok, done, calls = _advance(field, b, t1, d)
        nfev += calls
        steps.append((b.idx[ok], b.t[ok]))
        out[:, b.idx[done]], evals[b.idx[done]] = b.y[:, done], b.evals[done]
        b = b.keep(~done)
    raise RuntimeError(f"augmented ODE failed: more than {MAX_ATTEMPTS} step attempts")


def _padded(idx: np.ndarray, t: np.ndarray, n: int) -> np.ndarray:
    """Times logged as (point, time) pairs in step order -> (n, max count) rows, NaN-padded."""
    order = np.argsort(idx, kind="stable")
    idx, t = idx[order], t[order]
    counts = np.bincount(idx, minlength=n)
    pos = np.arange(idx.size) - np.repeat(np.cumsum(counts) - counts, counts)
    mesh = np.full((n, counts.max()), np.nan)
    mesh[idx, pos] = t
    return mesh


def halve(mesh: np.ndarray) -> np.ndarray:
    """Insert the midpoint of every step: (n, s + 1) -> (n, 2s + 1), NaN padding kept at the end."""
    out = np.full((len(mesh), 2 * mesh.shape[1] - 1), np.nan)
    out[:, ::2], out[:, 1::2] = mesh, 0.5 * (mesh[:, :-1] + mesh[:, 1:])
    return out


def integrate_on_mesh(field: FieldFn, x: np.ndarray, mesh: np.ndarray) -> Augmented:
    """DOP853 (8th-order solution, no error control) through each point's own times `mesh[i]`
    (NaN-padded rows from t0 to t1, e.g. `halve(integrate(...).mesh)`)."""
    x = np.asarray(x, float)
    n, d = x.shape
    v, g = field(mesh[:, 0], x)
    y = np.concatenate([x.T, np.zeros((np.shape(g)[1], n))])
    f = np.concatenate([np.asarray(v, float).T, np.asarray(g, float).T])
    steps = np.sum(~np.isnan(mesh), axis=1) - 1
    out, idx, nfev = y.copy(), np.arange(n), 1
    for j in range(mesh.shape[1] - 1):
        go = steps[idx] > j
        idx, y, f = idx[go], y[:, go], f[:, go]
        if idx.size == 0:
            break
        t, t_next = mesh[idx, j], mesh[idx, j + 1]
        y = y + (t_next - t) * _combine(_B, _stages(field, t, y, f, t_next - t, d))
        done = steps[idx] == j + 1
        out[:, idx[done]] = y[:, done]
        nfev += _S - 1
        if not done.all():  # FSAL: the field at the new point where the point goes on
            f[:, ~done] = _rhs(field, t_next[~done], y[:, ~done], d)
            nfev += 1
    evals = 1 + _S * steps - 1 * (steps > 0)
    return Augmented(out[:d].T.copy(), out[d:].T.copy(), nfev, evals, mesh)


def _richardson(field, log_p_end, x, t0, t1, rtol, atol):
    """Adaptive solve, then the same per-point mesh with every step halved: (coarse value, fine
    value, log_p_end at the fine endpoint, fine solve, field calls, evaluations per point)."""
    coarse = integrate(field, x, t0, t1, rtol=rtol, atol=atol)
    fine = integrate_on_mesh(field, x, halve(coarse.mesh))
    lp = log_p_end(fine.x_end)
    return (log_p_end(coarse.x_end) + coarse.integrals[:, 0], lp + fine.integrals[:, 0], lp, fine,
            coarse.nfev + fine.nfev, coarse.evals + fine.evals)


def log_likelihood(field: FieldFn, log_p_end: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                   t0: float, t1: float, *, tol: float = 1e-8, rtol: float = 1e-10,
                   atol: float = 1e-10, factor: float = 10.0, max_rounds: int = 3) -> Likelihood:
    """$\\log p_{t_0}(x) = \\log p_{t_1}(x_{t_1}) + \\int_{t_0}^{t_1}\\nabla\\cdot v$ with |error| <= `tol`
    per point. Richardson on each point's own mesh: the value comes from the adaptive mesh with every
    step halved, whose error is ~$2^{-8}$ times that of the adaptive solve (DOP853 has order 8), and
    `error_estimate` = |adaptive - halved| (~ the adaptive solve's error); points whose estimate exceeds
    `tol` are solved again at tolerances / `factor` (`rounds` counts the tries)."""
    x = np.asarray(x, float)
    n = len(x)
    value, bound, lp = np.full(n, np.nan), np.full(n, np.inf), np.full(n, np.nan)
    x_end, ints, rounds, evals = np.full_like(x, np.nan), None, np.zeros(n, int), np.zeros(n, int)
    todo, nfev = np.arange(n), 0
    for k in range(max_rounds):
        coarse, fine, lp_fine, sol, calls, ev = _richardson(field, log_p_end, x[todo], t0, t1,
                                                           rtol / factor ** k, atol / factor ** k)
        ints = np.full((n, sol.integrals.shape[1]), np.nan) if ints is None else ints
        value[todo], bound[todo], lp[todo] = fine, np.abs(coarse - fine), lp_fine
        x_end[todo], ints[todo] = sol.x_end, sol.integrals
        rounds[todo], evals[todo], nfev = rounds[todo] + 1, evals[todo] + ev, nfev + calls
        todo = todo[bound[todo] > tol]
        if todo.size == 0:
            break
    return Likelihood(value, bound, x_end, lp, ints, rounds, nfev, tol, evals)
