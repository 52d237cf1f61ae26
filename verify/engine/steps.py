r"""A sheet's derivation chain for a formula field, checked one equality at a time.

A formula field F may come with `F_steps = [e_1, ..., e_n]`: the student's derivation, each
expression claimed equal to the next and e_n equal to F. Writing $e_{n+1} = F$, the check
`F step k` (k = 2..n+1, the 1-based index of the later expression) compares $e_{k-1}$ with $e_k$
by `formula.equivalent` on the field's domain, after its relations are substituted. Each is a PART
check, so a correct F reached through a broken step is `flawed` (`claims.verdict_of`).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

import sympy as sp

from .claims import Check, Claim, Evidence, Field, Role
from .formula import equivalent

__all__ = ["STEPS_SUFFIX", "steps_key", "step_name", "chain_checks", "with_step_checks"]

STEPS_SUFFIX = "_steps"


def steps_key(field_name: str) -> str:
    """The sheet key of a formula field's derivation chain: `kl_gaussian` -> `kl_gaussian_steps`."""
    return field_name + STEPS_SUFFIX


def step_name(field_name: str, k: int) -> str:
    """Name of the check of the equality (expression k-1) = (expression k), k 1-based."""
    return f"{field_name} step {k}"


def chain_checks(spec: Field, steps: tuple[sp.Expr, ...], final: sp.Expr) -> tuple[Check, ...]:
    """One PART check per equality of e_1 = ... = e_n = F (`steps` = e_1..e_n, `final` = F)."""
    chain = (*steps, final)
    checks = []
    for k in range(2, len(chain) + 1):
        earlier, later = chain[k - 2], chain[k - 1]
        eq = equivalent(later.subs(spec.relations), earlier.subs(spec.relations), spec.domain)
        what = f"{spec.name} itself" if k == len(chain) else f"step {k}"
        checks.append(Check.exact(step_name(spec.name, k), eq.equal, value=sp.sstr(later),
                                  expected=sp.sstr(earlier), role=Role.PART,
                                  detail=f"step {k - 1} = {what}: {eq.describe()}"))
    return tuple(checks)


def with_step_checks(claim: Claim, answer: Mapping[str, Any], evidence: Evidence) -> Evidence:
    """`evidence` plus the chain checks of every formula field the sheet gives steps for; the
    summary names the first broken step of each chain."""
    added, broken = [], []
    for spec in claim.fields:
        steps = answer.get(steps_key(spec.name))
        if spec.kind != "formula" or steps is None:
            continue
        checks = chain_checks(spec, steps, answer[spec.name])
        added += checks
        first = next((c for c in checks if not c.passed), None)
        if first is not None:
            broken.append(f"{first.name} ({first.detail})")
    if not added:
        return evidence
    summary = evidence.summary + ("; first broken step: " + "; ".join(broken) if broken
                                  else f"; derivation: all {len(added)} step checks hold")
    return replace(evidence, checks=evidence.checks + tuple(added), summary=summary)
