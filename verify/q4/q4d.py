"""Claims q4d.i and q4d.ii (one truth): eq. (5) with $\\beta = 598$, its plots, and whether it satisfies
eq. (4).

Flow time: source at t = 0, data at t = 1. For every constant beta > 0, alpha_0 = e^{-beta/2} != 0
and the other four conditions hold; float64 keeps alpha_0 = e^-299, float32 rounds it to 0.
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy as sp

from derivations.affine_paths import CONDITIONS, beta, question_4d_schedule, t, vp_variant_schedule
from derivations.chains.q4 import q4d_derivation
from ..engine.claims import Check, Claim, Evidence, Field, Role, Truth
from ..engine.formula import equivalent
from .conditions import BETA_4D, DPS, alpha_sigma_4d, schedule_checks

__all__ = ["CLAIMS"]


def _float_facts() -> tuple[tuple[Check, ...], dict]:
    """What float64 and float32 make of eq. (5) at beta = 598 near t = 0."""
    grid = np.linspace(0.0, 1.0, 200_001)
    a64, s64, _ = alpha_sigma_4d(grid)
    a32, s32, _ = alpha_sigma_4d(grid.astype(np.float32), dtype=np.float32)
    t_zero32 = float(grid[np.flatnonzero(a32 == 0)].max())
    t_one64 = float(grid[np.flatnonzero(s64 == 1.0)].max())
    t_one32 = float(grid[np.flatnonzero(s32 == 1.0)].max())
    facts = {"alpha0_float64": float(a64[0]), "alpha0_float32": float(a32[0]),
             "t_alpha_zero_float32": t_zero32, "t_sigma_one_float64": t_one64,
             "t_sigma_one_float32": t_one32}
    checks = (
        Check.exact("float64 keeps alpha_0 = e^-299 nonzero", a64[0] > 0, value=float(a64[0]),
                    expected=None, detail="must be > 0; the smallest float64 subnormal is 4.9e-324"),
        Check.exact("float32 rounds alpha_0 to exactly 0", a32[0] == 0, value=float(a32[0]),
                    expected=0.0, detail=f"float32 alpha_t == 0 for all t <= {t_zero32:.5f} "
                                         "(grid step 5e-6); the violation is invisible in float32"),
        Check.exact("float64 rounds sigma_t = 1 - alpha_t^2 to exactly 1 near t = 0", s64[0] == 1.0,
                    value=t_one64, expected=None,
                    detail=f"sigma_t == 1.0 in float64 for t <= {t_one64:.5f}, "
                           f"in float32 for t <= {t_one32:.5f}"),
    )
    return checks, facts


def q4d_truth(*, rng: np.random.Generator) -> Truth:
    """Eq. (4) for eq. (5): for every constant beta > 0 and at beta = 598; both sigma variants."""
    question, holds = schedule_checks("eq. (5), constant beta", *question_4d_schedule())
    at_598, holds_598 = schedule_checks("eq. (5), beta = 598",
                                         *question_4d_schedule(sp.Integer(BETA_4D)))
    variant, holds_variant = schedule_checks("sqrt variant, constant beta", *vp_variant_schedule())
    with mpmath.workdps(DPS):
        alpha0 = mpmath.exp(-mpmath.mpf(BETA_4D) / 2)
        digits = mpmath.nstr(alpha0, 35)
    exact_alpha0 = sp.exp(-sp.Rational(BETA_4D, 2))
    symbolic_alpha0 = question_4d_schedule(sp.Integer(BETA_4D))[0].subs(t, 0)
    alpha0_check = Check.exact("alpha_0 = e^(-299) exactly", sp.simplify(symbolic_alpha0 - exact_alpha0) == 0,
                               value=float(alpha0), expected=float(sp.N(exact_alpha0)), role=Role.CONTROL,
                               detail=f"sympy: alpha_t at t = 0 minus exp(-299) simplifies to 0; "
                                      f"to 35 digits alpha_0 = {digits}")
    float_checks, float_facts = _float_facts()
    facts = {"holds": holds_598, "holds_general": holds, "holds_variant": holds_variant,
             "satisfies": all(holds_598.values()),
             "violated": tuple(k for k, v in holds_598.items() if not v),
             "alpha0_digits": digits, "derivation": q4d_derivation(sp.Integer(BETA_4D)),
             **float_facts}
    return Truth(question + at_598 + variant + (alpha0_check,) + float_checks, facts)


def q4di_judge(answer, truth: Truth) -> Evidence:
    t_half = 1 - 2 * math.log(2) / BETA_4D  # alpha_t = 1/2  <=>  299 (1 - t) = ln 2
    checks = [Check.stated("a plot of alpha_t and sigma_t over [0, 1] is provided",
                           True if answer.get("figure_provided") else None)]
    if "separate_panels" in answer:
        checks.append(Check.agrees("alpha_t and sigma_t drawn separately (as the question asks)",
                                   answer["separate_panels"], True, role=Role.PART))
    if "t_half" in answer:
        checks.append(Check.close("t where the plotted alpha_t reaches 1/2", answer["t_half"],
                                  t_half, atol=5e-3, role=Role.PART,
                                  detail="read off a plot: 5e-3 is half a minor tick on [0, 1]"))
    summary = (f"figure provided: {bool(answer.get('figure_provided'))}; alpha_t < 1e-3 until "
               f"t = {1 - 2 * math.log(1000) / BETA_4D:.4f}, alpha_t = 1/2 at t = {t_half:.5f}")
    correction = ("alpha_t = exp(-299(1-t)) is below 1e-3 on [0, 0.9769] and rises to 1 at t = 1; "
                  "sigma_t = 1 - alpha_t^2 is 1 on most of [0, 1] and falls to 0 at t = 1 "
                  "(see figures/q4d_alpha_sigma.pdf; log scale shows alpha_0 = e^-299)")
    return Evidence(truth.checks + tuple(checks), summary, correction, ("q4d_alpha_sigma",))


def q4dii_judge(answer, truth: Truth) -> Evidence:
    facts = truth.facts
    checks = [Check.conclusion("satisfies: eq. (5) with beta = 598 meets eq. (4)",
                           answer.get("satisfies"), facts["satisfies"])]
    violated = answer.get("violated")
    if violated is None:
        checks.append(Check.stated("the answer names the violated condition(s)", None))
    else:
        checks.append(Check.agrees("violated conditions named by the answer",
                                   frozenset(violated), frozenset(facts["violated"]), role=Role.PART))
    checks += _formula_checks(answer)
    failing = ", ".join(facts["violated"]) or "none"
    summary = (f"answer satisfies={answer.get('satisfies')}; alpha_0 = {facts['alpha0_digits'][:12]}... "
               f"= e^-299; conditions that fail (sympy): {failing}")
    correction = (f"No: alpha_0 = e^-299 = {facts['alpha0_digits']} != 0 (alpha_1 = 1, sigma_1 = 0 "
                  "and both monotonicity conditions hold, for either sigma variant); float32 "
                  "rounds alpha_0 to 0, float64 does not")
    return Evidence(truth.checks + tuple(checks), summary, correction, ("q4d_alpha_sigma",))


def _formula_checks(answer) -> list[Check]:
    """The sheet's alpha/sigma (in t, beta) against eq. (5) with constant beta."""
    alpha, sigma = question_4d_schedule()
    _, variant = vp_variant_schedule()
    checks = []
    for key, truth in (("alpha", alpha), ("sigma", sigma)):
        if key not in answer:
            continue
        eq = equivalent(answer[key], truth, SCHEDULE_DOMAIN)
        detail = eq.describe()
        if key == "sigma" and not eq.equal and equivalent(answer[key], variant, SCHEDULE_DOMAIN).equal:
            detail += "; this is the VP variant sqrt(1 - alpha_t^2), not eq. (5)'s 1 - alpha_t^2"
        checks.append(Check.exact(f"{key} equals eq. (5) for t in (0,1), beta in (1,1000)", eq.equal,
                                  value=sp.sstr(answer[key]), expected=sp.sstr(truth),
                                  detail=detail, role=Role.PART))
    return checks


_SCHEDULE = "formula in t, beta (constant beta)"
SCHEDULE_DOMAIN = {t: (0.0, 1.0), beta: (1.0, 1000.0)}  # where alpha/sigma formulas are compared
CLAIMS = (
    Claim("q4d.i", "plots of alpha_t and sigma_t for beta = 598 (reference figure generated)",
          (Field("figure_provided", "bool", "the answer includes the plots"),
           Field("separate_panels", "bool", "alpha_t and sigma_t are drawn in separate plots"),
           Field("t_half", "number", "t at which the answer's plotted alpha_t reaches 1/2",
                 number_range=(0.0, 1.0))),
          q4d_truth, q4di_judge, ("q4d_alpha_sigma",), truth_key="q4d"),
    Claim("q4d.ii", "does eq. (5) with beta = 598 satisfy eq. (4); which condition fails",
          (Field("satisfies", "bool", "the answer's yes/no"),
           Field("violated", "choices", "the conditions the answer says fail", choices=CONDITIONS),
           Field("alpha", "formula", f"alpha_t the answer uses: {_SCHEDULE}", symbols=(t, beta),
                 domain=SCHEDULE_DOMAIN),
           Field("sigma", "formula", f"sigma_t the answer uses: {_SCHEDULE}", symbols=(t, beta),
                 domain=SCHEDULE_DOMAIN)),
          q4d_truth, q4dii_judge, ("q4d_alpha_sigma",), truth_key="q4d"),
)
