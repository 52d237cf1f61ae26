r"""Compiled (numba) augmented ODE of a Gaussian-mixture target's flows, one point at a time: the
fields (rectified-flow marginal velocity, VP probability-flow field, each with its exact divergence)
and a per-point DOP853 with a Richardson partner solve.

Fields: scalar transcriptions of the numpy formulas in `verify.q4_fields` (`eigen_vf_divergence`)
and `verify.q2_fields` (`noised_score_laplacian`, `VPFlow`), which the tests compare them with.
Component k of the law of $aX + bZ$ is $N(a\mu_k, C_k)$, $C_k = a^2\Sigma_k + b^2 I =
Q_k\,diag(c_k)\,Q_k^T$ with $c_k = a^2\lambda_k + b^2$. `params` = (log weights (K,), Q (K, d, d),
lambda (K, d), $Q_k^T\mu_k$ (K, d)), from `mixture_params`.

Solver: Dormand-Prince 8(5,3) (Hairer, Norsett & Wanner, Solving ODEs I, sec. II.10; coefficients
from scipy) with Hairer's starting step, error norm and step-size control, run per point, so a
point's result never depends on the other points. Alongside the adaptive ("coarse") solve, a second
("fine") solve of the same point takes two steps of h/2 for every accepted coarse step h: the coarse
mesh with every step halved, whose error is ~$2^{-8}$ times the coarse one.

Compiling takes ~10-13 s once; the code is then cached on disk (`cache=True`). Fields and solver share
this one file on purpose: the cache notices edits to a function's own file only, so a field kept
elsewhere could leave a stale compiled solver behind.
"""
from __future__ import annotations

import math
import os
import tempfile

import numba
import numpy as np
from numba import njit
from scipy.integrate._ivp import dop853_coefficients as _dop853

__all__ = ["RF_LINEAR", "VP_FLOW", "mixture_params", "n_integrands", "work_length", "field", "solve",
           "UNDERFLOW", "TOO_MANY_ATTEMPTS", "NOT_FINITE", "MAX_ATTEMPTS", "RTOL_FLOOR"]



def _private_temp_cache() -> str:
    """This user's own cache folder in the temp dir (mode 0700, owned by us), else a fresh one."""
    if not hasattr(os, "getuid"):  # not POSIX: no ownership to check
        return tempfile.mkdtemp(prefix="dgm-verify-numba-")
    path = os.path.join(tempfile.gettempdir(), f"dgm-verify-numba-{os.getuid()}")
    os.makedirs(path, mode=0o700, exist_ok=True)
    info = os.stat(path)
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        return tempfile.mkdtemp(prefix="dgm-verify-numba-")
    return path


_PYCACHE = os.path.join(os.path.dirname(__file__), "__pycache__")
if not numba.config.CACHE_DIR and not os.access(
        _PYCACHE if os.path.isdir(_PYCACHE) else os.path.dirname(__file__), os.W_OK):
    # numba caches compiled code in __pycache__ beside this file; where that is read-only it would
    # use ~/.cache, and the suite writes nothing outside the project and a temp dir
    numba.config.CACHE_DIR = _private_temp_cache()

RF_LINEAR, VP_FLOW = 0, 1  # field kinds: rectified flow (linear path, N(0, I) source); VP-SDE flow
_BIG = 1e150  # fold the running product of c_kj into a log sum before it can overflow or underflow


def mixture_params(basis) -> tuple[np.ndarray, ...]:
    """`params` for the kernels from `verify.q4_fields.mixture_eigenbasis` (points-last shapes)."""
    log_w, q, lam, m = basis
    return tuple(np.ascontiguousarray(v, dtype=float)
                 for v in (log_w[:, 0], q, lam[:, :, 0], m[:, :, 0]))


def n_integrands(kind: int) -> int:
    """RF: $[\\nabla\\cdot u]$; VP: $[\\nabla\\cdot v, \\beta\\nabla\\cdot s]$."""
    return 1 if kind == RF_LINEAR else 2


@njit(cache=True, nogil=True)
def work_length(params) -> int:
    """Scratch floats a field call needs: 4Kd (z, y and two per-field slots) + K (responsibilities)."""
    n_comp, d = params[2].shape
    return 4 * n_comp * d + n_comp


@njit(cache=True, nogil=True, inline="always")
def _posterior(x, a, b, params, work):
    """Per component k, into `work`: $z_k = Q_k^T C_k^{-1}(x - a\\mu_k)$ at [k d, (k + 1) d),
    $y_k = Q_k^T(x - a\\mu_k)$ at Kd + k d + j, responsibilities $r_k$ at 4Kd + k."""
    log_w, q, lam, mu = params
    n_comp, d = lam.shape
    kd = n_comp * d
    top = -math.inf
    for k in range(n_comp):
        quad, prod, logdet = 0.0, 1.0, 0.0
        for j in range(d):
            s = 0.0
            for i in range(d):
                s += q[k, i, j] * x[i]
            y = s - a * mu[k, j]
            z = y / (a * a * lam[k, j] + b * b)
            work[k * d + j], work[kd + k * d + j] = z, y
            quad += y * z
            prod *= a * a * lam[k, j] + b * b
            if prod > _BIG or prod < 1.0 / _BIG:
                logdet, prod = logdet + math.log(prod), 1.0
        lp = log_w[k] - 0.5 * (quad + logdet + math.log(prod))
        work[4 * kd + k] = lp
        top = max(top, lp)
    total = 0.0
    for k in range(n_comp):
        work[4 * kd + k] = math.exp(work[4 * kd + k] - top)
        total += work[4 * kd + k]
    for k in range(n_comp):
        work[4 * kd + k] /= total


@njit(cache=True, nogil=True, inline="always")
def _rf_field(t, x, params, work, out):
    """Linear path $a = t$, $b = 1 - t$: $u = \\sum_k r_k Q_k u_k'$ with
    $u_k' = \\mu_k' + \\gamma_k y_k$, $\\gamma_k = (t\\lambda_k - (1 - t))/c_k$;
    $\\nabla\\cdot u = \\sum_k r_k(\\sum_j\\gamma_{kj} - (u_k' - Q_k^T u)\\cdot z_k)$. Writes u to
    out[:d], the divergence to out[d]."""
    _, q, lam, mu = params
    n_comp, d = lam.shape
    kd = n_comp * d
    a, b = t, 1.0 - t
    _posterior(x, a, b, params, work)
    for i in range(d):
        out[i] = 0.0
    for k in range(n_comp):
        r = work[4 * kd + k]
        for j in range(d):  # gamma at 2Kd, u_k' at 3Kd
            gamma = (a * lam[k, j] - b) / (a * a * lam[k, j] + b * b)
            work[2 * kd + k * d + j] = gamma
            work[3 * kd + k * d + j] = mu[k, j] + gamma * work[kd + k * d + j]
        for i in range(d):
            s = 0.0
            for j in range(d):
                s += q[k, i, j] * work[3 * kd + k * d + j]
            out[i] += r * s
    div = 0.0
    for k in range(n_comp):
        acc = 0.0
        for j in range(d):
            s = 0.0
            for i in range(d):
                s += q[k, i, j] * out[i]
            acc += work[2 * kd + k * d + j] - (work[3 * kd + k * d + j] - s) * work[k * d + j]
        div += work[4 * kd + k] * acc
    out[d] = div


@njit(cache=True, nogil=True, inline="always")
def _vp_field(t, x, params, beta_min, beta_max, work, out):
    """$v = -\\frac12\\beta(x + s)$ with $\\alpha = e^{-\\frac12\\int\\beta}$,
    $\\sigma^2 = 1 - \\alpha^2$, score $s = -\\sum_k r_k Q_k z_k$,
    $\\Delta\\log p = \\sum_k r_k(|z_k + Q_k^T s|^2 - \\sum_j 1/c_{kj})$. Writes v to out[:d],
    $-\\frac12\\beta(d + \\Delta\\log p)$ to out[d], $\\beta\\Delta\\log p$ to out[d + 1]."""
    _, q, lam, _ = params
    n_comp, d = lam.shape
    kd = n_comp * d
    beta = beta_min + (beta_max - beta_min) * t
    integral = beta_min * t + 0.5 * (beta_max - beta_min) * t * t
    a, b = math.exp(-0.5 * integral), math.sqrt(-math.expm1(-integral))
    _posterior(x, a, b, params, work)
    for i in range(d):
        out[i] = 0.0
    for k in range(n_comp):
        r = work[4 * kd + k]
        for i in range(d):
            s = 0.0
            for j in range(d):
                s += q[k, i, j] * work[k * d + j]
            out[i] -= r * s  # the score, for now
    lap = 0.0
    for k in range(n_comp):
        acc = 0.0
        for j in range(d):
            s = 0.0
            for i in range(d):
                s += q[k, i, j] * out[i]
            spread = work[k * d + j] + s
            acc += spread * spread - 1.0 / (a * a * lam[k, j] + b * b)
        lap += work[4 * kd + k] * acc
    for i in range(d):
        out[i] = -0.5 * beta * (x[i] + out[i])
    out[d] = -0.5 * beta * (d + lap)
    out[d + 1] = beta * lap


@njit(cache=True, nogil=True)
def field(kind, t, x, params, sched, work, out):
    """The augmented right-hand side at one point: out[:d] = velocity, out[d:] = integrands (column
    0 the divergence). `sched` = (beta_min, beta_max) for `VP_FLOW`, unused for `RF_LINEAR`."""
    if kind == RF_LINEAR:
        _rf_field(t, x, params, work, out)
    else:
        _vp_field(t, x, params, sched[0], sched[1], work, out)


STAGES = _dop853.N_STAGES  # 12; stage 12 (FSAL) has zero error weight
COEFFICIENTS = tuple(np.ascontiguousarray(v, dtype=float) for v in (
    _dop853.A[:STAGES, :STAGES], _dop853.B, _dop853.C[:STAGES], _dop853.E5[:STAGES],
    _dop853.E3[:STAGES]))
MAX_ATTEMPTS = 100_000  # step attempts per point before giving up
RTOL_FLOOR = 1e-13  # below ~100 float64 eps rounding dominates (solve_ivp warns there too)
UNDERFLOW, TOO_MANY_ATTEMPTS, NOT_FINITE = -1, -2, -3  # failure codes in place of evaluations
_SAFETY, _MIN_FACTOR, _MAX_FACTOR = 0.9, 0.2, 10.0
_EPS = 2.220446049250313e-16


@njit(cache=True, nogil=True)
def _stages(kind, params, sched, work, t, y, f, h, k, tmp, coef):
    """The 12 stage derivatives k[s] of a step of size h from (t, y); f = field at (t, y)."""
    a, _, c, _, _ = coef
    for i in range(y.shape[0]):
        k[0, i] = f[i]
    for s in range(1, STAGES):
        for i in range(y.shape[0]):
            acc = 0.0
            for j in range(s):
                acc += a[s, j] * k[j, i]
            tmp[i] = y[i] + h * acc
        field(kind, t + c[s] * h, tmp, params, sched, work, k[s])


@njit(cache=True, nogil=True)
def _fixed_step(kind, params, sched, work, t, y, f, h, k, tmp, coef):
    """One DOP853 step of size h without error control: y <- y + h sum_s b_s k_s, in place."""
    b = coef[1]
    _stages(kind, params, sched, work, t, y, f, h, k, tmp, coef)
    for i in range(y.shape[0]):
        acc = 0.0
        for s in range(STAGES):
            acc += b[s] * k[s, i]
        y[i] += h * acc


@njit(cache=True, nogil=True)
def _scaled_rms(v, y, rtol, atol):
    total = 0.0
    for i in range(v.shape[0]):
        total += (v[i] / (atol + abs(y[i]) * rtol)) ** 2
    return math.sqrt(total / v.shape[0])


@njit(cache=True, nogil=True)
def _initial_step(kind, params, sched, work, t0, t1, y, f, rtol, atol, tmp, f1):
    """Hairer's starting step (Solving ODEs I, sec. II.4), signed; one field evaluation."""
    d0, d1 = _scaled_rms(y, y, rtol, atol), _scaled_rms(f, y, rtol, atol)
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / max(d1, 1e-300)
    span = abs(t1 - t0)
    h0 = min(h0, span)
    direction = 1.0 if t1 > t0 else -1.0
    for i in range(y.shape[0]):
        tmp[i] = y[i] + direction * h0 * f[i]
    field(kind, t0 + direction * h0, tmp, params, sched, work, f1)
    for i in range(y.shape[0]):
        tmp[i] = f1[i] - f[i]
    d2 = _scaled_rms(tmp, y, rtol, atol) / h0
    dmax = max(d1, d2)
    h1 = max(1e-6, h0 * 1e-3) if dmax <= 1e-15 else (0.01 / max(dmax, 1e-300)) ** (1.0 / 8)
    return direction * min(100 * h0, h1, span)


@njit(cache=True, nogil=True)
def _attempt(kind, params, sched, work, t, y, f, h, rtol, atol, k, tmp, y_new, coef):
    """A trial step into y_new; returns Hairer's DOP853 error norm
    $|h|\\,e_5^2 / \\sqrt{D(e_5^2 + 0.01 e_3^2)}$, scaled by atol + rtol max(|y|, |y_new|)."""
    b, e5, e3 = coef[1], coef[3], coef[4]
    _stages(kind, params, sched, work, t, y, f, h, k, tmp, coef)
    err5, err3 = 0.0, 0.0
    for i in range(y.shape[0]):
        acc, acc5, acc3 = 0.0, 0.0, 0.0
        for s in range(STAGES):
            acc += b[s] * k[s, i]
            acc5 += e5[s] * k[s, i]
            acc3 += e3[s] * k[s, i]
        y_new[i] = y[i] + h * acc
        scale = atol + rtol * max(abs(y[i]), abs(y_new[i]))
        err5 += (acc5 / scale) ** 2
        err3 += (acc3 / scale) ** 2
    return abs(h) * err5 / math.sqrt(max(err5 + 0.01 * err3, 1e-300) * y.shape[0])


@njit(cache=True, nogil=True)
def _factor(err, accepted, rejected_before):
    """Next step / this step: $0.9\\,err^{-1/8}$, at most 10 (at most 1 right after a rejection) when
    accepted, in [0.2, 1] when rejected; NaN or inf error: 0.2."""
    if not math.isfinite(err):
        return _MIN_FACTOR
    raw = _SAFETY * err ** (-1.0 / 8) if err > 0 else _MAX_FACTOR
    if accepted:
        return min(raw, 1.0 if rejected_before else _MAX_FACTOR)
    return min(max(raw, _MIN_FACTOR), 1.0)


@njit(cache=True, nogil=True)
def _solve_point(kind, params, sched, work, x, t0, t1, rtol, atol, coarse, fine, coef):
    """Coarse (adaptive) and fine (halved-mesh) solves of one point into `coarse`, `fine` (D,)
    = (x, integrals); returns the field evaluations of both, or a failure code (< 0)."""
    dim, size = x.shape[0], coarse.shape[0]
    f, f_fine = np.empty(size), np.empty(size)
    tmp, y_new, k = np.empty(size), np.empty(size), np.empty((STAGES, size))
    for i in range(size):
        coarse[i] = x[i] if i < dim else 0.0
        fine[i] = coarse[i]
        if not math.isfinite(coarse[i]):
            return NOT_FINITE
    field(kind, t0, coarse, params, sched, work, f)
    if t0 == t1:
        return 1
    h = _initial_step(kind, params, sched, work, t0, t1, coarse, f, rtol, atol, tmp, f_fine)
    if not math.isfinite(h):
        return NOT_FINITE
    for i in range(size):
        f_fine[i] = f[i]
    t, rejected, evals = t0, False, 2
    for _ in range(MAX_ATTEMPTS):
        last = abs(h) >= abs(t1 - t)
        if last:
            h = t1 - t  # land exactly on t1
        err = _attempt(kind, params, sched, work, t, coarse, f, h, rtol, atol, k, tmp, y_new, coef)
        evals += STAGES - 1
        accepted = err <= 1.0
        if accepted:
            half = 0.5 * h
            _fixed_step(kind, params, sched, work, t, fine, f_fine, half, k, tmp, coef)
            field(kind, t + half, fine, params, sched, work, f_fine)
            _fixed_step(kind, params, sched, work, t + half, fine, f_fine, half, k, tmp, coef)
            evals += 2 * STAGES - 1
            for i in range(size):
                coarse[i] = y_new[i]
            if last:
                return evals
            t += h
            field(kind, t, coarse, params, sched, work, f)  # FSAL
            field(kind, t, fine, params, sched, work, f_fine)
            evals += 2
        h *= _factor(err, accepted, rejected)
        rejected = not accepted
        if not math.isfinite(h):
            return NOT_FINITE
        if abs(h) <= 8 * _EPS * max(abs(t), 1.0):  # shrunk to nothing: by NaN/inf, or truly
            return UNDERFLOW if math.isfinite(err) else NOT_FINITE
    return TOO_MANY_ATTEMPTS


@njit(cache=True, nogil=True)
def _solve_rows(kind, params, sched, x, m, t0, t1, rtol, atol, coef):
    n, dim = x.shape
    coarse, fine = np.empty((n, dim + m)), np.empty((n, dim + m))
    evals, work = np.empty(n, np.int64), np.empty(work_length(params))
    for p in range(n):
        evals[p] = _solve_point(kind, params, sched, work, x[p], t0, t1, rtol[p], atol[p],
                                coarse[p], fine[p], coef)
    return coarse, fine, evals


def solve(kind: int, params: tuple, sched, x: np.ndarray, t0: float, t1: float, rtol, atol):
    """Coarse and fine solves of every row of `x` (n, d) from t0 to t1 with the field `kind`,
    per-point tolerances (scalars or (n,); rtol floored at `RTOL_FLOOR`): (coarse (n, d + m),
    fine (n, d + m)) = (state, integrals) at t1, and the field evaluations per point (n,), or
    there a failure code: `UNDERFLOW` (step size), `TOO_MANY_ATTEMPTS`, `NOT_FINITE` (a NaN or inf
    point, or a field that turned NaN or inf). `sched` = (beta_min, beta_max) for `VP_FLOW`.
    Releases the GIL."""
    n = len(x)  # fresh writable copies below: a read-only input would compile a second signature
    rtol, atol = (np.array(np.broadcast_to(np.asarray(v, float), (n,))) for v in (rtol, atol))
    if not (np.all(rtol > 0) and np.all(atol > 0)):
        raise ValueError("rtol and atol must be positive")
    if not (math.isfinite(t0) and math.isfinite(t1)):
        raise ValueError(f"the time span must be finite, got {t0} to {t1}")
    return _solve_rows(kind, params, np.array(sched, float), np.array(x, dtype=float, order="C"),
                       n_integrands(kind), float(t0), float(t1), np.maximum(rtol, RTOL_FLOOR), atol,
                       COEFFICIENTS)
