"""Claim q2a.rf_gaussian: exact likelihood of rectified flow with an N(0, I) source.

Flow time: source N(0, I) at t = 0, data at t = 1, linear path; the ODE runs from the data point
back to the source. The true formula comes from `derivations.likelihood`.
"""
from __future__ import annotations

import numpy as np

from derivations.chains.q2 import rectified_flow_derivation
from derivations.likelihood import RF_SYMBOLS, int_div_v, log_p0, rf_log_likelihood
from ..engine.claims import Check, Claim, Evidence, Field, Truth
from .exact import N_POINTS, control, evaluate, formula_checks
from .fields import test_mixture, test_points
from .runs import TOL, rf_run

__all__ = ["CLAIM", "FIELDS", "RF_TRUE", "rf_values"]

RF_DOMAIN = {log_p0: (-50.0, 0.0), int_div_v: (-50.0, 50.0)}  # where formulas are compared
FIELDS = (
    Field("exact", "bool", "can rectified flow with a Gaussian source compute p(x_test) exactly?"),
    Field("log_likelihood", "formula", "log p_1(x) in log_p0 (log p_0 at the ODE's t = 0 endpoint) and "
          "int_div_v (int_0^1 div v(x_t, t) dt along the trajectory)", symbols=RF_SYMBOLS,
          domain=RF_DOMAIN),
)
RF_TRUE = rf_log_likelihood()


def rf_values(run, expr=RF_TRUE):
    return evaluate(expr, RF_SYMBOLS, {"log_p0": run["log_p0"], "int_div_v": run["int_div_v"]})


def rf_gaussian_truth(*, rng: np.random.Generator) -> Truth:
    """Rectified-flow ODE likelihood (data at t = 1 back to the source at 0) on 64 points."""
    mix = test_mixture(2)
    run = rf_run(mix, test_points(mix, N_POINTS, rng))
    err = np.abs(rf_values(run) - run["exact"]).max()
    return Truth(control("rectified-flow ODE", run),
                 {"run": run, "exact": bool(err <= TOL and run["estimate"].max() <= TOL),
                  "derivation": rectified_flow_derivation()})


def rf_gaussian_judge(answer, truth: Truth) -> Evidence:
    run = truth.facts["run"]
    checks = list(truth.checks)
    checks.append(Check.conclusion("exact likelihood possible", answer.get("exact"), truth.facts["exact"]))
    summary = (f"RF ODE: max error {np.abs(run['value'] - run['exact']).max():.2g}, estimate "
               f"{run['estimate'].max():.2g} over {len(run['x'])} points")
    if answer.get("log_likelihood") is not None:
        cands = {"sign of int_div_v": lambda r: 2 * r["int_div_v"]}
        c, worst, why = formula_checks(answer["log_likelihood"], RF_TRUE, RF_SYMBOLS,
                                        RF_DOMAIN, [run],
                                        ("main",), lambda r, e: rf_values(r, e), cands, "stated formula")
        checks.append(c)
        summary += f"; stated formula off by up to {worst:.4g} ({why})"
    return Evidence(tuple(checks), summary, correction=(
        "Yes. log p_1(x) = log p_0(x_0) - int_0^1 div v(x_t, t) dt, x_0 the t = 0 end of the ODE "
        "trajectory through x (source at t = 0); v is the marginal velocity E[x_1 - x_0 | x_t] = "
        "(x + (1-t) grad log p_t)/t, not the score."), figures=("q2a_loglik_error", "q2a_trajectories"))


CLAIM = Claim("q2a.rf_gaussian", "2(a)iv: exact likelihood of rectified flow with N(0, I) source",
              FIELDS, rf_gaussian_truth, rf_gaussian_judge, ("q2a_loglik_error", "q2a_trajectories"))
