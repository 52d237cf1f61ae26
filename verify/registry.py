"""The claim registry: every implemented claim, keyed by its DESIGN.md id, in homework order.

A question package (`verify.q1` ... `verify.q4`) joins by exposing `CLAIMS` (a tuple of `Claim`,
in homework order) and being listed here.
"""
from __future__ import annotations

from .engine.claims import Claim
from .engine.sheet import ALL_IDS
from . import q1, q2, q3, q4

__all__ = ["REGISTRY"]

_PACKAGES = (q1, q2, q3, q4)


def _build() -> dict[str, Claim]:
    claims = {c.id: c for p in _PACKAGES for c in p.CLAIMS}
    unknown = sorted(set(claims) - set(ALL_IDS))
    if unknown:  # a programming error, not user input
        raise RuntimeError(f"claims registered under ids outside DESIGN.md: {unknown}")
    return {i: claims[i] for i in ALL_IDS if i in claims}


REGISTRY: dict[str, Claim] = _build()
