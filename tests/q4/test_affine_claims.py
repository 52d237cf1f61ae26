"""Claims q4c.i, q4d.i, q4d.ii: truths, float behaviour, and judgement of sheets."""
import math

import numpy as np
import pytest
import sympy as sp

from derivations.affine_paths import question_4d_schedule, t
from verify.engine.claims import Verdict
from verify.registry import REGISTRY
from verify.engine.sheet import load_text
from verify.q4.conditions import BETA_4D, alpha_sigma_4d


def verdict(auditor, text, claim_id):
    sheet = load_text(text, "t.toml", REGISTRY)
    return auditor.judge(REGISTRY[claim_id], sheet)


def test_float_transcription_matches_sympy_schedule():
    alpha, sigma = question_4d_schedule(sp.Integer(BETA_4D))
    times = np.array([0.0, 0.3, 0.9, 0.99, 0.999, 1.0])
    a, s, _ = alpha_sigma_4d(times)
    want_a = np.array([float(alpha.subs(t, sp.nsimplify(x))) for x in times])
    want_s = np.array([float(sigma.subs(t, sp.nsimplify(x))) for x in times])
    np.testing.assert_allclose(a, want_a, rtol=1e-13)   # a few ulps from exp's argument rounding
    # sigma_1 = sqrt(1 - alpha_1^2) = 0 on both sides; atol: an ulp of 1 - alpha^2's O(1) terms
    np.testing.assert_allclose(s, want_s, rtol=1e-13, atol=1e-16)


def test_alpha_0_is_e_to_minus_299_to_35_digits(auditor):
    facts = auditor.truth(REGISTRY["q4d.ii"]).facts
    assert facts["alpha0_digits"].startswith("1.39942591138513921729778371870294")
    assert facts["violated"] == ("alpha_0",) and facts["satisfies"] is False


def test_float32_hides_the_violation_float64_does_not(auditor):
    facts = auditor.truth(REGISTRY["q4d.ii"]).facts
    assert facts["alpha0_float32"] == 0.0 and facts["alpha0_float64"] > 0
    # exp rounds to 0 below half the smallest float32 subnormal, 2^-150: 299 (1 - t) > 150 ln 2;
    # 1e-4 covers the 5e-6 grid step and float32 rounding of the exponent
    assert facts["t_alpha_zero_float32"] == pytest.approx(1 - 150 * math.log(2) / 299, abs=1e-4)


@pytest.mark.parametrize("text, claim_id, expected", [
    ("", "q4d.ii", Verdict.UNANSWERED),
    ("[q4d.ii]\nsatisfies = false\nviolated = ['alpha_0']", "q4d.ii", Verdict.CORRECT),
    ("[q4d.ii]\nsatisfies = true", "q4d.ii", Verdict.INCORRECT),
    ("[q4d.ii]\nsatisfies = false", "q4d.ii", Verdict.INCOMPLETE),
    ("[q4d.ii]\nsatisfies = false\nviolated = ['sigma_1']", "q4d.ii", Verdict.FLAWED),
    ("[q4d.ii]\nsatisfies = false\nviolated = ['alpha_0']\nsigma = 'sqrt(1 - exp(-beta*(1-t)))'",
     "q4d.ii", Verdict.FLAWED),
    ("[q4d.ii]\nsatisfies = false\nviolated = ['alpha_0']\nalpha = 'exp(-beta*(1-t)/2)'\n"
     "sigma = '1 - exp(-beta + beta*t)'", "q4d.ii", Verdict.CORRECT),
    ("[q4c.i]\nvalid = true", "q4c.i", Verdict.INCOMPLETE),
    ("[q4d.ii]\nviolated = ['alpha_0']", "q4d.ii", Verdict.INCOMPLETE),  # no yes/no stated
    ("[q4c.i]\nvalid = false\nchecked = ['alpha_0']", "q4c.i", Verdict.INCORRECT),
    ("[q4d.i]\nfigure_provided = false", "q4d.i", Verdict.INCOMPLETE),
    ("[q4d.i]\nfigure_provided = true\nt_half = 0.5", "q4d.i", Verdict.FLAWED),
    ("[q4d.i]\nfigure_provided = true\nt_half = 0.998", "q4d.i", Verdict.CORRECT),
])
def test_sheets_get_the_verdict_the_mathematics_implies(auditor, text, claim_id, expected):
    assert verdict(auditor, text, claim_id).verdict is expected


def test_a_sqrt_sigma_is_named_as_the_vp_variant(auditor):
    result = verdict(auditor, "[q4d.ii]\nsatisfies = false\nsigma = 'sqrt(1 - exp(-beta*(1-t)))'",
                     "q4d.ii")
    detail = next(c.detail for c in result.evidence.checks if c.name.startswith("sigma"))
    assert "VP variant" in detail
