"""A TOML answer sheet to fill in: every claim's table, each field's type, choices and symbols as
comments (and each formula field's optional `F_steps` chain), generic over `Claim.fields`.

A field without a value is written commented out (`# name =`), so the empty template audits as all
`unanswered`; with a sheet to start `from`, the sheet's own values are written as real TOML values.
"""
from __future__ import annotations

import json
import textwrap
from typing import Any, Iterable, Mapping

from ..engine.claims import Claim, Field
from ..engine.sheet import NOTE
from ..engine.steps import steps_key

__all__ = ["template", "field_type", "toml_value"]

WIDTH = 100  # comment lines are wrapped to this many columns
HEADER = """\
# Answer sheet for the DGM homework 2 (`python -m verify audit THIS_FILE` checks it).
# Uncomment a field and give it a value; a field left commented is not stated.
# Field meanings: README.md, "Fields of every claim". `note` (text) is shown, never checked."""


def field_type(spec: Field) -> str:
    """What a sheet may write for `spec`, in words: its kind with its choices, range or symbols."""
    listed = ", ".join(spec.choices)
    if spec.kind == "bool":
        return "true or false"
    if spec.kind == "choice":
        return f"one of {listed}"
    if spec.kind == "choices":
        return f"a list of tags from {listed}"
    if spec.kind == "number":
        low, high = spec.number_range or (None, None)
        text = "a number" + (f" in [{low:g}, {high:g}]" if low is not None else "")
        return text + (f", or one of {listed}" if spec.choices else "")
    if spec.kind == "formula":
        return "a formula in " + ", ".join(s.name for s in spec.symbols) + ", plain math or $LaTeX$"
    return "text"


def toml_value(value: Any) -> str:
    """`value` (bool, number, string or list of them, as read from TOML) written back as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)  # finite by the sheet's validation; repr round-trips a float
    if isinstance(value, str):
        if "\\" in value and "'" not in value and value.isprintable():
            return f"'{value}'"  # a literal string keeps LaTeX backslashes as typed
        return json.dumps(value, ensure_ascii=False)  # JSON's escapes are TOML basic-string escapes
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as a TOML value")


def _field_lines(name: str, kind: str, doc: str, stated: Mapping[str, Any]) -> list[str]:
    lines = textwrap.wrap(f"{name}: {kind}", WIDTH, initial_indent="# ", subsequent_indent="#   ")
    lines += textwrap.wrap(doc, WIDTH, initial_indent="#   ", subsequent_indent="#   ")
    if name in stated:
        return lines + [f"{name} = {toml_value(stated[name])}"]
    return lines + [f"# {name} ="]


def _claim_lines(claim: Claim, stated: Mapping[str, Any]) -> list[str]:
    lines = ["", *textwrap.wrap(f"{claim.id}: {claim.question}", WIDTH, initial_indent="# ",
                                subsequent_indent="#   "), f"[{claim.id}]"]
    for spec in claim.fields:
        lines += _field_lines(spec.name, field_type(spec), spec.doc, stated)
        if spec.kind == "formula":  # its optional derivation chain (README "Derivation chains")
            lines += _field_lines(steps_key(spec.name), "a list of formulas like "
                                  f"{spec.name}, each equal to the next, the last to {spec.name}",
                                  "optional: the derivation, checked step by step", stated)
    return lines + _field_lines(NOTE, "text", "free text, shown in the reports, not checked", stated)


def template(claims: Iterable[Claim], answers: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """The sheet to fill in for `claims`, prefilled with `answers` ({claim id: {field: TOML value}},
    e.g. `Sheet.raw`) where given."""
    answers = answers or {}
    lines = [HEADER]
    for claim in claims:
        lines += _claim_lines(claim, answers.get(claim.id, {}))
    return "\n".join(lines) + "\n"
