"""Judging time per sheet, and what a formula that is 0/0 somewhere costs (not a test).

    python benchmarks/bench_removable.py [--runs 5]

Target (issue 15): the Auditor's judge stays ~0.1 s per sheet, so a class of sheets costs little
more than one. Prints the median over `runs` of judging the seed's sheet (every claim) and of
judging single claims with a plain true formula against the same formula written 0/0 somewhere
(wall-clock and CPU time).
"""
from __future__ import annotations

import argparse
import statistics
import time

from verify.engine.audit import Auditor
from verify.engine.sheet import load, load_text
from verify.registry import REGISTRY

TRUE_U = "m + (t*s**2 - (1 - t))*(x - t*m)/(t**2*s**2 + (1 - t)**2)"
PAIRS = {  # claim id: (plain true form, the same written 0/0 at a judged point)
    "q4c.ii": (f"marginal_vf = '{TRUE_U}'",
               "marginal_vf = '(x - (1 - t)*(x - t*m)/(t**2*s**2 + (1 - t)**2))/t'"),
    "q4a": ("mle_loss = 'E_log_q - E_log_p_model'",
            "mle_loss = '(E_log_q**2 - 2*E_log_q*E_log_p_model + E_log_p_model**2)"
            "/(E_log_q - E_log_p_model)'"),
    "q4e.i": ("bridge_variance = '2*epsilon*t*(1 - t)'",
              "bridge_variance = '2*epsilon*(t**2 - t**3)/t'"),
    "q4d.ii": ("alpha = 'exp(-beta*(1 - t)/2)'",
               "alpha = '(1 - t**2)*exp(-beta*(1 - t)/2)/((1 - t)*(1 + t))'"),
}


def median_seconds(fn, runs: int) -> str:
    """Median wall-clock and CPU seconds of `fn` (CPU time is what a loaded shared machine distorts
    least)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return f"{statistics.median(wall):.3f} s (CPU {statistics.median(cpu):.3f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    auditor = Auditor(seed=0)
    auditor.prefetch(REGISTRY.values(), jobs=2)
    seed = load(None, REGISTRY)
    claims = list(REGISTRY.values())
    first = median_seconds(lambda: auditor.audit(seed, claims), 1)
    print(f"seed sheet, first judge (cold caches): {first}")
    # repeats hit sympy's cache: the medians below are what a re-judged sheet costs
    print(f"seed sheet, every claim: {median_seconds(lambda: auditor.audit(seed, claims), runs)}")
    for cid, forms in PAIRS.items():
        claim = REGISTRY[cid]
        row = []
        for body in forms:
            sheet = load_text(f"[{cid}]\n{body}\n", "bench.toml", REGISTRY)
            row.append(median_seconds(lambda: auditor.judge(claim, sheet), runs))
        print(f"{cid:7s} plain {row[0]}, written 0/0 {row[1]}")


if __name__ == "__main__":
    main()
