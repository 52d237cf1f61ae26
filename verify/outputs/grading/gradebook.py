"""The gradebook of a class as CSV and JSON, and one feedback file per sheet.

Columns: `sheet, status, score, max_score`, then one per claim id (in registry order) holding the
verdict word; an `error` row has empty score and verdicts (its message is in the JSON, `error`).
The same grades give the same bytes.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Sequence

from .feedback import points_text
from .grades import SheetGrade
from .rubric import Rubric

__all__ = ["COLUMNS", "csv_text", "json_text", "write_gradebook"]

COLUMNS = ("sheet", "status", "score", "max_score")
FEEDBACK_DIR = "feedback"


def _rows(grades: Sequence[SheetGrade], rubric: Rubric) -> list[dict]:
    """One dict per sheet with the gradebook's columns (None where a cell is empty)."""
    return [{"sheet": g.sheet, "status": g.status, "score": g.score, "max_score": rubric.max_score,
             **{i: g.verdicts.get(i) for i in rubric.points}} for g in grades]


def csv_text(grades: Sequence[SheetGrade], rubric: Rubric) -> str:
    """`gradebook.csv`: the columns above, points as in the feedback (`points_text`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*COLUMNS, *rubric.points])
    for row in _rows(grades, rubric):
        writer.writerow(["" if v is None else points_text(v) if isinstance(v, float) else v
                         for v in row.values()])
    return buffer.getvalue()


def json_text(grades: Sequence[SheetGrade], rubric: Rubric, seed: int) -> str:
    """`gradebook.json`: the rubric used, then one object per sheet with the CSV's columns (null
    where the CSV cell is empty) and `error` (the message of a broken sheet, else null)."""
    sheets = [{**row, "error": g.error or None} for row, g in zip(_rows(grades, rubric), grades)]
    book = {"rubric": rubric.name, "seed": seed, "points": dict(rubric.points),
            "credit": dict(rubric.credit), "max_score": rubric.max_score, "sheets": sheets}
    return json.dumps(book, indent=2, allow_nan=False, ensure_ascii=False) + "\n"


def write_gradebook(grades: Sequence[SheetGrade], rubric: Rubric, seed: int,
                    out_dir: Path) -> list[Path]:
    """Write gradebook.csv, gradebook.json and feedback/<sheet stem>.md into `out_dir`."""
    out_dir = Path(out_dir)
    (out_dir / FEEDBACK_DIR).mkdir(parents=True, exist_ok=True)
    files = {out_dir / "gradebook.csv": csv_text(grades, rubric),
             out_dir / "gradebook.json": json_text(grades, rubric, seed)}
    files |= {out_dir / FEEDBACK_DIR / f"{Path(g.sheet).stem}.md": g.feedback for g in grades}
    for path, text in files.items():
        path.write_text(text, "utf-8")
    return list(files)
