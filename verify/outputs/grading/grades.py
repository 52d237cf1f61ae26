"""Grade a class: every sheet judged against truths computed once, in forked workers.

The truths are computed first (`Auditor.prefetch`), so every worker inherits them; each worker then
loads, judges and scores whole sheets and sends back only a `SheetGrade` (verdict words, score and
the feedback text). A broken sheet becomes an `error` grade and never stops the class.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

from ...engine.audit import Auditor
from ...engine.claims import Claim
from ...engine.errors import UserError
from ...engine.parallel import pool_map
from ...engine.sheet import load
from .feedback import broken_feedback, feedback
from .rubric import Rubric

__all__ = ["SheetGrade", "class_sheets", "grade_class"]


@dataclass(frozen=True)
class SheetGrade:
    """One sheet's grade: status `ok` (score and a verdict word per claim) or `error` (message)."""

    sheet: str  # the file name
    status: str
    score: float | None
    verdicts: Mapping[str, str]  # claim id -> verdict word, in the claims' order; {} on error
    error: str
    feedback: str  # Markdown

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def class_sheets(folder: str | Path) -> list[Path]:
    """The sheets of a class folder: every `*.toml` in it, by name; UserError if there is none."""
    folder = Path(folder)
    if not folder.exists():
        raise UserError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise UserError(f"{folder}: not a folder (grade takes a folder of *.toml sheets)")
    sheets = sorted(p for p in folder.glob("*.toml") if p.is_file())
    if not sheets:
        raise UserError(f"{folder}: no *.toml sheet in this folder")
    return sheets


def _grade_sheet(path: Path, registry: Mapping[str, Claim], claims: Sequence[Claim],
                 auditor: Auditor, rubric: Rubric) -> SheetGrade:
    """Load, judge and score one sheet; a UserError (a broken sheet) becomes an `error` grade."""
    try:
        sheet = load(path, registry)
        results = [auditor.judge(c, sheet) for c in claims]
    except UserError as exc:
        return SheetGrade(path.name, "error", None, {}, str(exc), broken_feedback(path.name, str(exc)))
    score = rubric.score({r.claim.id: r.verdict for r in results})
    text = feedback(path.name, auditor.seed, results, rubric, score)
    return SheetGrade(path.name, "ok", score, {r.claim.id: r.verdict.word for r in results}, "",
                      text)


def grade_class(paths: Sequence[Path], registry: Mapping[str, Claim], auditor: Auditor,
                rubric: Rubric, jobs: int = 1,
                done: Callable[[SheetGrade], None] | None = None) -> list[SheetGrade]:
    """Grade the sheets at `paths` on every claim of `registry` (in `paths` order): truths in `jobs`
    workers, then sheets in `jobs` workers; `done(grade)` runs here as each sheet finishes. The
    grades are the same for every `jobs` (judging draws no random numbers; truths are per claim)."""
    claims = list(registry.values())
    auditor.prefetch(claims, jobs)

    def grade(path: Path) -> SheetGrade:
        return _grade_sheet(path, registry, claims, auditor, rubric)

    return pool_map(grade, list(paths), jobs, done and (lambda index, result: done(result)))
