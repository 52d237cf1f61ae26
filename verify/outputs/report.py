"""Reports of an audit: terminal table, JSON (a contract, see DESIGN.md) and Markdown."""
from __future__ import annotations

import json
import textwrap
from typing import Sequence

from ..engine.audit import Result
from ..engine.claims import Check, Role, Verdict

__all__ = ["table", "as_json", "markdown", "claim_markdown", "md_line", "explanation",
           "figure_paths", "counts"]

FIGURE_DIR = "figures"


def figure_paths(result: Result, out_dir: str = FIGURE_DIR) -> list[str]:
    """The files a claim's figures are written to (PDF, then PNG), relative to the working dir."""
    return [f"{out_dir}/{name}.{ext}" for name in result.evidence.figures for ext in ("pdf", "png")]


def counts(results: Sequence[Result]) -> dict[str, int]:
    """Number of claims per verdict word, every word present, in Verdict order."""
    return {v.word: sum(r.verdict is v for r in results) for v in Verdict}


def table(results: Sequence[Result], width: int = 110) -> str:
    """`claim | verdict | one-line summary`, the summary wrapped to `width` columns."""
    id_w = max([len("claim")] + [len(r.claim.id) for r in results])
    verdict_w = max(len(v.word) for v in Verdict)
    indent = id_w + verdict_w + 6
    lines = [f"{'claim':<{id_w}} | {'verdict':<{verdict_w}} | summary",
             f"{'-' * id_w}-+-{'-' * verdict_w}-+-{'-' * (width - indent)}"]
    for r in results:
        wrapped = textwrap.wrap(r.evidence.summary, max(20, width - indent)) or [""]
        lines.append(f"{r.claim.id:<{id_w}} | {r.verdict.word:<{verdict_w}} | {wrapped[0]}")
        lines += [f"{'':<{id_w}} | {'':<{verdict_w}} | {w}" for w in wrapped[1:]]
    tally = ", ".join(f"{n} {w}" for w, n in counts(results).items() if n)
    return "\n".join(lines + [f"({len(results)} claims: {tally})"])


def explanation(result: Result, max_checks: int | None = None, more: str = "",
                width: int = 100) -> str:
    """Why a claim is not `correct`, as plain text: the verdict and its meaning (the first line),
    the summary, the failed checks that decided it (roles other than fact; the first `max_checks`,
    then `more`, which says how to see the rest), the correction; wrapped to `width` columns."""
    deciding = [c for c in result.evidence.checks if not c.passed and c.role is not Role.FACT]
    shown = deciding if max_checks is None else deciding[:max_checks]
    lines = [f"{result.verdict.word}: {result.verdict.value}",
             _hanging(result.evidence.summary, "summary: ", width),
             f"failed checks ({len(deciding)}):" if deciding else "failed checks: none"]
    lines += [_hanging(_check_line(c), "  - ", width) for c in shown]
    if len(shown) < len(deciding):
        lines.append(f"  ... and {len(deciding) - len(shown)} more{more}")
    lines.append(_hanging(result.evidence.correction, "correction: ", width))
    return "\n".join(lines)


def _hanging(text: str, head: str, width: int) -> str:
    """`head` + `text` wrapped to `width`, continuation lines indented by 4."""
    return textwrap.fill(text, width, initial_indent=head, subsequent_indent=" " * 4,
                         break_on_hyphens=False)


def _check_line(c: Check) -> str:
    """`[role] name: got V, expected E (tolerance T unit); detail`, without what is not given."""
    unit = f" {c.unit}" if c.unit else ""
    got = f"got {_fmt(c.value) or 'none'}{unit}, expected {_fmt(c.expected)}{unit}"
    tolerance = f" (tolerance {_fmt(c.tolerance)}{unit})" if c.tolerance is not None else ""
    detail = f"; {c.detail}" if c.detail else ""
    return f"[{c.role.name.lower()}] {c.name}: {got}{tolerance}{detail}"


def as_json(sheet: str, seed: int, results: Sequence[Result]) -> str:
    """The JSON report of DESIGN.md; the same sheet and seed give the same bytes."""
    claims = [{
        "id": r.claim.id,
        "verdict": r.verdict.word,
        "summary": r.evidence.summary,
        "correction": "" if r.verdict is Verdict.CORRECT else r.evidence.correction,
        "checks": [c.as_json() for c in r.evidence.checks],
        "figures": figure_paths(r),
    } for r in results]
    report = {"sheet": sheet, "seed": seed, "claims": claims, "counts": counts(results)}
    return json.dumps(report, indent=2, allow_nan=False, ensure_ascii=False)


def markdown(sheet: str, seed: int, results: Sequence[Result]) -> str:
    """A Markdown report: the verdict table, then each claim's checks with their numbers."""
    out = [f"# Audit of `{sheet}` (seed {seed})", "", "| claim | verdict | summary |",
           "| --- | --- | --- |"]
    out += [f"| `{r.claim.id}` | **{r.verdict.word}** | {md_line(r.evidence.summary)} |"
            for r in results]
    for r in results:
        out += ["", f"## `{r.claim.id}`: {r.verdict.word}", "", *claim_markdown(r)]
        out += ["", "| check | role | passed | value | expected | tolerance | detail |",
                "| --- | --- | --- | --- | --- | --- | --- |"]
        out += [_md_row(c) for c in r.evidence.checks]
        out += [f"\n![{name}](figures/{name}.png)" for name in r.evidence.figures]
    return "\n".join(out) + "\n"


def claim_markdown(r: Result) -> list[str]:
    """One claim's question, verdict, summary, correction (unless correct) and the sheet's note."""
    out = [f"*{r.claim.question}*", "", f"- verdict: **{r.verdict.word}** ({r.verdict.value})",
           f"- summary: {md_line(r.evidence.summary)}"]
    if r.verdict is not Verdict.CORRECT:
        out.append(f"- correction: {md_line(r.evidence.correction)}")
    if r.note:
        out.append(f"- sheet note: {md_line(r.note)}")
    return out


def _md_row(c: Check) -> str:
    cells = [c.name, c.role.name.lower(), "yes" if c.passed else "**no**", _fmt(c.value),
             _fmt(c.expected), _fmt(c.tolerance), c.detail]
    return "| " + " | ".join(md_line(x) for x in cells) + " |"


def _fmt(x) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:.6g}"
    if isinstance(x, (list, tuple, set, frozenset)):
        return ", ".join(_fmt(i) for i in (sorted(x) if isinstance(x, (set, frozenset)) else x))
    return str(x)


def md_line(text: str) -> str:
    """One table-safe Markdown line: no control characters, no raw HTML, pipes escaped."""
    clean = "".join(c if c.isprintable() else " " for c in str(text))
    return clean.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
