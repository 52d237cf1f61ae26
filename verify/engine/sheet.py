"""Answer sheets: TOML in, validated answers out.

A claim id is a dotted table path (`[q4c.ii]`); each claim's fields are checked against its
schema (`Claim.fields`). Every problem is a `UserError` naming the file, claim and field.
"""
from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Mapping

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from .claims import Claim, Field
from .errors import UserError
from .formula import FormulaError, parse

__all__ = ["Sheet", "load", "load_text", "SEED_SHEET", "ALL_IDS", "NOTE"]

# Claim ids of DESIGN.md, in the homework's order (a contract).
ALL_IDS = (
    "q1a", "q1b",
    "q2a.vae", "q2a.gan", "q2a.score_sde", "q2a.rf_gaussian", "q2a.rf_samples", "q2b",
    "q3a", "q3b", "q4a", "q4b", "q4c.i", "q4c.ii", "q4c.iii", "q4d.i", "q4d.ii",
    "q4e.i", "q4e.ii",
)
NOTE = "note"  # free text allowed in every claim: shown, not checked
SEED_SHEET = "seed.toml"


@dataclass(frozen=True)
class Sheet:
    """A validated sheet: `answers[id]` maps field name -> value (formulas as sympy)."""

    name: str
    answers: Mapping[str, Mapping[str, Any]]
    ignored: tuple[str, ...] = ()  # known claim ids this version does not check yet
    raw: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # the TOML values as read

    def answer(self, claim_id: str) -> Mapping[str, Any]:
        return self.answers.get(claim_id, {})

    def answered(self, claim_id: str) -> bool:
        return any(k != NOTE for k in self.answer(claim_id))


def load(path: str | Path | None, registry: Mapping[str, Claim]) -> Sheet:
    """Read and validate the sheet at `path` (None: the seed's sheet shipped with the package)."""
    if path is None:
        text = resources.files("verify.answers").joinpath(SEED_SHEET).read_text("utf-8")
        return load_text(text, f"<seed sheet {SEED_SHEET}>", registry)
    p = Path(path)
    try:
        text = p.read_text("utf-8")
    except FileNotFoundError:
        raise UserError(f"{p}: no such sheet file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{p}: cannot read the sheet ({exc})") from None
    return load_text(text, str(p), registry)


def load_text(text: str, name: str, registry: Mapping[str, Claim]) -> Sheet:
    """Validate TOML `text` (reported as `name` in errors) against `registry`."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{name}: malformed TOML: {exc}") from None
    answers, ignored, tables = {}, [], {}
    for claim_id, table in _claim_tables(raw, name):
        if claim_id not in registry:
            ignored.append(claim_id)
            continue
        claim = registry[claim_id]
        answers[claim_id] = {key: _field_value(claim, key, value,
                                               lambda key=key: _where(name, text, claim_id, key))
                             for key, value in table.items()}
        tables[claim_id] = table
    return Sheet(name, answers, tuple(ignored), tables)


def _claim_tables(raw: Mapping[str, Any], name: str, prefix: str = ""):
    """Yield (claim id, table) for each dotted table path that is a claim id."""
    for key, value in raw.items():
        path = f"{prefix}{key}"
        if path in ALL_IDS:
            if not isinstance(value, dict):
                raise UserError(f"{name}: [{path}] must be a table of fields, got {_kind(value)}")
            yield path, value
        elif isinstance(value, dict) and any(i.startswith(path + ".") for i in ALL_IDS):
            yield from _claim_tables(value, name, path + ".")
        else:
            raise UserError(f"{name}: unknown claim id '{path}' "
                            f"(known ids: {', '.join(ALL_IDS)})")


def _where(name: str, text: str, claim_id: str, key: str) -> str:
    """`name: line N: [claim id] key`, with the line of `key = ...` under the `[claim id]` header
    when the sheet is written that way (else without the line)."""
    table, pattern = None, re.compile(rf"{re.escape(key)}\s*=")
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            table = stripped[1:].split("]", 1)[0].strip()
        elif table == claim_id and pattern.match(stripped):
            return f"{name}: line {number}: [{claim_id}] {key}"
    return f"{name}: [{claim_id}] {key}"


def _field_value(claim: Claim, key: str, value: Any, where: Callable[[], str]) -> Any:
    """The validated value of field `key`; a UserError starts with `where()` (found only then)."""
    if key == NOTE:
        if not isinstance(value, str):
            raise UserError(f"{where()}: expected text, got {_kind(value)}")
        return value
    spec = claim.field(key)
    if spec is None:
        known = ", ".join([f.name for f in claim.fields] + [NOTE])
        raise UserError(f"{where()}: unknown field (fields of {claim.id}: {known})")
    try:
        return _VALIDATORS[spec.kind](spec, value)
    except (TypeError, ValueError, OverflowError) as exc:  # FormulaError is a ValueError
        raise UserError(f"{where()}: {exc}") from None


def _bool(spec: Field, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {_kind(value)}")
    return value


def _choice(spec: Field, value: Any) -> str:
    if not isinstance(value, str) or value not in spec.choices:
        raise ValueError(f"expected one of {', '.join(spec.choices)}, got {value!r}")
    return value


def _choices(spec: Field, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list of {', '.join(spec.choices)}, got {_kind(value)}")
    items = tuple(_choice(spec, v) for v in value)
    if len(set(items)) != len(items):
        raise ValueError("a tag is listed twice")
    return items


def _number(spec: Field, value: Any) -> float | str:
    if isinstance(value, str) and value in spec.choices:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        alt = f" or one of {', '.join(spec.choices)}" if spec.choices else ""
        raise TypeError(f"expected a finite number{alt}, got {value!r}")
    low, high = spec.number_range or (-math.inf, math.inf)
    if not low <= value <= high:
        raise ValueError(f"expected a number in [{low}, {high}], got {value}")
    return float(value)


def _formula(spec: Field, value: Any):
    symbols = {s.name: s for s in spec.symbols}
    try:
        return parse(value, symbols)
    except FormulaError as exc:
        raise ValueError(f"bad formula {value!r}: {exc}") from None


def _text(spec: Field, value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {_kind(value)}")
    return value


_VALIDATORS = {"bool": _bool, "choice": _choice, "choices": _choices, "number": _number,
               "formula": _formula, "text": _text}


def _kind(value: Any) -> str:
    return {bool: "a boolean", str: "a string", int: "an integer", float: "a number",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)
