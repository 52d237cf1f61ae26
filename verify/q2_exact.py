"""Claims q2a.score_sde, q2a.rf_gaussian and q2b: exact likelihood by an augmented ODE.

VP-SDE: data at t = 0, noise at T = 1 (beta 0.1 -> 20); rectified flow: source N(0, I) at t = 0,
data at t = 1, linear path. Target: 3-component anisotropic mixture in d = 2 (`q2_fields`).
The true formulas come from `derivations.likelihood`; a sheet's formula is lambdified and evaluated
on the quantities computed along the true trajectories.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from derivations.likelihood import (RF_SYMBOLS, SCORE_SDE_SYMBOLS, d as d_sym, int_beta,
                                    int_beta_div_s, int_div_v, log_p0, log_pT,
                                    rf_log_likelihood, vp_log_likelihood)
from derivations.steps_q2 import rectified_flow_derivation, score_sde_derivation

from .claims import Check, Claim, Evidence, Field, Role, Truth
from .formula import equivalent, to_numpy
from .models import VPSchedule
from .q2_fields import test_mixture, test_points
from .q2_runs import TOL, rf_run, vp_run

__all__ = ["CLAIMS", "SCORE_SDE_FIELDS", "RF_FIELDS", "Q2B_FIELDS", "evaluate"]

ENDPOINTS = ("ode", "sde", "noised")
N_POINTS, N_SCALING, DRAWS = 48, 6, 8  # test points (+16 tail points), points per scaling run


def evaluate(expr: sp.Expr, symbols, values: dict) -> np.ndarray:
    """Evaluate a parsed sheet formula on arrays (`values`: symbol name -> array or float); NaN
    where it is complex or undefined."""
    return to_numpy(expr, symbols)(*[values[s.name] for s in symbols])


def _control(name: str, run: dict) -> tuple[Check, ...]:
    err = np.abs(run["value"] - run["exact"])
    return (Check.close(f"{name}: max |log-lik - analytic| over {len(err)} points (incl. tails)",
                        err.max(), 0.0, atol=TOL, role=Role.CONTROL, unit="nats"),
            Check.close(f"{name}: largest per-point error estimate", run["estimate"].max(), 0.0,
                        atol=TOL, role=Role.CONTROL, unit="nats"))


def _stats(err: np.ndarray) -> dict:
    return {"mean": float(err.mean()), "se": float(err.std(ddof=1) / np.sqrt(err.size)),
            "sd": float(err.std(ddof=1)), "max_abs": float(np.abs(err).max())}


# ---- q2a.score_sde -------------------------------------------------------------------------------

SCORE_SDE_FIELDS = (
    Field("exact", "bool", "can Score-SDE compute p(x_test) exactly?"),
    Field("log_likelihood", "formula", "log p_0(x) in log_pT (log p_T at the endpoint), int_beta_div_s "
          "(int_0^T beta(t) div s(x_t, t) dt along the trajectory), int_beta (int_0^T beta), d",
          symbols=SCORE_SDE_SYMBOLS),
    Field("endpoint", "choice", "x_T: ode = probability-flow ODE endpoint, sde = end of a forward SDE "
          "path, noised = fresh noised copy of x", choices=ENDPOINTS),
)
_VP_TRUE = vp_log_likelihood()
_VP_CONFIGS = ((4, 20.0), (2, 10.0))  # (d, beta_max) for the scaling study (main run: (2, 20))


def _vp_values(run: dict, endpoint: str, formula=_VP_TRUE) -> np.ndarray:
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
    checks = _control("PF-ODE (VP-SDE)", run)
    endpoint_err = {}
    for e in ("sde", "noised"):
        err = _vp_values(run, e) - run["exact"][:, None]
        endpoint_err[e] = _stats(err)
        checks += (Check.exact(f"endpoint '{e}': true formula's error is random", err.std() > 1e-3,
                               value=endpoint_err[e]["sd"], detail=f"mean {err.mean():.3g}, "
                               f"SD {err.std():.3g} over {err.size} draws", unit="nats"),)
    ode_err = np.abs(_vp_values(run, "ode") - run["exact"]).max()
    endpoint_err["ode"] = {"mean": 0.0, "se": 0.0, "sd": 0.0, "max_abs": float(ode_err)}
    scaling = [vp_run(test_mixture(dd), test_points(test_mixture(dd), N_SCALING, rng, radii=()),
                      rng, schedule=VPSchedule(beta_max=bm)) for dd, bm in _VP_CONFIGS]
    exact = bool(ode_err <= TOL and run["estimate"].max() <= TOL)
    return Truth(checks, {"run": run, "exact": exact, "endpoint_err": endpoint_err,
                          "scaling": scaling, "configs": _VP_CONFIGS,
                          "derivation": score_sde_derivation()})


def _formula_checks(expr, true_expr, symbols, domain, runs, configs, values_of, candidates, label):
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
        domain = {log_pT: (-50.0, 0.0), int_beta_div_s: (-100.0, 100.0), int_beta: (1.0, 20.0),
                  d_sym: (1.0, 10.0)}
        c, worst, why = _formula_checks(answer["log_likelihood"], _VP_TRUE, SCORE_SDE_SYMBOLS, domain,
                                        [run] + f["scaling"], ((2, 20.0),) + f["configs"],
                                        lambda r, e: _vp_values(r, "ode", e), cands, "stated formula")
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


# ---- q2a.rf_gaussian -----------------------------------------------------------------------------

RF_FIELDS = (
    Field("exact", "bool", "can rectified flow with a Gaussian source compute p(x_test) exactly?"),
    Field("log_likelihood", "formula", "log p_1(x) in log_p0 (log p_0 at the ODE's t = 0 endpoint) and "
          "int_div_v (int_0^1 div v(x_t, t) dt along the trajectory)", symbols=RF_SYMBOLS),
)
_RF_TRUE = rf_log_likelihood()


def _rf_values(run, expr=_RF_TRUE):
    return evaluate(expr, RF_SYMBOLS, {"log_p0": run["log_p0"], "int_div_v": run["int_div_v"]})


def rf_gaussian_truth(*, rng: np.random.Generator) -> Truth:
    """Rectified-flow ODE likelihood (data at t = 1 back to the source at 0) on 64 points."""
    mix = test_mixture(2)
    run = rf_run(mix, test_points(mix, N_POINTS, rng))
    err = np.abs(_rf_values(run) - run["exact"]).max()
    return Truth(_control("rectified-flow ODE", run),
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
        c, worst, why = _formula_checks(answer["log_likelihood"], _RF_TRUE, RF_SYMBOLS,
                                        {log_p0: (-50.0, 0.0), int_div_v: (-50.0, 50.0)}, [run],
                                        ("main",), lambda r, e: _rf_values(r, e), cands, "stated formula")
        checks.append(c)
        summary += f"; stated formula off by up to {worst:.4g} ({why})"
    return Evidence(tuple(checks), summary, correction=(
        "Yes. log p_1(x) = log p_0(x_0) - int_0^1 div v(x_t, t) dt, x_0 the t = 0 end of the ODE "
        "trajectory through x (source at t = 0); v is the marginal velocity E[x_1 - x_0 | x_t] = "
        "(x + (1-t) grad log p_t)/t, not the score."), figures=("q2a_loglik_error", "q2a_trajectories"))


# ---- q2b -----------------------------------------------------------------------------------------

Q2B_FIELDS = (
    Field("sde_endpoint", "choice", "Score-SDE: where x_T comes from (ode | sde | noised)", choices=ENDPOINTS),
    Field("rf_endpoint", "choice", "rectified flow: x_0 from the ODE (ode) or one Euler step (euler_step)",
          choices=("ode", "euler_step")),
    Field("integrand_along", "choice", "divergence evaluated along the trajectory (trajectory) or at "
          "the fixed test point x (fixed_x)", choices=("trajectory", "fixed_x")),
    Field("one_augmented_ode", "bool", "endpoint and integral from one augmented ODE (true) or a state "
          "solve followed by quadrature along it (false)"),
)
_STEP_DEFAULTS = {"sde_endpoint": "ode", "rf_endpoint": "ode", "integrand_along": "trajectory",
                  "one_augmented_ode": True}


def _variant_errors(vp: dict, rf: dict, steps: dict) -> tuple[float, float]:
    """Max |error| of the VP and RF computations built from `steps` (true formulas)."""
    fixed, aug = steps["integrand_along"] == "fixed_x", steps["one_augmented_ode"]
    ep = steps["sde_endpoint"]
    lp = {"ode": vp["log_pT"] if aug else vp["sep_log_pT"], "sde": vp["sde_log_pT"][:, 0],
          "noised": vp["noised_log_pT"][:, 0]}[ep]
    ints = vp["fixed_int_beta_div_s"] if fixed else (
        vp["sde_int_beta_div_s"][:, 0] if ep == "sde" else vp["int_beta_div_s" if aug else "sep_int_beta_div_s"])
    vp_err = lp - ints / 2 - vp["d"] * vp["int_beta"] / 2 - vp["exact"]
    lp0 = rf["euler_log_p0"] if steps["rf_endpoint"] == "euler_step" else rf["log_p0" if aug else "sep_log_p0"]
    idv = rf["fixed_int_div_v"] if fixed else rf["int_div_v" if aug else "sep_int_div_v"]
    return float(np.abs(vp_err).max()), float(np.abs(lp0 - idv - rf["exact"]).max())


def q2b_truth(*, rng: np.random.Generator) -> Truth:
    """Every step variant on 24 points (8 in the tails) for both models."""
    mix = test_mixture(2)
    x = test_points(mix, 16, rng, radii=(5.0,))
    vp, rf = vp_run(mix, x, rng, draws=1, variants=True), rf_run(mix, x, variants=True)
    errors = {}
    for field in Q2B_FIELDS:
        options = field.choices or (True, False)
        for o in options:
            errors[(field.name, o)] = _variant_errors(vp, rf, {**_STEP_DEFAULTS, field.name: o})
    checks = _control("PF-ODE", vp) + _control("RF ODE", rf)
    checks += tuple(Check.exact(f"step {k}={o!r}: max |error| (VP, RF) = ({e[0]:.2g}, {e[1]:.2g})",
                                max(e) <= TOL, value=max(e), unit="nats") for (k, o), e in errors.items())
    return Truth(checks, {"vp": vp, "rf": rf, "errors": errors})


def q2b_judge(answer, truth: Truth) -> Evidence:
    vp, rf = truth.facts["vp"], truth.facts["rf"]
    checks = list(truth.checks)
    stated = {k: answer[k] for k in _STEP_DEFAULTS if k in answer}
    for k, o in stated.items():
        e = _variant_errors(vp, rf, {**_STEP_DEFAULTS, k: o})
        checks.append(Check.close(f"step {k} = {o!r} (others correct): max |error|", max(e), 0.0,
                                  atol=TOL, role=Role.PART, detail=f"VP {e[0]:.3g}, RF {e[1]:.3g}", unit="nats"))
    checks += [Check.stated(f"the outline says where the {model} endpoint comes from ({k})", None)
               for k, model in (("sde_endpoint", "Score-SDE"), ("rf_endpoint", "rectified-flow"))
               if k not in stated]  # the endpoints are what 2(b) asks to outline
    e = _variant_errors(vp, rf, {**_STEP_DEFAULTS, **stated})
    if stated:
        checks.append(Check.close("the outlined computation reproduces log p: max |error|", max(e), 0.0,
                                  atol=TOL, role=Role.CONCLUSION, detail=f"VP {e[0]:.3g}, RF {e[1]:.3g}", unit="nats"))
    steps = ", ".join(f"{k}={v}" for k, v in stated.items()) or "none"
    summary = (f"stated steps: {steps} (unstated steps taken as correct): max |error| "
               f"VP {e[0]:.3g}, RF {e[1]:.3g}")
    return Evidence(tuple(checks), summary,
                    correction=("Solve one augmented ODE from x: state by the probability-flow ODE "
                                "(Score-SDE, to T) or the velocity field (RF, back to t = 0), with "
                                "the divergence along the same trajectory; then log p(x) = log p_end("
                                "x_end) + int div v (VP: -1/2 int beta div s - d/2 int beta; RF: "
                                "-int_0^1 div v)."), figures=("q2a_loglik_error",))


CLAIMS = (
    Claim("q2a.score_sde", "2(a)iii: exact likelihood of Score-SDE via the probability-flow ODE",
          SCORE_SDE_FIELDS, score_sde_truth, score_sde_judge, ("q2a_loglik_error", "q2a_trajectories")),
    Claim("q2a.rf_gaussian", "2(a)iv: exact likelihood of rectified flow with N(0, I) source",
          RF_FIELDS, rf_gaussian_truth, rf_gaussian_judge, ("q2a_loglik_error", "q2a_trajectories")),
    Claim("q2b", "2(b): the outlined likelihood computation, step by step", Q2B_FIELDS,
          q2b_truth, q2b_judge, ("q2a_loglik_error",)),
)
