"""Throughput of exact log-likelihoods (d = 2, RF linear path, 3-component mixture) at a per-point
|error| <= 1e-8, and the time of the q2 audit. Run: python benchmarks/bench_q2.py"""
import time

import numpy as np

from verify.audit import Auditor
from verify.likelihood_ode import log_likelihood
from verify.q2 import CLAIMS
from verify.q2_fields import RFVelocity, standard_normal_log_prob, test_mixture, test_points
from verify.q2_runs import ATOL, RTOL


def main():
    mix = test_mixture(2)
    x = test_points(mix, 984, np.random.default_rng(0))  # 1000 points, 16 in the tails
    start = time.perf_counter()
    sol = log_likelihood(RFVelocity(mix), standard_normal_log_prob, x, 1.0, 0.0, rtol=RTOL, atol=ATOL)
    dt = time.perf_counter() - start
    err = np.abs(sol.value - mix.log_prob(x))
    print(f"{len(x)} points in {dt:.2f} s = {len(x) / dt:.0f} points/s; nfev {sol.nfev} "
          f"({dt / sol.nfev * 1e3:.2f} ms/eval); max error {err.max():.2g}, max bound "
          f"{sol.error_bound.max():.2g}, guaranteed {sol.guaranteed}")
    auditor = Auditor(0)
    start = time.perf_counter()
    for c in CLAIMS:
        t0 = time.perf_counter()
        auditor.truth(c)
        print(f"  truth {c.id}: {time.perf_counter() - t0:.2f} s")
    print(f"q2 audit truths: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
