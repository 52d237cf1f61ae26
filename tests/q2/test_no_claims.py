"""q2a.vae, q2a.gan, q2a.rf_samples: VAE, GAN and sample-only RF cannot give the exact likelihood."""
from verify.q2 import CLAIMS
from verify.engine.sheet import load_text

REG = {c.id: c for c in CLAIMS}
SHEET = "[q2a.vae]\nexact = false\n[q2a.gan]\nexact = false\n[q2a.rf_samples]\nexact = false\n"


def test_seed_no_answers_are_correct(auditor):
    sheet = load_text(SHEET, "t", REG)
    res = auditor.audit(sheet, [REG[i] for i in sheet.answers])
    assert {r.verdict.word for r in res} == {"correct"}


def test_truths_say_not_exact(auditor):
    for i in ("q2a.vae", "q2a.gan", "q2a.rf_samples"):
        assert auditor.truth(REG[i]).facts["exact"] is False


def test_vae_is_judged_inexact_by_a_significant_bias(auditor):
    """`exact` is False because some IWAE bias is nonzero beyond 5 SE (K=1: about -2.3 +- 0.2), a
    test that an unbiased, zero-variance estimator (posterior encoder) would pass."""
    from verify.q2.runs import TOL

    truth = auditor.truth(REG["q2a.vae"])
    rows = truth.facts["iwae"]
    assert truth.facts["exact"] is False
    assert abs(rows[1][0]) > 5 * rows[1][1] + TOL
