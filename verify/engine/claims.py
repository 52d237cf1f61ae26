"""Outcomes as values: Check, Evidence, Verdict, Claim, and the verdict rule.

A `Check` is one comparison that really ran; its `passed` is computed by a named constructor,
never written as a literal. A `Claim` pairs a sheet-independent `truth(rng)` (computed once per
seed) with a `judge(answer, truth)` that compares one sheet's answer with it.
"""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

__all__ = [
    "Role", "Check", "Evidence", "Verdict", "Field", "Claim", "Truth",
    "ReferenceFailure", "verdict_of",
]


class Role(enum.Enum):
    """What a check is evidence of; decides how the verdict rule reads it."""

    FACT = "a property of the mathematics, established by the suite (either outcome is a finding)"
    CONTROL = "an accuracy control of the suite's own reference computation (must pass)"
    CONCLUSION = "the sheet's conclusion compared with the truth"
    PART = "a formula, step or justification the sheet states, compared with the truth"
    DEMAND = "something the question demands; fails when the sheet leaves it out"


def _number(x: Any) -> Any:
    """JSON-ready scalar: floats stay floats, NaN/inf become None, other types pass through."""
    if isinstance(x, bool) or x is None or isinstance(x, (str, int)):
        return x
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    return v if math.isfinite(v) else None


@dataclass(frozen=True)
class Check:
    """One comparison that ran: `passed` is computed by the constructors below."""

    name: str
    passed: bool
    value: Any = None
    expected: Any = None
    tolerance: float | None = None
    detail: str = ""
    role: Role = Role.FACT
    unit: str = ""  # of value, expected and tolerance, for the report (e.g. "nats"); not in JSON

    @classmethod
    def close(cls, name: str, value: float, expected: float, *, rtol: float = 0.0,
              atol: float = 0.0, detail: str = "", role: Role = Role.FACT,
              unit: str = "") -> "Check":
        """Deterministic agreement: $|v - e| \\le atol + rtol |e|$ (tolerance reported as that bound)."""
        v, e = float(value), float(expected)
        bound = atol + rtol * abs(e)
        ok = math.isfinite(v) and math.isfinite(e) and abs(v - e) <= bound
        return cls(name, bool(ok), v, e, bound, detail, role, unit)

    @classmethod
    def monte_carlo(cls, name: str, estimate: float, se: float, expected: float, *,
                    k: float = 5.0, atol: float = 0.0, detail: str = "",
                    role: Role = Role.FACT, unit: str = "") -> "Check":
        """Statistical agreement: $|\\hat\\mu - e| \\le \\max(k\\,SE, atol)$; detail carries the SE."""
        est, s, e = float(estimate), float(se), float(expected)
        bound = max(k * s, atol)  # atol states a known bias floor (e.g. O(1/n)) below k SE's reach
        ok = math.isfinite(est) and math.isfinite(s) and s >= 0 and abs(est - e) <= bound
        note = f"estimate {est:.6g} +- {s:.2g} (SE), |diff| = {abs(est - e):.3g}, k = {k:g}"
        return cls(name, bool(ok), est, e, bound, f"{note}; {detail}" if detail else note, role,
                   unit)

    @classmethod
    def exact(cls, name: str, holds: Any, *, value: Any = None, expected: Any = None,
              detail: str = "", role: Role = Role.FACT, unit: str = "") -> "Check":
        """A statement settled exactly (symbolic identity, integer or boolean comparison)."""
        return cls(name, bool(holds), value, expected, None, detail, role, unit)

    @classmethod
    def agrees(cls, name: str, answer: Any, truth: Any, *, detail: str = "",
               role: Role = Role.CONCLUSION) -> "Check":
        """The sheet's stated value (bool, choice, set) compared with the true one."""
        return cls(name, answer == truth, _jsonable(answer), _jsonable(truth), None, detail, role)

    @classmethod
    def conclusion(cls, name: str, answer: Any, truth: Any, *, detail: str = "") -> "Check":
        """The sheet's main conclusion against the truth (CONCLUSION); when the sheet leaves it out,
        a failed DEMAND instead, so a partial answer is `incomplete`, not `incorrect`."""
        if answer is None:
            return cls.stated(f"{name} (the answer states it)", None, detail=detail)
        return cls.agrees(name, answer, truth, detail=detail)

    @classmethod
    def stated(cls, name: str, value: Any, *, detail: str = "",
               role: Role = Role.DEMAND) -> "Check":
        """A demanded item: passes when the sheet states it (value is not None/empty)."""
        present = value is not None and value != "" and value != () and value != []
        return cls(name, present, _jsonable(value), "stated", None, detail, role)

    def as_json(self) -> dict:
        """The JSON row of DESIGN.md; a non-finite number becomes null and the detail says so."""
        nulls = [f"{key} not finite ({v})" for key, v in
                 (("value", self.value), ("expected", self.expected), ("tolerance", self.tolerance))
                 if isinstance(v, float) and not math.isfinite(v)]
        detail = "; ".join(([self.detail] if self.detail else []) + nulls)
        return {"name": self.name, "passed": self.passed, "value": _jsonable(self.value),
                "expected": _jsonable(self.expected), "tolerance": _number(self.tolerance),
                "detail": detail}


def _jsonable(x: Any) -> Any:
    if isinstance(x, (list, tuple, set, frozenset)):
        items = sorted(x) if isinstance(x, (set, frozenset)) else x
        return [_jsonable(i) for i in items]
    return _number(x)


@dataclass(frozen=True)
class Truth:
    """What the suite established independently of any sheet: checks plus named facts."""

    checks: tuple[Check, ...]
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Evidence:
    """Everything behind one claim's verdict."""

    checks: tuple[Check, ...]
    summary: str
    correction: str = ""
    figures: tuple[str, ...] = ()


class Verdict(enum.Enum):
    """The verdict words of DESIGN.md, each with its one-line meaning."""

    CORRECT = "the conclusion and every checkable part hold"
    FLAWED = "the conclusion holds but a stated formula, step or justification is wrong"
    INCOMPLETE = "nothing stated is wrong, but something the question demands is missing"
    INCORRECT = "the conclusion is wrong"
    UNANSWERED = "the sheet has nothing for it"

    @property
    def word(self) -> str:
        return self.name.lower()


class ReferenceFailure(RuntimeError):
    """The suite's own reference computation missed its accuracy control: no verdict is given."""


def verdict_of(answered: bool, checks: tuple[Check, ...]) -> Verdict:
    """The verdict rule (pure). Decision table, first matching row wins:

    | CONTROL fails | sheet has fields | CONCLUSION fails | PART fails | DEMAND fails | verdict    |
    | any           |                  |                  |            |              | raises ReferenceFailure |
    | none          | no               |                  |            |              | unanswered |
    | none          | yes              | any              |            |              | incorrect  |
    | none          | yes              | none             | any        |              | flawed     |
    | none          | yes              | none             | none       | any          | incomplete |
    | none          | yes              | none             | none       | none         | correct    |
    A left-out conclusion is a failed DEMAND (`Check.conclusion`), so a sheet that states a wrong
    part but no conclusion is `flawed`, with the missing conclusion named among its checks.
    FACT checks are findings and never decide by themselves.
    """
    broken = [c.name for c in checks if c.role is Role.CONTROL and not c.passed]
    if broken:
        raise ReferenceFailure("reference computation failed its control: " + "; ".join(broken))
    if not answered:
        return Verdict.UNANSWERED

    def fails(role: Role) -> bool:
        return any(c.role is role and not c.passed for c in checks)

    if fails(Role.CONCLUSION):
        return Verdict.INCORRECT
    if fails(Role.PART):
        return Verdict.FLAWED
    if fails(Role.DEMAND):
        return Verdict.INCOMPLETE
    return Verdict.CORRECT


@dataclass(frozen=True)
class Field:
    """One answer-sheet field: kind is bool | choice | choices | number | formula | text.

    A formula field states where its formulas are compared: `domain` maps each free symbol to
    the open interval it is sampled on (`formula.equivalent`), and `relations` gives the symbols
    fixed by the others (symbol -> expression, substituted before comparing). The claim's judge
    and the step checker (`verify.engine.steps`) both read them: one source of truth.
    """

    name: str
    kind: str
    doc: str
    choices: tuple[str, ...] = ()
    symbols: tuple = ()  # sympy Symbols a formula may use (their meaning goes in `doc`)
    number_range: tuple[float, float] | None = None  # closed interval allowed for numbers
    domain: Mapping[Any, tuple[float, float]] = field(default_factory=dict, hash=False)
    relations: Mapping[Any, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self):
        if self.kind == "formula" and set(self.domain) | set(self.relations) != set(self.symbols):
            raise ValueError(f"formula field {self.name}: domain and relations must cover exactly "
                             f"its symbols {[str(s) for s in self.symbols]}")


@dataclass(frozen=True)
class Claim:
    """A claim id with its sheet schema, its sheet-independent truth and its judge.

    truth(rng) -> Truth runs once per (truth_id, seed); judge(answer, truth) -> Evidence runs per sheet.
    `answer` maps field names to validated values (formulas already parsed into sympy).
    """

    id: str
    question: str
    fields: tuple[Field, ...]
    truth: Callable[..., Truth]
    judge: Callable[[Mapping[str, Any], Truth], Evidence]
    figures: tuple[str, ...] = ()
    truth_key: str = ""  # claims sharing one truth give the same key; default: the id

    @property
    def truth_id(self) -> str:
        """Cache key and generator key of this claim's truth."""
        return self.truth_key or self.id

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)
