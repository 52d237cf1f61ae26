"""Claims q1a and q1b: truths and verdicts on the seed's answers and on variants (seeds 0 and 1)."""

from verify.engine.claims import Role, Verdict
from verify.engine.sheet import load_text
import verify.q1 as q1

REG = {c.id: c for c in q1.CLAIMS}
SEED_SHEET = """
[q1a]
holds = true
c = "-E_tr_var/2"
[q1b]
agree = true
kl_gaussian = "d/2*(sigma_j**2/sigma_0**2 - 1 - log(sigma_j**2/sigma_0**2))"
"""
GOOD = """
[q1a]
holds = true
c = "(E_marg_sq - E_cond_sq)/2"
conditions = ["gaussian_kernel", "finite_second_moments"]
[q1b]
agree = true
kl_gaussian = "d/2*(sigma_j**2/sigma_0**2 - 1 - log(sigma_j**2/sigma_0**2))"
condition_needed = false
"""
BAD = """
[q1a]
holds = true
c = "E_tr_var/2"
conditions = ["kernel_differentiable", "differentiate_under_integral", "finite_second_moments"]
[q1b]
agree = false
kl_gaussian = "d/2*(sigma_0**2/sigma_j**2 - 1 - log(sigma_0**2/sigma_j**2))"
"""


def verdicts(text, auditor):
    sheet = load_text(text, "t", REG)
    return {r.claim.id: r.verdict for r in auditor.audit(sheet, REG.values())}


def test_seed_sheet_is_incomplete_on_q1a_and_correct_on_q1b(auditor):
    v = verdicts(SEED_SHEET, auditor)
    assert v == {"q1a": Verdict.INCOMPLETE, "q1b": Verdict.CORRECT}


def test_a_complete_answer_is_correct(auditor):
    assert verdicts(GOOD, auditor) == {"q1a": Verdict.CORRECT, "q1b": Verdict.CORRECT}


def test_wrong_sign_of_c_is_flawed_and_disagreeing_is_incorrect(auditor):
    v = verdicts(BAD, auditor)
    assert v == {"q1a": Verdict.FLAWED, "q1b": Verdict.INCORRECT}


def test_reverse_direction_formula_is_named_in_the_detail(auditor):
    sheet = load_text(BAD, "t", REG)
    res = auditor.judge(REG["q1b"], sheet)
    part = [c for c in res.evidence.checks if c.name.startswith("kl_gaussian")][0]
    assert not part.passed and "reverse direction" in part.detail


def test_empty_answer_is_unanswered(auditor):
    res = auditor.judge(REG["q1a"], load_text("", "t", REG))
    assert res.verdict is Verdict.UNANSWERED


def test_truth_says_the_identity_holds_and_the_condition_is_not_needed(auditor):
    assert auditor.truth(REG["q1a"]).facts["holds"] is True
    f = auditor.truth(REG["q1b"]).facts
    assert f["agree"] is True and f["condition_needed"] is False
    # the joint claim needs no condition; the smoothed marginals break it even where it holds
    certified = [c for c in f["certificates"] if c["certified"]]
    assert f["marginal"]["counterexamples"] > 0 and certified
    assert f["condition_sufficient_for_marginals"] is False
    assert all(c["direction"] == "forward" and c["d_max"] >= 1 for c in certified)


def test_q1b_reports_the_certified_marginal_counterexample(auditor):
    res = auditor.judge(REG["q1b"], load_text(GOOD, "t", REG))
    n = auditor.truth(REG["q1b"]).facts["marginal"]["counterexamples"]
    assert f"marginals: {n} counterexamples in " in res.evidence.summary
    assert "certified, forward" in res.evidence.summary
    cert = [c for c in res.evidence.checks if c.name.startswith("certified marginal counterexample")]
    assert cert and all(c.passed and c.role is Role.FACT and c.value < 0 for c in cert)
    assert "is not what makes (3) true" in res.evidence.correction
    assert res.verdict is Verdict.CORRECT  # the joint-law claim and its verdict are unaffected
