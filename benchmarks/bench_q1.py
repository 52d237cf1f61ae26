"""Speed of question 1's computations (a script: prints timings, asserts nothing).

Targets (issues 4, 15): joint search 1e7 configs/s; marginal search 1e3 configs/s at the stated
quadrature error, for each family; configurations drawn until the first counterexample, and the
cost of certifying it (mpmath, 30 digits); truth of q1a and q1b together under 5 s. Each rate is the
median of REPEATS runs (the machine is shared) and is printed with the error it is at.
"""
import time

import mpmath
import numpy as np

from verify import q1
from verify.engine.audit import claim_rng
from verify.numerics.smoothed_kl import QUAD_RTOL
from verify.q1.marginals import BUDGET, FAMILIES, certify, marginal_search
from verify.q1.search import SEARCH_SEED, joint_search, kl_gauss, kl_gauss_margin

REPEATS = 5


def rate(label, n, fn, repeats=REPEATS):
    """Run fn `repeats` times; print and return (median rate, last output)."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    dt = float(np.median(times))
    print(f"{label}: {n} in {dt:.3f} s (median of {repeats}) = {n / dt:.3g}/s")
    return out


def margin_error(d, s0, s1, s2, m=200):
    """Largest relative error of kl_gauss_margin against mpmath (40 digits) on the first m configs."""
    def exact(d, a, b, c):
        r1, r2 = (b / a) ** 2, (c / a) ** 2
        return d / 2 * (r2 - r1 - mpmath.log(r2 / r1))

    with mpmath.workdps(40):
        ref = np.array([float(exact(int(d[i]), *map(mpmath.mpf, (s0[i], s1[i], s2[i])))) for i in range(m)])
    return float(np.max(np.abs(kl_gauss_margin(d[:m], s0[:m], s1[:m], s2[:m]) / ref - 1)))


def joint():
    rng = np.random.default_rng(0)
    d = rng.integers(1, 51, 10_000_000)
    s0, s1, s2 = (np.exp(rng.uniform(-3, 1, d.size)) for _ in range(3))
    rate("joint margin, two kl_gauss calls (reference)", d.size,
         lambda: kl_gauss(d, s2, s0) - kl_gauss(d, s1, s0))
    rate("joint margin, kl_gauss_margin (closed form only)", d.size,
         lambda: kl_gauss_margin(d, s0, s1, s2))
    print(f"   at float64 rounding: largest relative error vs mpmath {margin_error(d, s0, s1, s2):.1e}")
    rate("joint search incl. sampling and bookkeeping", 2_000_000,
         lambda: joint_search(2_000_000, np.random.default_rng(1)))


def marginal(family, n):
    r = rate(f"marginal search, {family} family (4 KLs per config, adaptive Gauss-Kronrod)", n,
             lambda: marginal_search({family: n}))
    for direction, v in r["families"][family].items():
        print(f"   {direction}: largest error bound relative to KL_2 {v['max_rel_err']:.2g} "
              f"(|K15 - G7| + tail; panels refined to {QUAD_RTOL:g} x sum|K15|); inconclusive "
              f"{v['inconclusive']}/{v['n']}, counterexamples {v['counterexamples']}, worst relative "
              f"margin {v['worst_rel_margin']:.3g}")


def first_counterexample():
    """Draws of a generator seeded SEARCH_SEED until the first forward margin below
    minus its bound, per mixture family; then the time of one mpmath certificate."""
    for name in ("spike_broad", "mixture"):
        fam = FAMILIES[name]
        theta = fam.draw(BUDGET[name], np.random.default_rng(SEARCH_SEED))
        m, e, _ = fam.margins(theta)["forward"]
        hits = np.flatnonzero(m < -e)
        first = int(hits[0]) + 1 if hits.size else None
        print(f"{name}: first counterexample at draw {first} of {BUDGET[name]} "
              f"({hits.size} among them)")
    report = marginal_search()
    start = time.perf_counter()
    certs = certify(report)
    took = time.perf_counter() - start
    print(f"certificates: {len(certs)} in {took:.2f} s ({took / max(len(certs), 1):.2f} s each), "
          f"all signed: {all(c['certified'] for c in certs)}")


def truths():
    cold = 0.0
    for c in q1.CLAIMS:
        start = time.perf_counter()
        c.truth(rng=claim_rng(0, c.id))
        took = time.perf_counter() - start
        cold += took
        print(f"truth {c.id} (cold): {took:.2f} s")
    print(f"q1 truths together, cold: {cold:.2f} s (target < 5 s)")
    for c in q1.CLAIMS:
        rate(f"truth {c.id} (warm: sympy derivations cached)", 1,
             lambda: c.truth(rng=claim_rng(1, c.id)), repeats=3)


if __name__ == "__main__":
    joint()
    for fam in FAMILIES:
        marginal(fam, 1000)
    first_counterexample()
    truths()
