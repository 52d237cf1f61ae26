"""Claim q2a.score_sde: exact likelihood of Score-SDE via the probability-flow ODE.

VP-SDE: data at t = 0, noise at T = 1 (beta 0.1 -> 20); the true formula comes from
`derivations.likelihood`, a sheet's formula is evaluated on the quantities computed along the true
trajectories, and each endpoint choice is run.
"""
from __future__ import annotations

import numpy as np

from derivations.chains.q2 import score_sde_derivation
from derivations.likelihood import (SCORE_SDE_SYMBOLS, d as d_sym, int_beta, int_beta_div_s,
                                    log_pT, vp_log_likelihood)
from ..engine.claims import Check, Claim, Evidence, Field, Role, Truth
from ..models import VPSchedule
from .exact import DRAWS, ENDPOINTS, N_POINTS, N_SCALING, control, error_stats, evaluate, \
    formula_checks
from .fields import test_mixture, test_points
from .runs import TOL, vp_run

__all__ = ["CLAIM", "FIELDS", "VP_TRUE", "vp_values"]

# where log-likelihood formulas are compared (ranges of the runs' quantities, with margin)
VP_DOMAIN = {log_pT: (-50.0, 0.0), int_beta_div_s: (-100.0, 100.0), int_beta: (1.0, 20.0),
             d_sym: (1.0, 10.0)}
FIELDS = (
    Field("exact", "bool", "can Score-SDE compute p(x_test) exactly?"),
    Field("log_likelihood", "formula", "log p_0(x) in log_pT (log p_T at the endpoint), int_beta_div_s "
          "(int_0^T beta(t) div s(x_t, t) dt along the trajectory), int_beta (int_0^T beta), d",
          symbols=SCORE_SDE_SYMBOLS, domain=VP_DOMAIN),
    Field("endpoint", "choice", "x_T: ode = probability-flow ODE endpoint, sde = end of a forward SDE "
          "path, noised = fresh noised copy of x", choices=ENDPOINTS),
)
VP_TRUE = vp_log_likelihood()
_VP_CONFIGS = ((4, 20.0), (2, 10.0))  # (d, beta_max) for the scaling study (main run: (2, 20))


def vp_values(run: dict, endpoint: str, formula=VP_TRUE) -> np.ndarray:
    """The formula's value with the endpoint quantities of `endpoint` (arrays (n,) or (n, draws))."""
    lp, ints = {"ode": (run["log_pT"], run["int_beta_div_s"]),
                "sde": (run.get("sde_log_pT"), run.get("sde_int_beta_div_s")),
                "noised": (run.get("noised_log_pT"), run["int_beta_div_s"][:, None])}[endpoint]
    vals = {"log_pT": lp, "int_beta_div_s": ints, "int_beta": run["int_beta"], "d": run["d"]}
    return evaluate(formula, SCORE_SDE_SYMBOLS, vals)


def score_sde_truth(*, rng: np.random.Generator) -> Truth:
    """PF-ODE likelihood on 64 points (16 in the tails) at |error| <= 1e-8, endpoint variants, and
    small runs at other (d, beta_max) for the scaling of a sheet formula's discrepancy."""
    mix = test_mixture(2)
    run = vp_run(mix, test_points(mix, N_POINTS, rng), rng, draws=DRAWS)
    checks = control("PF-ODE (VP-SDE)", run)
    endpoint_err = {}
    for e in ("sde", "noised"):
        err = vp_values(run, e) - run["exact"][:, None]
        endpoint_err[e] = error_stats(err)
        checks += (Check.exact(f"endpoint '{e}': true formula's error is random", err.std() > 1e-3,
                               value=endpoint_err[e]["sd"], detail=f"mean {err.mean():.3g}, "
                               f"SD {err.std():.3g} over {err.size} draws", unit="nats"),)
    ode_err = np.abs(vp_values(run, "ode") - run["exact"]).max()
    endpoint_err["ode"] = {"mean": 0.0, "se": 0.0, "sd": 0.0, "max_abs": float(ode_err)}
    scaling = [vp_run(test_mixture(dd), test_points(test_mixture(dd), N_SCALING, rng, radii=()),
                      rng, schedule=VPSchedule(beta_max=bm)) for dd, bm in _VP_CONFIGS]
    exact = bool(ode_err <= TOL and run["estimate"].max() <= TOL)
    return Truth(checks, {"run": run, "exact": exact, "endpoint_err": endpoint_err,
                          "scaling": scaling, "configs": _VP_CONFIGS,
                          "derivation": score_sde_derivation()})


def score_sde_judge(answer, truth: Truth) -> Evidence:
    f = truth.facts
    run, ee = f["run"], f["endpoint_err"]
    checks = list(truth.checks)
    checks.append(Check.conclusion("exact likelihood possible", answer.get("exact"), f["exact"]))
    summary = (f"PF-ODE: max error {np.abs(run['value'] - run['exact']).max():.2g}, estimate "
               f"{run['estimate'].max():.2g} over {len(run['x'])} points")
    if answer.get("log_likelihood") is not None:
        cands = {"missing -d/2*int_beta": lambda r: r["d"] * r["int_beta"] / 2,
                 "sign of int_beta_div_s": lambda r: -r["int_beta_div_s"],
                 "both": lambda r: r["d"] * r["int_beta"] / 2 - r["int_beta_div_s"]}
        c, worst, why = formula_checks(answer["log_likelihood"], VP_TRUE, SCORE_SDE_SYMBOLS, VP_DOMAIN,
                                        [run] + f["scaling"], ((2, 20.0),) + f["configs"],
                                        lambda r, e: vp_values(r, "ode", e), cands, "stated formula")
        checks.append(c)
        summary += f"; stated formula off by up to {worst:.4g} ({why})"
    if answer.get("endpoint") is not None:
        e = answer["endpoint"]
        s = ee[e]
        checks.append(Check.close(f"endpoint '{e}' with the true formula: max |error|", s["max_abs"], 0.0,
                                  atol=TOL, role=Role.PART,
                                  detail=f"error mean {s['mean']:.3g} +- {s['se']:.2g} (SE), SD {s['sd']:.3g}", unit="nats"))
        summary += f"; endpoint '{e}': error SD {s['sd']:.3g}, max {s['max_abs']:.3g}"
    return Evidence(tuple(checks), summary, correction=(
        "Yes. log p_0(x) = log p_T(x_T) - 1/2 int_0^T beta div s dt - d/2 int_0^T beta dt, with x_T the "
        "probability-flow ODE endpoint (dx = -beta/2 (x + s) dt) and the integrand along that trajectory "
        "(one augmented ODE); a noised copy or SDE path gives a random, wrong value."),
        figures=("q2a_loglik_error", "q2a_trajectories"))


CLAIM = Claim("q2a.score_sde", "2(a)iii: exact likelihood of Score-SDE via the probability-flow ODE",
              FIELDS, score_sde_truth, score_sde_judge, ("q2a_loglik_error", "q2a_trajectories"))
