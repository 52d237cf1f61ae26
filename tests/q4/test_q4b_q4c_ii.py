"""Claims q4b and q4c.ii (and the figures of q4a-q4c.iii): truths and verdicts of sheets."""
import numpy as np
import pytest

from verify.engine.claims import Role, Verdict
from verify.outputs.figures import q4_flows as figs
from verify.q4 import q4a, q4b, q4c_ii, q4c_iii
from verify.q4.q4c_ii import _quadrature_vf
from verify.models.mixture_flows import gaussian_marginal_vf
from verify.engine.sheet import load_text

CLAIMS = (q4a.CLAIM, q4b.CLAIM, q4c_ii.CLAIM, q4c_iii.CLAIM)  # the claims of figures/q4_flows
REG = {c.id: c for c in CLAIMS}
TRUE_U = "m + (t*s**2 - (1 - t))*(x - t*m)/(t**2*s**2 + (1 - t)**2)"
# the same field as (E[x1 | x_t = x] - x)/(1 - t): 0/0 at t = 1, still correct
POSTERIOR_U = "((m*(1 - t)**2 + s**2*t*x)/(t**2*s**2 + (1 - t)**2) - x)/(1 - t)"
SEED = ("[q4a]\nmle_loss = 'E_log_p_model'\n[q4b]\nclosed_form_general = false\n"
        "[q4c.ii]\nconditional_vf = 'x1 - x'\nmarginal_vf = 'm - x'\n"
        "[q4c.iii]\nsame_as_ot = false\n")


def test_module_exports_the_four_claims_with_their_figures():
    assert {f for c in CLAIMS for f in c.figures} == set(figs.FIGURES)


def test_quadrature_of_defining_integral_matches_closed_form():
    pdf = lambda v: np.exp(-0.5 * ((v - 1.5) / 0.5) ** 2) / 0.5
    got = _quadrature_vf(0.7, 1.2, pdf, 1.5 - 7.0, 1.5 + 7.0)
    assert got == pytest.approx(gaussian_marginal_vf(1.2, 0.7, 1.5, 0.5), abs=1e-11)


def test_truth_controls_pass_and_q4b_finds_no_general_closed_form(auditor):
    for cid in ("q4b", "q4c.ii"):
        truth = auditor.truth(REG[cid])
        assert all(c.passed for c in truth.checks if c.role is Role.CONTROL)
    assert auditor.truth(REG["q4b"]).facts["closed_form_general"] is False


@pytest.mark.parametrize("text, claim_id, expected", [
    ("", "q4c.ii", Verdict.UNANSWERED),
    (f"[q4c.ii]\nconditional_vf = '(x1 - x)/(1 - t)'\nmarginal_vf = '{TRUE_U}'", "q4c.ii",
     Verdict.CORRECT),
    (f"[q4c.ii]\nmarginal_vf = '{POSTERIOR_U}'", "q4c.ii", Verdict.CORRECT),
    (f"[q4c.ii]\nconditional_vf = 'x1 - x'\nmarginal_vf = '{TRUE_U}'", "q4c.ii", Verdict.FLAWED),
    ("[q4c.ii]\nconditional_vf = '(x1 - x)/(1 - t)'\nmarginal_vf = 'm - x'", "q4c.ii",
     Verdict.INCORRECT),  # right at t = 0 only
    ("[q4c.ii]\nmarginal_vf = 'm + (2*t - 1)*(x - t*m)/(t**2 + (1 - t)**2)'", "q4c.ii",
     Verdict.INCORRECT),  # right for s = 1 only
    ("[q4c.ii]\nmarginal_vf = '(m - x)/(1 - t)'", "q4c.ii", Verdict.INCORRECT),
    ("[q4c.ii]\nmarginal_vf = 'sqrt(-x)'", "q4c.ii", Verdict.INCORRECT),  # NaN field: no hang
    ("[q4b]\nclosed_form_general = false", "q4b", Verdict.CORRECT),
    ("[q4b]\nclosed_form_general = true", "q4b", Verdict.INCORRECT),
])
def test_sheets_get_the_verdict_the_mathematics_implies(auditor, text, claim_id, expected):
    assert auditor.judge(REG[claim_id], load_text(text, "t.toml", REG)).verdict is expected


def test_seed_answers_verdicts(auditor):
    sheet = load_text(SEED, "seed.toml", REG)
    got = {r.claim.id: r.verdict for r in auditor.audit(sheet, CLAIMS)}
    assert got == {"q4a": Verdict.FLAWED, "q4b": Verdict.CORRECT, "q4c.ii": Verdict.INCORRECT,
                   "q4c.iii": Verdict.CORRECT}
