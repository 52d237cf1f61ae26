"""Timings of the truths of q3a/q3b (shared), q4e.i and q4e.ii; target: under 15 s in total.

Run: .venv/bin/python benchmarks/bench_q3_q4e.py [seed ...]
"""
from __future__ import annotations

import sys
import time

from verify.engine.audit import claim_rng


def main(argv: list[str]) -> int:
    t_import = time.perf_counter()
    from verify.q3.translation import q3_truth
    from verify.q4.q4e_i import q4ei_truth
    from verify.q4.q4e_ii import q4eii_truth
    print(f"import (sympy, scipy, models): {time.perf_counter() - t_import:.2f} s")
    for seed in [int(a) for a in argv] or [0]:
        total = 0.0
        for key, fn in (("q3", q3_truth), ("q4e.i", q4ei_truth), ("q4e.ii", q4eii_truth)):
            start = time.perf_counter()
            fn(rng=claim_rng(seed, key))
            took = time.perf_counter() - start
            total += took
            print(f"seed {seed}: {key:7s} truth {took:6.2f} s")
        print(f"seed {seed}: total   {total:6.2f} s (target < 15 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
