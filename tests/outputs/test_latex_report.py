"""The LaTeX report: escaped text, numbers with uncertainty, deterministic source, and a real compile."""
from __future__ import annotations

import os
import re
import shutil

import pytest
import sympy as sp

from verify import cli
from verify.engine.audit import Result
from verify.engine.claims import Check, Claim, Evidence, Field, Role, Truth, Verdict
from verify.engine.steps import chain_checks
from verify.outputs.latex_report import compile_pdf, escape, number, render
from verify.engine.sheet import Sheet, load

INJECTIONS = [r"\input{/etc/passwd}", r"\immediate\write18{rm -rf /}", "}}}{", r"$\x$ & # % ^ _ ~",
              "\\\\newline \\def\\a{b}", "line\nbreak\ttab\x00nul", "é α ≤ 中"]


@pytest.mark.parametrize("text", INJECTIONS)
def test_escaped_text_has_no_commands_and_balanced_braces(text):
    out = escape(text)
    commands = set(re.findall(r"\\([A-Za-z]+)", out))
    assert commands <= {"textbackslash", "textasciicircum", "textasciitilde", "ensuremath",
                        "alpha", "le", "texttt"}
    depth = 0
    for ch in re.sub(r"\\[{}]", "", out):  # \{ and \} are printed braces, not groups
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0


@pytest.mark.parametrize("value, se, expected", [
    (1.23456789, 0.0000673, "$1.234568(67)$"),
    (1.2345, 0.0067, "$1.2345(67)$"),
    (-0.0378, 0.01, "$-0.038(10)$"),
    (2.5e-5, 3.1e-7, r"$(2.500(31))\times 10^{-5}$"),
    (123.0, 45.0, r"$123 \pm 45$"),
    (0.5, None, "$0.5$"),
    (1.4e-130, None, r"$1.4\times 10^{-130}$"),
])
def test_numbers_carry_their_standard_error(value, se, expected):
    assert number(value, se) == expected


def test_units_follow_the_number():
    assert number(2.0, unit="nats") == r"$2\,\mathrm{nats}$"


def _toy(note: str = "", derivation=()):
    x = sp.Symbol("x1", real=True)
    claim = Claim("q4c.i", "a toy claim", (Field("f", "formula", "a formula", symbols=(x,),
                                                     domain={x: (-1.0, 1.0)}),),
                  lambda *, rng: Truth(()), lambda a, t: Evidence((), ""))
    checks = (Check.monte_carlo("mean", 1.01, 0.004, 1.0, role=Role.FACT, unit="nats"),
              Check.close("closed form", 0.5, 0.5, atol=1e-12, role=Role.PART))
    evidence = Evidence(checks, "summary with 5% & $", "the true statement", ())
    result = Result(claim, Verdict.FLAWED, evidence, note)
    sheet = Sheet("toy <sheet>", {"q4c.i": {"f": x**2 / 2, "note": note}})
    facts = {"derivation": derivation}
    return sheet, [result], lambda c: facts


def test_a_sheet_note_cannot_inject_commands():
    sheet, results, facts = _toy(note=r"\input{/etc/passwd} \write18{ls} }{")
    tex = render(sheet, 0, results, facts)
    assert r"\input{/etc" not in tex and r"\write18" not in tex
    assert r"\textbackslash{}input\{/etc/passwd\}" in tex


def test_formulas_are_rendered_by_sympy_and_derivations_line_by_line():
    x = sp.Symbol("x1", real=True)
    steps = ((r"\frac{d}{dx_1} x_1^2", 2 * x, "sympy: diff(x1**2, x1) - 2 x1 = 0"),
             (r"\text{at } x_1 = 1", sp.Integer(2), "substitution"))
    sheet, results, facts = _toy(derivation=steps)
    tex = render(sheet, 0, results, facts)
    assert r"$\frac{x_{1}^{2}}{2}$" in tex
    assert (r"\frac{d}{dx_1} x_1^2 &= 2 x_{1} \\" + "\n"
            + r"\intertext{\footnotesize\qquad sympy: diff(x1**2, x1) - 2 x1 = 0}") in tex
    assert r"$1.0100(40)\,\mathrm{nats}$" in tex and r"SE $0.004\,\mathrm{nats}$" in tex
    assert r"$0.5$ & $0.5$ & $1\times 10^{-12}$" in tex  # no unit where none is given
    assert r"\paragraph{Corrected statement.} the true statement" in tex


def _chain_toy():
    """A toy claim whose sheet reaches f = x1^2/2 by x1^2 = (x1 + 1)^2 - 2 x1 - 1 (holds) = x1^2/2
    (broken)."""
    sheet, (result,), facts = _toy()
    x = sp.Symbol("x1", real=True)
    steps = (x ** 2, (x + 1) ** 2 - 2 * x - 1)
    sheet = Sheet(sheet.name, {"q4c.i": {"f": x ** 2 / 2, "f_steps": steps}})
    checks = chain_checks(result.claim.fields[0], steps, x ** 2 / 2)
    result = Result(result.claim, result.verdict,
                    Evidence(result.evidence.checks + checks, "s"))
    return sheet, [result], facts


def test_a_sheet_chain_is_typeset_with_each_steps_check_beside_it():
    sheet, results, facts = _chain_toy()
    tex = render(sheet, 0, results, facts)
    assert r"\noindent Derivation of \texttt{f} stated by the sheet:" in tex
    chain = tex.split(r"\begin{align*}", 1)[1].split(r"\end{align*}", 1)[0]
    rows = chain.strip().splitlines()
    assert rows[0] == r"& x_{1}^{2} && \text{\footnotesize step 1} \\"
    assert rows[1].startswith(r"={}& - 2 x_{1} + \left(x_{1} + 1\right)^{2} - 1 && \parbox[t]"
                              r"{0.42\textwidth}{\footnotesize step 2: holds: step 1 = step 2")
    assert rows[2].startswith(r"={}& \frac{x_{1}^{2}}{2} && \parbox[t]{0.42\textwidth}{\footnotesize "
                              r"f (the field): \textbf{fails}: step 2 = f itself")
    assert rows[2].endswith("}") and len(rows) == 3  # no \\ after the last row: no empty line
    assert chain.count("{") == chain.count("}")


def test_a_chain_report_compiles(tmp_path):
    if shutil.which("latexmk") is None:
        pytest.skip("latexmk not installed (apt-get install texlive-latex-base "
                    "texlive-latex-recommended latexmk)")
    sheet, results, facts = _chain_toy()
    tex = tmp_path / "report.tex"
    tex.write_text(render(sheet, 0, results, facts), encoding="utf-8")
    assert compile_pdf(tex).exists()


@pytest.fixture(scope="module")
def seed_results(auditor):
    from verify.registry import REGISTRY

    sheet = load(None, REGISTRY)
    return sheet, auditor.audit(sheet, REGISTRY.values())


def test_a_judge_shows_only_figures_its_claim_lists(seed_results):
    # the report renders claim.figures before judging; the evidence must not ask for more
    _, results = seed_results
    assert all(set(r.evidence.figures) <= set(r.claim.figures) for r in results)


def test_the_same_sheet_and_seed_give_the_same_bytes(seed_results, auditor):
    sheet, results = seed_results
    facts = lambda claim: auditor.truth(claim).facts  # noqa: E731
    first = render(sheet, 0, results, facts)
    assert first == render(sheet, 0, results, facts)
    for r in results:
        assert r"\label{claim:" + re.sub(r"[^A-Za-z0-9.]", "-", r.claim.id) + "}" in first


def test_report_pdf_without_latexmk_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys, auditor):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(cli, "_auditor", lambda args: auditor)
    monkeypatch.setattr("verify.outputs.figures.write", lambda *args, **kwargs: [])  # not under test
    assert cli.main(["report", "--out", str(tmp_path / "r"), "--pdf", "-q"]) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1  # one line (a "warning:" line about unregistered ids may precede it)
    assert "latexmk" in errors[0] and "texlive-latex-recommended" in errors[0]
    assert (tmp_path / "r" / "report.tex").exists()


def test_seed_report_compiles_with_every_claim_and_figure(tmp_path, monkeypatch, auditor, seed_results,
                                                          written_figures):
    if shutil.which("latexmk") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("latexmk is missing under CI=true: install texlive-latex-base "
                        "texlive-latex-recommended latexmk")
        pytest.skip("latexmk not installed (apt-get install texlive-latex-base "
                    "texlive-latex-recommended latexmk)")
    monkeypatch.setattr(cli, "_auditor", lambda args: auditor)

    def copy_figures(names, out_dir, aud, formats, **options):  # the session's, not a re-rendering
        out_dir.mkdir(parents=True, exist_ok=True)
        return [shutil.copy(written_figures[f"{n}.{ext}"], out_dir) for n in names for ext in formats]

    monkeypatch.setattr("verify.outputs.figures.write", copy_figures)
    out = tmp_path / "report"
    assert cli.main(["report", "--out", str(out), "--pdf", "-q"]) == 0
    log = (out / "report.log").read_text("latin-1")
    aux = (out / "report.aux").read_text("latin-1")
    pages = int(re.search(r"Output written on report\.pdf \((\d+) pages?", log).group(1))
    _, results = seed_results
    assert pages >= 1 + len(results) // 3  # a first page, then at least a page per 3 parts
    for r in results:  # every claim's section was typeset (its label reached the .aux)
        assert "\\newlabel{claim:" + re.sub(r"[^A-Za-z0-9.]", "-", r.claim.id) + "}" in aux
        for name in r.evidence.figures:  # and every figure file was included
            assert f"figures/{name}.pdf" in log
    flat = log.replace("\n", "")  # the log wraps lines at 79 characters
    assert not re.search(r"LaTeX Warning: (Reference|Hyper reference|Citation) `[^']*' on page", flat)
    assert "There were undefined references" not in flat
    assert "Rerun to get" not in log.split("Output written")[-1]
