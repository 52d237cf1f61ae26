"""One function per figure, named after its claim; `FIGURES` maps name -> fn(out_dir) -> paths."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from . import q1, q2, q3, q4_affine, q4_bridges, q4_flows

__all__ = ["FIGURES", "write"]

FIGURES: dict[str, Callable[[Path], list[Path]]] = {
    **q1.FIGURES,
    **q2.FIGURES,
    **q3.FIGURES,
    **q4_affine.FIGURES,
    **q4_bridges.FIGURES,
    **q4_flows.FIGURES,
}


def write(names, out_dir: Path, auditor) -> list[Path]:
    """Write the named figures into `out_dir`, reusing `auditor`'s cached truths; returns the files."""
    from ..registry import REGISTRY

    def truth_of(claim_id: str):
        return auditor.truth(REGISTRY[claim_id])

    written: list[Path] = []
    for name in names:
        written += FIGURES[name](Path(out_dir), truth_of)
    return written
