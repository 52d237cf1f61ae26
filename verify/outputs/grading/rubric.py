"""A grading rubric: points per claim and credit per verdict; a claim scores points x credit.

TOML with two tables, `[points]` (claim id -> points >= 0, every graded claim) and `[credit]`
(verdict word -> fraction in [0, 1], every verdict word). The default ships as
`verify/answers/rubric.toml` (the homework's points).
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from ...engine.claims import Verdict
from ...engine.errors import UserError
from ...engine.files import read_toml_text

__all__ = ["Rubric", "load_rubric", "DEFAULT_RUBRIC"]

DEFAULT_RUBRIC = "rubric.toml"  # in the package verify.answers


@dataclass(frozen=True)
class Rubric:
    """`points[claim id]` (in the graded claims' order) and `credit[verdict word]`."""

    name: str
    points: Mapping[str, float]
    credit: Mapping[str, float]

    @property
    def max_score(self) -> float:
        return math.fsum(self.points.values())

    def earned(self, claim_id: str, verdict: Verdict) -> float:
        """The points a claim's verdict earns: $points \\cdot credit$."""
        return self.points[claim_id] * self.credit[verdict.word]

    def score(self, verdicts: Mapping[str, Verdict]) -> float:
        """A sheet's score: the sum of what each claim's verdict earns (fsum: order-free)."""
        return math.fsum(self.earned(i, v) for i, v in verdicts.items())


def load_rubric(path: str | Path | None, claim_ids: Iterable[str]) -> Rubric:
    """Read and validate the rubric at `path` (None: the default) for the claims `claim_ids`."""
    if path is None:
        text = resources.files("verify.answers").joinpath(DEFAULT_RUBRIC).read_text("utf-8")
        name = f"default (verify/answers/{DEFAULT_RUBRIC})"
    else:
        name, text = str(path), read_toml_text(path, "rubric")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{name}: malformed TOML: {exc}") from None
    unknown = sorted(set(raw) - {"points", "credit"})
    if unknown:
        raise UserError(f"{name}: unknown table [{unknown[0]}] (a rubric has [points] and [credit])")
    ids = list(claim_ids)
    points = _table(raw, "points", name, ids, "claim id", (0.0, math.inf))
    credit = _table(raw, "credit", name, [v.word for v in Verdict], "verdict word", (0.0, 1.0))
    return Rubric(name, points, credit)


def _table(raw: Mapping[str, Any], table: str, name: str, keys: list[str], what: str,
           allowed: tuple[float, float]) -> dict[str, float]:
    """`raw[table]` flattened (dotted keys such as q2a.vae), every key of `keys` with a number in
    `allowed`; returned in the order of `keys`."""
    if not isinstance(raw.get(table), dict):
        raise UserError(f"{name}: [{table}] is missing or not a table")
    values = dict(_flat(raw[table]))
    for key, value in values.items():
        where = f"{name}: [{table}] {key}"
        if key not in keys:
            raise UserError(f"{where}: unknown {what} (known: {', '.join(keys)})")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise UserError(f"{where}: expected a finite number, got {value!r}")
        low, high = allowed
        if not low <= value <= high:
            bound = "a non-negative number" if high == math.inf else f"a number in [{low:g}, {high:g}]"
            raise UserError(f"{where}: expected {bound}, got {value!r}")
    missing = [k for k in keys if k not in values]
    if missing:
        raise UserError(f"{name}: [{table}] has no value for {', '.join(missing)}")
    return {k: float(values[k]) for k in keys}


def _flat(table: Mapping[str, Any], prefix: str = ""):
    """(dotted key, value) pairs: `q2a.vae = 3` (a nested table in TOML) gives ("q2a.vae", 3)."""
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _flat(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value
