r"""Claims q4e.i and q4e.ii: Brownian bridges, the Schroedinger bridge, and inference speed.

Bridge time: source at $t = 0$, target at $t = 1$; reference $dX = \sqrt{2\varepsilon}\,dW$. A mixture of
Brownian bridges under a coupling $\pi$ of $(p_0, p_1)$, started at $X_0 = x_i$, is the SDE
$dX = \frac{E[X_1 \mid X_t, X_0 = x_i] - X_t}{1-t}dt + \sqrt{2\varepsilon}dW$ with
$P(X_1 = y_j \mid X_t = x, X_0 = x_i) \propto \frac{\pi_{ij}}{q_1(y_j|x_i)} q_{1-t}(y_j|x)$: a softmax, exact.
(A) independent coupling (Brownian bridge between $p_0$ and $p_1$), (B) entropic-OT coupling with
regularisation $4\varepsilon$ on $|x-y|^2$ (the Schroedinger bridge; then $\pi_{ij}/q_1 \propto e^{g_j/4\varepsilon}$).
"""
from __future__ import annotations

import numpy as np
import sympy as sp
from scipy.optimize import linear_sum_assignment

from derivations import bridges as D
from derivations.steps_q4 import q4ei_derivation
from .claims import Check, Claim, Evidence, Field, Role, Truth
from .formula import equivalent
from .sinkhorn import sinkhorn_log, squared_distances
from .models import psd_sqrt

__all__ = ["CLAIMS", "EPS_GAUSS", "EPS_CLOUD", "TAU", "K_GRID",
           "gaussian_sb_cross_cov", "gaussian_sb_marginal_cov", "two_moons",
           "bridge_log_h", "simulate_bridge_mixture"]

EPS_GAUSS = 0.25          # q4e.i: reference noise for the Gaussian-to-Gaussian bridge
GAUSS_N, GAUSS_REPS = 256, 16  # 16 replicates: SE small enough that 5 SE sits inside atol
EPS_CLOUD = 0.02          # q4e.ii: reference noise (Sinkhorn regularisation 4 eps on |x - y|^2)
CLOUD_N = 64
PATHS_PER_POINT = 4       # paths started at each source point (SE of the mean error halves)
K_SE = 5.0                # errors are certified with k = 5 standard errors
K_GRID = (1, 2, 4, 8, 16, 32, 64, 128)
K_REF = 1024
TAU = 0.1  # fixed accuracy: mean |X_K - X_ref| (moons span ~ 3, nearest-neighbour gap ~ 0.1)
TRAJ_SHOWN = 24           # trajectories kept for the figure


# ---- Gaussian Schroedinger bridge (q4e.i) ------------------------------------------------------

def gaussian_sb_cross_cov(A: np.ndarray, B: np.ndarray, eps: float) -> np.ndarray:
    r"""Cross-covariance of the EOT plan between $N(\cdot, A)$ and $N(\cdot, B)$, kernel $e^{-|x-y|^2/4\varepsilon}$:
    $C = \frac12(A^{1/2}D A^{-1/2} - \sigma^2 I)$, $D = (4A^{1/2}BA^{1/2} + \sigma^4 I)^{1/2}$, $\sigma^2 = 2\varepsilon$
    (Janati et al. 2020); in 1-D it is `derivations.bridges.gaussian_sb_cross_covariance`."""
    s2 = 2.0 * eps
    ra = psd_sqrt(A)
    d = psd_sqrt(4.0 * ra @ B @ ra + s2 * s2 * np.eye(len(A)))
    return 0.5 * (ra @ d @ np.linalg.inv(ra) - s2 * np.eye(len(A)))


def gaussian_sb_marginal_cov(A, B, C, eps: float, t: float) -> np.ndarray:
    r"""$\Sigma_t = (1-t)^2A + t^2B + t(1-t)(C + C^T) + 2\varepsilon t(1-t)I$ (Bunne et al. 2023)."""
    return ((1 - t) ** 2 * A + t * t * B + t * (1 - t) * (C + C.T)
            + 2 * eps * t * (1 - t) * np.eye(len(A)))


def _gauss_setup():
    a, b = np.array([-1.0, 0.5]), np.array([1.5, -0.5])
    A = np.array([[1.0, 0.3], [0.3, 0.5]])
    B = np.array([[0.4, -0.2], [-0.2, 0.8]])
    return a, b, A, B


def _sample_gauss(mean, cov, n, rng):
    return mean + rng.standard_normal((n, len(mean))) @ np.linalg.cholesky(cov).T


def _plan_stats(x, y, log_plan, eps, t):
    """Cross-covariance of a plan and the covariance of its mixture of bridges at time t (exact in the plan)."""
    p = np.exp(log_plan)
    p /= p.sum()
    mx, my = p.sum(1) @ x, p.sum(0) @ y
    cross = (x - mx).T @ p @ (y - my)
    cov_x = (x - mx).T @ (p.sum(1)[:, None] * (x - mx))
    cov_y = (y - my).T @ (p.sum(0)[:, None] * (y - my))
    marg = gaussian_sb_marginal_cov(cov_x, cov_y, cross, eps, t)
    return cross, marg


def q4ei_truth(*, rng: np.random.Generator) -> Truth:
    """The bridge's conditional law (sympy + a numeric Schur complement) and the Gaussian SB from samples."""
    var = D.brownian_bridge_variance()
    seed_var = D.seed_formula_variance()
    mean = D.brownian_bridge_mean()
    checks = [
        Check.exact("bridge mean given endpoints is (1-t)x0 + t x1 (sympy)",
                    sp.expand(mean - ((1 - D.t) * D.x0 + D.t * D.x1)) == 0, value=sp.sstr(mean),
                    role=Role.CONTROL),
        Check.exact("X_t = (1-t)X0 + tX1 + sqrt(2 eps) B_t (standard bridge B) has variance "
                    "2 eps t(1-t), the reference bridge's", sp.expand(seed_var - var) == 0,
                    value=sp.sstr(seed_var), expected=sp.sstr(var)),
    ]
    # numeric Schur complement of the discretised reference covariance 2 eps min(s, t)
    grid = np.array([0.1, 0.3, 0.5, 0.77, 0.95])
    f = sp.lambdify((D.t, D.eps), var, "numpy")
    worst = 0.0
    for tt in grid:
        cov = 2 * EPS_GAUSS * np.minimum.outer([tt, 1.0], [tt, 1.0])
        schur = cov[0, 0] - cov[0, 1] ** 2 / cov[1, 1]
        worst = max(worst, abs(schur - f(tt, EPS_GAUSS)))
    checks.append(Check.close("Schur complement of 2 eps min(s,t) equals 2 eps t(1-t) at 5 times",
                              worst, 0.0, atol=1e-14, role=Role.CONTROL,
                              detail="float64 rounding of a 2x2 Schur complement"))
    # closed-form Gaussian SB (2-D, non-commuting covariances) and its checks
    a, b, A, B = _gauss_setup()
    C = gaussian_sb_cross_cov(A, B, EPS_GAUSS)
    joint = np.block([[A, C], [C.T, B]])
    off = np.linalg.inv(joint)[:2, 2:]
    checks.append(Check.close("closed-form plan: off-diagonal precision block = -I/(2 eps)",
                              np.abs(off + np.eye(2) / (2 * EPS_GAUSS)).max(), 0.0, atol=1e-12,
                              role=Role.CONTROL, detail="product form exp(-|x-y|^2/(4 eps)) f(x) g(y)"))
    c1 = D.gaussian_sb_cross_covariance().subs({D.A: 0.7, D.B: 1.3, D.eps: EPS_GAUSS})
    checks.append(Check.close("matrix formula reduces to sympy's sqrt(AB + eps^2) - eps in 1-D",
                              gaussian_sb_cross_cov(np.array([[0.7]]), np.array([[1.3]]), EPS_GAUSS)[0, 0],
                              float(c1), rtol=1e-13, role=Role.CONTROL))
    t_mid = 0.5
    sig_t = gaussian_sb_marginal_cov(A, B, C, EPS_GAUSS, t_mid)
    # Sinkhorn from samples, GAUSS_REPS independent replicates -> SE
    cross_sb, marg_sb, marg_ind, iters, errs = [], [], [], [], []
    for _ in range(GAUSS_REPS):
        x, y = _sample_gauss(a, A, GAUSS_N, rng), _sample_gauss(b, B, GAUSS_N, rng)
        res = sinkhorn_log(squared_distances(x, y), 4 * EPS_GAUSS, tol=1e-10)
        iters.append(res.iterations)
        errs.append(res.marginal_error)
        cr, mg = _plan_stats(x, y, res.log_plan, EPS_GAUSS, t_mid)
        cross_sb.append(cr)
        marg_sb.append(mg)
        _, mi = _plan_stats(x, y, np.full((GAUSS_N, GAUSS_N), -2 * np.log(GAUSS_N)), EPS_GAUSS,
                            t_mid)
        marg_ind.append(mi)
    cross_sb, marg_sb, marg_ind = map(np.array, (cross_sb, marg_sb, marg_ind))
    checks.append(Check.close("Sinkhorn row marginals, worst replicate (L1 error)", max(errs), 0.0,
                              atol=1e-8, role=Role.CONTROL,
                              detail=f"at most {max(iters)} log-domain iterations"))
    se = lambda v: float(v.std(ddof=1) / np.sqrt(len(v)))  # noqa: E731
    atol = 0.03  # O(1/n) bias of entropic plans from n = 256 samples, well under the SB-vs-BB gap
    for (i, j) in ((0, 0), (0, 1), (1, 0), (1, 1)):
        v = cross_sb[:, i, j]
        checks.append(Check.monte_carlo(f"Sinkhorn plan cross-covariance C[{i},{j}] = closed form",
                                        v.mean(), se(v), C[i, j], atol=atol, role=Role.CONTROL,
                                        detail=f"{GAUSS_REPS} replicates of n = {GAUSS_N}"))
    tr_sb, tr_ind = np.trace(marg_sb, axis1=1, axis2=2), np.trace(marg_ind, axis1=1, axis2=2)
    gap = float(np.trace(sig_t) - tr_ind.mean())
    checks += [
        Check.monte_carlo("mixture of bridges under the EOT plan has the SB marginal: tr Sigma_1/2",
                          tr_sb.mean(), se(tr_sb), np.trace(sig_t), atol=atol),
        Check.exact("mixture of bridges under the independent coupling is NOT the SB "
                    "(tr Sigma_1/2 off by > 5 SE + atol)",
                    abs(gap) > 5 * se(tr_ind) + atol, value=float(tr_ind.mean()),
                    expected=float(np.trace(sig_t)), detail=f"gap {gap:.3f}, SE {se(tr_ind):.2g}"),
    ]
    matches = {"entropic_ot": abs(tr_sb.mean() - np.trace(sig_t)) <= max(5 * se(tr_sb), atol),
               "independent": abs(gap) <= max(5 * se(tr_ind), atol)}  # Check.monte_carlo's rule
    matching = [k for k, v in matches.items() if v]
    checks.append(Check.exact("exactly one coupling reproduces the SB marginal", len(matching) == 1,
                              value=matching, expected="one of entropic_ot, independent",
                              role=Role.CONTROL))
    facts = {"variance": var, "sb_cross_cov": C, "sb_marginal_trace": float(np.trace(sig_t)),
             "sinkhorn_trace": (float(tr_sb.mean()), se(tr_sb)),
             "independent_trace": (float(tr_ind.mean()), se(tr_ind)),
             "sb_coupling": matching[0] if len(matching) == 1 else "undetermined",
             "sinkhorn_iterations": int(max(iters)), "derivation": q4ei_derivation()}
    return Truth(tuple(checks), facts)


def q4ei_judge(answer, truth: Truth) -> Evidence:
    facts = truth.facts
    checks = []
    if "bridge_variance" in answer:
        eq = equivalent(answer["bridge_variance"], facts["variance"],
                        {D.t: (0.0, 1.0), D.eps: (0.01, 10.0)})
        checks.append(Check.exact("stated Var[X_t | X_0, X_1] equals 2 eps t(1-t)", eq.equal,
                                  value=sp.sstr(answer["bridge_variance"]),
                                  expected=sp.sstr(facts["variance"]), detail=eq.describe(),
                                  role=Role.PART))
    coupling = answer.get("sb_coupling")  # the main difference the question asks for
    said = "entropic_ot" if coupling == "kl_projection" else coupling  # same object (static SB)
    checks.append(Check.conclusion("the SB the answer describes = Brownian bridges under the "
                                   "coupling the numbers single out", said, facts["sb_coupling"],
                                   detail="kl_projection: min KL(P || Q) with both marginals fixed, "
                                          "whose static problem is entropic OT"))
    sb, ind = facts["sinkhorn_trace"], facts["independent_trace"]
    summary = (f"bridge variance {sp.sstr(facts['variance'])}; at t = 1/2 tr Sigma_SB = {facts['sb_marginal_trace']:.4f}, "
               f"EOT-plan bridges {sb[0]:.4f} +- {sb[1]:.2g}, independent-coupling bridges "
               f"{ind[0]:.4f} +- {ind[1]:.2g}")
    correction = ("Given X0, X1 the reference (sqrt(2 eps) W) bridge has mean (1-t)X0 + tX1 and "
                  "variance 2 eps t(1-t) per coordinate. A 'Brownian bridge model' mixes these "
                  "bridges under the independent coupling p0 x p1; the Schroedinger bridge is the same "
                  "mixture under the entropic-OT coupling (static SB: plan prop. to "
                  "exp(-|x-y|^2/(4 eps)) f(x) g(y)), which is Markov and between Gaussians has the "
                  "closed form Sigma_t = (1-t)^2 A + t^2 B + t(1-t)(C + C^T + 2 eps I)")
    return Evidence(truth.checks + tuple(checks), summary, correction, ("q4e_bridges",))


# ---- bridge inference experiment (q4e.ii) ------------------------------------------------------

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


_T, _EPS = D.t, D.eps
CLAIMS = (
    Claim("q4e.i", "Brownian vs Schroedinger bridge: the bridge's conditional variance; SB = "
                   "bridges under the entropic-OT coupling (Gaussian closed form vs Sinkhorn)",
          (Field("bridge_variance", "formula",
                 "Var[X_t | X_0, X_1] per coordinate for reference dX = sqrt(2 epsilon) dW; "
                 "t: bridge time in (0, 1), epsilon: noise scale", symbols=(_T, _EPS)),
           Field("sb_coupling", "choice", "how the answer characterises the Schroedinger bridge: "
                 "bridges mixed under the entropic-OT coupling, the KL projection of the reference "
                 "onto the marginals, or bridges under the independent coupling",
                 choices=("entropic_ot", "kl_projection", "independent"))),
          q4ei_truth, q4ei_judge, ("q4e_bridges",)),
    Claim("q4e.ii", "which of Brownian bridge / Schroedinger bridge gives faster inference (NFE)",
          (Field("faster", "choice", "the model with faster inference",
                 choices=("brownian_bridge", "schroedinger_bridge")),),
          q4eii_truth, q4eii_judge, ("q4e_bridges",)),
)
