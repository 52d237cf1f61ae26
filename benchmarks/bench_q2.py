"""Throughput of exact log-likelihoods (d = 2, RF linear path, 3-component mixture) at a per-point
|error| <= 1e-8, the cost of one field evaluation, and the time of the q2 audit.
Run: python benchmarks/bench_q2.py [repeats]  (best of `repeats`, default 3: the machine is shared)"""
import sys
import time

import numpy as np

from verify.audit import Auditor
from verify.likelihood_ode import log_likelihood
from verify.q2 import CLAIMS
from verify.q2_fields import RFVelocity, standard_normal_log_prob, test_mixture, test_points
from verify.q2_runs import ATOL, RTOL, TOL


def best_time(fn, repeats: int) -> tuple[float, object]:
    """Smallest wall time of `repeats` calls of `fn()` and its (deterministic) result."""
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def field_cost(field, x: np.ndarray, repeats: int) -> float:
    """ms per field evaluation for all rows of x, each row at its own time in [0, 1]."""
    t = np.linspace(0.0, 1.0, len(x))
    xf = np.asfortranarray(x)  # the integrator hands the field a transposed points-last view
    dt, _ = best_time(lambda: [field(t, xf) for _ in range(100)], repeats)
    return dt / 100 * 1e3


def main(repeats: int = 3):
    mix = test_mixture(2)
    x = test_points(mix, 984, np.random.default_rng(0))  # 1000 points, 16 in the tails
    field = RFVelocity(mix)
    dt, sol = best_time(lambda: log_likelihood(field, standard_normal_log_prob, x, 1.0, 0.0,
                                               tol=TOL, rtol=RTOL, atol=ATOL), repeats)
    err = np.abs(sol.value - mix.log_prob(x))
    print(f"{len(x)} points in {dt:.3f} s = {len(x) / dt:.0f} points/s (best of {repeats})")
    print(f"  field: {field_cost(field, x, repeats):.3f} ms per evaluation of 1000 points; "
          f"{sol.nfev} field calls in the solve ({dt / sol.nfev * 1e3:.3f} ms per call on average)")
    print(f"  evaluations per point: mean {sol.evals.mean():.0f}, max {sol.evals.max()}; "
          f"rounds {np.bincount(sol.rounds)[1:].tolist()}")
    print(f"  max |error| vs analytic {err.max():.2g}, max per-point estimate {sol.error_estimate.max():.2g}"
          f", points with error > estimate {int(np.sum(err > sol.error_estimate))}, "
          f"estimate <= tol ({TOL:g}) {sol.within_tol}")
    auditor = Auditor(0)
    start = time.perf_counter()
    for c in CLAIMS:
        t0 = time.perf_counter()
        auditor.truth(c)
        print(f"  truth {c.id}: {time.perf_counter() - t0:.2f} s")
    print(f"q2 audit truths: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
