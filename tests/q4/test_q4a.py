"""Claim q4a: FM vs CFM (constant gap, equal gradients), MLE needs simulation; sheet verdicts."""
import numpy as np
import pytest

from verify.engine.claims import Role, Verdict
from verify.q4.q4a import CLAIM, DATA, THETAS, _affine_loglik_exact, _gap_constant, \
    _loglik_by_ode
from verify.engine.sheet import load_text

REG = {CLAIM.id: CLAIM}


def judge(auditor, text):
    return auditor.judge(REG["q4a"], load_text(text, "t.toml", REG))


def test_fm_cfm_gap_is_constant_and_gradients_agree(auditor):
    truth = auditor.truth(REG["q4a"])
    stat = [c for c in truth.checks if c.role is Role.FACT and "theta" in c.name]
    assert len(stat) == 13 and all(c.passed for c in stat)  # 5 SE Monte Carlo checks
    # 5 gaps, 4 gap(theta) - gap(0) (theta = THETAS[1:], not the reference itself), 4 gradients
    assert not any(c.name.startswith("gap(theta)") and f"{THETAS[0].tolist()}" in c.name
                   for c in stat)
    assert truth.facts["mle_needs_simulation"] and truth.facts["cfm_simulation_free"]


def test_ode_likelihood_matches_exact_pushforward():
    theta, x = np.array([-0.6, 0.8, 1.0, 0.1]), np.linspace(-1, 3, 7)
    ll, evals = _loglik_by_ode(theta, x)
    # the ODE's global error at rtol 1e-10 (6e-11 measured), whatever the kernel's rounding
    np.testing.assert_allclose(ll, _affine_loglik_exact(theta, x), rtol=0, atol=1e-8)
    assert evals > 10  # an adaptive solve, not a single evaluation


def test_gap_constant_is_minus_the_integrated_conditional_variance():
    import mpmath as mp

    m, s = DATA
    # hand form: Var(x1 - x0) - Cov(x1 - x0, x_t)^2 / Var(x_t), independent of m
    f = lambda t: s * s + 1 - (t * s * s - (1 - t)) ** 2 / (t * t * s * s + (1 - t) ** 2)
    ref = -float(mp.quad(lambda t: f(mp.mpf(t)), [0, 1]))
    assert _gap_constant(m, s) == pytest.approx(ref, rel=1e-12, abs=0)  # quad at epsrel 1e-13; ref ~ -0.8
    assert _gap_constant(-3.0, s) == pytest.approx(ref, rel=1e-12, abs=0)


FULL = "mle_needs_simulation = true\ncfm_simulation_free = true\n"


@pytest.mark.parametrize("text, expected", [
    ("", Verdict.UNANSWERED),
    ("[q4a]\nmle_loss = '-E_log_p_model'\n" + FULL, Verdict.CORRECT),
    ("[q4a]\nmle_loss = 'E_log_q - E_log_p_model'\n" + FULL, Verdict.CORRECT),
    ("[q4a]\n" + FULL, Verdict.CORRECT),
    ("[q4a]\nmle_loss = 'E_log_p_model'\n" + FULL, Verdict.FLAWED),
    ("[q4a]\nmle_loss = 'E_log_q'\n" + FULL, Verdict.FLAWED),
    ("[q4a]\nmle_loss = '-E_log_p_model'", Verdict.INCOMPLETE),
    ("[q4a]\nmle_loss = '-E_log_p_model'\nmle_needs_simulation = true", Verdict.CORRECT),
    ("[q4a]\ncfm_simulation_free = true", Verdict.CORRECT),  # one difference suffices
    ("[q4a]\ncfm_simulation_free = false", Verdict.INCORRECT),
    ("[q4a]\nmle_needs_simulation = false\ncfm_simulation_free = true", Verdict.INCORRECT),
    ("[q4a]\nmle_loss = 'E_log_p_model'", Verdict.FLAWED),  # the seed
])
def test_sheets_get_the_verdict_the_mathematics_implies(auditor, text, expected):
    assert judge(auditor, text).verdict is expected
