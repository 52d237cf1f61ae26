"""The five conditions of eq. (4), settled for a schedule: sympy where it can, mpmath on a dense grid
(50 digits, margin reported) where it cannot; and eq. (5) in floating point. An endpoint value
(alpha_0, alpha_1, sigma_1) where the schedule is 0/0 is its limit from inside (0, 1), as eq. (4)
means it; a pole there fails.

Flow time: source at t = 0, data at t = 1. The conditions and schedules come from
`derivations.affine_paths`; shared by claims q4c.i and q4d.i/q4d.ii.
"""
from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from derivations.affine_paths import CONDITIONS, CONDITION_TEXT, Condition, beta, conditions, \
    settle_symbolically, t
from ..engine.claims import Check
from ..engine.removable import value_or_limit

__all__ = ["BETA_4D", "DPS", "alpha_sigma_4d", "schedule_checks"]

BETA_4D = 598  # question 4(d)i
DPS = 50
GRID = (1e-12, 1e-9, 1e-6) + tuple(np.linspace(1e-3, 1 - 1e-3, 999)) + (1 - 1e-6, 1 - 1e-9, 1 - 1e-12)


def alpha_sigma_4d(times: np.ndarray, rate: float = BETA_4D, dtype=np.float64):
    r"""Float evaluation of eq. (5) for constant $\beta$: $\alpha_t = e^{-\beta(1-t)/2}$, returning
    $(\alpha_t, 1 - \alpha_t^2, \sqrt{1 - \alpha_t^2})$ in `dtype` (tests tie it to the sympy form)."""
    tt = np.asarray(times, dtype)
    alpha = np.exp(dtype(-0.5 * rate) * (dtype(1) - tt))
    sigma = dtype(1) - alpha * alpha
    return alpha, sigma, np.sqrt(sigma)


def _settle(condition: Condition, label: str, rate=BETA_4D) -> Check:
    """Settle one condition: symbolically, else by mpmath at beta = `rate`: an endpoint condition at
    its end, a sign condition on GRID (margin = min); a value that is 0/0 is read as its limit from
    inside (0, 1) (`engine.removable.value_or_limit`)."""
    name = f"{label}: {condition.tag} ({CONDITION_TEXT[condition.tag]})"
    verdict = settle_symbolically(condition)
    scope = " for every beta > 0" if condition.expr.has(beta) else ""
    if verdict is not None and condition.kind == "zero":
        value = sp.N(condition.expr.subs(beta, rate), 35)
        return Check.exact(name, verdict, value=_finite(value), expected=0.0,
                           detail=f"settled by sympy{scope}; value at beta = {rate}: {value}")
    if verdict is not None:
        return Check.exact(name, verdict, detail=f"settled by sympy{scope}: > 0 on (0, 1)")
    function = condition.function if condition.kind == "zero" else condition.expr
    f = sp.lambdify(t, function.subs(beta, rate), modules="mpmath")
    points = (condition.at,) if condition.kind == "zero" else GRID
    with mpmath.workdps(DPS):
        values = [value_or_limit(f, [x], [(0.0, 1.0)]) for x in points]
    undefined = [x for x, v in zip(points, values) if v is None]
    if undefined:
        return Check.exact(name, False, detail=f"sympy undecided; no finite value or limit at t = "
                                                f"{undefined[0]:g} (mpmath, beta = {rate})")
    if condition.kind == "zero":
        margin = float(abs(values[0]))
        return Check.exact(name, margin < 10.0 ** (5 - DPS), value=margin, expected=0.0,
                           detail=f"sympy undecided; mpmath at {DPS} digits, beta = {rate}, "
                                  f"at t = {condition.at} (its limit where 0/0)")
    margin = min(values)
    return Check.exact(name, margin > 0, value=float(margin), expected=None,
                       detail=f"must be > 0; sympy undecided; min over {len(GRID)} points of (0,1) by mpmath at "
                              f"{DPS} digits, beta = {rate} (a grid check, not a proof)")


def _finite(value: sp.Expr) -> float | None:
    """A settled endpoint value as a float; None for a pole (sympy's oo), which JSON shows as null."""
    return float(value) if value.is_finite else None


def schedule_checks(label: str, alpha: sp.Expr, sigma: sp.Expr, rate=BETA_4D):
    checks = tuple(_settle(c, label, rate) for c in conditions(alpha, sigma))
    return checks, {tag: c.passed for tag, c in zip(CONDITIONS, checks)}
