r"""A formula's value where its float evaluation is not finite: the limit there, never a raw NaN.

A sheet may write a true formula through a factor that vanishes at a judged point
(`(x - E[x0 | x_t = x])/t` at t = 0 is 0/0). `limit_at` approaches the point from inside the domain
along two rays at `DPS` digits and returns the limit when the values at both distances of `STEPS`,
on both rays, agree (a removable singularity); a pole, a jump or an undefined neighbourhood gives
None, so such a formula stays wrong where the truth is finite. Every numeric use of a sheet's
formula goes through here: `to_numpy` (grids, fields), `value_or_limit` (mpmath samples) and
`integration_span` (ODEs of a formula field, started just inside a removable singularity).
"""
from __future__ import annotations

import math
from typing import Callable, Mapping, Sequence

import mpmath
import numpy as np
import sympy as sp

__all__ = ["DPS", "STEPS", "LIMIT_RTOL", "INSET", "Bounds", "symbol_bounds", "mp_value",
           "limit_at", "value_or_limit", "NumericFormula", "to_numpy", "integration_span"]

Bounds = tuple[float, float]  # closed range a variable is approached within

DPS = 80  # digits: a step of 1e-50 from a point of size 1 keeps 30 digits after 0/0 cancels
STEPS = (1e-30, 1e-50)  # approach distances (times max(1, |coordinate|)); a removable term of
# order h^(1/2) moves the value by < 1e-15 between them, a pole 1/h by a factor 1e20
LIMIT_RTOL = 1e-12  # the four values near the point must agree to this, relative to max(1, |L|):
# far below the 1e-9 and 1e-10 judging tolerances, far above the O(1e-30) drift of a removable term
INSET = 1e-9  # an ODE end at a removable singularity moves this far inside: the state skips a
# piece of path of length <= INSET * max|u|, well under the 1e-6 quantile tolerance of q4c.ii
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0  # ray weights: generic, so no ray runs along x = t etc.


def symbol_bounds(symbol: sp.Symbol, domain: Mapping[sp.Symbol, Bounds] | None = None) -> Bounds:
    """The range `symbol` is approached within: `domain[symbol]` if given, else its assumptions
    (positive or nonnegative: [0, inf); otherwise the real line)."""
    if domain and symbol in domain:
        low, high = domain[symbol]
        return float(low), float(high)
    return (0.0, math.inf) if symbol.is_nonnegative else (-math.inf, math.inf)


def mp_value(f: Callable, args: Sequence) -> mpmath.mpf | None:
    """mpmath value of the lambdified `f` at `args`, or None when it is not a finite real there."""
    try:
        v = f(*args)
    except (ZeroDivisionError, ValueError, OverflowError, TypeError):
        return None
    if isinstance(v, mpmath.mpc):
        if v.imag != 0:
            return None
        v = v.real
    try:
        v = mpmath.mpf(v)
    except (TypeError, ValueError):  # a sympy nan/zoo left by lambdify
        return None
    return v if mpmath.isfinite(v) else None


def _rays(point: Sequence[float], bounds: Sequence[Bounds]) -> tuple[list[float], list[float]]:
    """Two directions into the domain at `point`: a coordinate on (or beyond) a bound moves inward
    on both rays; an interior coordinate moves one way on the first ray and the other on the second,
    so a jump across it shows as two different limits."""
    first, second = [], []
    for i, (p, (low, high)) in enumerate(zip(point, bounds)):
        w1, w2 = _GOLDEN ** i, 1.0 / math.sqrt(i + 2.0)
        inward = 1.0 if p <= low else -1.0 if p >= high else 0.0
        first.append((inward or 1.0) * w1)
        second.append((inward or -1.0) * w2)
    return first, second


def limit_at(f: Callable, point: Sequence[float], bounds: Sequence[Bounds]) -> mpmath.mpf | None:
    r"""$\lim_{y \to p} f(y)$ from inside the box `bounds`, or None when it does not exist.

    `f` is lambdified for mpmath. The values at $p + h d$ for $h$ in STEPS along both rays of
    `_rays` must be finite and agree to LIMIT_RTOL; the value at the smaller step is returned."""
    with mpmath.workdps(DPS):
        base = [mpmath.mpf(float(p)) for p in point]
        near = []
        for ray in _rays(point, bounds):
            for h in STEPS:
                args = [b + mpmath.mpf(h) * d * max(1, abs(b)) for b, d in zip(base, ray)]
                v = mp_value(f, args)
                if v is None:
                    return None
                near.append(v)
        limit = near[1]
        if any(abs(v - limit) > LIMIT_RTOL * max(1, abs(limit)) for v in near):
            return None
        return limit


def value_or_limit(f: Callable, point: Sequence[float],
                   bounds: Sequence[Bounds]) -> mpmath.mpf | None:
    """`f` at `point` (mpmath, at the caller's precision), or its limit there when the value is
    not finite (`limit_at`); None when neither exists."""
    v = mp_value(f, [mpmath.mpf(float(p)) for p in point])
    return v if v is not None else limit_at(f, point, bounds)


class NumericFormula:
    """A parsed formula as a numpy function of `symbols` (in order): real float arrays broadcast
    over the arguments; where the float value is not finite, the limit there (`limit_at`,
    approached within `domain` or the symbols' assumptions), else NaN or inf (undefined, a pole)."""

    def __init__(self, expr: sp.Expr, symbols: Sequence[sp.Symbol],
                 domain: Mapping[sp.Symbol, Bounds] | None = None):
        self.expr, self.symbols = expr, tuple(symbols)
        self.bounds = tuple(symbol_bounds(s, domain) for s in self.symbols)
        self._numpy = sp.lambdify(self.symbols, expr, "numpy")
        self._mpmath = None  # lambdified on the first non-finite value

    def raw(self, *args) -> np.ndarray:
        """Float values as numpy computes them: NaN where complex or undefined (0/0 stays NaN). For
    ODE right-hand sides inside an `integration_span`: there a step lands exactly on a 0/0 with
    probability zero, and a pole is reported by the solver instead of costing a limit per point."""
        args = [np.asarray(a, float) for a in args]  # numpy semantics even for Python floats
        with np.errstate(all="ignore"):
            value = np.asarray(self._numpy(*args))
        if np.iscomplexobj(value):
            value = np.where(np.abs(value.imag) > 0, np.nan, value.real)
        shape = np.broadcast(*args).shape if args else ()
        return np.broadcast_to(value.astype(float), shape).copy()

    def __call__(self, *args) -> np.ndarray:
        value = self.raw(*args)
        bad = np.flatnonzero(~np.isfinite(value))
        if bad.size:
            if self._mpmath is None:
                self._mpmath = sp.lambdify(self.symbols, self.expr, "mpmath")
            coords = [np.broadcast_to(np.asarray(a, float), value.shape).ravel() for a in args]
            flat = value.reshape(-1)
            for i in bad:
                limit = limit_at(self._mpmath, [c[i] for c in coords], self.bounds)
                if limit is not None:
                    flat[i] = float(limit)
            value = flat.reshape(value.shape)
        return value


def to_numpy(expr: sp.Expr, symbols: Sequence[sp.Symbol],
             domain: Mapping[sp.Symbol, Bounds] | None = None) -> NumericFormula:
    """The numpy function of a parsed formula (see `NumericFormula`): limits at removable
    singularities, NaN where it is complex or undefined."""
    return NumericFormula(expr, symbols, domain)


def integration_span(fn: NumericFormula, args_at: Callable[[float], tuple],
                     span: tuple[float, float], inset: float = INSET) -> tuple[float, float]:
    """Where to integrate the formula field `fn` over `span` (t0 < t1): an end where its float
    values at `args_at(end)` are not finite but every one has a limit (a removable singularity)
    moves `inset` inside; any other end stays, so a pole there makes the ODE fail, as it should.
    Integrate `fn.raw` over it: starting from the limit itself would cost one `limit_at` per
    transported point (2000 points: ~0.8 s at each end)."""
    ends = list(span)
    for i, inward in ((0, 1.0), (1, -1.0)):
        args = args_at(span[i])
        if not np.all(np.isfinite(fn.raw(*args))) and np.all(np.isfinite(fn(*args))):
            ends[i] = span[i] + inward * inset
    return ends[0], ends[1]
