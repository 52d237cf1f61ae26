"""Throughput of exact log-likelihoods (d = 2, RF linear path, 3-component mixture) at a per-point
|error| <= 1e-8 on 1 and 2 threads, why the tolerances stay tight (the Richardson estimate against the
measured error, per tolerance), and the time of the q2 audit.
Run: python benchmarks/bench_q2.py [repeats]  (best of `repeats`, default 3: the machine is shared)"""
import sys
import time

import numpy as np

from verify.numerics import mixture_ode
from verify.engine.audit import Auditor
from verify.numerics.likelihood_ode import log_likelihood
from verify.q2 import CLAIMS
from verify.q2.fields import RFVelocity, VPFlow, standard_normal_log_prob, test_mixture, test_points
from verify.q2.runs import ATOL, RTOL, TOL


def best_time(fn, repeats: int) -> tuple[float, object]:
    """Smallest wall time of `repeats` calls of `fn()` and its (deterministic) result."""
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def evaluation_cost(field, x: np.ndarray, repeats: int) -> float:
    """ns per field evaluation, solver included: one thread's solve of the rows of x on
    `mixture_ode.LANES` lanes, divided by the evaluations the points need."""
    t_all, (_, _, evals) = best_time(lambda: mixture_ode.solve(*field.kernel, x, 1.0, 0.0, RTOL, ATOL),
                                     repeats)
    return t_all / evals.sum() * 1e9


def throughput(mix, x, repeats: int):
    field = RFVelocity(mix)
    log_likelihood(field, standard_normal_log_prob, x[:2], 1.0, 0.0)  # compile or load the cache
    for threads in (1, 2):
        dt, sol = best_time(lambda: log_likelihood(field, standard_normal_log_prob, x, 1.0, 0.0,
                                                   tol=TOL, rtol=RTOL, atol=ATOL, threads=threads),
                            repeats)
        print(f"{len(x)} points in {dt:.3f} s = {len(x) / dt:.0f} points/s on {threads} thread(s) "
              f"(best of {repeats})")
    err = np.abs(sol.value - mix.log_prob(x))
    print(f"  evaluations per point: mean {sol.evals.mean():.0f}, max {sol.evals.max()}, "
          f"~{evaluation_cost(field, x, repeats):.0f} ns each ({mixture_ode.LANES} lanes, 1 thread); "
          f"rounds {np.bincount(sol.rounds)[1:].tolist()}")
    over = int(np.sum(err > sol.error_estimate))
    print(f"  max |error| vs analytic {err.max():.2g}, max per-point estimate "
          f"{sol.error_estimate.max():.2g}, points with error > estimate {over}, "
          f"estimate <= tol ({TOL:g}) {sol.within_tol}")


def tolerance_study(mix):
    """Per first-round tolerance: how many of 1024 points have a halved-mesh error above the estimate
    |adaptive - halved| and above the textbook Richardson estimate |adaptive - halved| / 255 (each
    + 1e-13 of float rounding), and the largest error and estimate."""
    x = test_points(mix, 1000, np.random.default_rng(0), radii=(4.0, 6.0, 8.0))
    exact = mix.log_prob(x)
    print("tolerance study (1024 points, tails to radius 8): points whose error exceeds the estimate")
    for name, field, t0, t1, end in (("RF", RFVelocity(mix), 1.0, 0.0, standard_normal_log_prob),
                                     ("VP", VPFlow(mix), 0.0, 1.0, None)):
        end = end or field.log_p_T
        for tol in (1e-10, 1e-9, 1e-8, 1e-7, 1e-6):  # one round: no retries at tighter tolerances
            sol = log_likelihood(field, end, x, t0, t1, rtol=tol, atol=tol, max_rounds=1, threads=2)
            diff, evals, err = sol.error_estimate, sol.evals, np.abs(sol.value - exact)
            over, over_255 = (int(np.sum(err > bound + 1e-13)) for bound in (diff, diff / 255))
            print(f"  {name} rtol = atol = {tol:g}: evals {evals.mean():4.0f}; error > |diff| at "
                  f"{over:3d}, > |diff|/255 at {over_255:3d}; max error {err.max():.2g}, "
                  f"max |diff| {diff.max():.2g}")


def main(repeats: int = 3):
    mix = test_mixture(2)
    throughput(mix, test_points(mix, 984, np.random.default_rng(0)), repeats)  # 16 in the tails
    tolerance_study(mix)
    auditor = Auditor(0)
    start = time.perf_counter()
    for c in CLAIMS:
        t0 = time.perf_counter()
        auditor.truth(c)
        print(f"  truth {c.id}: {time.perf_counter() - t0:.2f} s")
    print(f"q2 audit truths: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
