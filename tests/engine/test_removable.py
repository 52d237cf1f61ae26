"""A formula's value at a removable singularity is its limit; a pole, a jump or an undefined
neighbourhood is not; equivalence is settled through the same mechanism."""
import math

import mpmath
import numpy as np
import pytest
import sympy as sp

from verify.engine.formula import equivalent, parse
from verify.engine.removable import STEPS, integration_span, limit_at, symbol_bounds, to_numpy, \
    value_or_limit

t = sp.Symbol("t", positive=True)
x = sp.Symbol("x", real=True)
SYMBOLS = {"t": t, "x": x}


def mp(text):
    return sp.lambdify((x, t), parse(text, SYMBOLS), "mpmath")


def test_bounds_come_from_the_domain_else_from_the_assumptions():
    assert symbol_bounds(t) == (0.0, math.inf)
    assert symbol_bounds(x) == (-math.inf, math.inf)
    assert symbol_bounds(t, {t: (0, 1)}) == (0.0, 1.0)


@pytest.mark.parametrize("text, point, limit", [
    ("(exp(t) - 1)/t", (0.3, 0.0), 1.0),                  # 0/0 at a bound of t, approached from t > 0
    ("(x**2 - 1)/(x - 1)", (1.0, 0.5), 2.0),              # 0/0 inside: both sides agree
    ("t*log(t)", (0.7, 0.0), 0.0),                         # 0 * inf
    ("(sqrt(t) - t)/sqrt(t)", (0.0, 0.0), 1.0),            # slow, O(t^(1/2)), convergence
])
def test_a_removable_singularity_has_its_limit(text, point, limit):
    got = limit_at(mp(text), point, [(-math.inf, math.inf), (0.0, math.inf)])
    # the value at the smaller step: within the 1e-30 cancellation floor of DPS, or O(STEPS[1]^(1/2))
    assert got is not None and abs(float(got) - limit) <= 1e-24


@pytest.mark.parametrize("text, point", [
    ("(x - 1)/t", (0.5, 0.0)),         # pole
    ("log(t)", (0.5, 0.0)),            # logarithmic pole
    ("1/sqrt(t)", (0.5, 0.0)),         # integrable but unbounded
    ("abs(x)/x", (0.0, 0.5)),          # jump inside: the two rays disagree
    ("x/(x + t - 1)", (0.0, 1.0)),     # 0/0 whose value depends on the direction
    ("sqrt(x - 1)", (0.5, 0.3)),       # complex all around the point
])
def test_a_pole_a_jump_or_an_undefined_neighbourhood_has_no_limit(text, point):
    assert limit_at(mp(text), point, [(-math.inf, math.inf), (0.0, math.inf)]) is None


def test_a_jump_at_a_bound_is_read_from_inside():
    # abs(x)/x at x = 0 with x restricted to [0, 1]: approached from x > 0 only, the limit is 1
    assert float(limit_at(mp("abs(x)/x"), (0.0, 0.5), [(0.0, 1.0), (0.0, math.inf)])) == 1.0


def test_value_or_limit_keeps_a_finite_value_untouched():
    f = mp("(x**2 - 1)/(x - 1)")
    with mpmath.workdps(30):
        assert value_or_limit(f, (3.0, 0.1), [(-math.inf, math.inf)] * 2) == 4
        assert abs(value_or_limit(f, (1.0, 0.1), [(-math.inf, math.inf)] * 2) - 2) < 1e-25


def test_to_numpy_returns_the_limit_where_float_is_nan_and_keeps_poles():
    fn = to_numpy(parse("(x - (1 - t)*x)/t + (t - t**2)/(1 - t)", SYMBOLS), (x, t), {t: (0, 1)})
    xs = np.linspace(-2, 2, 5)
    assert np.all(np.isnan(fn.raw(xs, 0.0)))                    # numpy's 0/0
    # limits are read at a step of 1e-50 at 80 digits: off by far less than float64's 1e-16
    np.testing.assert_allclose(fn(xs, 0.0), xs, rtol=1e-15, atol=1e-15)      # x + t -> x at t = 0
    np.testing.assert_allclose(fn(xs, 1.0), xs + 1, rtol=1e-15, atol=1e-15)  # 0/0 at t = 1 too
    pole = to_numpy(parse("x/t", SYMBOLS), (x, t), {t: (0, 1)})
    assert np.all(~np.isfinite(pole(np.array([1.0, -1.0]), 0.0)))


def test_to_numpy_broadcasts_and_leaves_finite_values_bit_identical():
    expr = parse("x*t + exp(-t)", SYMBOLS)
    fn = to_numpy(expr, (x, t))
    xs, ts = np.linspace(-1, 1, 4)[:, None], np.linspace(0.1, 0.9, 3)[None]
    np.testing.assert_array_equal(fn(xs, ts), xs * ts + np.exp(-ts))
    assert fn(xs, ts).shape == (4, 3) and fn(0.5, 0.5).shape == ()


def test_integration_span_moves_only_a_removable_end_inside():
    probe = np.linspace(-2, 2, 7)
    args = lambda end: (probe, end)  # noqa: E731
    removable = to_numpy(parse("(x - (1 - t)*x)/t", SYMBOLS), (x, t), {t: (0, 1)})
    assert integration_span(removable, args, (0.0, 1.0), inset=1e-9) == (1e-9, 1.0)
    pole = to_numpy(parse("x/t", SYMBOLS), (x, t), {t: (0, 1)})
    assert integration_span(pole, args, (0.0, 1.0)) == (0.0, 1.0)  # the ODE must fail there
    smooth = to_numpy(parse("x*t", SYMBOLS), (x, t), {t: (0, 1)})
    assert integration_span(smooth, args, (0.0, 1.0)) == (0.0, 1.0)


def test_equivalence_of_a_form_that_is_zero_over_zero_is_settled_symbolically():
    u = parse("(x - (1 - t)*x)/t", SYMBOLS)
    eq = equivalent(u, x, {t: (0.0, 1.0), x: (-3.0, 3.0)})
    assert eq.equal and eq.how == "symbolic" and eq.proof == "cancel"


def test_numeric_equivalence_reads_a_sample_on_a_removable_singularity_by_its_limit():
    # the 17th power keeps sympy out (MAX_EXPAND_POWER), and every sample is drawn on x = 1
    # (domain (1, 1)): there the answer is 0/0 and only its limit can be compared
    answer = parse("(x**2 - 1)/(x - 1) + (t + 1)**17", SYMBOLS)
    truth = x + 1 + (t + 1) ** 17
    eq = equivalent(answer, truth, {x: (1.0, 1.0), t: (0.5, 2.0)}, points=8)
    assert eq.equal and eq.how == "numeric" and eq.max_rel_error <= 1e-10
    pole = parse("(x**2 - 1)/(x - 1)**2 + (t + 1)**17", SYMBOLS)  # a pole on x = 1 is not
    assert not equivalent(pole, truth, {x: (1.0, 1.0), t: (0.5, 2.0)}, points=8).equal


def test_the_approach_steps_stay_resolvable_at_the_working_precision():
    # STEPS must be representable next to a coordinate of size 1 at DPS digits
    from verify.engine.removable import DPS
    assert min(STEPS) > 10.0 ** (-DPS + 20)
