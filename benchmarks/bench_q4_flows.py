"""Timing of claims q4a, q4b, q4c.ii, q4c.iii: truth per claim (seed 0) and judging the seed's answers.

Target (issue 6): the audit of the four claims under 10 s in total. Run: python benchmarks/bench_q4_flows.py
"""
from __future__ import annotations

import time


SEED = ("[q4a]\nmle_loss = 'E_log_p_model'\n[q4b]\nclosed_form_general = false\n"
        "[q4c.ii]\nconditional_vf = 'x1 - x'\nmarginal_vf = 'm - x'\n"
        "[q4c.iii]\nsame_as_ot = false\n")
TARGET_S = 10.0


def main() -> None:
    start = time.perf_counter()
    from verify.engine.audit import Auditor
    from verify.q4 import q4a, q4b, q4c_ii, q4c_iii
    from verify.engine.sheet import load_text
    print(f"import (sympy, scipy) {time.perf_counter() - start:6.2f} s")
    claims = (q4a.CLAIM, q4b.CLAIM, q4c_ii.CLAIM, q4c_iii.CLAIM)
    auditor = Auditor(seed=0)
    reg = {c.id: c for c in claims}
    sheet = load_text(SEED, "seed", reg)
    total = 0.0
    for claim in claims:
        t0 = time.perf_counter()
        auditor.truth(claim)
        t1 = time.perf_counter()
        result = auditor.judge(claim, sheet)
        t2 = time.perf_counter()
        total += t2 - t0
        print(f"{claim.id:8s} truth {t1 - t0:6.2f} s  judge {t2 - t1:6.2f} s  -> {result.verdict.word}")
    print(f"total                 {total:6.2f} s (target < {TARGET_S:g} s): "
          f"{'met' if total < TARGET_S else 'MISSED'}")


if __name__ == "__main__":
    main()
