"""One function per figure, named after its claim; `FIGURES` maps name -> fn(out_dir, truth_of,
formats) -> paths."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ...engine.parallel import pool_stages
from . import q1, q2, q3, q4_affine, q4_bridges, q4_flows
from .style import FORMATS

__all__ = ["FIGURES", "figure_names", "write"]

FIGURES: dict[str, Callable[..., list[Path]]] = {
    **q1.FIGURES,
    **q2.FIGURES,
    **q3.FIGURES,
    **q4_affine.FIGURES,
    **q4_bridges.FIGURES,
    **q4_flows.FIGURES,
}


def figure_names(claims: Iterable) -> list[str]:
    """The figures the claims list, each once, in the claims' order."""
    names: list[str] = []
    for claim in claims:
        names += [n for n in claim.figures if n not in names]
    return names


def write(names: Sequence[str], out_dir: Path, auditor, formats: Sequence[str] = FORMATS,
          jobs: int = 1, claims: Iterable = ()) -> list[Path]:
    """Write the named figures into `out_dir`; returns the files in the order of `names`. The truths
    of the claims listing them (and of `claims`) are computed first and cached in `auditor`, in one
    pool of `jobs` forked workers in which each figure starts as soon as its claims' truths are in."""
    from ...registry import REGISTRY

    names = list(names)
    users = {n: [c for c in REGISTRY.values() if n in c.figures] for n in names}
    todo = auditor.missing([*claims, *(c for cs in users.values() for c in cs)])

    def truth(key: str):
        return auditor.truth(todo[key])

    def render(name: str, truths: dict) -> list[Path]:
        auditor.adopt(truths)  # in a worker: the truths other workers computed
        start = time.perf_counter()
        paths = FIGURES[name](Path(out_dir), lambda claim_id: auditor.truth(REGISTRY[claim_id]),
                              formats)
        auditor.note(f"{name}: figure drawn in {time.perf_counter() - start:.2f} s")
        return paths

    needs = {n: {c.truth_id for c in cs} & set(todo) for n, cs in users.items()}
    truths, paths = pool_stages(truth, list(todo), render, needs, jobs)
    auditor.adopt(truths)
    return [path for name in names for path in paths[name]]
