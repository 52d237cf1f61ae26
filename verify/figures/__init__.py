"""One function per figure, named after its claim; `FIGURES` maps name -> fn(out_dir, truth_of,
formats) -> paths."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

from ..parallel import pool_map
from . import q1, q2, q3, q4_affine, q4_bridges, q4_flows
from .style import FORMATS

__all__ = ["FIGURES", "write"]

FIGURES: dict[str, Callable[..., list[Path]]] = {
    **q1.FIGURES,
    **q2.FIGURES,
    **q3.FIGURES,
    **q4_affine.FIGURES,
    **q4_bridges.FIGURES,
    **q4_flows.FIGURES,
}


def write(names: Sequence[str], out_dir: Path, auditor, formats: Sequence[str] = FORMATS,
          jobs: int = 1) -> list[Path]:
    """Write the named figures into `out_dir` (the claims' truths computed first, cached in
    `auditor`), rendering in `jobs` forked workers; returns the files in the order of `names`."""
    from ..registry import REGISTRY

    names = list(names)
    auditor.prefetch([c for c in REGISTRY.values() if set(c.figures) & set(names)], jobs)

    def truth_of(claim_id: str):
        return auditor.truth(REGISTRY[claim_id])

    def render(name: str) -> list[Path]:
        return FIGURES[name](Path(out_dir), truth_of, formats)

    return [path for paths in pool_map(render, names, jobs) for path in paths]
