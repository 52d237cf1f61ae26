"""Feedback for one student, in Markdown: the score, then each claim's verdict, the points it earned,
its summary and (when not correct) the correction, as in the audit's Markdown report."""
from __future__ import annotations

from typing import Sequence

from ...engine.audit import Result
from ..report import claim_markdown, md_line
from .rubric import Rubric

__all__ = ["feedback", "broken_feedback", "points_text"]


def points_text(x: float) -> str:
    """Points as written in the gradebook and feedback: up to 10 significant digits, no trailing
    zeros (1.5, 10, 57.25)."""
    return f"{x:.10g}"


def feedback(sheet: str, seed: int, results: Sequence[Result], rubric: Rubric, score: float) -> str:
    """The feedback file of a graded sheet."""
    out = [f"# Feedback on `{md_line(sheet)}`", "",
           f"Score: **{points_text(score)} / {points_text(rubric.max_score)}** "
           f"(rubric {md_line(rubric.name)}, seed {seed}).", "",
           "| claim | verdict | points | summary |", "| --- | --- | --- | --- |"]
    out += [f"| `{r.claim.id}` | **{r.verdict.word}** | {_earned(r, rubric)} | "
            f"{md_line(r.evidence.summary)} |" for r in results]
    for r in results:
        out += ["", f"## `{r.claim.id}`: {r.verdict.word} ({_earned(r, rubric)} points)", "",
                *claim_markdown(r)]
    return "\n".join(out) + "\n"


def broken_feedback(sheet: str, error: str) -> str:
    """The feedback file of a sheet that could not be graded: what is wrong with it."""
    return "\n".join([f"# Feedback on `{md_line(sheet)}`", "",
                      "The sheet could not be graded:", "", f"> {md_line(error)}", "",
                      f"Fix it and check it with `python -m verify audit {md_line(sheet)}`.", ""])


def _earned(r: Result, rubric: Rubric) -> str:
    return f"{points_text(rubric.earned(r.claim.id, r.verdict))} / {points_text(rubric.points[r.claim.id])}"
