"""The claim registry: every implemented claim, keyed by its DESIGN.md id, in homework order.

A question module joins by exposing `CLAIMS` (a tuple of `Claim`) and being listed here.
"""
from __future__ import annotations

from .claims import Claim
from .sheet import ALL_IDS
from . import q1, q2, q3, q4_affine, q4_bridges, q4_flows

__all__ = ["REGISTRY"]

_MODULES = (q1, q2, q3, q4_affine, q4_bridges, q4_flows)


def _build() -> dict[str, Claim]:
    claims = {c.id: c for m in _MODULES for c in m.CLAIMS}
    unknown = sorted(set(claims) - set(ALL_IDS))
    if unknown:  # a programming error, not user input
        raise RuntimeError(f"claims registered under ids outside DESIGN.md: {unknown}")
    return {i: claims[i] for i in ALL_IDS if i in claims}


REGISTRY: dict[str, Claim] = _build()
