"""The grader's figure of a class: a sheets-by-claims verdict map and the score histogram.

In the figures' style (`verify.outputs.figures.style`): 6.5 in wide, PDF + PNG, the same bytes on
a rerun.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ...engine.claims import Verdict
from ..figures.style import FORMATS, figure, save
from .grades import SheetGrade
from .rubric import Rubric

__all__ = ["NAME", "COLORS", "grade_figure"]

NAME = "grades"
_VERDICT_COLORS = {Verdict.CORRECT: "#4daf4a", Verdict.FLAWED: "#ffbf3f",
                   Verdict.INCOMPLETE: "#80b1d3", Verdict.INCORRECT: "#e41a1c",
                   Verdict.UNANSWERED: "#e0e0e0"}
# one colour per verdict word (Verdict order), then `error` for the rows of broken sheets
COLORS = {**{v.word: _VERDICT_COLORS[v] for v in Verdict}, "error": "#404040"}
LABELLED_ROWS = 30  # sheet names on the map's y axis up to this many sheets
HEIGHT = 3.6  # inches: 19 rotated claim ids below the map, the legend above


def _verdict_codes(grades: Sequence[SheetGrade], claim_ids: Sequence[str]) -> np.ndarray:
    """(sheets, claims) indices into COLORS: the verdict, or `error` for a broken sheet's row."""
    words = list(COLORS)
    return np.array([[words.index(g.verdicts[i]) if g.ok else words.index("error")
                      for i in claim_ids] for g in grades])


def grade_figure(grades: Sequence[SheetGrade], rubric: Rubric, out_dir: Path,
                 formats: Sequence[str] = FORMATS) -> list[Path]:
    """Left: the verdict of every claim (columns, registry order) on every sheet (rows, by name).
    Right: the histogram of the graded sheets' scores over [0, max score]."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    claim_ids = list(rubric.points)
    labelled = len(grades) <= LABELLED_ROWS
    margins = {"left": 1.05 if labelled else 0.45, "bottom": 0.78, "top": 0.42, "wspace": 0.55}
    with figure(ncols=2, height=HEIGHT, margins=margins,
                gridspec_kw={"width_ratios": [1.6, 1.0]}) as (fig, ax):
        vmap, hist = ax[0, 0], ax[0, 1]
        vmap.imshow(_verdict_codes(grades, claim_ids), cmap=ListedColormap(list(COLORS.values())),
                    vmin=-0.5, vmax=len(COLORS) - 0.5, aspect="auto", interpolation="nearest")
        vmap.set_xticks(range(len(claim_ids)), claim_ids, rotation=90, fontsize=6)
        if labelled:
            vmap.set_yticks(range(len(grades)), [g.sheet[:18] for g in grades], fontsize=6)
        else:
            vmap.set_yticks([])
            vmap.set_ylabel(f"sheets ({len(grades)}, by name)")
        vmap.grid(False)
        vmap.set_title("verdict per claim")
        scores = [g.score for g in grades if g.ok]
        top = rubric.max_score
        hist.hist(scores, bins=np.linspace(0, top, 21) if top > 0 else 1, color="C0",
                  edgecolor="white", linewidth=0.5)
        hist.set(xlabel=f"score (of {top:g})", ylabel="sheets", xlim=(0, top or 1),
                 title=f"scores of {len(scores)} graded sheets")
        hist.yaxis.get_major_locator().set_params(integer=True)
        fig.legend([Patch(color=c) for c in COLORS.values()], list(COLORS), loc="upper center",
                   ncol=len(COLORS), frameon=False, fontsize=7, bbox_to_anchor=(0.5, 1.0),
                   handlelength=1.2, columnspacing=1.2)
        return save(fig, out_dir, NAME, formats)

