"""Eq. (4)'s endpoint values are limits from inside (0, 1): a schedule that is 0/0 at an end is
judged by its limit there; a wrong limit or a pole fails."""
import sympy as sp

from derivations.affine_paths import Condition, endpoint_value, t
from verify.q4.conditions import _settle, schedule_checks

# (t, 1 - t) written so that both are 0/0 at t = 0 and at t = 1
ALPHA_00 = (t**2 - t**3) / (t - t**2)
SIGMA_00 = t * (1 - t) ** 2 / (t - t**2)


def test_endpoint_value_is_the_value_or_the_one_sided_limit():
    assert endpoint_value(t**2 + 1, 0) == 1
    assert endpoint_value(ALPHA_00, 0) == 0 and endpoint_value(ALPHA_00, 1) == 1
    assert endpoint_value(sp.Abs(t - 1) / (t - 1), 1) == -1   # from inside: t < 1
    assert endpoint_value(t / (1 - t), 1) == sp.oo


def test_the_linear_schedule_written_zero_over_zero_at_both_ends_meets_eq_4():
    assert ALPHA_00.subs(t, 0) is sp.nan and SIGMA_00.subs(t, 1) is sp.nan  # plain subs is 0/0
    _, holds = schedule_checks("(t, 1-t) as 0/0", ALPHA_00, SIGMA_00)
    assert all(holds.values()), holds


def test_a_wrong_limit_or_a_pole_at_an_end_fails():
    _, half = schedule_checks("alpha_1 = 1/2", (t**2 - t**3) / (2 * (t - t**2)), 1 - t)
    assert not half["alpha_1"] and half["alpha_0"]
    checks, pole = schedule_checks("alpha with a pole at 1", t + (t - t**2) / (1 - t) ** 2, 1 - t)
    assert not pole["alpha_1"]
    assert next(c for c in checks if "alpha_1" in c.name).value is None  # oo: JSON null


def test_the_numeric_fallback_reads_an_endpoint_by_its_limit():
    # a condition sympy leaves open (its value is an unknown symbol) falls back to mpmath at t = at
    undecided = sp.Symbol("undecided")
    removable = Condition("sigma_1", "zero", undecided, SIGMA_00, 1)
    pole = Condition("sigma_1", "zero", undecided, (t - t**2) / (1 - t) ** 2, 1)
    wrong = Condition("sigma_1", "zero", undecided, (t - t**2) / (1 - t), 1)
    assert _settle(removable, "removable").passed
    at_pole = _settle(pole, "pole")
    assert not at_pole.passed and "no finite value or limit" in at_pole.detail
    assert not _settle(wrong, "wrong").passed  # limit 1, not 0
