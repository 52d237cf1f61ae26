"""Speed of question 1's computations (a script: prints timings, asserts nothing).

Targets (issue 4): joint search 1e7 configs/s; marginal search 1e3 configs/s at the stated
quadrature error; truth of q1a and q1b together under 5 s.
"""
import time

import numpy as np

from verify import q1
from verify.audit import claim_rng
from verify.q1_search import joint_search, kl_gauss, marginal_search


def rate(label, n, fn):
    t = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t
    print(f"{label}: {n} in {dt:.3f} s = {n / dt:.3g}/s")
    return out


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    d = rng.integers(1, 51, 10_000_000)
    s0, s1, s2 = (np.exp(rng.uniform(-3, 1, d.size)) for _ in range(3))
    rate("joint margin evaluation (closed form only)", d.size,
         lambda: kl_gauss(d, s2, s0) - kl_gauss(d, s1, s0))
    rate("joint search incl. sampling and bookkeeping", 2_000_000,
         lambda: joint_search(2_000_000, np.random.default_rng(1)))
    r = rate("marginal search, mixture family (4 KLs per config, GH 120+60 nodes)", 1000,
             lambda: marginal_search({"mixture": 1000}, refine_steps=0))
    errs = [v["max_err"] for v in r["families"]["mixture"].values()]
    print(f"   largest quadrature error estimate: {max(errs):.2g} (configs whose margin it cannot "
          "sign are counted as inconclusive)")
    rate("marginal search, uniform family (trapezoid)", 50,
         lambda: marginal_search({"uniform": 50}, refine_steps=0))
    rate("marginal search, cauchy family (sinh-mapped trapezoid)", 50,
         lambda: marginal_search({"cauchy": 50}, refine_steps=0))
    for c in q1.CLAIMS:
        rate(f"truth {c.id}", 1, lambda: c.truth(rng=claim_rng(0, c.id)))
    for c in q1.CLAIMS:
        rate(f"truth {c.id} (warm: sympy derivations cached)", 1, lambda: c.truth(rng=claim_rng(1, c.id)))
