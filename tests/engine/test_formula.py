"""Safe formula reading (a whitelist over `ast`, nothing evaluated) and equivalence."""
import pytest
import sympy as sp

from verify.engine.formula import FormulaError, equivalent, parse

t, beta = sp.Symbol("t", real=True), sp.Symbol("beta", positive=True)
SYMBOLS = {"t": t, "beta": beta}


@pytest.mark.parametrize("text, expected", [
    ("exp(-beta*(1-t)/2)", sp.exp(-beta * (1 - t) / 2)),
    ("t^2 + 1", t**2 + 1),             # ^ is a power, with power precedence
    ("-t**2", -t**2),
    ("sqrt(abs(t)) + log(beta)", sp.sqrt(sp.Abs(t)) + sp.log(beta)),
    ("0.5*t", t / 2),                   # decimal literals become exact rationals
])
def test_plain_math_parses_to_the_expected_expression(text, expected):
    assert sp.simplify(parse(text, SYMBOLS) - expected) == 0


@pytest.mark.parametrize("text, message", [
    ("__import__('os').system('touch x')", "not an allowed function"),
    ("t.real", "not allowed"),
    ("(lambda: 1)()", "not an allowed function"),
    ("[t for t in 1]", "not allowed"),
    ("9**9**9**9", "too large"),
    ("q + 1", "unknown symbol 'q'"),
    ("sin(t)", "unknown function 'sin'"),
    ("exp", "without an argument"),
    ("exp(t, t)", "exactly one argument"),
    ("'text'", "not a number"),
    ("t +", "not a formula"),
    ("", "empty"),
    ("t if t else 1", "not allowed"),
    ("1/0", "not a finite real expression"),
    ("log(0) + t", "not a finite real expression"),
    ("sqrt(-1)*t", "not a finite real expression"),
    ("(" * 100 + "t" + ")" * 100 + "+" + "+".join(["t"] * 80), None),
])
def test_anything_outside_the_whitelist_is_refused(text, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if message is None:  # deep but legal nesting is fine
        parse(text, SYMBOLS)
        return
    with pytest.raises(FormulaError, match=message):
        parse(text, SYMBOLS)
    assert not (tmp_path / "x").exists()


def test_nesting_deeper_than_the_limit_is_refused():
    with pytest.raises(FormulaError, match="nested deeper"):
        parse("-" * 250 + "t", SYMBOLS)


def test_equivalence_is_symbolic_when_simplify_settles_it():
    a = parse("1 - exp(-beta*(1-t))", SYMBOLS)
    eq = equivalent(a, 1 - sp.exp(-beta * (1 - t) / 2) ** 2, {t: (0, 1), beta: (1, 1000)})
    assert eq.equal and eq.how == "symbolic"


def test_equivalence_finds_a_difference_numerically():
    a = parse("sqrt(1 - exp(-beta*(1-t)))", SYMBOLS)
    eq = equivalent(a, 1 - sp.exp(-beta * (1 - t)), {t: (0, 1), beta: (1, 1000)})
    assert not eq.equal and eq.how == "numeric" and eq.max_rel_error > 1e-3


def test_numeric_equivalence_accepts_forms_simplify_cannot_match():
    x = sp.Symbol("x", positive=True)
    # log(x**2) = 2 log(x) for x > 0: equal; whichever way it is settled it must be "equal"
    eq = equivalent(sp.log(x**2), 2 * sp.log(x), {x: (0.01, 100)})
    assert eq.equal


def test_a_large_power_that_differs_is_refuted_quickly_without_simplify():
    x = sp.Symbol("x", real=True)
    eq = equivalent(parse("(x+1)**1000 - (x+2)**999", {"x": x}), x, {x: (0.0, 2.0)})
    assert not eq.equal and eq.how == "numeric"  # simplify would take tens of seconds here


def test_huge_constant_exponents_are_refused():
    x = sp.Symbol("x", real=True)
    with pytest.raises(FormulaError, match="too large"):
        parse("x**(10**100)", {"x": x})
    with pytest.raises(FormulaError, match="too large"):
        parse("exp(exp(exp(100)))", {"x": x})
