r"""Question 1(b) numerics: the Gaussian KL, joint-KL Monte Carlo, and the counterexample searches.

Joint laws $q_\sigma(\tilde x, x) = q_0(x) N(\tilde x; x, \sigma^2 I_d)$: $KL(q_{\sigma_j} \| q_{\sigma_0})
= \frac d2(r - 1 - \log r)$, $r = \sigma_j^2/\sigma_0^2$ (`derivations.gaussian_kl`), for every $q_0$.
Marginals $q_\sigma = q_0 * N(0, \sigma^2)$ in 1-D: KL by quadrature of log-densities, with an
a-posteriori error bound (two resolutions) plus a tail bound. For product $q_0$ on $R^d$ the marginal
KL is the sum of the coordinates' 1-D KLs, so a 1-D search settles the sign for every d.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import log_ndtr, logsumexp, voigt_profile

__all__ = ["kl_gauss", "joint_search", "joint_kl_mc", "MixtureFamily", "kl_mixture",
           "kl_uniform", "kl_cauchy", "marginal_search", "SEARCH_SEED", "FAMILIES"]

SEARCH_SEED = 20250331  # the searches are deterministic numerics: a fixed seed, whatever --seed is


def kl_gauss(d, s_a, s_b):
    r"""$KL(N(\mu, s_a^2 I_d) \| N(\mu, s_b^2 I_d)) = \frac d2 (u - \log(1 + u))$, $u = s_a^2/s_b^2 - 1$;
    transcription of `derivations.gaussian_kl.kl_isotropic` (log1p keeps it accurate near u = 0)."""
    u = np.asarray(s_a, float) ** 2 / np.asarray(s_b, float) ** 2 - 1.0
    return 0.5 * np.asarray(d, float) * (u - np.log1p(u))


def _sigma_triples(rng, n, log_s0=(-3.0, 1.0), log_gap=(1e-3, 3.0)):
    """$\\sigma_0 < \\sigma_1 < \\sigma_2$: log-uniform $\\sigma_0$, log-ratios uniform in `log_gap`."""
    s0 = np.exp(rng.uniform(*log_s0, n))
    s1 = s0 * np.exp(rng.uniform(*log_gap, n))
    s2 = s1 * np.exp(rng.uniform(*log_gap, n))
    return s0, s1, s2


def joint_search(n: int, rng: np.random.Generator, d_max: int = 50) -> dict:
    """Vectorised check of $KL(q_{\\sigma_1}\\|q_{\\sigma_0}) \\le KL(q_{\\sigma_2}\\|q_{\\sigma_0})$ (joint laws)
    over d = 1..d_max and `n` sigma triples; inside means $\\sigma_0^2 \\le \\sigma_1^2/d$."""
    d = rng.integers(1, d_max + 1, n)
    s0, s1, s2 = _sigma_triples(rng, n)
    k1, k2 = kl_gauss(d, s1, s0), kl_gauss(d, s2, s0)
    margin = k2 - k1
    rel = margin / k2
    inside = s0 ** 2 <= s1 ** 2 / d
    out = {"n": int(n), "n_inside": int(inside.sum()), "n_outside": int((~inside).sum()),
           "violations": int((margin < 0).sum())}
    for name, mask in (("inside", inside), ("outside", ~inside)):
        i = np.flatnonzero(mask)[np.argmin(rel[mask])]
        out[f"worst_rel_margin_{name}"] = float(rel[i])
        out[f"worst_{name}"] = {"d": int(d[i]), "sigma_0": float(s0[i]), "sigma_1": float(s1[i]),
                                "sigma_2": float(s2[i]), "kl_1": float(k1[i]), "kl_2": float(k2[i])}
    out["min_margin"] = float(margin.min())
    keep = np.arange(min(n, 4000))
    out["sample"] = {"ratio": (s1[keep] ** 2 / (d[keep] * s0[keep] ** 2)).tolist(),
                     "rel_margin": rel[keep].tolist()}
    return out


def joint_kl_mc(sample_q0, d: int, s_j: float, s_0: float, n: int, rng) -> tuple[float, float]:
    r"""Monte Carlo $KL(q_{\sigma_j}(\tilde x, x) \| q_{\sigma_0}(\tilde x, x))$: mean and SE of
    $\log q_0(x) + \log N(\tilde x; x, \sigma_j^2 I) - \log q_0(x) - \log N(\tilde x; x, \sigma_0^2 I)$,
    $x \sim q_0$, $\tilde x = x + \sigma_j z$. `sample_q0(n, rng) -> (x: (n, d), log q0(x): (n,))`."""
    x, log_q0 = sample_q0(n, rng)
    xt = x + s_j * rng.standard_normal((n, d))
    sq = ((xt - x) ** 2).sum(axis=1)

    def log_joint(s):
        return log_q0 - 0.5 * sq / s ** 2 - d * np.log(s) - 0.5 * d * np.log(2 * np.pi)

    lr = log_joint(s_j) - log_joint(s_0)
    return float(lr.mean()), float(lr.std(ddof=1) / np.sqrt(n))


# ---------------------------------------------------------------- marginal KL quadratures (1-D)

_GH = {n: np.polynomial.hermite_e.hermegauss(n) for n in (60, 120)}


def _log_mix(x, c, mu, h):
    """log of a 1-D Gaussian mixture at x: (C, M); c = log w - log(2 pi var)/2, mu, h = 1/(2 var): (C, K)
    -> (C, M). A log-sum-exp over the K components done component by component on (C, M) arrays."""
    lps = []
    for k in range(mu.shape[1]):
        lp = x - mu[:, k, None]
        np.square(lp, out=lp)
        lp *= -h[:, k, None]
        lp += c[:, k, None]
        lps.append(lp)
    m = lps[0].copy()
    for lp in lps[1:]:
        np.maximum(m, lp, out=m)
    tot = np.zeros_like(m)
    for lp in lps:
        lp -= m
        np.exp(lp, out=lp)
        tot += lp
    np.log(tot, out=tot)
    tot += m
    return tot


def _mix_consts(w, v0, s):
    var = v0 + s[:, None] ** 2
    return var, np.log(w) - 0.5 * np.log(2 * np.pi * var), 0.5 / var


def _kl_mixture_multi(w, mu, v0, s_a, s_bs, n):
    """Gauss-Hermite (n nodes per component of the law with noise s_a) of KL(q_{s_a} || q_b) for every
    s_b in `s_bs`; log q_{s_a} at the nodes is computed once and shared."""
    za, wa = _GH[n]
    var_a, c_a, h_a = _mix_consts(w, v0, s_a)
    C, K = w.shape
    x = (mu[:, :, None] + np.sqrt(var_a)[:, :, None] * za[None, None, :]).reshape(C, K * n)
    la = _log_mix(x, c_a, mu, h_a)
    q = wa / np.sqrt(2 * np.pi)
    out = []
    for s_b in s_bs:
        _, c_b, h_b = _mix_consts(w, v0, s_b)
        lr = (la - _log_mix(x, c_b, mu, h_b)).reshape(C, K, n)
        out.append(np.einsum("ckn,n,ck->c", lr, q, w))
    return out


def _kl_mixture_gh(w, mu, v0, s_a, s_b, n):
    return _kl_mixture_multi(w, mu, v0, s_a, [s_b], n)[0]


def _kl_mixture_errs(w, mu, v0, s_a, s_bs):
    """[(kl, err)] for KL(q_{s_a} || q_{s_b}), s_b in s_bs: GH120, error |GH120 - GH60| (as kl_mixture)."""
    fine = _kl_mixture_multi(w, mu, v0, s_a, s_bs, 120)
    coarse = _kl_mixture_multi(w, mu, v0, s_a, s_bs, 60)
    return [(f, np.abs(f - c) + 1e-14 * np.abs(f)) for f, c in zip(fine, coarse)]


def kl_mixture(w, mu, v0, s_a, s_b):
    r"""$KL(q_0 * N(0, s_a^2) \| q_0 * N(0, s_b^2))$ for mixtures $q_0 = \sum_k w_k N(\mu_k, v_k)$:
    Gauss-Hermite (120 nodes) under each component of the first law; error bound |GH120 - GH60|.
    w, mu, v0: (C, K); s_a, s_b: (C,). Returns (kl, err), each (C,)."""
    fine = _kl_mixture_gh(w, mu, v0, s_a, s_b, 120)
    coarse = _kl_mixture_gh(w, mu, v0, s_a, s_b, 60)
    return fine, np.abs(fine - coarse) + 1e-14 * np.abs(fine)


def _log_uniform_smoothed(x, L, s):
    r"""$\log[(\Phi(x/s) - \Phi((x-L)/s))/L]$, stable on both sides (reflect when x > L/2)."""
    u1, u2 = x / s, (x - L) / s
    left = x <= L / 2
    hi = np.where(left, u1, -u2)
    lo = np.where(left, u2, -u1)
    a, b = log_ndtr(hi), log_ndtr(lo)
    return a + np.log1p(-np.exp(b - a)) - np.log(L)


def _trapezoid(f, h):
    return h * (f.sum() - 0.5 * (f[0] + f[-1]))


def kl_uniform(L: float, s_a: float, s_b: float):
    r"""KL between $U[0, L] * N(0, s_a^2)$ and $U[0, L] * N(0, s_b^2)$: trapezoid rule on a grid of
    step $\min(s_a, s_b)/8$ over $[-16 s_{max}, L + 16 s_{max}]$ (Gaussian tails beyond: < 1e-50);
    error bound |T(h) - T(2h)|."""
    return kl_uniform_both(L, s_a, s_b)[0]


def kl_uniform_both(L: float, s_a: float, s_b: float):
    """(kl_uniform(L, s_a, s_b), kl_uniform(L, s_b, s_a)): the grid is symmetric in (s_a, s_b), so both
    directions come from the same two log-densities (bit-for-bit what two separate calls give)."""
    smax, smin = max(s_a, s_b), min(s_a, s_b)
    n = int(np.ceil((L + 32 * smax) / (smin / 8))) // 2 * 2 + 1
    x = np.linspace(-16 * smax, L + 16 * smax, n)
    h = x[1] - x[0]
    la, lb = _log_uniform_smoothed(x, L, s_a), _log_uniform_smoothed(x, L, s_b)
    return _trap_pair(np.exp(la), np.exp(lb), la, lb, h, None, 0.0)


def _trap_pair(pa, pb, la, lb, h, jac, tail):
    out = []
    for p, d in ((pa, la - lb), (pb, lb - la)):
        f = p * d if jac is None else p * d * jac
        fine, coarse = _trapezoid(f, h), _trapezoid(f[::2], 2 * h)
        out.append((fine, abs(fine - coarse) + tail + 1e-14 * abs(fine)))
    return out


def kl_cauchy(g: float, s_a: float, s_b: float):
    r"""KL between Cauchy$(0, g) * N(0, s_a^2)$ and Cauchy$(0, g) * N(0, s_b^2)$ (Voigt profiles):
    trapezoid in u with $x = c\sinh u$, $|x| \le R = 10^4 c$, $c = \max(g, s_a, s_b)$, local step
    $\le \min(s_a, s_b, g)/8$; error |T(h) - T(2h)| plus the tail bound $4 g |s_a^2 - s_b^2|/(\pi R^3)$
    (log-ratio $\approx 3(s_a^2 - s_b^2)/x^2$ where the density is $\approx g/(\pi x^2)$, doubled)."""
    return kl_cauchy_both(g, s_a, s_b)[0]


def kl_cauchy_both(g: float, s_a: float, s_b: float):
    """(kl_cauchy(g, s_a, s_b), kl_cauchy(g, s_b, s_a)) from one grid (it is symmetric in s_a, s_b)."""
    c = max(g, s_a, s_b)
    R = 1e4 * c
    U = np.arcsinh(R / c)
    hu = min(s_a, s_b, g) / (8 * c)
    n = int(np.ceil(2 * U / hu)) // 2 * 2 + 1
    u = np.linspace(-U, U, n)
    x, jac = c * np.sinh(u), c * np.cosh(u)
    pa, pb = voigt_profile(x, s_a, g), voigt_profile(x, s_b, g)
    la, lb = np.log(pa), np.log(pb)
    h = u[1] - u[0]
    tail = 4 * g * abs(s_a ** 2 - s_b ** 2) / (np.pi * R ** 3)
    return _trap_pair(pa, pb, la, lb, h, jac, tail)


@dataclass(frozen=True)
class MixtureFamily:
    """K-component 1-D mixtures with narrow, separated modes down to near point masses."""

    K: int = 3

    def decode(self, theta):
        """theta: (C, 3K + 3) unconstrained -> (w, mu, v0, s0, s1, s2)."""
        K = self.K
        logits = theta[:, :K]
        w = np.exp(logits - logsumexp(logits, axis=1, keepdims=True))
        w = np.clip(w, 1e-6, None)
        w /= w.sum(axis=1, keepdims=True)
        mu = np.clip(theta[:, K:2 * K], -10, 10)
        sd = np.exp(np.clip(theta[:, 2 * K:3 * K], np.log(1e-5), 0.0))
        s0, s1, s2 = _decode_sigmas(theta[:, 3 * K:])
        return w, mu, sd ** 2, s0, s1, s2

    def draw(self, n, rng):
        K = self.K
        return np.column_stack([rng.normal(0, 2, (n, K)), rng.uniform(-10, 10, (n, K)),
                                rng.uniform(np.log(1e-5), 0, (n, K)), _draw_sigmas(n, rng)])

    def margins(self, theta):
        w, mu, v0, s0, s1, s2 = self.decode(theta)
        (f1, e1), = _kl_mixture_errs(w, mu, v0, s1, [s0])
        (f2, e2), = _kl_mixture_errs(w, mu, v0, s2, [s0])
        (r1, g1), (r2, g2) = _kl_mixture_errs(w, mu, v0, s0, [s1, s2])  # shares log q_s0 at s0's nodes
        return {"forward": (f2 - f1, e1 + e2, f2), "reverse": (r2 - r1, g1 + g2, r2)}


def _decode_sigmas(t):
    s0 = np.exp(np.clip(t[:, 0], np.log(1e-2), np.log(3.0)))
    s1 = s0 * np.exp(np.clip(t[:, 1], 0.01, 3.0))
    s2 = s1 * np.exp(np.clip(t[:, 2], 0.01, 3.0))
    return s0, s1, s2


def _draw_sigmas(n, rng):
    return np.column_stack([rng.uniform(np.log(1e-2), np.log(3.0), n),
                            rng.uniform(0.01, 3.0, n), rng.uniform(0.01, 3.0, n)])


def _margins(kl, s0, s1, s2):
    """Forward: KL(q_s2||q_s0) - KL(q_s1||q_s0); reverse: KL(q_s0||q_s2) - KL(q_s0||q_s1)."""
    f1, e1 = kl(s1, s0)
    f2, e2 = kl(s2, s0)
    r1, g1 = kl(s0, s1)
    r2, g2 = kl(s0, s2)
    return {"forward": (f2 - f1, e1 + e2, f2), "reverse": (r2 - r1, g1 + g2, r2)}


@dataclass(frozen=True)
class ScalarFamily:
    """A one-parameter q0 (uniform width L or Cauchy scale g) with a per-config quadrature."""

    name: str
    kl_one: object
    log_range: tuple
    kl_both: object = None  # (p, a, b) -> ((kl(a||b), err), (kl(b||a), err)) from one grid

    def decode(self, theta):
        p = np.exp(np.clip(theta[:, 0], *self.log_range))
        return (p,) + _decode_sigmas(theta[:, 1:])

    def draw(self, n, rng):
        return np.column_stack([rng.uniform(*self.log_range, n), _draw_sigmas(n, rng)])

    def margins(self, theta):
        p, s0, s1, s2 = self.decode(theta)
        if self.kl_both is not None:
            res = np.array([[self.kl_both(pi, ai, bi) for pi, ai, bi in zip(p, s, s0)] for s in (s1, s2)])
            (f1, e1), (r1, g1) = res[0, :, 0].T, res[0, :, 1].T
            (f2, e2), (r2, g2) = res[1, :, 0].T, res[1, :, 1].T
            return {"forward": (f2 - f1, e1 + e2, f2), "reverse": (r2 - r1, g1 + g2, r2)}

        def kl(a, b):
            res = np.array([self.kl_one(pi, ai, bi) for pi, ai, bi in zip(p, a, b)])
            return res[:, 0], res[:, 1]

        return _margins(kl, s0, s1, s2)


FAMILIES = {
    "mixture": MixtureFamily(3),
    "uniform": ScalarFamily("uniform", kl_uniform, (np.log(0.1), np.log(10.0)), kl_uniform_both),
    "cauchy": ScalarFamily("cauchy", kl_cauchy, (np.log(0.1), np.log(1.0)), kl_cauchy_both),
}


def marginal_search(budget: dict[str, int], refine_steps: int = 12, seed: int = SEARCH_SEED) -> dict:
    """Seeded random search with hill-climbing refinement of the worst relative margin, per family
    and KL direction. A counterexample needs margin < -(quadrature error bound)."""
    rng = np.random.default_rng(seed)
    report = {"configs": 0, "counterexamples": [], "families": {}}
    for name, n in budget.items():
        fam = FAMILIES[name]
        theta = fam.draw(n, rng)
        res = fam.margins(theta)
        report["configs"] += n
        fam_report = {}
        for direction, (margin, err, scale) in res.items():
            rel = margin / np.maximum(scale, 1e-300)
            conclusive = err < np.abs(margin)  # else the quadrature cannot sign the margin
            i = int(np.argmin(np.where(conclusive, rel, np.inf)))
            best, best_rel = theta[i:i + 1].copy(), float(rel[i])
            best_m, best_e = float(margin[i]), float(err[i])
            step = 0.3
            for _ in range(refine_steps):  # local refinement: 4 proposals per step
                props = best + step * rng.standard_normal((4, best.shape[1]))
                m, e, s = fam.margins(props)[direction]
                report["configs"] += 4
                r = np.where(e < np.abs(m), m / np.maximum(s, 1e-300), np.inf)
                j = int(np.argmin(r))
                if r[j] < best_rel:
                    best, best_rel, best_m, best_e = props[j:j + 1], float(r[j]), float(m[j]), float(e[j])
                else:
                    step *= 0.7
            found = margin < -err
            fam_report[direction] = {
                "n": int(n), "violations": int(found.sum()),
                "inconclusive": int((~conclusive).sum()), "worst_rel_margin": best_rel,
                "worst_margin": best_m, "worst_err": best_e, "max_err": float(err.max()),
                "worst_params": [float(v) for v in np.concatenate(
                    [np.ravel(a) for a in fam.decode(best)])],
                "sample_rel_margin": rel[:2000].tolist(),
                "sample_sigma_ratio": (fam.decode(theta)[-2][:2000] / fam.decode(theta)[-3][:2000]).tolist(),
            }
            if best_m < -best_e or found.any():
                report["counterexamples"].append({"family": name, "direction": direction,
                                                  "margin": best_m, "err": best_e,
                                                  "params": fam_report[direction]["worst_params"]})
        report["families"][name] = fam_report
    return report
