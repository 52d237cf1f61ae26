"""Derivation chains for the report: every step's check says sympy established it, and the checks
that compare a formula fail on the wrong formulas the homework invites."""
import pytest
import sympy as sp

from derivations import likelihood as lik
from derivations.chains.checks import identity, is_zero
from derivations.chains.q1 import q1a_derivation, q1b_derivation
from derivations.chains.q2 import (rectified_flow_derivation, rf_gaussian_check,
                                  score_sde_derivation, vp_gaussian_check)
from derivations.chains.q3 import q3_derivation
from derivations.chains.q4 import (_Z0, _Z1, _expectation, q4a_derivation, q4b_derivation,
                                  q4ci_derivation, q4cii_derivation, q4ciii_derivation, q4ei_derivation)

CHAINS = [q1a_derivation, q1b_derivation, q3_derivation, q4ci_derivation, q4cii_derivation, score_sde_derivation,
          rectified_flow_derivation, q4a_derivation, q4b_derivation, q4ciii_derivation, q4ei_derivation]


@pytest.mark.parametrize("chain", CHAINS)
def test_every_step_is_established_not_failed(chain):
    steps = chain()
    assert steps and all(len(step) == 3 for step in steps)
    for lhs, _, check in steps:
        assert check.startswith(("sympy", "question", "Brownian")), lhs
        assert "FAILS" not in check and "not settled" not in check and "fails" not in check, lhs


def test_check_texts_report_a_failed_step():
    x = sp.Symbol("x")
    assert identity(sp.sin(x) ** 2 + sp.cos(x) ** 2, 1).endswith("= 0")
    assert is_zero(x + 1, "x + 1").endswith("(step FAILS)")


def test_the_vp_check_rejects_the_formula_without_the_int_beta_term():
    assert "FAILS" not in vp_gaussian_check(lik.vp_log_likelihood())
    assert "FAILS" in vp_gaussian_check(lik.log_pT - lik.int_beta_div_s / 2)      # seed's formula
    assert "FAILS" in vp_gaussian_check(lik.log_pT + lik.int_beta_div_s / 2 - lik.d * lik.int_beta / 2)


def test_the_rf_check_rejects_the_wrong_sign():
    assert "FAILS" not in rf_gaussian_check(lik.rf_log_likelihood())
    assert "FAILS" in rf_gaussian_check(lik.log_p0 + lik.int_div_v)                # seed's formula


def test_expectation_uses_standard_normal_moments_and_divides():
    assert _expectation(_Z0 ** 4 * _Z1 ** 2 + 3 * _Z0 + 2) == 5
    assert _expectation(_Z1 ** 6, sp.Integer(3)) == 5


def test_q4a_gap_is_minus_pi_over_4_and_depends_on_the_target():
    gap = q4a_derivation()[-1][1]
    assert abs(float(gap) + float(sp.pi) / 4) < 1e-14  # the exact value, rounded twice: ~1e-16
    assert abs(float(q4a_derivation(sp.Integer(0), sp.Integer(1))[-1][1])) > 1e-3
