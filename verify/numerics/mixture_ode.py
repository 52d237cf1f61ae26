r"""Compiled (numba) augmented ODE of a Gaussian-mixture target's flows, many points at once: the
fields (rectified-flow marginal velocity, VP probability-flow field, each with its exact divergence)
and a per-point DOP853 with a Richardson partner solve, run on lanes of points in lockstep.

Fields: transcriptions of the numpy formulas in `verify.models.mixture_flows` (`eigen_vf_divergence`) and
`verify.q2.fields` (`noised_score_laplacian`, `VPFlow`), which the tests compare them with.
Component k of the law of $aX + bZ$ is $N(a\mu_k, C_k)$, $C_k = a^2\Sigma_k + b^2 I =
Q_k\,diag(c_k)\,Q_k^T$ with $c_k = a^2\lambda_k + b^2$. `params` = (log weights (K,), Q (K, d, d),
lambda (K, d), $Q_k^T\mu_k$ (K, d)), from `mixture_params`. Arrays are lanes-last, (..., P), so the
compiler vectorises over points; exp, expm1 and log are written out in arithmetic (`_exp`, `_expm1`,
`_split` with `_log_split`; within 2 ulp of libm on the arguments they get, tested) because libm's
calls would stop that.

Solver: Dormand-Prince 8(5,3) (Hairer, Norsett & Wanner, Solving ODEs I, sec. II.10; coefficients
from scipy) with Hairer's starting step, error norm and step-size control, per point: each lane has
its own time, step size and accept/reject decisions, so a point's result never depends on the other
points. Alongside the adaptive ("coarse") solve, a second ("fine") solve of the same point takes two
steps of h/2 for every accepted coarse step h: the coarse mesh with every step halved, whose error is
~$2^{-8}$ times the coarse one. A lane runs one 12-evaluation step per round, whichever it is due
(start, coarse attempt, first or second fine half-step), and takes the next point when it is done;
once no point is left, finished lanes are dropped from the rounds. A point's result is bit-identical
in any lane and for any lane count (tested), and takes scipy's steps (tested).

Compiling takes ~15-20 s once; the code is then cached on disk (`cache=True`). Fields and solver share
this one file on purpose: the cache notices edits to a function's own file only, so a field kept
elsewhere could leave a stale compiled solver behind.
"""
from __future__ import annotations

import math
import os
import tempfile

import numba
import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic
from scipy.integrate._ivp import dop853_coefficients as _dop853

__all__ = ["RF_LINEAR", "VP_FLOW", "mixture_params", "n_integrands", "evaluate", "solve", "LANES",
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
LANES = 64  # points in lockstep per solve: 48-64 measured fastest on 500 points (AVX2)
_JIT = dict(cache=True, nogil=True, error_model="numpy")  # numpy errors: no zero-division branches


def mixture_params(basis) -> tuple[np.ndarray, ...]:
    """`params` for the kernels from `verify.models.mixture_flows.mixture_eigenbasis` (points-last shapes)."""
    log_w, q, lam, m = basis
    return tuple(np.ascontiguousarray(v, dtype=float)
                 for v in (log_w[:, 0], q, lam[:, :, 0], m[:, :, 0]))


def n_integrands(kind: int) -> int:
    """RF: $[\\nabla\\cdot u]$; VP: $[\\nabla\\cdot v, \\beta\\nabla\\cdot s]$."""
    return 1 if kind == RF_LINEAR else 2


# ---- exp, expm1, log in plain arithmetic (vectorisable) ----

@intrinsic
def _bits(typingctx, x):
    """The IEEE bits of a float64 as an int64."""
    return types.int64(types.float64), lambda ctx, b, sig, args: b.bitcast(args[0], ir.IntType(64))


@intrinsic
def _float(typingctx, i):
    """The float64 whose IEEE bits are the int64 i."""
    return types.float64(types.int64), lambda ctx, b, sig, args: b.bitcast(args[0], ir.DoubleType())


@intrinsic
def _exponent_field(typingctx, x):
    """$2^{52}$ + the biased exponent field of x >= 0, as a float64 (a logical shift: no int64 to
    float conversion, which AVX2 lacks)."""
    def codegen(ctx, b, sig, args):
        field_bits = b.lshr(b.bitcast(args[0], ir.IntType(64)), ir.Constant(ir.IntType(64), 52))
        return b.bitcast(b.or_(field_bits, ir.Constant(ir.IntType(64), 0x4330000000000000)),
                         ir.DoubleType())
    return types.float64(types.float64), codegen


_ROUND = 1.5 * 2.0**52  # adding it rounds to an integer held in the low bits
_EXPONENT_BIAS = 2.0**52 + 1023.0  # `_exponent_field` of x minus this is x's unbiased exponent
_INV_LN2 = 1.0 / math.log(2.0)
# ln 2 = _LN2_HI + _LN2_LO to 1e-26 (tested); _LN2_HI ends in 21 zero bits, so n _LN2_HI is exact
_LN2_HI, _LN2_LO = 0.6931471803691238, 1.9082149292705877e-10
_EXP_MIN, _EXP_MAX = -708.0, 709.0  # below: 0 (2^n would need a subnormal); above: inf
_EXP_SERIES = tuple(1.0 / math.factorial(i) for i in range(13, -1, -1))  # highest power first
_EXPM1_SERIES = tuple(1.0 / math.factorial(i + 1) for i in range(14, -1, -1))
_ATANH_SERIES = tuple(1.0 / (2 * i + 1) for i in range(10, -1, -1))


@njit(inline="always", **_JIT)
def _horner(coefficients, x):
    """$\\sum_i c_i x^{n - i}$ for the coefficients $c_0..c_n$ (highest power first)."""
    p = 0.0
    for c in coefficients:
        p = p * x + c
    return p


@njit(inline="always", **_JIT)
def _exp(x):
    """exp(x) as $2^n e^r$, $n = round(x / \\ln 2)$, $r = x - n\\ln 2$, for x in [-708, 709]; 0
    below, inf above (exp(709.78) overflows anyway), NaN for NaN."""
    xc = min(max(x, _EXP_MIN), _EXP_MAX)
    shifted = xc * _INV_LN2 + _ROUND
    n = shifted - _ROUND
    r = (xc - n * _LN2_HI) - n * _LN2_LO
    power = _float((_bits(shifted) + 1023) << 52)  # 2^n: n + 1023 into the exponent field
    value = _horner(_EXP_SERIES, r) * power  # e^r to 1 ulp for |r| <= ln 2 / 2
    return 0.0 if x < _EXP_MIN else (math.inf if x > _EXP_MAX else value)


@njit(inline="always", **_JIT)
def _expm1(x):
    """exp(x) - 1 for x <= 0 (within 2 ulp, tested): the Taylor series $x\\sum_{i=0}^{14}
    x^i/(i+1)!$ for |x| < 0.35 (no cancellation), exp(x) - 1 below."""
    p = _horner(_EXPM1_SERIES, x)
    return x * p if abs(x) < 0.35 else _exp(x) - 1.0


@njit(inline="always", **_JIT)
def _split(x):
    """(e, m) with $x = 2^e m$, $m \\in [\\sqrt{1/2}, \\sqrt 2)$, e a float, for normal x > 0 (the
    fields' $c_{kj} = a^2\\lambda_{kj} + b^2$ are: covariances are positive definite)."""
    m = _float((_bits(x) & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000)  # x's mantissa, in [1, 2)
    e = _exponent_field(x) - _EXPONENT_BIAS
    high = m > 1.4142135623730951
    return (e + 1.0, 0.5 * m) if high else (e, m)


@njit(inline="always", **_JIT)
def _log_split(e, m):
    """$\\log(2^e m) = e\\ln 2 + 2\\,atanh(s)$, $2\\,atanh(s) = 2\\sum_{i=0}^{10} s^{2i+1}/(2i+1)$,
    $s = (m - 1)/(m + 1)$, $|s| < 0.172$ for $m \\in [\\sqrt{1/2}, \\sqrt 2)$."""
    s = (m - 1.0) / (m + 1.0)
    p = _horner(_ATANH_SERIES, s * s)
    return e * _LN2_HI + (e * _LN2_LO + 2.0 * s * p)


# ---- the fields, on lanes: t (P,), x (D, P) -> out (D, P) ----

def _workspace(lam, lanes):
    """Scratch for a field call on `lanes` points: per component and coordinate (4, K, d, P) = y, z,
    1/c, g (see `_posterior`); per lane (K + 5, P) = r_k, then a, b, one scratch row, the exponent and
    mantissa of a running product."""
    n_comp, d = lam.shape
    return np.empty((4, n_comp, d, lanes)), np.empty((n_comp + 5, lanes))


@njit(**_JIT)
def _posterior(x, log_w, q, lam, mu, wk, wr, lanes):
    """For every component k and lane, with a, b = wr[K], wr[K + 1]: $y_k = Q_k^T x - a Q_k^T\\mu_k$,
    $z_k = y_k / c_k$, $1/c_k$ with $c_k = a^2\\lambda_k + b^2$ into wk[0], wk[1], wk[2], and the
    responsibilities $r_k \\propto \\pi_k|C_k|^{-1/2}e^{-y_k\\cdot z_k/2}$ into wr[k]. $|C_k| =
    \\prod_j c_{kj}$ is kept as $2^E M$, M renormalised at every factor: no overflow at any d."""
    n_comp, d = lam.shape
    y, z, c_inv, r = wk[0], wk[1], wk[2], wr[:n_comp]
    a, b, top, det_e, det_m = (wr[n_comp], wr[n_comp + 1], wr[n_comp + 2], wr[n_comp + 3],
                               wr[n_comp + 4])
    for k in range(n_comp):
        for p in range(lanes):
            r[k, p], det_e[p], det_m[p] = 0.0, 0.0, 1.0
        for j in range(d):
            for p in range(lanes):
                y[k, j, p] = -a[p] * mu[k, j]
            for i in range(d):
                qij = q[k, i, j]
                for p in range(lanes):
                    y[k, j, p] += qij * x[i, p]
            lam_kj = lam[k, j]
            for p in range(lanes):
                c = a[p] * a[p] * lam_kj + b[p] * b[p]
                c_inv[k, j, p] = 1.0 / c
                z[k, j, p] = y[k, j, p] * c_inv[k, j, p]
                r[k, p] += y[k, j, p] * z[k, j, p]
                e, m = _split(c)
                e2, det_m[p] = _split(det_m[p] * m)
                det_e[p] += e + e2
        for p in range(lanes):
            r[k, p] = log_w[k] - 0.5 * (r[k, p] + _log_split(det_e[p], det_m[p]))
    for p in range(lanes):
        top[p] = r[0, p]
    for k in range(1, n_comp):
        for p in range(lanes):
            top[p] = max(top[p], r[k, p])
    for k in range(n_comp):
        for p in range(lanes):
            r[k, p] = _exp(r[k, p] - top[p])
    for p in range(lanes):
        top[p] = r[0, p]
    for k in range(1, n_comp):
        for p in range(lanes):
            top[p] += r[k, p]
    for k in range(n_comp):
        for p in range(lanes):
            r[k, p] /= top[p]


@njit(**_JIT)
def _add_mixed(q, r, v, sign, out, lanes):
    """out[:d] += sign $\\sum_k r_k Q_k v_k$ on every lane (v: (K, d, P))."""
    n_comp, d = v.shape[0], v.shape[1]
    for k in range(n_comp):
        for i in range(d):
            for j in range(d):
                w = sign * q[k, i, j]
                for p in range(lanes):
                    out[i, p] += r[k, p] * w * v[k, j, p]


@njit(**_JIT)
def _rotated_back(q, k, j, v, sign, out, acc, lanes):
    """acc = $v_{kj}$ + sign $(Q_k^T u)_j$ on every lane, u = out[:d]."""
    for p in range(lanes):
        acc[p] = v[k, j, p]
    for i in range(v.shape[1]):
        w = sign * q[k, i, j]
        for p in range(lanes):
            acc[p] += w * out[i, p]


@njit(**_JIT)
def _rf_field(t, x, log_w, q, lam, mu, wk, wr, out, lanes):
    """Linear path $a = t$, $b = 1 - t$: $u = \\sum_k r_k Q_k u_k'$ with
    $u_k' = Q_k^T\\mu_k + \\gamma_k y_k$, $\\gamma_k = (t\\lambda_k - (1 - t))/c_k$;
    $\\nabla\\cdot u = \\sum_k r_k(\\sum_j\\gamma_{kj} - (u_k' - Q_k^T u)\\cdot z_k)$. Writes u to
    out[:d], the divergence to out[d]."""
    n_comp, d = lam.shape
    y, z, c_inv, g = wk[0], wk[1], wk[2], wk[3]
    r, a, b, acc = wr[:n_comp], wr[n_comp], wr[n_comp + 1], wr[n_comp + 2]
    for p in range(lanes):
        a[p], b[p] = t[p], 1.0 - t[p]
    _posterior(x, log_w, q, lam, mu, wk, wr, lanes)
    for i in range(d + 1):
        for p in range(lanes):
            out[i, p] = 0.0
    for k in range(n_comp):
        for j in range(d):  # gamma takes the place of 1/c, u_k' goes to g
            lam_kj, mu_kj = lam[k, j], mu[k, j]
            for p in range(lanes):
                gamma = (a[p] * lam_kj - b[p]) * c_inv[k, j, p]
                c_inv[k, j, p] = gamma
                g[k, j, p] = mu_kj + gamma * y[k, j, p]
    _add_mixed(q, r, g, 1.0, out, lanes)
    for k in range(n_comp):
        for j in range(d):
            _rotated_back(q, k, j, g, -1.0, out, acc, lanes)
            for p in range(lanes):
                out[d, p] += r[k, p] * (c_inv[k, j, p] - acc[p] * z[k, j, p])  # gamma


@njit(**_JIT)
def _vp_field(t, x, log_w, q, lam, mu, beta_min, beta_max, wk, wr, out, lanes):
    """$v = -\\frac12\\beta(x + s)$ with $\\alpha = e^{-\\frac12\\int\\beta}$,
    $\\sigma^2 = 1 - \\alpha^2$, score $s = -\\sum_k r_k Q_k z_k$,
    $\\Delta\\log p = \\sum_k r_k(|z_k + Q_k^T s|^2 - \\sum_j 1/c_{kj})$. Writes v to out[:d],
    $-\\frac12\\beta(d + \\Delta\\log p)$ to out[d], $\\beta\\Delta\\log p$ to out[d + 1]."""
    n_comp, d = lam.shape
    z, c_inv = wk[1], wk[2]
    r, a, b, acc = wr[:n_comp], wr[n_comp], wr[n_comp + 1], wr[n_comp + 2]
    for p in range(lanes):
        integral = beta_min * t[p] + 0.5 * (beta_max - beta_min) * t[p] * t[p]
        a[p], b[p] = _exp(-0.5 * integral), math.sqrt(-_expm1(-integral))
    _posterior(x, log_w, q, lam, mu, wk, wr, lanes)
    for i in range(d + 2):
        for p in range(lanes):
            out[i, p] = 0.0
    _add_mixed(q, r, z, -1.0, out, lanes)  # the score, for now
    for k in range(n_comp):
        for j in range(d):
            _rotated_back(q, k, j, z, 1.0, out, acc, lanes)
            for p in range(lanes):
                out[d + 1, p] += r[k, p] * (acc[p] * acc[p] - c_inv[k, j, p])
    for p in range(lanes):
        beta = beta_min + (beta_max - beta_min) * t[p]
        for i in range(d):
            out[i, p] = -0.5 * beta * (x[i, p] + out[i, p])
        out[d, p] = -0.5 * beta * (d + out[d + 1, p])
        out[d + 1, p] = beta * out[d + 1, p]


@njit(**_JIT)
def _field(kind, t, x, log_w, q, lam, mu, sched, wk, wr, out, lanes):
    """The augmented right-hand side on lanes: out[:d] = velocity, out[d:] = integrands (row d the
    divergence). `sched` = (beta_min, beta_max) for `VP_FLOW`, unused for `RF_LINEAR`."""
    if kind == RF_LINEAR:
        _rf_field(t, x, log_w, q, lam, mu, wk, wr, out, lanes)
    else:
        _vp_field(t, x, log_w, q, lam, mu, sched[0], sched[1], wk, wr, out, lanes)


def evaluate(kind: int, params: tuple, sched, t: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The compiled field at (t_i, x_i) for the rows of x (n, d): (n, d + m) = (velocity,
    integrands)."""
    x = np.asarray(x, float)
    n, d = x.shape
    t = np.array(np.broadcast_to(np.asarray(t, float), (n,)))
    out = np.empty((d + n_integrands(kind), n))
    _field(kind, t, np.ascontiguousarray(x.T), *params, np.array(sched, float),
           *_workspace(params[2], n), out, n)
    return out.T


# ---- DOP853 on lanes ----

STAGES = _dop853.N_STAGES  # 12; stage 12 (FSAL) has zero error weight
COEFFICIENTS = tuple(np.ascontiguousarray(v, dtype=float) for v in (
    _dop853.A[:STAGES, :STAGES], _dop853.B, _dop853.C[:STAGES], _dop853.E5[:STAGES],
    _dop853.E3[:STAGES]))
MAX_ATTEMPTS = 100_000  # step attempts per point before giving up
RTOL_FLOOR = 1e-13  # below ~100 float64 eps rounding dominates (solve_ivp warns there too)
UNDERFLOW, TOO_MANY_ATTEMPTS, NOT_FINITE = -1, -2, -3  # failure codes in place of evaluations
_SAFETY, _MIN_FACTOR, _MAX_FACTOR = 0.9, 0.2, 10.0
_EPS = 2.220446049250313e-16
# a lane's job this round: find its first step size, a coarse attempt, a fine half-step, nothing
_START, _COARSE, _FINE_1, _FINE_2, _IDLE = range(5)
# rows of the lane state (`_lanes`): floats (13, P), ints (6, P), vectors (11, D, P)
(_T, _H, _H_ACCEPTED, _ERR_ACCEPTED, _RTOL, _ATOL, _H_PROBE, _STEP_T, _STEP_H, _END_T, _ERR,
 _ERR5, _ERR3) = range(13)
_POINT, _JOB, _EVALS, _ATTEMPTS, _LAST, _REJECTED = range(6)
(_Y_COARSE, _Y_FINE, _F_COARSE, _F_FINE, _STEP_Y, _STAGE_Y, _END_Y, _END_F, _SUM_B, _SUM_E5,
 _SUM_E3) = range(11)


def _lanes(size, lanes):
    """Lane state: floats (t, h, accepted h and its error norm, rtol, atol, probe size; this round's
    step start time and size, end time, error norm, its e5 and e3 sums), ints (point, job,
    evaluations, attempts, last step?, rejected before?), vectors (D, P) (coarse y and f, fine y
    and f; this round's step start, stage input, step end, field there, b/e5/e3 sums), stages
    (12, D, P)."""
    return (np.zeros((13, lanes)), np.zeros((6, lanes), np.int64), np.zeros((11, size, lanes)),
            np.zeros((STAGES, size, lanes)))


@njit(inline="always", **_JIT)
def _scaled_rms(v, y, p, rtol, atol):
    """RMS over rows of v[:, p] / (atol + rtol |y[:, p]|)."""
    total = 0.0
    for i in range(v.shape[0]):
        total += (v[i, p] / (atol + abs(y[i, p]) * rtol)) ** 2
    return math.sqrt(total / v.shape[0])


@njit(**_JIT)
def _probe_size(y, f, p, rtol, atol, span):
    """Hairer's starting step (Solving ODEs I, sec. II.4), part 1: the probe's size h0."""
    d0, d1 = _scaled_rms(y, y, p, rtol, atol), _scaled_rms(f, y, p, rtol, atol)
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / max(d1, 1e-300)
    return min(h0, span)


@njit(**_JIT)
def _first_step(y, f, f1, p, h0, rtol, atol, span):
    """Part 2, from the field f1 at the probe (t0 + h0, y + h0 f): the unsigned first step."""
    total = 0.0
    for i in range(y.shape[0]):
        total += ((f1[i, p] - f[i, p]) / (atol + abs(y[i, p]) * rtol)) ** 2
    d1, d2 = _scaled_rms(f, y, p, rtol, atol), math.sqrt(total / y.shape[0]) / h0
    dmax = max(d1, d2)
    h1 = max(1e-6, h0 * 1e-3) if dmax <= 1e-15 else (0.01 / max(dmax, 1e-300)) ** (1.0 / 8)
    return min(100 * h0, h1, span)


@njit(**_JIT)
def _factor(err, accepted, rejected_before):
    """Next step / this step: $0.9\\,err^{-1/8}$, at most 10 (at most 1 right after a rejection) when
    accepted, in [0.2, 1] when rejected; NaN or inf error: 0.2."""
    if not math.isfinite(err):
        return _MIN_FACTOR
    raw = _SAFETY * err ** (-1.0 / 8) if err > 0 else _MAX_FACTOR
    if accepted:
        return min(raw, 1.0 if rejected_before else _MAX_FACTOR)
    return min(max(raw, _MIN_FACTOR), 1.0)


@njit(**_JIT)
def _take_point(x, t0, rtol, atol, nxt, p, fl, it, vec, coarse, fine, evals):
    """Load row nxt of x (or the next finite one; NaN/inf rows get NOT_FINITE) into lane p as a
    _START job, or make the lane _IDLE when no row is left. Returns the next row."""
    n, dim = x.shape
    while nxt < n:
        q, nxt = nxt, nxt + 1
        finite = True
        for i in range(dim):
            finite = finite and math.isfinite(x[q, i])
        if not finite:
            evals[q] = NOT_FINITE
            for i in range(coarse.shape[1]):
                coarse[q, i], fine[q, i] = np.nan, np.nan
            continue
        for i in range(vec.shape[1]):
            vec[_Y_COARSE, i, p] = x[q, i] if i < dim else 0.0
            vec[_Y_FINE, i, p] = vec[_Y_COARSE, i, p]
        fl[_T, p], fl[_RTOL, p], fl[_ATOL, p] = t0, rtol[q], atol[q]
        for i in range(it.shape[0]):
            it[i, p] = 0
        it[_POINT, p], it[_JOB, p] = q, _START
        return nxt
    it[_POINT, p], it[_JOB, p] = -1, _IDLE
    return nxt


@njit(**_JIT)
def _set_up(t1, fl, it, vec, k, lanes):
    """Each lane's step this round: start time and state, size, end time, first stage. A coarse
    step that would pass t1 is cut to land on it; a _START lane sits at its point."""
    for p in range(lanes):
        job, t = it[_JOB, p], fl[_T, p]
        if job == _COARSE:
            it[_LAST, p] = abs(fl[_H, p]) >= abs(t1 - t)
            if it[_LAST, p]:
                fl[_H, p] = t1 - t
            start, h, end, y, f = t, fl[_H, p], t + fl[_H, p], _Y_COARSE, _F_COARSE
        elif job == _FINE_1 or job == _FINE_2:
            h = 0.5 * fl[_H_ACCEPTED, p]
            start = t if job == _FINE_1 else t + h
            end = t + h if job == _FINE_1 else t + fl[_H_ACCEPTED, p]
            y, f = _Y_FINE, _F_FINE
        else:
            start, h, end, y, f = t, 0.0, t, _Y_COARSE, -1
        fl[_STEP_T, p], fl[_STEP_H, p], fl[_END_T, p] = start, h, end
        for i in range(vec.shape[1]):
            vec[_STEP_Y, i, p] = vec[y, i, p]
            k[0, i, p] = vec[f, i, p] if f >= 0 else 0.0


@njit(**_JIT)
def _stage_input(s, fl, vec, k, t_in, coef, lanes):
    """Stage s's time and state on every lane: $t + c_s h$, $y + h\\sum_{j<s} a_{sj} k_j$."""
    a, c = coef[0], coef[2]
    size = vec.shape[1]
    for i in range(size):
        for p in range(lanes):
            vec[_STAGE_Y, i, p] = 0.0
        for j in range(s):
            a_sj = a[s, j]
            for p in range(lanes):
                vec[_STAGE_Y, i, p] += a_sj * k[j, i, p]
        for p in range(lanes):
            vec[_STAGE_Y, i, p] = vec[_STEP_Y, i, p] + fl[_STEP_H, p] * vec[_STAGE_Y, i, p]
    for p in range(lanes):
        t_in[p] = fl[_STEP_T, p] + c[s] * fl[_STEP_H, p]


@njit(**_JIT)
def _step_end(fl, vec, k, coef, lanes):
    """Every lane's step result $y + h\\sum_s b_s k_s$ and its error norm: Hairer's
    $|h|\\,e_5^2/\\sqrt{D(e_5^2 + 0.01 e_3^2)}$, scaled by atol + rtol max(|y|, |y_new|)."""
    b, e5, e3 = coef[1], coef[3], coef[4]
    size = vec.shape[1]
    for p in range(lanes):
        fl[_ERR5, p], fl[_ERR3, p] = 0.0, 0.0
    for i in range(size):
        for p in range(lanes):
            vec[_SUM_B, i, p], vec[_SUM_E5, i, p], vec[_SUM_E3, i, p] = 0.0, 0.0, 0.0
        for s in range(STAGES):
            b_s, e5_s, e3_s = b[s], e5[s], e3[s]
            for p in range(lanes):
                vec[_SUM_B, i, p] += b_s * k[s, i, p]
                vec[_SUM_E5, i, p] += e5_s * k[s, i, p]
                vec[_SUM_E3, i, p] += e3_s * k[s, i, p]
        for p in range(lanes):
            y, y_new = vec[_STEP_Y, i, p], vec[_STEP_Y, i, p] + fl[_STEP_H, p] * vec[_SUM_B, i, p]
            vec[_END_Y, i, p] = y_new
            scale = fl[_ATOL, p] + fl[_RTOL, p] * max(abs(y), abs(y_new))
            fl[_ERR5, p] += (vec[_SUM_E5, i, p] / scale) ** 2
            fl[_ERR3, p] += (vec[_SUM_E3, i, p] / scale) ** 2
    for p in range(lanes):
        e5_sq, e3_sq = fl[_ERR5, p], fl[_ERR3, p]
        norm = math.sqrt(max(e5_sq + 0.01 * e3_sq, 1e-300) * size)
        fl[_ERR, p] = abs(fl[_STEP_H, p]) * e5_sq / norm


@njit(inline="always", **_JIT)
def _keep_step_end(vec, p, y, f):
    """Lane p's step end and the field there become its (y, f) pair (coarse or fine)."""
    for i in range(vec.shape[1]):
        vec[y, i, p], vec[f, i, p] = vec[_END_Y, i, p], vec[_END_F, i, p]


@njit(**_JIT)
def _control(p, err, accepted, fl, it):
    """Lane p's next step size after an attempt with error norm err (after a whole accepted step:
    coarse and both fine halves), as the serial solver does: 0, or a failure code."""
    fl[_H, p] *= _factor(err, accepted, it[_REJECTED, p] == 1)
    it[_REJECTED, p] = 0 if accepted else 1
    if not math.isfinite(fl[_H, p]):
        return NOT_FINITE
    if abs(fl[_H, p]) <= 8 * _EPS * max(abs(fl[_T, p]), 1.0):  # shrunk to nothing
        return UNDERFLOW if math.isfinite(err) else NOT_FINITE
    return TOO_MANY_ATTEMPTS if it[_ATTEMPTS, p] >= MAX_ATTEMPTS else 0


@njit(**_JIT)
def _advance(p, job, fl, it, vec, k, direction, span):
    """Lane p after its round: the next job, or 1 when its point is done, or a failure code (< 0).
    Evaluations are counted as the serial algorithm needs them: 2 to start, 11 per attempt, 1 for
    the field at an accepted step's end (FSAL) and 12 per fine half-step (11 after the last)."""
    if job == _START:  # k[1] = field at the point, k[2] at the probe
        h = _first_step(vec[_Y_COARSE], k[1], k[2], p, fl[_H_PROBE, p], fl[_RTOL, p], fl[_ATOL, p],
                        span)
        fl[_H, p] = direction * h
        for i in range(vec.shape[1]):
            vec[_F_COARSE, i, p], vec[_F_FINE, i, p] = k[1, i, p], k[1, i, p]
        it[_JOB, p], it[_EVALS, p] = _COARSE, 2
        return 0 if math.isfinite(h) else NOT_FINITE
    last = it[_LAST, p] == 1
    if job == _COARSE:
        err = fl[_ERR, p]
        accepted = err <= 1.0
        it[_ATTEMPTS, p] += 1
        it[_EVALS, p] += STAGES - 1 + (1 if accepted and not last else 0)
        if not accepted:
            return _control(p, err, False, fl, it)
        _keep_step_end(vec, p, _Y_COARSE, _F_COARSE)
        fl[_H_ACCEPTED, p], fl[_ERR_ACCEPTED, p] = fl[_H, p], err
        it[_JOB, p] = _FINE_1
        return 0
    _keep_step_end(vec, p, _Y_FINE, _F_FINE)
    it[_EVALS, p] += STAGES - (1 if job == _FINE_2 and last else 0)
    if job == _FINE_1:
        it[_JOB, p] = _FINE_2
        return 0
    fl[_T, p] += fl[_H_ACCEPTED, p]
    it[_JOB, p] = _COARSE
    return 1 if last else _control(p, fl[_ERR_ACCEPTED, p], True, fl, it)


@njit(**_JIT)
def _retire_if_idle(p, active, fl, it, vec):
    """Keep the working lanes at 0..active-1: an idle lane p takes over lane active - 1's state.
    Returns the new number of active lanes."""
    if it[_JOB, p] != _IDLE:
        return active
    last = active - 1
    if p != last:
        for r in range(fl.shape[0]):
            fl[r, p] = fl[r, last]
        for r in range(it.shape[0]):
            it[r, p] = it[r, last]
        for r in range(vec.shape[0]):
            for i in range(vec.shape[1]):
                vec[r, i, p] = vec[r, i, last]
    return last


@njit(**_JIT)
def _solve_rows(kind, params, sched, x, t0, t1, rtol, atol, coef, state, work, ends):
    """Both solves of every row of x, on the lanes of `state` (`_lanes`), into `ends` = (coarse,
    fine, evaluations or failure code)."""
    coarse, fine, evals = ends
    fl, it, vec, k = state
    log_w, q, lam, mu = params
    wk, wr = work
    size, lanes = vec.shape[1], vec.shape[2]
    t_in, jobs = np.empty(lanes), np.empty(lanes, np.int64)
    span, direction = abs(t1 - t0), 1.0 if t1 > t0 else -1.0
    nxt, active = np.int64(0), lanes  # not the literal 0: one compiled signature of _take_point
    for p in range(lanes - 1, -1, -1):
        nxt = _take_point(x, t0, rtol, atol, nxt, p, fl, it, vec, coarse, fine, evals)
        active = _retire_if_idle(p, active, fl, it, vec)
    while active > 0:
        for p in range(active):
            jobs[p] = it[_JOB, p]
        _set_up(t1, fl, it, vec, k, active)
        for s in range(1, STAGES + 1):  # the 11 new stages, then the field at the step's end
            if s < STAGES:
                _stage_input(s, fl, vec, k, t_in, coef, active)
                times, states, into = t_in, vec[_STAGE_Y], k[s]
            else:
                _step_end(fl, vec, k, coef, active)
                times, states, into = fl[_END_T], vec[_END_Y], vec[_END_F]
            if s == 2:  # a _START lane evaluates at its point (s = 1), then at the probe
                for p in range(active):
                    if jobs[p] == _START:
                        h0 = direction * fl[_H_PROBE, p]
                        times[p] = t0 + h0
                        for i in range(size):
                            states[i, p] = vec[_Y_COARSE, i, p] + h0 * k[1, i, p]
            _field(kind, times, states, log_w, q, lam, mu, sched, wk, wr, into, active)
            if s == 1:
                for p in range(active):
                    if jobs[p] == _START:
                        fl[_H_PROBE, p] = _probe_size(vec[_Y_COARSE], k[1], p, fl[_RTOL, p],
                                                      fl[_ATOL, p], span)
        for p in range(active - 1, -1, -1):  # downwards: a retired lane takes the last one's place
            code = _advance(p, jobs[p], fl, it, vec, k, direction, span)
            if code != 0:
                row = it[_POINT, p]
                for i in range(size):
                    coarse[row, i], fine[row, i] = vec[_Y_COARSE, i, p], vec[_Y_FINE, i, p]
                evals[row] = it[_EVALS, p] if code == 1 else code
                nxt = _take_point(x, t0, rtol, atol, nxt, p, fl, it, vec, coarse, fine, evals)
                active = _retire_if_idle(p, active, fl, it, vec)


def solve(kind: int, params: tuple, sched, x: np.ndarray, t0: float, t1: float, rtol, atol,
          lanes: int = LANES):
    """Coarse and fine solves of every row of `x` (n, d) from t0 to t1 with the field `kind`,
    per-point tolerances (scalars or (n,); rtol floored at `RTOL_FLOOR`): (coarse (n, d + m),
    fine (n, d + m)) = (state, integrals) at t1, and the field evaluations per point (n,), or
    there a failure code: `UNDERFLOW` (step size), `TOO_MANY_ATTEMPTS`, `NOT_FINITE` (a NaN or inf
    point, or a field that turned NaN or inf). `sched` = (beta_min, beta_max) for `VP_FLOW`.
    `lanes` points are solved side by side (fewer only when fewer are left); the results do not
    depend on it. Releases the GIL."""
    n = len(x)  # fresh writable copies below: a read-only input would compile a second signature
    rtol, atol = (np.array(np.broadcast_to(np.asarray(v, float), (n,))) for v in (rtol, atol))
    if not (np.all(rtol > 0) and np.all(atol > 0)):
        raise ValueError("rtol and atol must be positive")
    if not (math.isfinite(t0) and math.isfinite(t1)):
        raise ValueError(f"the time span must be finite, got {t0} to {t1}")
    x = np.array(x, dtype=float, order="C")
    d, m = x.shape[1], n_integrands(kind)
    if t0 == t1:  # nothing to integrate
        finite = np.isfinite(x).all(axis=1)
        ends = np.where(finite[:, None], np.hstack([x, np.zeros((n, m))]), np.nan)
        return ends, ends.copy(), np.where(finite, 0, NOT_FINITE)
    lanes = max(1, min(lanes, n))
    ends = (np.empty((n, d + m)), np.empty((n, d + m)), np.zeros(n, np.int64))
    _solve_rows(kind, params, np.array(sched, float), x, float(t0), float(t1),
                np.maximum(rtol, RTOL_FLOOR), atol, COEFFICIENTS, _lanes(d + m, lanes),
                _workspace(params[2], lanes), ends)
    return ends
