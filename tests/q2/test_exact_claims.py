"""verify.q2.exact and its claims (q2a.score_sde, q2a.rf_gaussian, q2b): exact cases, seed formulas."""

from verify.q2 import CLAIMS
from verify.engine.sheet import load_text

REG = {c.id: c for c in CLAIMS}
SEED = """
[q2a.score_sde]
exact = true
log_likelihood = "log_pT - int_beta_div_s/2"
endpoint = "noised"
[q2a.rf_gaussian]
exact = true
log_likelihood = "log_p0 + int_div_v"
[q2b]
sde_endpoint = "sde"
integrand_along = "fixed_x"
one_augmented_ode = false
rf_endpoint = "ode"
"""
TRUE = """
[q2a.score_sde]
exact = true
log_likelihood = "log_pT - int_beta_div_s/2 - d*int_beta/2"
endpoint = "ode"
[q2a.rf_gaussian]
exact = true
log_likelihood = "log_p0 - int_div_v"
[q2b]
sde_endpoint = "ode"
rf_endpoint = "ode"
integrand_along = "trajectory"
one_augmented_ode = true
"""


def _verdicts(auditor, text):
    sheet = load_text(text, "t", REG)
    return {r.claim.id: r.verdict.word for r in auditor.audit(sheet, [REG[i] for i in sheet.answers])}


def test_seed_formulas_are_flawed_and_outline_incorrect(auditor):
    v = _verdicts(auditor, SEED)
    assert v == {"q2a.score_sde": "flawed", "q2a.rf_gaussian": "flawed", "q2b": "incorrect"}


def test_true_formulas_are_certified(auditor):
    v = _verdicts(auditor, TRUE)
    assert set(v.values()) == {"correct"}


def test_an_outline_without_its_endpoints_is_incomplete(auditor):
    assert _verdicts(auditor, "[q2b]\nintegrand_along = 'trajectory'") == {"q2b": "incomplete"}


def test_seed_score_sde_discrepancy_is_the_missing_drift_term(auditor):
    ev = REG["q2a.score_sde"].judge(load_text(SEED, "s", REG).answer("q2a.score_sde"),
                                    auditor.truth(REG["q2a.score_sde"]))
    assert "missing -d/2*int_beta" in ev.summary
