"""Work in forked worker processes: `pool_map` (a map, in order) and `pool_stages` (two stages, each
second-stage task started as soon as the first-stage results it needs are in).

Workers are forked, so they start with the parent's state (computed truths, imported modules) and
nothing but the results crosses back (pickled); second-stage tasks also receive the first-stage
results they need. The functions reach the workers by inheritance through `_JOB` (set for the
pool's lifetime only), so closures work too. Forking is used on Linux only (macOS forks badly once
numpy's Accelerate or matplotlib has started; Windows cannot); elsewhere, or with `jobs <= 1`,
everything runs in this process. On any exception, Ctrl-C included, the workers are terminated.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import warnings
from typing import Callable, Collection, Mapping, Sequence, TypeVar

__all__ = ["default_jobs", "can_fork", "pool_map", "pool_stages"]

T, R = TypeVar("T"), TypeVar("R")
K, A, N, B = TypeVar("K"), TypeVar("A"), TypeVar("N"), TypeVar("B")

_JOB: tuple | None = None  # the running pool's functions (and items), read by the workers


def default_jobs() -> int:
    """The CPUs this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """True where `pool_map` forks workers (Linux with the fork start method)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent, which terminates them (no traceback per worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run(index: int):
    fn, items = _JOB
    return fn(items[index])


def _run_indexed(index: int):
    return index, _run(index)


def _first(key):
    return key, _JOB[0](key)


def _second(name, needs: dict):
    return _JOB[1](name, needs)


def _fork_pool(jobs: int):
    """A pool of `jobs` forked workers that leave Ctrl-C to the parent."""
    with warnings.catch_warnings():
        # Python >= 3.12 warns on fork with threads alive; ours are BLAS pools, fork-safe
        # (pthread_atfork), and the workers start no threads of their own before forking
        warnings.filterwarnings("ignore", message=r".*fork\(\) may lead to deadlocks",
                                category=DeprecationWarning)
        return multiprocessing.get_context("fork").Pool(jobs, initializer=_ignore_sigint)


def pool_map(fn: Callable[[T], R], items: Sequence[T], jobs: int,
             done: Callable[[int, R], None] | None = None) -> list[R]:
    """`[fn(x) for x in items]`, computed by up to `jobs` forked workers (each result must pickle).
    `done(index, result)` is called in this process as each item finishes (in any order)."""
    global _JOB
    jobs, done = min(jobs, len(items)), done or (lambda index, result: None)
    if jobs <= 1 or not can_fork():
        results = []
        for index, x in enumerate(items):
            results.append(fn(x))
            done(index, results[-1])
        return results
    _JOB = (fn, items)
    results: list = [None] * len(items)
    try:
        with _fork_pool(jobs) as pool:  # leaving the block terminates the workers (Ctrl-C, error)
            finished = pool.imap_unordered(_run_indexed, range(len(items)), chunksize=1)
            for index, result in finished:
                results[index] = result
                done(index, result)
        return results
    finally:
        _JOB = None


def pool_stages(first: Callable[[K], A], keys: Sequence[K], second: Callable[[N, dict], B],
                needs: Mapping[N, Collection[K]], jobs: int) -> tuple[dict[K, A], dict[N, B]]:
    """`a = {k: first(k)}` for every key, then `{n: second(n, {k: a[k] for k in needs[n]})}`, in one pool
    of forked workers: each second-stage task is queued as soon as the keys it needs are done, so
    the two stages overlap (`needs` may only name `keys`; results must pickle)."""
    global _JOB
    jobs = min(jobs, len(keys) + len(needs))
    if jobs <= 1 or not can_fork():
        done = {k: first(k) for k in keys}
        return done, {n: second(n, {k: done[k] for k in ks}) for n, ks in needs.items()}
    _JOB = (first, second)
    try:
        with _fork_pool(jobs) as pool:
            done, pending, queued = {}, dict(needs), {}

            def queue_ready():
                for name, ks in list(pending.items()):
                    if all(k in done for k in ks):
                        queued[name] = pool.apply_async(_second, (name, {k: done[k] for k in ks}))
                        del pending[name]

            queue_ready()
            for key, value in pool.imap_unordered(_first, keys):
                done[key] = value
                queue_ready()
            return done, {name: queued[name].get() for name in needs}
    finally:
        _JOB = None
