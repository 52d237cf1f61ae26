"""Answer sheets: TOML in, validated answers out.

A claim id is a dotted table path (`[q4c.ii]`); each claim's fields are checked against its
schema (`Claim.fields`). Every formula field F also takes `F_steps`, a non-empty list of formulas
(the derivation ending in F, read like F; see `steps`). Every problem is a `UserError` naming the
file, claim and field (and the 1-based step of a chain).
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
from .files import MAX_TOML_BYTES, read_toml_text
from .formula import FormulaError, parse
from .steps import STEPS_SUFFIX, steps_key

__all__ = ["Sheet", "load", "load_text", "SEED_SHEET", "ALL_IDS", "NOTE", "MAX_SHEET_BYTES"]

# Claim ids of DESIGN.md, in the homework's order (a contract).
ALL_IDS = (
    "q1a", "q1b",
    "q2a.vae", "q2a.gan", "q2a.score_sde", "q2a.rf_gaussian", "q2a.rf_samples", "q2b",
    "q3a", "q3b", "q4a", "q4b", "q4c.i", "q4c.ii", "q4c.iii", "q4d.i", "q4d.ii",
    "q4e.i", "q4e.ii",
)
NOTE = "note"  # free text allowed in every claim: shown, not checked
SEED_SHEET = "seed.toml"
MAX_SHEET_BYTES = MAX_TOML_BYTES  # see `files`
# longest derivation chain a sheet may give: each step costs one `equivalent` (0.02-0.06 s for
# the homework's formulas), so this bounds a sheet's chain checks to seconds
MAX_STEPS = 100


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
    return load_text(read_toml_text(path, "sheet"), str(path), registry)


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
        _require_chain_ends(claim, answers[claim_id], name)
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
    chained = _chained_field(claim, key)
    if chained is not None:
        return _steps(chained, value, where())
    spec = claim.field(key)
    if spec is None:
        known = ", ".join([f.name for f in claim.fields] + [NOTE])
        steps = "; a formula field F also takes F_steps" if any(
            f.kind == "formula" for f in claim.fields) else ""
        raise UserError(f"{where()}: unknown field (fields of {claim.id}: {known}{steps})")
    try:
        return _VALIDATORS[spec.kind](spec, value)
    except (TypeError, ValueError, OverflowError) as exc:  # FormulaError is a ValueError
        raise UserError(f"{where()}: {exc}") from None


def _chained_field(claim: Claim, key: str) -> Field | None:
    """The formula field whose chain `key` is (`F_steps` -> F), else None."""
    if not key.endswith(STEPS_SUFFIX):
        return None
    spec = claim.field(key[:-len(STEPS_SUFFIX)])
    return spec if spec is not None and spec.kind == "formula" else None


def _steps(spec: Field, value: Any, where: str) -> tuple:
    """A derivation chain: a non-empty list of formulas, each read like the field itself."""
    if not isinstance(value, list) or not value:
        got = "an empty list" if value == [] else _kind(value)
        raise UserError(f"{where}: expected a non-empty list of formulas (the derivation's steps, "
                        f"ending in {spec.name}), got {got}")
    if len(value) > MAX_STEPS:
        raise UserError(f"{where}: {len(value)} steps, more than the {MAX_STEPS} a chain may have")
    parsed = []
    for k, item in enumerate(value, 1):
        try:
            parsed.append(_formula(spec, item))
        except (TypeError, ValueError, OverflowError) as exc:  # as for the field itself
            raise UserError(f"{where}, step {k} of {len(value)}: {exc}") from None
    return tuple(parsed)


def _require_chain_ends(claim: Claim, answer: Mapping[str, Any], name: str) -> None:
    """A chain's last step is claimed equal to its field, so the field must be stated too."""
    for spec in claim.fields:
        if steps_key(spec.name) in answer and spec.name not in answer:
            raise UserError(f"{name}: [{claim.id}] {steps_key(spec.name)}: the chain ends in "
                            f"{spec.name}, which the sheet does not state")


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
