r"""Claim q4e.ii: which of Brownian bridge and Schroedinger bridge gives faster inference.

Bridge time: source at $t = 0$, target at $t = 1$; reference $dX = \sqrt{2\varepsilon}\,dW$. A mixture of
Brownian bridges under a coupling $\pi$ of $(p_0, p_1)$, started at $X_0 = x_i$, is the SDE
$dX = \frac{E[X_1 \mid X_t, X_0 = x_i] - X_t}{1-t}dt + \sqrt{2\varepsilon}dW$ with
$P(X_1 = y_j \mid X_t = x, X_0 = x_i) \propto \frac{\pi_{ij}}{q_1(y_j|x_i)} q_{1-t}(y_j|x)$: a softmax, exact.
(A) independent coupling (Brownian bridge between $p_0$ and $p_1$), (B) entropic-OT coupling with
regularisation $4\varepsilon$ on $|x-y|^2$ (the Schroedinger bridge; then $\pi_{ij}/q_1 \propto e^{g_j/4\varepsilon}$).
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..engine.claims import Check, Claim, Evidence, Field, Role, Truth
from ..numerics.sinkhorn import sinkhorn_log, squared_distances

__all__ = ["CLAIM", "EPS_CLOUD", "TAU", "K_GRID", "two_moons", "bridge_log_h",
           "simulate_bridge_mixture"]

EPS_CLOUD = 0.02          # q4e.ii: reference noise (Sinkhorn regularisation 4 eps on |x - y|^2)
CLOUD_N = 64
PATHS_PER_POINT = 4       # paths started at each source point (SE of the mean error halves)
K_SE = 5.0                # errors are certified with k = 5 standard errors
K_GRID = (1, 2, 4, 8, 16, 32, 64, 128)
K_REF = 1024
TAU = 0.1  # fixed accuracy: mean |X_K - X_ref| (moons span ~ 3, nearest-neighbour gap ~ 0.1)
TRAJ_SHOWN = 24           # trajectories kept for the figure


def two_moons(n: int, rng: np.random.Generator, noise: float = 0.05) -> np.ndarray:
    """Two interleaved half circles, centred and scaled by 1.5: shape (n, 2)."""
    k = n // 2
    th = rng.uniform(0.0, np.pi, n)
    up = np.c_[np.cos(th[:k]), np.sin(th[:k])]
    lo = np.c_[1 - np.cos(th[k:]), 0.5 - np.sin(th[k:])]
    return (np.r_[up, lo] + noise * rng.standard_normal((n, 2)) - [0.5, 0.25]) * 1.5


def bridge_log_h(log_plan: np.ndarray, cost: np.ndarray, eps: float) -> np.ndarray:
    r"""$\log\pi_{ij} - \log q_1(y_j|x_i) = \log\pi_{ij} + |x_i - y_j|^2/(4\varepsilon)$ + const, (n, m)."""
    return log_plan + cost / (4.0 * eps)


def simulate_bridge_mixture(x0, y, log_h, eps, K, noise, keep=0):
    r"""Euler-Maruyama with K uniform steps of the bridge mixture started at each row of x0 (n, d).

    `noise`: (K_ref, n, d) standard normals scaled by $\sqrt{1/K_{ref}}$ (common random numbers; K divides
    K_ref). The last step is noiseless: $X_1 = E[X_1 \mid X_{1-h}]$. Returns (X_1, kinetic energy of
    the drift $E\sum_k h|b_k|^2$ over the noisy steps, trajectories of the first `keep` paths (K+1, keep, d)).
    """
    h = 1.0 / K
    inc = noise.reshape(K, -1, *noise.shape[1:]).sum(1)
    x = x0.copy()
    energy = 0.0
    traj = [x[:keep].copy()]
    for k in range(K):
        t = k * h
        lw = log_h - squared_distances(x, y) / (4.0 * eps * (1.0 - t))
        w = np.exp(lw - lw.max(axis=1, keepdims=True))
        mean = (w @ y) / w.sum(axis=1, keepdims=True)
        if k == K - 1:
            x = mean
        else:
            drift = (mean - x) / (1.0 - t)
            energy += h * float((drift * drift).sum(1).mean())
            x = x + h * drift + np.sqrt(2.0 * eps) * inc[k]
        traj.append(x[:keep].copy())
    return x, energy, np.array(traj)


def _w2_clouds(a: np.ndarray, b: np.ndarray) -> float:
    """Exact W2 between two equal-size uniform clouds (assignment)."""
    cost = squared_distances(a, b)
    r, c = linear_sum_assignment(cost)
    return float(np.sqrt(cost[r, c].mean()))


def _reached(errors, ses, ref_err) -> int | None:
    """Smallest K in K_GRID certainly within TAU: error + 5 SE + reference error <= TAU (None: none)."""
    return next((K for K, e, s in zip(K_GRID, errors, ses) if e + K_SE * s + ref_err <= TAU), None)


def _maybe_reached(errors, ses, ref_err) -> int | None:
    """Smallest K in K_GRID possibly within TAU: error - 5 SE - reference error <= TAU (None: none)."""
    return next((K for K, e, s in zip(K_GRID, errors, ses) if e - K_SE * s - ref_err <= TAU), None)


def _beats(k_sure: int | None, k_maybe_other: int | None) -> bool:
    """Certainly fewer NFE: reached at k_sure while the other cannot have been reached by then."""
    return k_sure is not None and (k_maybe_other is None or k_sure < k_maybe_other)


def q4eii_truth(*, rng: np.random.Generator) -> Truth:
    """Independent vs entropic-OT coupling: Euler-Maruyama error against a K_REF-step solve."""
    x = rng.standard_normal((CLOUD_N, 2))
    y = two_moons(CLOUD_N, rng)
    cost = squared_distances(x, y)
    sk = sinkhorn_log(cost, 4.0 * EPS_CLOUD, tol=1e-9)
    start = np.tile(np.arange(CLOUD_N), PATHS_PER_POINT)  # path p starts at x[start[p]]
    y_rep = np.tile(y, (PATHS_PER_POINT, 1))  # p1 with the multiplicity of the paths (for W2)
    plans = {"brownian_bridge": np.full(cost.shape, -2.0 * np.log(CLOUD_N)),
             "schroedinger_bridge": sk.log_plan}
    noise = rng.standard_normal((K_REF, start.size, 2)) * np.sqrt(1.0 / K_REF)
    checks = [Check.close("Sinkhorn row marginals (L1 error)", sk.marginal_error, 0.0, atol=1e-6,
                          role=Role.CONTROL, detail=f"{sk.iterations} log-domain iterations")]
    results = {}
    for name, log_plan in plans.items():
        log_h = bridge_log_h(log_plan, cost, EPS_CLOUD)[start]
        x0 = x[start]
        ref, ref_energy, traj = simulate_bridge_mixture(x0, y, log_h, EPS_CLOUD, K_REF, noise,
                                                        keep=TRAJ_SHOWN)
        half, _, _ = simulate_bridge_mixture(x0, y, log_h, EPS_CLOUD, K_REF // 2, noise)
        ref_err = float(np.linalg.norm(ref - half, axis=1).mean())
        err, se, w2, energy, straight = [], [], [], [], []
        for K in K_GRID:
            out, en, _ = simulate_bridge_mixture(x0, y, log_h, EPS_CLOUD, K, noise)
            dist = np.linalg.norm(out - ref, axis=1)
            err.append(float(dist.mean()))
            se.append(float(dist.std(ddof=1) / np.sqrt(len(dist))))
            w2.append(_w2_clouds(out, y_rep))
            energy.append(en)
            straight.append(float(((out - x0) ** 2).sum(1).mean()) / en if en > 0 else float("nan"))
        k_star, k_maybe = _reached(err, se, ref_err), _maybe_reached(err, se, ref_err)
        results[name] = {"k_maybe": k_maybe, "err": err, "se": se, "w2": w2, "energy": energy, "straightness": straight,
                         "ref_err": ref_err, "ref_w2": _w2_clouds(ref, y_rep), "ref_energy": ref_energy,
                         "k_star": k_star, "traj": traj}
        checks.append(Check.close(f"{name}: reference solve (K = {K_REF}) vs K = {K_REF // 2}, mean distance",
                                  ref_err, 0.0, atol=TAU, role=Role.CONTROL,
                                  detail="the reference must resolve the accuracy TAU; its error "
                                         "bound is added to (subtracted from) every error below"))
        reached = "not reached" if k_star is None else f"K = {k_star}"
        checks.append(Check.exact(f"{name}: NFE to reach mean error <= {TAU} ({reached})",
                                  k_star is not None, value=k_star, expected=f"<= {K_GRID[-1]}",
                                  detail="errors at K = " + ", ".join(
                                      f"{K}: {e:.3f}" for K, e in zip(K_GRID, err))))
    bb, sb = results["brownian_bridge"], results["schroedinger_bridge"]
    sb_wins = _beats(sb["k_star"], bb["k_maybe"])
    bb_wins = _beats(bb["k_star"], sb["k_maybe"])
    checks.append(Check.exact("the experiment separates the couplings (one certainly needs fewer NFE)",
                              sb_wins or bb_wins, role=Role.CONTROL,
                              value={"SB": sb["k_star"], "BB": bb["k_star"]},
                              detail=f"possibly reached: SB at K = {sb['k_maybe']}, BB at K = {bb['k_maybe']}"))
    faster = "schroedinger_bridge" if sb_wins else "brownian_bridge"
    nfe = {k: (v["k_star"] if v["k_star"] is not None else 2 * K_GRID[-1]) for k, v in results.items()}
    # coupling cost: Sinkhorn iterations x 2 n m kernel terms vs K m kernel terms per sample
    saved = abs(nfe["brownian_bridge"] - nfe["schroedinger_bridge"])
    sinkhorn_terms = 2 * sk.iterations * CLOUD_N * CLOUD_N
    break_even = sinkhorn_terms / (saved * CLOUD_N) if saved > 0 else float("inf")
    checks.append(Check.exact("entropic-OT coupling certainly needs fewer NFE than the independent one",
                              sb_wins, value=sb["k_star"], expected=bb["k_maybe"],
                              detail=f"BB reached at K = {bb['k_star']} (None: > {K_GRID[-1]}); one "
                                     f"Sinkhorn solve ({sk.iterations} iterations) costs as many "
                                     f"kernel evaluations as the NFE saved on {break_even:.0f} samples"))
    facts = {"results": results, "nfe": nfe, "faster": faster, "x0": x, "x1": y,
             "sinkhorn_iterations": sk.iterations, "break_even_samples": break_even}
    return Truth(tuple(checks), facts)


def q4eii_judge(answer, truth: Truth) -> Evidence:
    f = truth.facts
    checks = []
    checks.append(Check.conclusion("faster at inference (fewer NFE for the same accuracy)",
                                   answer.get("faster"), f["faster"]))
    bb, sb = f["results"]["brownian_bridge"], f["results"]["schroedinger_bridge"]
    fmt = lambda k: "> 128" if k is None else str(k)  # noqa: E731
    summary = (f"NFE to mean error <= {TAU}: SB {fmt(sb['k_star'])}, BB {fmt(bb['k_star'])}; "
               f"error at K = 8: SB {sb['err'][3]:.3f}, BB {bb['err'][3]:.3f}; kinetic energy "
               f"SB {sb['ref_energy']:.2f}, BB {bb['ref_energy']:.2f}")
    correction = (f"At inference both need the drift E[X1 | X_t] (learned or, here, exact) at every step, "
                  f"so cost = NFE. The entropic-OT coupling (Schroedinger bridge) gives nearly straight, "
                  f"low-energy paths: NFE {fmt(sb['k_star'])} vs {fmt(bb['k_star'])} for the independent "
                  f"coupling (Brownian bridge) at mean error {TAU}, n = {CLOUD_N}, eps = {EPS_CLOUD}. "
                  f"Sinkhorn is paid once ({f['sinkhorn_iterations']} iterations), amortised after "
                  f"~{f['break_even_samples']:.0f} samples. Faster: {f['faster']}")
    return Evidence(truth.checks + tuple(checks), summary, correction, ("q4e_bridges",))


CLAIM = Claim(
    "q4e.ii", "which of Brownian bridge / Schroedinger bridge gives faster inference (NFE)",
    (Field("faster", "choice", "the model with faster inference",
           choices=("brownian_bridge", "schroedinger_bridge")),),
    q4eii_truth, q4eii_judge, ("q4e_bridges",))
