"""Derivation chains (`F_steps`): one PART check per equality, named `F step k`, judged by
`formula.equivalent` on the field's domain; a broken step makes a right answer `flawed`."""
from __future__ import annotations

import sympy as sp

from verify.engine.audit import Auditor
from verify.engine.claims import Check, Claim, Evidence, Field, Role, Truth, Verdict
from verify.engine.formula import equivalent
from verify.engine.sheet import load_text
from verify.engine.steps import chain_checks, step_name, steps_key
from verify.registry import REGISTRY

t = sp.Symbol("t", positive=True)
beta = sp.Symbol("beta", positive=True)
_DOMAIN = {t: (0.0, 1.0), beta: (1.0, 10.0)}
_TRUE = sp.exp(-beta * (1 - t) / 2)


def _judge(answer, truth):
    """A toy judge: `f` is the conclusion, compared with exp(-beta (1 - t)/2)."""
    eq = equivalent(answer["f"], _TRUE, _DOMAIN)
    return Evidence((Check.exact("f = exp(-beta (1 - t)/2)", eq.equal, role=Role.CONCLUSION),),
                    "toy summary")


_CLAIM = Claim("q4b", "a toy claim", (Field("f", "formula", "a schedule", symbols=(t, beta),
                                            domain=_DOMAIN),),
               lambda *, rng: Truth(()), _judge)
_TOY = {"q4b": _CLAIM}


def _audit(text: str, registry=_TOY, claim_id: str = "q4b"):
    sheet = load_text(text, "chain.toml", registry)
    return Auditor(seed=0).judge(registry[claim_id], sheet)


def _steps(result, field: str = "f"):
    return [c for c in result.evidence.checks if c.name.startswith(f"{field} step ")]


def test_steps_key_and_names_follow_the_convention():
    assert steps_key("alpha") == "alpha_steps" and step_name("alpha", 3) == "alpha step 3"


def test_a_correct_chain_is_correct_with_one_check_per_equality():
    r = _audit('[q4b]\nf = "exp(-beta/2 + beta*t/2)"\n'
               'f_steps = ["exp(-beta*(1 - t)/2)", "exp(-beta/2)*exp(beta*t/2)"]')
    steps = _steps(r)
    # names: k = 1-based index of the later expression; (last step, f) is step n + 1 = 3
    assert [c.name for c in steps] == ["f step 2", "f step 3"]
    assert all(c.passed and c.role is Role.PART for c in steps)
    assert r.verdict is Verdict.CORRECT
    assert "derivation: all 2 step checks hold" in r.evidence.summary


def test_a_broken_middle_step_makes_a_correct_answer_flawed_and_is_named():
    r = _audit('[q4b]\nf = "exp(-beta*(1 - t)/2)"\n'
               'f_steps = ["exp(-beta*(1 - t)/2)", "exp(-beta*(1 - t))", "exp(-beta*(1 - t)/2)"]')
    passed = {c.name: c.passed for c in _steps(r)}
    assert passed == {"f step 2": False, "f step 3": False, "f step 4": True}
    assert r.verdict is Verdict.FLAWED
    assert "first broken step: f step 2 (step 1 = step 2: max relative difference" in \
        r.evidence.summary


def test_a_wrong_answer_stays_what_its_judge_made_it():
    r = _audit('[q4b]\nf = "exp(-beta*t)"\nf_steps = ["exp(-beta*t/2)**2"]')
    assert [c.passed for c in _steps(r)] == [True]  # a consistent chain to a wrong answer
    assert r.verdict is Verdict.INCORRECT


def test_latex_steps_are_read_like_the_field():
    r = _audit('[q4b]\nf = "exp(-beta*(1 - t)/2)"\n'
               r"f_steps = ['$e^{-\frac{1}{2}\beta (1 - t)}$', '$\sqrt{e^{-\beta(1-t)}}$']")
    assert [c.passed for c in _steps(r)] == [True, True]
    assert r.verdict is Verdict.CORRECT


def test_relations_are_substituted_before_comparing():
    x, y, z = sp.symbols("x y z", positive=True)
    spec = Field("c", "formula", "toy", symbols=(x, y, z), domain={x: (1.0, 2.0), y: (1.0, 2.0)},
                 relations={z: x + y})
    ok, = chain_checks(spec, ((z - y) / 2,), x / 2)
    assert ok.passed and ok.name == "c step 2"


# Full sheets through the real claims: the chain's checks join the claim's own.

def test_q4d_ii_chain_with_a_broken_step_is_flawed(auditor):
    sheet = load_text('[q4d.ii]\nsatisfies = false\nviolated = ["alpha_0"]\n'
                      'alpha = "exp(-beta*(1 - t)/2)"\nalpha_steps = ["exp(-beta*(1 - t))"]\n'
                      'sigma = "1 - exp(-beta*(1 - t))"\n'
                      r"sigma_steps = ['$1 - e^{-\beta(1-t)}$']",
                      "q4d.toml", REGISTRY)
    r = auditor.judge(REGISTRY["q4d.ii"], sheet)
    steps = {c.name: c.passed for c in r.evidence.checks if " step " in c.name}
    assert steps == {"alpha step 2": False, "sigma step 2": True}
    assert r.verdict is Verdict.FLAWED and "first broken step: alpha step 2" in r.evidence.summary


def test_q4d_ii_correct_chain_keeps_the_correct_verdict(auditor):
    sheet = load_text('[q4d.ii]\nsatisfies = false\nviolated = ["alpha_0"]\n'
                      'alpha = "exp(-beta*(1 - t)/2)"\n'
                      'alpha_steps = ["exp(-beta*t/2)*exp(beta*t/2)*exp(-beta*(1 - t)/2)"]',
                      "q4d.toml", REGISTRY)
    r = auditor.judge(REGISTRY["q4d.ii"], sheet)
    assert r.verdict is Verdict.CORRECT
    assert [c.passed for c in r.evidence.checks if c.name == "alpha step 2"] == [True]


def test_q1a_chain_uses_the_law_of_total_variance(auditor):
    sheet = load_text('[q1a]\nholds = true\nc = "-E_tr_var/2"\n'
                      'c_steps = ["(E_marg_sq - E_cond_sq)/2"]', "q1a.toml", REGISTRY)
    r = auditor.judge(REGISTRY["q1a"], sheet)
    assert [c.passed for c in r.evidence.checks if c.name == "c step 2"] == [True]
    wrong = load_text('[q1a]\nholds = true\nc = "-E_tr_var/2"\n'
                      'c_steps = ["(E_cond_sq - E_marg_sq)/2"]', "q1a.toml", REGISTRY)
    r = auditor.judge(REGISTRY["q1a"], wrong)
    assert [c.passed for c in r.evidence.checks if c.name == "c step 2"] == [False]


def test_q4c_ii_wrong_marginal_field_stays_incorrect_with_a_consistent_chain(auditor):
    sheet = load_text('[q4c.ii]\nconditional_vf = "(x1 - x)/(1 - t)"\nmarginal_vf = "m - x"\n'
                      'marginal_vf_steps = ["m - x + 0*t"]\n'
                      'conditional_vf_steps = ["(x1 - x)/(1 - t)", "x1 - x"]', "q4c.toml", REGISTRY)
    r = auditor.judge(REGISTRY["q4c.ii"], sheet)
    steps = {c.name: c.passed for c in r.evidence.checks if " step " in c.name}
    assert steps == {"conditional_vf step 2": False, "conditional_vf step 3": False,
                     "marginal_vf step 2": True}
    assert r.verdict is Verdict.INCORRECT
