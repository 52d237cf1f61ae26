"""Map a function over items in forked worker processes, in order; in-process when that is not possible.

Workers are forked, so they start with the parent's state (computed truths, imported modules) and
nothing but the results crosses back (pickled). The function and items are handed to the workers by
inheritance through `_JOB` (set for the pool's lifetime only), so closures work too. Where `fork` is
unavailable (Windows, macOS default) or `jobs <= 1`, the map runs in this process.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Sequence, TypeVar

__all__ = ["default_jobs", "pool_map"]

T = TypeVar("T")
R = TypeVar("R")

_JOB: tuple[Callable, Sequence] | None = None  # (fn, items) of the running pool, read by workers


def default_jobs() -> int:
    """The CPUs this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _run(index: int):
    fn, items = _JOB
    return fn(items[index])


def pool_map(fn: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """`[fn(x) for x in items]`, computed by up to `jobs` forked workers (each result must pickle)."""
    global _JOB
    jobs = min(jobs, len(items))
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [fn(x) for x in items]
    _JOB = (fn, items)
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_run, range(len(items))))
    finally:
        _JOB = None
