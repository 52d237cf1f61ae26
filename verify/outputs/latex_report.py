r"""The LaTeX report: `report.tex` plus the figures it includes, compiling on its own.

Generic over the registered claims: a first page with the verdict table, then one section per
claim (homework order) with what the sheet answered (formulas by `sympy.latex`; a field's
derivation chain `F_steps` as one aligned line per step with its `F step k` check beside it), the derivation
(optional protocol: `Truth.facts["derivation"]` is a tuple of steps `(lhs_latex_or_label, sympy
expression, check text)`), the checks as a booktabs table, the corrected statement and the figures.
A check's `unit` (e.g. nats) is written beside its value and expected value. Every string from
the sheet or from a check is escaped (`escape`), so a sheet cannot inject commands. Deterministic:
no dates; the same sheet and seed give the same bytes.
"""
from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import unicodedata
from importlib import metadata
from pathlib import Path
from typing import Any, Sequence

import sympy as sp

from ..engine.audit import Result
from ..engine.claims import Check, Verdict
from ..engine.errors import UserError
from ..engine.latex_formula import symbol_latex_names
from ..engine.sheet import Sheet
from ..engine.steps import step_name, steps_key

__all__ = ["REPORT_DIR", "TEX_PACKAGES", "escape", "number", "render", "write", "compile_pdf"]

REPORT_DIR = "report"
TEX_PACKAGES = "texlive-latex-base texlive-latex-recommended latexmk"
FIGURE_SUBDIR = "figures"
_VERSIONS = ("dgm-verify", "sympy", "numpy", "scipy", "mpmath", "matplotlib")
_SE = re.compile(r"\+- ([0-9.eE+-]+) \(SE\)")  # written by Check.monte_carlo into `detail`

_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
            "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
            "<": r"\ensuremath{<}", ">": r"\ensuremath{>}", "|": r"\ensuremath{|}"}
_GREEK_UNICODE = {chr(0x3B1 + i): n for i, n in enumerate(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi o pi rho varsigma "
    "sigma tau upsilon phi chi psi omega".split())}
_UNICODE = {"−": "-", "–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''",
            "≤": r"\ensuremath{\le}", "≥": r"\ensuremath{\ge}", "≠": r"\ensuremath{\neq}",
            "≈": r"\ensuremath{\approx}", "±": r"\ensuremath{\pm}", "×": r"\ensuremath{\times}",
            "→": r"\ensuremath{\to}", "∞": r"\ensuremath{\infty}", "√": r"\ensuremath{\surd}",
            "²": r"\ensuremath{^2}", "₀": r"\ensuremath{_0}", "₁": r"\ensuremath{_1}",
            "ₜ": r"\ensuremath{_t}", "̇": "", "…": r"\dots{}", "·": r"\ensuremath{\cdot}"}


def escape(text: Any) -> str:
    """Plain text for LaTeX: specials escaped, unicode mapped or shown as U+XXXX, no control chars."""
    out = []
    for ch in str(text):
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch in "\n\r\t":
            out.append(" ")
        elif ord(ch) < 32 or ord(ch) == 127:
            continue
        elif ord(ch) < 128:
            out.append(ch)
        elif ch in _UNICODE:
            out.append(_UNICODE[ch])
        elif ch.lower() in _GREEK_UNICODE and ch.lower() != "ο":
            name = _GREEK_UNICODE[ch.lower()]
            out.append(r"\ensuremath{\%s}" % (name if ch.islower() else name.capitalize()))
        elif _accented(ch):
            out.append(_accented(ch))
        else:
            out.append(r"\texttt{U+%04X}" % ord(ch))
    return "".join(out)


_ACCENTS = {"\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0308": '"',
            "\u0327": "c", "\u030a": "r", "\u030c": "v", "\u0304": "=", "\u0306": "u"}


def _accented(ch: str) -> str:
    """An accented Latin letter as an accent command (`é` -> `\\'{e}`), else ''."""
    parts = unicodedata.normalize("NFD", ch)
    if len(parts) == 2 and parts[0].isascii() and parts[0].isalpha() and parts[1] in _ACCENTS:
        return "{\\%s{%s}}" % (_ACCENTS[parts[1]], parts[0])
    return ""


def _breakable(text: Any) -> str:
    """Escaped text in which long unbroken runs may wrap (after , + * = / _ and every 12 characters)."""
    pieces, run = [], 0
    for ch in str(text):
        pieces.append(escape(ch))
        run = 0 if ch == " " else run + 1
        if ch in ",+*=/_" or run >= 12:
            pieces.append(r"\allowbreak{}")
            run = 0
    return "".join(pieces)


def _sci(x: float, digits: int = 6) -> str:
    """Math-mode number: `.{digits}g` with exponents as \\times 10^{k}."""
    if not math.isfinite(x):
        return r"\text{NaN}" if math.isnan(x) else (r"\infty" if x > 0 else r"-\infty")
    mant, _, exp = f"{x:.{digits}g}".partition("e")
    return mant if not exp else rf"{mant}\times 10^{{{int(exp)}}}"


def number(value: float, se: float | None = None, unit: str = "", digits: int = 6) -> str:
    r"""A number in math mode with its uncertainty: `1.2345(67)` (SE in the last digits), or
    `(1.2345(67))\times 10^{-5}` for very small/large values, or `v \pm SE` when SE >= 10."""
    unit_tex = rf"\,\mathrm{{{unit}}}" if unit else ""
    v = float(value)
    if se is None or not math.isfinite(se) or se <= 0 or not math.isfinite(v):
        return f"${_sci(v, digits)}{unit_tex}$"
    shift = 0
    if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e5):
        shift = math.floor(math.log10(abs(v)))
    vs, ss = v / 10**shift, se / 10**shift
    decimals = 1 - math.floor(math.log10(ss))
    if decimals <= 0:
        body = rf"{_sci(v)} \pm {_sci(se, 2)}"
        return f"${body}{unit_tex}$"
    body = f"{vs:.{decimals}f}({round(ss * 10**decimals)})"
    if shift:
        body = rf"({body})\times 10^{{{shift}}}"
    return f"${body}{unit_tex}$"


def _value(x: Any, se: float | None = None, unit: str = "") -> str:
    """Any check value (number, bool, string, list, sympy) as LaTeX."""
    if x is None:
        return ""
    if isinstance(x, bool) or type(x).__name__ == "bool_":  # numpy booleans too
        return "yes" if x else "no"
    if isinstance(x, sp.Basic):
        return _formula(x)
    if isinstance(x, (int, float)) or hasattr(x, "__float__") and not isinstance(x, str):
        try:
            return number(float(x), se, unit)
        except (TypeError, ValueError):
            pass
    if isinstance(x, (list, tuple, set, frozenset)):
        items = sorted(x, key=str) if isinstance(x, (set, frozenset)) else x
        return ", ".join(_value(i) for i in items) or r"\emph{none}"
    return _string(str(x))


_DECIMAL = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_FORMULA_CHARS = re.compile(r"[A-Za-z0-9_.+\-*/()^ ]+")


def _string(text: str) -> str:
    """A string value: a decimal keeps all its digits in math; a sympy-printed formula (`sstr`) is
    re-read by the whitelisted `formula.parse` and shown by `sympy.latex`; anything else verbatim."""
    if _DECIMAL.fullmatch(text):
        mant, _, exp = text.lower().partition("e")
        mant = r"\allowbreak{}".join(mant[i:i + 10] for i in range(0, len(mant), 10))
        return f"${mant}" + (rf"\times 10^{{{int(exp)}}}" if exp else "") + "$"
    if (len(text) <= 400 and _FORMULA_CHARS.fullmatch(text) and re.search(r"[A-Za-z]", text)
            and re.search(r"[-+*/(^]", text) and not re.search(r"\de[-+]?\d", text)):
        from ..engine.formula import FUNCTIONS, FormulaError, parse

        source = text.replace("Abs(", "abs(")
        names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source)) - set(FUNCTIONS)
        try:
            return _formula(parse(source, {n: sp.Symbol(n) for n in names}))
        except (FormulaError, ValueError, TypeError):
            pass
    return r"\texttt{" + _breakable(text) + "}"


def _formula(expr: sp.Basic) -> str:
    return "$" + sp.latex(expr, symbol_names=symbol_latex_names(expr.free_symbols)) + "$"


def _se(check: Check) -> float | None:
    m = _SE.search(check.detail or "")
    try:
        return float(m.group(1)) if m else None
    except ValueError:
        return None


def _tolerance(check: Check) -> str:
    se, unit = _se(check), check.unit
    bound = None if check.tolerance is None else number(float(check.tolerance), unit=unit, digits=3)
    if se is not None:
        return rf"SE {number(se, unit=unit, digits=2)}" + (f"; bound {bound}" if bound else "")
    return bound or ""


def _label(name: str, kind: str = "claim") -> str:
    """A LaTeX label for a claim id or figure name (only letters, digits, '.' and '-')."""
    return f"{kind}:" + re.sub(r"[^A-Za-z0-9.]", "-", name)


def _versions() -> str:
    parts = []
    for name in _VERSIONS:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    return ", ".join(parts)


def _preamble(sheet: str, seed: int) -> list[str]:
    return [
        r"\documentclass[10pt,a4paper]{article}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage{graphicx}",
        r"\usepackage{booktabs}",
        r"\usepackage{longtable}",
        r"\usepackage{array}",
        r"\usepackage[hidelinks]{hyperref}",
        r"\setlength{\emergencystretch}{3em}",
        r"\allowdisplaybreaks",
        r"\title{Certification of the DGM homework-2 answers}",
        r"\author{dgm-verify}",
        r"\date{sheet \texttt{" + _breakable(sheet) + rf"}}, seed {int(seed)}}}",
        r"\begin{document}",
        r"\maketitle",
        r"\thispagestyle{empty}",
    ]


def _first_page(sheet: str, seed: int, results: Sequence[Result]) -> list[str]:
    out = [r"\noindent Audited sheet: \texttt{" + _breakable(sheet) + rf"}}; seed {int(seed)}; "
           r"versions: " + escape(_versions()) + ".", "",
           r"\begin{longtable}{@{}l l >{\raggedright\arraybackslash}p{0.62\textwidth}@{}}",
           r"\toprule claim & verdict & summary \\ \midrule \endhead"]
    for r in results:
        out.append(rf"\hyperref[{_label(r.claim.id)}]{{\texttt{{{escape(r.claim.id)}}}}} & "
                   rf"\textbf{{{r.verdict.word}}} & {escape(r.evidence.summary)} \\")
    out += [r"\bottomrule", r"\end{longtable}"]
    tally = ", ".join(f"{sum(r.verdict is v for r in results)} {v.word}" for v in Verdict
                      if any(r.verdict is v for r in results))
    out += [rf"\noindent {len(results)} claims: {escape(tally)}.", "", r"\medskip\noindent",
            r"\begin{tabular}{@{}ll@{}}"]
    out += [rf"\textbf{{{v.word}}} & {escape(v.value)} \\" for v in Verdict]
    return out + [r"\end{tabular}", r"\clearpage"]


def _answer(result: Result, answer) -> list[str]:
    claim = result.claim
    stated = [f for f in claim.fields if f.name in answer]
    if not stated and not result.note:
        return [r"\paragraph{What the sheet answered.} Nothing: the sheet has no entry for this part."]
    out = [r"\paragraph{What the sheet answered.}"]
    if stated:
        out += [r"\begin{longtable}{@{}l >{\raggedright\arraybackslash}p{0.36\textwidth} "
                r">{\raggedright\arraybackslash}p{0.4\textwidth}@{}}",
                r"\toprule field & answer & meaning \\ \midrule \endhead"]
        out += [rf"\texttt{{{escape(f.name)}}} & {_value(answer[f.name])} & {escape(f.doc)} \\"
                for f in stated]
        out += [r"\bottomrule", r"\end{longtable}"]
    for f in stated:
        if steps_key(f.name) in answer:
            out += _chain(result, f.name, (*answer[steps_key(f.name)], answer[f.name]))
    if result.note:
        out += [r"\noindent Note on the sheet (shown, not checked): ``" + escape(result.note) + "''"]
    return out


def _chain(result: Result, name: str, chain) -> list[str]:
    """The sheet's chain e_1 = ... = e_n = F, one align* row per expression, each equality's
    check (`F step k`, from the evidence) beside it."""
    checks = {c.name: c for c in result.evidence.checks}

    def tex(expr) -> str:
        return sp.latex(expr, symbol_names=symbol_latex_names(expr.free_symbols))

    rows = [rf"& {tex(chain[0])} && \text{{\footnotesize step 1}}"]
    for k, expr in enumerate(chain[1:], 2):
        check = checks[step_name(name, k)]
        label = f"{escape(name)} (the field)" if k == len(chain) else f"step {k}"
        verdict = ("holds" if check.passed else r"\textbf{fails}") + ": " + escape(check.detail)
        rows.append(rf"={{}}& {tex(expr)} && \parbox[t]{{0.42\textwidth}}"
                    rf"{{\footnotesize {label}: {verdict}}}")
    return [rf"\noindent Derivation of \texttt{{{escape(name)}}} stated by the sheet:",
            r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"]


def _derivation(steps) -> list[str]:
    """One align* row per step, its check as text under it across the whole width."""
    out = [r"\paragraph{Derivation.} Each step is one line; its check is written under it.",
           r"\begin{align*}"]
    rows = []
    for lhs, expr, check in steps:
        rhs = sp.latex(expr, symbol_names=symbol_latex_names(getattr(expr, "free_symbols", ())))
        rows.append(rf"{lhs} &= {rhs} \\" + "\n" + rf"\intertext{{\footnotesize\qquad {escape(check)}}}")
    return out + ["\n".join(rows), r"\end{align*}"]


_WIDE_MATH = 60  # longer formulas leave the table for the details below it


def _is_wide(cell: str) -> bool:
    return cell.startswith("$") and len(cell.replace(r"\allowbreak{}", "")) > _WIDE_MATH


def _checks(result: Result) -> list[str]:
    out = [r"\paragraph{Checks.} Role: \emph{fact} (a finding), \emph{control} (accuracy of the "
           r"suite's reference), \emph{conclusion}, \emph{part} and \emph{demand} (the sheet against "
           r"the truth). Details follow the table.",
           r"{\small\begin{longtable}{@{}r >{\raggedright\arraybackslash}p{0.3\textwidth} l "
           r">{\raggedright\arraybackslash}p{0.14\textwidth} >{\raggedright\arraybackslash}p{0.14\textwidth} "
           r">{\raggedright\arraybackslash}p{0.11\textwidth} l@{}}",
           r"\toprule \# & check & role & value & expected & tol.\ / SE & passed \\ \midrule \endhead"]
    details = []
    for i, c in enumerate(result.evidence.checks, 1):
        unit = c.unit
        value, expected = _value(c.value, _se(c), unit), _value(c.expected, None, unit)
        wide = [(label, cell) for label, cell in (("value", value), ("expected", expected))
                if _is_wide(cell)]
        value, expected = ("(below)" if _is_wide(value) else value,
                           "(below)" if _is_wide(expected) else expected)
        out.append(rf"{i} & {escape(c.name)} & {c.role.name.lower()} & {value} & "
                   rf"{expected} & {_tolerance(c)} & "
                   + ("yes" if c.passed else r"\textbf{no}") + r" \\")
        if c.detail or wide:
            shown = "".join(rf" {label}: \[ {cell.strip('$')} \]" for label, cell in wide)
            details.append(rf"\item[{i}.] {_breakable(c.detail)}{shown}")
    out += [r"\bottomrule", r"\end{longtable}}"]
    if details:
        out += [r"{\small\begin{description}"] + details + [r"\end{description}}"]
    return out


def _figure_caption(name: str) -> str:
    from .figures import FIGURES

    doc = " ".join((FIGURES[name].__doc__ or "").split()) if name in FIGURES else ""
    parts = (doc or name).split("$")
    if len(parts) % 2 == 0:  # unbalanced $: all text
        return escape(doc or name)
    # the docstring is our code, not sheet text: its $...$ math is kept, the prose escaped
    return "".join(f"${p}$" if i % 2 else escape(p) for i, p in enumerate(parts))


def _claim_section(result: Result, answer, facts: dict, shown: set[str]) -> list[str]:
    claim = result.claim
    out = [rf"\section{{\texttt{{{escape(claim.id)}}}: {escape(claim.question)}}}",
           rf"\label{{{_label(claim.id)}}}",
           rf"\noindent Verdict: \textbf{{{result.verdict.word}}} ({escape(result.verdict.value)}). "
           rf"{escape(result.evidence.summary)}"]
    out += _answer(result, answer)
    steps = facts.get("derivation")
    if steps:
        out += _derivation(steps)
    if result.evidence.checks:
        out += _checks(result)
    if result.verdict is not Verdict.CORRECT and result.evidence.correction:
        out += [r"\paragraph{Corrected statement.} " + escape(result.evidence.correction)]
    for name in result.evidence.figures:
        if name in shown:
            label = _label(name, "fig")
            out += [rf"\noindent See Figure~\ref{{{label}}} (page~\pageref{{{label}}})."]
            continue
        shown.add(name)
        out += [r"\begin{figure}[htbp]", r"\centering",
                rf"\includegraphics[width=\linewidth]{{{FIGURE_SUBDIR}/{name}.pdf}}",
                rf"\caption{{\texttt{{{escape(name)}}}: {_figure_caption(name)}}}",
                rf"\label{{{_label(name, 'fig')}}}", r"\end{figure}"]
    return out


def render(sheet: Sheet, seed: int, results: Sequence[Result], facts_of=lambda claim: {}) -> str:
    """The report as LaTeX source; `facts_of(claim)` gives the claim's Truth.facts (derivation, units)."""
    out = _preamble(sheet.name, seed) + _first_page(sheet.name, seed, results)
    shown: set[str] = set()
    for r in results:
        out += _claim_section(r, sheet.answer(r.claim.id), dict(facts_of(r.claim) or {}), shown) + [""]
    return "\n".join(out + [r"\end{document}", ""])


def write(sheet: Sheet, seed: int, claims: Sequence, out_dir: Path, auditor, jobs: int = 1) -> Path:
    """Audit `sheet` on `claims` and write `out_dir/report.tex` with the figures it includes
    (`out_dir/figures/*.pdf`); truths and figures share one pool of `jobs` forked workers."""
    from .figures import figure_names, write as write_figures

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_figures(figure_names(claims), out_dir / FIGURE_SUBDIR, auditor, formats=("pdf",), jobs=jobs, claims=claims)
    results = auditor.audit(sheet, claims)  # judges show only figures their claim lists (tested)
    path = out_dir / "report.tex"
    path.write_text(render(sheet, seed, results, lambda claim: auditor.truth(claim).facts),
                    encoding="utf-8")
    return path


def compile_pdf(tex: Path) -> Path:
    """Run `latexmk -pdf` next to `tex`; UserError (one line) when latexmk is missing or fails."""
    exe = shutil.which("latexmk")
    if exe is None:
        raise UserError(f"latexmk not found: install TeX ({TEX_PACKAGES}), e.g. "
                        f"apt-get install --no-install-recommends {TEX_PACKAGES}; "
                        f"{tex} was written")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"}
    run = subprocess.run([exe, "-pdf", "-interaction=nonstopmode", "-halt-on-error", "-silent",
                          tex.name], cwd=tex.parent, env=env, capture_output=True, text=True)
    pdf = tex.with_suffix(".pdf")
    if run.returncode != 0 or not pdf.exists():
        raise UserError(f"latexmk failed on {tex} (exit {run.returncode}): see {tex.with_suffix('.log')}")
    return pdf
