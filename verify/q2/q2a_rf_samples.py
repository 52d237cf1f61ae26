"""Claim q2a.rf_samples: rectified flow from a sample-only source, shown by computation.

The formula needs log p_0 at the endpoint; KDE from n samples stays far from it.
"""
from __future__ import annotations

import numpy as np
from scipy.stats import gaussian_kde

from ..engine.claims import Check, Claim, Evidence, Field, Truth
from .fields import test_mixture
from .runs import TOL

__all__ = ["CLAIM"]


def rf_samples_truth(*, rng: np.random.Generator) -> Truth:
    src = test_mixture(2)  # the unknown source; ODE endpoints x_0 of data points are distributed as it
    x0 = src.sample(100, rng)
    exact = src.log_prob(x0)
    rows = {}
    for n in (100, 1000, 10000):
        err = np.abs(np.log(gaussian_kde(src.sample(n, rng).T)(x0.T)) - exact)
        rows[n] = (float(np.sqrt(np.mean(err ** 2))), float(err.max()))
    ns = np.array(list(rows))
    rate = float(np.polyfit(np.log(ns), np.log([r[0] for r in rows.values()]), 1)[0])
    checks = tuple(Check.close(f"KDE from n = {n} samples: RMS |log p0 error| at ODE endpoints", r[0], 0.0,
                               atol=TOL, detail=f"max {r[1]:.3g}", unit="nats") for n, r in rows.items())
    checks += (Check.exact("RMS error decays (fitted exponent < 0)", rate < 0, value=rate),)
    best = min(r[1] for r in rows.values())
    return Truth(checks, {"exact": best <= TOL, "rows": rows, "rate": rate})


def rf_samples_judge(answer, truth: Truth) -> Evidence:
    rows = truth.facts["rows"]
    checks = truth.checks + (Check.conclusion("exact likelihood possible", answer.get("exact"),
                                          truth.facts["exact"]),)
    line = ", ".join(f"n={n}: RMS {r[0]:.3g}" for n, r in rows.items())
    return Evidence(checks, f"KDE log p0 error {line}; rate n^{truth.facts['rate']:.2f}", correction=(
        "No: log p_1(x) = log p_0(x_0) - int div v needs log p_0 at the endpoint; from samples only an "
        "estimate (KDE error ~ n^-1/3 in d = 2 at best rate) is available, never the exact value."))


_EXACT = Field("exact", "bool", "can the model compute p(x_test) exactly?")
CLAIM = Claim("q2a.rf_samples", "2(a)v: rectified flow with a sample-only source?", (_EXACT,),
              rf_samples_truth, rf_samples_judge)
