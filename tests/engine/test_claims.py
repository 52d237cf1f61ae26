"""The verdict rule, the Check constructors and the formula fields' domains."""
import math

import pytest
import sympy as sp

from verify.engine.claims import Check, Field, ReferenceFailure, Role, Verdict, verdict_of
from verify.registry import REGISTRY


def _check(role, passed):
    # Check.exact computes `passed` from the statement it is given
    return Check.exact(f"{role.name} {passed}", passed, role=role)


@pytest.mark.parametrize("conclusion, part, demand, expected", [
    (True, True, True, Verdict.CORRECT),
    (True, True, False, Verdict.INCOMPLETE),
    (True, False, True, Verdict.FLAWED),
    (True, False, False, Verdict.FLAWED),
    (False, True, True, Verdict.INCORRECT),
    (False, False, False, Verdict.INCORRECT),
])
def test_verdict_rule_follows_its_decision_table(conclusion, part, demand, expected):
    checks = (_check(Role.CONCLUSION, conclusion), _check(Role.PART, part),
              _check(Role.DEMAND, demand), _check(Role.FACT, False))
    assert verdict_of(True, checks) is expected


def test_unanswered_claim_is_unanswered_whatever_the_checks():
    assert verdict_of(False, (_check(Role.CONCLUSION, False),)) is Verdict.UNANSWERED


def test_failed_control_refuses_a_verdict():
    with pytest.raises(ReferenceFailure, match="CONTROL False"):
        verdict_of(True, (_check(Role.CONTROL, False), _check(Role.CONCLUSION, True)))


def test_facts_alone_never_decide():
    assert verdict_of(True, (_check(Role.FACT, False),)) is Verdict.CORRECT


def test_close_uses_absolute_plus_relative_bound():
    assert Check.close("x", 1.0 + 0.9e-9, 1.0, rtol=1e-9).passed
    assert not Check.close("x", 1.0 + 1.1e-9, 1.0, rtol=1e-9).passed
    assert not Check.close("x", math.nan, 1.0, atol=1.0).passed


def test_monte_carlo_decides_with_k_standard_errors():
    assert Check.monte_carlo("m", 1.04, 0.01, 1.0).passed        # 4 SE off
    assert not Check.monte_carlo("m", 1.06, 0.01, 1.0).passed    # 6 SE off
    assert Check.monte_carlo("m", 1.06, 0.01, 1.0, atol=0.1).passed


def test_a_missing_conclusion_is_a_demand_not_a_wrong_answer():
    missing = Check.conclusion("c", None, True)
    assert missing.role is Role.DEMAND and not missing.passed
    assert verdict_of(True, (missing,)) is Verdict.INCOMPLETE
    assert Check.conclusion("c", False, True).role is Role.CONCLUSION


def test_agrees_and_stated():
    assert Check.agrees("b", True, True).passed and not Check.agrees("b", True, False).passed
    assert Check.agrees("s", frozenset({"a"}), frozenset({"a"})).passed
    assert not Check.stated("d", None).passed and not Check.stated("d", []).passed
    assert Check.stated("d", ["x"]).passed


def test_json_has_the_contract_keys_and_no_nan():
    row = Check.close("x", math.inf, 1.0, atol=1.0).as_json()
    assert list(row) == ["name", "passed", "value", "expected", "tolerance", "detail"]
    assert row["value"] is None


def test_a_formula_field_must_say_where_its_formulas_are_compared():
    with pytest.raises(ValueError, match="domain and relations must cover exactly"):
        Field("f", "formula", "no domain", symbols=(sp.Symbol("t"),))


def test_every_registered_formula_field_samples_where_its_symbols_live():
    # simplify uses the symbols' assumptions, so the numeric points must respect them too
    fields = [f for c in REGISTRY.values() for f in c.fields if f.kind == "formula"]
    assert fields
    for f in fields:
        for symbol, (low, high) in f.domain.items():
            assert low < high and (low >= 0 or not symbol.is_positive), (f.name, symbol)
