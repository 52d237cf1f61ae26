"""Claim q4c.i: $(\\alpha_t, \\sigma_t) = (t, 1 - t)$ satisfies the five conditions of eq. (4).

Flow time: source at t = 0, data at t = 1; every condition settled by sympy (`conditions`).
"""
from __future__ import annotations

import numpy as np

from derivations.affine_paths import CONDITIONS, linear_schedule
from derivations.chains.q4 import q4ci_derivation
from ..engine.claims import Check, Claim, Evidence, Field, Role, Truth
from .conditions import schedule_checks

__all__ = ["CLAIM"]


def q4ci_truth(*, rng: np.random.Generator) -> Truth:
    """Eq. (4) for $(\\alpha_t, \\sigma_t) = (t, 1-t)$, settled symbolically."""
    checks, holds = schedule_checks("(t, 1-t)", *linear_schedule())
    return Truth(checks, {"holds": holds, "valid": all(holds.values()),
                          "derivation": q4ci_derivation()})


def q4ci_judge(answer, truth: Truth) -> Evidence:
    valid, holds = truth.facts["valid"], truth.facts["holds"]
    checks = [Check.conclusion("valid: (t, 1-t) satisfies eq. (4)", answer.get("valid"), valid)]
    shown = answer.get("checked")
    if shown is None:
        checks.append(Check.stated("the answer verifies the conditions of eq. (4)", None))
    else:
        missing = sorted(set(CONDITIONS) - set(shown))
        checks.append(Check.exact("the answer verifies all five conditions of eq. (4)", not missing,
                                  value=sorted(shown), expected=list(CONDITIONS),
                                  detail=f"not verified: {', '.join(missing)}" if missing else "",
                                  role=Role.DEMAND))
    failing = [k for k, v in holds.items() if not v]
    truth_line = ("(t, 1-t) satisfies every condition of eq. (4): alpha_0 = 0, alpha_1 = 1, "
                  "sigma_1 = 0, d alpha/dt = 1 > 0, -d sigma/dt = 1 > 0" if valid
                  else f"(t, 1-t) violates {', '.join(failing)}")
    summary = f"answer valid={answer.get('valid')}; sympy: {sum(holds.values())}/5 conditions hold"
    return Evidence(truth.checks + tuple(checks), summary, truth_line)


CLAIM = Claim(
    "q4c.i", "(alpha_t, sigma_t) = (t, 1-t) satisfies the five conditions of eq. (4)",
    (Field("valid", "bool", "the answer's yes/no: (t, 1-t) is a valid choice"),
     Field("checked", "choices", "the conditions the answer verifies", choices=CONDITIONS)),
    q4ci_truth, q4ci_judge)
