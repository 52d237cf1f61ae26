"""The q4d derivation chain: every step's check passes, and it renders line by line in the report."""
from __future__ import annotations

import sympy as sp

from derivations.affine_paths import beta, t
from derivations.chains.q4 import q4d_derivation


def test_every_q4d_step_check_passes_and_alpha0_is_nonzero():
    steps = q4d_derivation()
    assert all("FAILS" not in check and "not settled" not in check for _, _, check in steps)
    alpha0 = dict((lhs, expr) for lhs, expr, _ in steps)[r"\alpha_0"]
    assert sp.simplify(alpha0 - sp.exp(-beta / 2)) == 0
    assert steps[1][1].subs({t: 1}) == 1


def test_q4d_steps_render_in_the_report(auditor):
    from verify.registry import REGISTRY
    from verify.outputs.latex_report import render
    from verify.engine.sheet import load

    sheet = load(None, REGISTRY)
    results = auditor.audit(sheet, [REGISTRY["q4d.ii"]])
    tex = render(sheet, 0, results, lambda c: {"derivation": q4d_derivation()})
    assert r"\alpha_0\big|_{\beta = 598} &= e^{-299}" in tex
