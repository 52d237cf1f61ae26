"""LaTeX formulas read into the same whitelisted sympy tree as the plain reader, or fail in one line."""
from __future__ import annotations

import pytest
import sympy as sp

from verify.engine.errors import UserError
from verify.engine.formula import FormulaError, parse
from verify.engine.latex_formula import parse_latex, symbol_latex
from verify.engine.sheet import load_text

NAMES = ("x t m s d r beta sigma_0 sigma_j epsilon x1 E_tr_var E_marg_sq log_pT int_beta_div_s "
         "int_beta log_p0 int_div_v E_log_p_model E_log_q").split()
S = {n: sp.Symbol(n, positive=True) for n in NAMES}

# (LaTeX, the same formula in the plain syntax): each pair must give the identical sympy tree.
SAME_AS_PLAIN = [
    (r"$m + \frac{(t s^2 - (1-t))(x - t m)}{t^2 s^2 + (1 - t)^2}$",
     "m + (t*s**2 - (1-t))*(x - t*m)/(t**2*s**2 + (1-t)**2)"),
    (r"$e^{-\frac{1}{2}\beta(1 - t)}$", "exp(-beta*(1-t)/2)"),
    (r"$\exp\left(-\tfrac12 \beta (1-t)\right)$", "exp(-beta*(1-t)/2)"),
    (r"$t(1-t)$", "t*(1-t)"),
    (r"$\beta(1-t)$", "beta*(1-t)"),
    (r"$\left( x_1 - x \right) \cdot 2$", "(x1 - x)*2"),
    (r"$x_{1} \times t$", "x1*t"),
    (r"$x1 - x$", "x1 - x"),
    (r"$\dfrac{d}{2}\left(\frac{\sigma_j^2}{\sigma_0^2} - 1 - \log\frac{\sigma_j^2}{\sigma_{0}^2}\right)$",
     "d/2*(sigma_j**2/sigma_0**2 - 1 - log(sigma_j**2/sigma_0**2))"),
    (r"$\sigma^2_j$", "sigma_j**2"),
    (r"$\sqrt{1 - e^{-\beta (1-t)}}$", "sqrt(1 - exp(-beta*(1-t)))"),
    (r"$\sqrt[3]{x}$", "x**(1/3)"),
    (r"$\exp(-\beta)\,\ln r \; \cdot\! 2$", "exp(-beta)*log(r)*2"),
    (r"$\log x^2 + \ln(r) s$", "log(x**2) + log(r)*s"),
    (r"$\varepsilon + \epsilon$", "2*epsilon"),
    (r"$\mathrm{E\_tr\_var} + \text{log_pT} - \tfrac{1}{2}\mathrm{int\_beta\_div\_s}$",
     "E_tr_var + log_pT - int_beta_div_s/2"),
    (r"$\operatorname{E\_marg\_sq} \div \mathit{E\_log\_q}$", "E_marg_sq/E_log_q"),
    (r"$\mathrm{E}_{\mathrm{log\_p\_model}}$", "E_log_p_model"),
    (r"$\frac12 x^23$", "x**2*3/2"),
    (r"$\left|x - t\right| + |m| + \lvert s \rvert$", "abs(x - t) + abs(m) + abs(s)"),
    (r"$e$", "exp(1)"),
    (r"$0.5 x - .25$", "0.5*x - 0.25"),
    (r"$2 \cdot -x$", "-2*x"),
    (r"$$\left[ 2 \right] \{ x \}$$", "2*x"),
    (r"$\mathrm{log\_p0} + \mathrm{int\_div\_v}$", "log_p0 + int_div_v"),
]


@pytest.mark.parametrize("latex, plain", SAME_AS_PLAIN)
def test_latex_gives_the_same_tree_as_plain(latex, plain):
    assert parse(latex, S) == parse(plain, S)


def test_symbol_followed_by_brackets_is_a_product_not_a_call():
    # the case sympy's parse_latex reads as function calls beta(1-t) and t(1-t)
    expr = parse(r"$\beta(1-t) + t(1-t)$", S)
    assert not any(isinstance(a, sp.core.function.AppliedUndef) for a in sp.preorder_traversal(expr))
    assert sp.expand(expr - (S["beta"] * (1 - S["t"]) + S["t"] * (1 - S["t"]))) == 0


def test_the_tree_uses_only_whitelisted_nodes():
    allowed = (sp.Add, sp.Mul, sp.Pow, sp.Symbol, sp.Number, sp.exp, sp.log, sp.Abs,
               sp.core.numbers.Exp1, sp.core.numbers.NegativeOne, sp.core.numbers.Half)
    for latex, _ in SAME_AS_PLAIN:
        for node in sp.preorder_traversal(parse(latex, S)):
            assert isinstance(node, allowed), (latex, type(node))


@pytest.mark.parametrize("latex, token", [
    (r"$\input{/etc/passwd}$", r"\input"),
    (r"$x + \write18{rm}$", r"\write"),
    (r"$\pi x$", r"\pi"),
    (r"$\sigma_2$", r"\sigma_{2}"),
    (r"$y + x$", "y"),
    (r"$x2$", "x2"),
    (r"$\frac{1}{2$", "end"),
    (r"$x }$", "}"),
    (r"$\mathrm{E_tr}$", "E_tr"),
    (r"$\log$", "without an argument"),
    (r"$x^-1$", "needs braces"),
    (r"$x$ + 1", "between $ and $"),
])
def test_unknown_tokens_are_one_line_errors_naming_the_token(latex, token):
    with pytest.raises(FormulaError) as err:
        parse(latex, S)
    message = str(err.value)
    assert token in message and "\n" not in message


def test_deep_nesting_and_long_input_are_refused():
    with pytest.raises(FormulaError, match="nested deeper"):
        parse_latex("$" + "{" * 400 + "x" + "}" * 400 + "$", S)
    with pytest.raises(FormulaError, match="longer than"):
        parse("$" + "x+" * 1500 + "x$", S)


def test_huge_constant_powers_are_refused():
    with pytest.raises(FormulaError, match="too large"):
        parse(r"$10^{10^{10}}$", S)


@pytest.mark.parametrize("name, written", [
    ("t", "t"), ("beta", r"\beta"), ("sigma_0", r"\sigma_{0}"), ("sigma_j", r"\sigma_{j}"),
    ("epsilon", r"\epsilon"), ("x1", "x_{1}"), ("E_tr_var", r"\mathrm{E\_tr\_var}"),
    ("log_pT", r"\mathrm{log\_pT}"), ("int_beta", r"\mathrm{int\_beta}"),
])
def test_symbol_latex_is_a_spelling_the_reader_accepts(name, written):
    assert symbol_latex(name) == written
    assert parse_latex(f"${written}$", S) == S[name]


def test_sheet_error_names_claim_field_and_token():
    from verify.registry import REGISTRY

    sheet = '[q4d.ii]\nalpha = \'$e^{-\\frac{1}{2}\\beta(1 - t)} \\input{x}$\'\n'
    with pytest.raises(UserError) as err:
        load_text(sheet, "s.toml", REGISTRY)
    message = str(err.value)
    assert "[q4d.ii] alpha" in message and r"\input" in message and "\n" not in message


def test_latex_answer_is_judged_exactly_like_the_plain_one(auditor):
    from verify.registry import REGISTRY

    claim = REGISTRY["q4d.ii"]
    plain = load_text('[q4d.ii]\nsatisfies = false\nalpha = "exp(-beta*(1 - t)/2)"\n'
                      'sigma = "sqrt(1 - exp(-beta*(1-t)))"\n', "plain", REGISTRY)
    latex = load_text('[q4d.ii]\nsatisfies = false\nalpha = \'$e^{-\\frac{1}{2}\\beta(1 - t)}$\'\n'
                      'sigma = \'$\\sqrt{1 - e^{-\\beta(1-t)}}$\'\n', "latex", REGISTRY)
    a, b = auditor.judge(claim, plain), auditor.judge(claim, latex)
    assert a.verdict == b.verdict
    assert [(c.name, c.passed) for c in a.evidence.checks] == \
        [(c.name, c.passed) for c in b.evidence.checks]
