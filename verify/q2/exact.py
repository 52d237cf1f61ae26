"""What the exact-likelihood claims (q2a.score_sde, q2a.rf_gaussian, q2b) share: the endpoint
choices, the accuracy controls of a run, and a stated formula evaluated on the true trajectories.

VP-SDE: data at t = 0, noise at T = 1 (beta 0.1 -> 20); rectified flow: source N(0, I) at t = 0,
data at t = 1, linear path. Target: 3-component anisotropic mixture in d = 2 (`verify.q2.fields`).
The true formulas come from `derivations.likelihood`; a sheet's formula is lambdified and evaluated
on the quantities computed along the true trajectories.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from ..engine.claims import Check, Role
from ..engine.formula import equivalent, to_numpy
from .runs import TOL

__all__ = ["ENDPOINTS", "N_POINTS", "N_SCALING", "DRAWS", "evaluate", "control", "error_stats",
           "formula_checks"]


ENDPOINTS = ("ode", "sde", "noised")
N_POINTS, N_SCALING, DRAWS = 48, 6, 8  # test points (+16 tail points), points per scaling run


def evaluate(expr: sp.Expr, symbols, values: dict) -> np.ndarray:
    """Evaluate a parsed sheet formula on arrays (`values`: symbol name -> array or float); NaN
    where it is complex or undefined."""
    return to_numpy(expr, symbols)(*[values[s.name] for s in symbols])


def control(name: str, run: dict) -> tuple[Check, ...]:
    err = np.abs(run["value"] - run["exact"])
    return (Check.close(f"{name}: max |log-lik - analytic| over {len(err)} points (incl. tails)",
                        err.max(), 0.0, atol=TOL, role=Role.CONTROL, unit="nats"),
            Check.close(f"{name}: largest per-point error estimate", run["estimate"].max(), 0.0,
                        atol=TOL, role=Role.CONTROL, unit="nats"))


def error_stats(err: np.ndarray) -> dict:
    return {"mean": float(err.mean()), "se": float(err.std(ddof=1) / np.sqrt(err.size)),
            "sd": float(err.std(ddof=1)), "max_abs": float(np.abs(err).max())}


def formula_checks(expr, true_expr, symbols, domain, runs, configs, values_of, candidates, label):
    """PART check of a stated formula on the true trajectories, with the discrepancy's scaling."""
    eq = equivalent(expr, true_expr, domain)
    main = values_of(runs[0], expr) - runs[0]["exact"]
    rows = []
    for cfg, run in zip(configs, runs):
        disc = values_of(run, expr) - run["exact"]
        fits = {name: float(np.abs(disc - c(run)).max()) for name, c in candidates.items()}
        rows.append(f"{cfg}: mean discrepancy {disc.mean():.6g} (SD {disc.std():.3g})")
        best = min(fits, key=fits.get)
    explained = f"explained by {best} (residual {fits[best]:.2g})" if fits[best] < 1e-6 else "unexplained"
    detail = f"{eq.describe()}; " + "; ".join(rows) + f"; {explained}"
    return Check.close(f"{label} on the true trajectories: max |value - analytic|",
                       np.abs(main).max(), 0.0, atol=1e-6, detail=detail, role=Role.PART, unit="nats"), \
        float(np.abs(main).max()), explained
