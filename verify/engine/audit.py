"""Run claims against a sheet: truth once per (claim, seed), judgement per sheet.

Each claim's generator is `default_rng([seed, crc32(id)])`, so adding a claim never changes
another claim's numbers. A judgement depends only on the truth and the answer's fields (the free
`note` is shown, never checked, and never reaches the judge), so the Auditor keeps each
(claim, answer) judgement: a class whose sheets repeat an answer judges it once. Every claim's
evidence gets the checks of the sheet's derivation chains (`steps`) after its judge ran.
"""
from __future__ import annotations

import sys
import time
import zlib
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

import numpy as np

from .claims import Claim, Evidence, Truth, Verdict, verdict_of
from .errors import UserError
from .parallel import pool_map
from .sheet import NOTE, Sheet
from .steps import with_step_checks

__all__ = ["Result", "Auditor", "claim_rng", "select"]


def claim_rng(seed: int, claim_id: str) -> np.random.Generator:
    """The generator of one claim under one seed."""
    return np.random.default_rng([seed, zlib.crc32(claim_id.encode())])


@dataclass(frozen=True)
class Result:
    """One claim's verdict with the evidence behind it."""

    claim: Claim
    verdict: Verdict
    evidence: Evidence
    note: str = ""


def select(registry: Mapping[str, Claim], only: Iterable[str] | None,
           option: str = "--only") -> list[Claim]:
    """The claims named in `only` (all when None), in homework order; unknown ids are UserError.

    `option` is the command-line option that gave `only`, named when it names no claim id."""
    if only is None:
        return list(registry.values())
    wanted = [i.strip() for i in only if i.strip()]
    if not wanted:
        raise UserError(f"{option} names no claim id")
    unknown = [i for i in wanted if i not in registry]
    if unknown:
        raise UserError(f"unknown claim id(s) {', '.join(unknown)} "
                        f"(implemented: {', '.join(registry)})")
    return [c for i, c in registry.items() if i in wanted]


class Auditor:
    """Computes each claim's truth once per seed and judges any number of sheets against it."""

    def __init__(self, seed: int = 0, progress: Callable[[str], None] | None = None):
        self.seed = seed
        self._progress = progress or (lambda msg: None)
        self._truths: dict[str, Truth] = {}
        self._judged: dict[tuple, Evidence] = {}  # (claim id, judge, answer fields) -> evidence

    def truth(self, claim: Claim) -> Truth:
        key = claim.truth_id
        if key not in self._truths:
            start = time.perf_counter()
            self._truths[key] = claim.truth(rng=claim_rng(self.seed, key))
            self.note(f"{key}: truth computed in {time.perf_counter() - start:.2f} s")
        return self._truths[key]

    def note(self, message: str) -> None:
        """A progress line through the Auditor's callback (stderr in the CLI, silent with -q)."""
        self._progress(message)

    def missing(self, claims: Iterable[Claim]) -> dict[str, Claim]:
        """{truth id: a claim with it} for the claims whose truth is not cached yet."""
        return {c.truth_id: c for c in claims if c.truth_id not in self._truths}

    def adopt(self, truths: Mapping[str, Truth]) -> None:
        """Cache truths computed elsewhere (by forked workers), keyed by truth id."""
        self._truths.update(truths)

    def prefetch(self, claims: Iterable[Claim], jobs: int = 1) -> None:
        """Compute the truths of `claims` not yet cached, in `jobs` forked workers (see `parallel`)."""
        todo = list(self.missing(claims).values())
        self.adopt({c.truth_id: t for c, t in zip(todo, pool_map(self.truth, todo, jobs))})

    def judge(self, claim: Claim, sheet: Sheet) -> Result:
        """The claim's verdict on the sheet; the same answer (its fields, in any order) to the same
        claim is judged once per Auditor (judging is deterministic: no random numbers)."""
        answer = {k: v for k, v in sheet.answer(claim.id).items() if k != NOTE}
        key = (claim.id, claim.judge, tuple(sorted(answer.items(), key=lambda item: item[0])))
        if key not in self._judged:
            self._judged[key] = with_step_checks(claim, answer,
                                                 claim.judge(answer, self.truth(claim)))
        evidence = self._judged[key]
        verdict = verdict_of(sheet.answered(claim.id), evidence.checks)
        return Result(claim, verdict, evidence, sheet.answer(claim.id).get(NOTE, ""))

    def audit(self, sheet: Sheet, claims: Iterable[Claim], jobs: int = 1) -> list[Result]:
        claims = list(claims)
        self.prefetch(claims, jobs)
        return [self.judge(c, sheet) for c in claims]


def stderr_progress(message: str) -> None:
    """Progress lines go to stderr, results to stdout."""
    print(message, file=sys.stderr, flush=True)
