r"""Question 1(b) numerics for the joint laws: the Gaussian KL, joint-KL Monte Carlo, and the
counterexample search (the marginals' search is in `verify.q1.marginals`).

Joint laws $q_\sigma(\tilde x, x) = q_0(x) N(\tilde x; x, \sigma^2 I_d)$: $KL(q_{\sigma_j} \| q_{\sigma_0})
= \frac d2(r - 1 - \log r)$, $r = \sigma_j^2/\sigma_0^2$ (`derivations.gaussian_kl`), for every $q_0$.
"""
from __future__ import annotations

import numpy as np

__all__ = ["kl_gauss", "kl_gauss_margin", "joint_search", "joint_kl_mc", "SEARCH_SEED"]

SEARCH_SEED = 20250331  # the searches are deterministic numerics: a fixed seed, whatever --seed is


# ------------------------------------------------------------------------------- joint laws
def kl_gauss(d, s_a, s_b):
    r"""$KL(N(\mu, s_a^2 I_d) \| N(\mu, s_b^2 I_d)) = \frac d2 (u - \log(1 + u))$, $u = s_a^2/s_b^2 - 1$;
    transcription of `derivations.gaussian_kl.kl_isotropic` (u by `_ratio_m1` and log1p keep it
    accurate near u = 0)."""
    u = _ratio_m1(s_a, s_b)
    return _kl_from_u(d, u, np.log1p(u))


def _kl_from_u(d, u, log1p_u):
    """$\\frac d2 (u - \\log(1 + u))$ given both terms (u is overwritten when it is an array)."""
    u -= log1p_u
    u *= d
    u *= 0.5
    return u


def kl_gauss_margin(d, s0, s1, s2):
    r"""$KL_2 - KL_1$, $KL_j = $ `kl_gauss(d, s_j, s0)`, without cancellation: $\frac d2[(r_1 - 1)\delta +
    \delta - \log(1 + \delta)]$, $r_1 = s_1^2/s_0^2$, $\delta = s_2^2/s_1^2 - 1$ (from $r_2 - r_1 - \log(r_2/r_1)$,
    one log1p instead of two); float64, in place. $r - 1 = (s - t)(s + t)/t^2$ stays accurate near r = 1."""
    delta = _ratio_m1(s2, s1)
    return _margin_core(d, _ratio_m1(s1, s0), delta, np.log1p(delta))


def _ratio_m1(s, t):
    """$s^2/t^2 - 1 = (s - t)(s + t)/t^2$: s - t is exact when s and t are close (Sterbenz)."""
    r = np.subtract(s, t, dtype=float)
    r *= np.add(s, t, dtype=float)
    r /= t
    r /= t
    return r


def _margin_core(d, a, delta, log1p_delta):
    """$\\frac d2[a\\delta + \\delta - \\log(1+\\delta)]$ with $a = r_1 - 1$ (a is overwritten)."""
    a *= delta
    a += delta
    a -= log1p_delta
    a *= d
    a *= 0.5
    return a


def _log_sigma_triples(rng, n, log_s0=(-3.0, 1.0), log_gap=(1e-3, 3.0)):
    """$\\log\\sigma_0$ uniform in `log_s0`, $g_1 = \\log(\\sigma_1/\\sigma_0)$, $g_2 = \\log(\\sigma_2/\\sigma_1)$
    uniform in `log_gap`: $\\sigma_0 < \\sigma_1 < \\sigma_2$."""
    return rng.uniform(*log_s0, n), rng.uniform(*log_gap, n), rng.uniform(*log_gap, n)


_BLOCK = 1 << 15  # configurations per block of joint_search: its temporaries stay in cache


_CONTROL_STRIDE = 16  # every 16th configuration is also evaluated by kl_gauss_margin


def _joint_block(d, g1, g2):
    """(KL_1, KL_2, inside, max relative disagreement) for log-gaps g1, g2 (see joint_search): two
    separate evaluations of the derived KL, and on a strided subsample the cancellation-free margin
    `kl_gauss_margin`'s form against KL_2 - KL_1."""
    a = np.expm1(2 * g1)
    inside = d <= a + 1.0
    k1 = _kl_from_u(d, a, 2 * g1)
    two_g12 = 2 * (g1 + g2)
    k2 = _kl_from_u(d, np.expm1(two_g12), two_g12)
    sub = slice(None, None, _CONTROL_STRIDE)
    two_g2 = 2 * g2[sub]
    margin = _margin_core(d[sub], np.expm1(2 * g1[sub]), np.expm1(two_g2), two_g2)
    gap = np.abs((k2[sub] - k1[sub]) - margin) / np.abs(k2[sub])
    return k1, k2, inside, float(gap.max())


def joint_search(n: int, rng: np.random.Generator, d_max: int = 50) -> dict:
    """Vectorised check of $KL(q_{\\sigma_1}\\|q_{\\sigma_0}) \\le KL(q_{\\sigma_2}\\|q_{\\sigma_0})$ (joint laws)
    over d = 1..d_max and `n` sigma triples; inside means $\\sigma_0^2 \\le \\sigma_1^2/d$. The KLs depend on
    the ratios only ($r_j - 1 = $ expm1$(2\\log(\\sigma_j/\\sigma_0))$). A violation is $KL_2 < KL_1$ with
    both evaluated separately (`kl_gauss`'s formula), margin = $KL_2 - KL_1$ (log-gaps >= 1e-3 keep its
    rounding error near 1e-13 relative); `max_rel_disagreement` = max $|(KL_2 - KL_1) - m| / KL_2$ against
    the cancellation-free `kl_gauss_margin` form m on every 16th configuration. Cache-sized blocks."""
    d = rng.integers(1, d_max + 1, n)
    ls0, g1, g2 = _log_sigma_triples(rng, n)
    out = {"n": int(n), "n_inside": 0, "violations": 0, "min_margin": np.inf,
           "max_rel_disagreement": 0.0}
    worst = {"inside": (np.inf, 0, 0.0, 0.0), "outside": (np.inf, 0, 0.0, 0.0)}
    for i in range(0, n, _BLOCK):
        k1, k2, inside, disagreement = _joint_block(*(v[i:i + _BLOCK] for v in (d, g1, g2)))
        margin = k2 - k1
        rel = margin / k2
        out["n_inside"] += int(inside.sum())
        out["violations"] += int((margin < 0).sum())
        out["max_rel_disagreement"] = max(out["max_rel_disagreement"], disagreement)
        out["min_margin"] = min(out["min_margin"], float(margin.min()))
        for name, mask in (("inside", inside), ("outside", ~inside)):
            j = int(np.argmin(np.where(mask, rel, np.inf)))
            if mask[j] and rel[j] < worst[name][0]:
                worst[name] = (float(rel[j]), i + j, float(k1[j]), float(k2[j]))
        if i == 0:
            keep = slice(0, min(n, 4000))
            out["sample"] = {"ratio": (np.exp(2 * g1[keep]) / d[keep]).tolist(),
                             "rel_margin": rel[keep].tolist()}
    out["n_outside"] = int(n) - out["n_inside"]
    for name, (rel, j, k1, k2) in worst.items():
        s0 = np.exp(ls0[j])
        s1 = s0 * np.exp(g1[j])
        out[f"worst_rel_margin_{name}"] = rel
        out[f"worst_{name}"] = {"d": int(d[j]), "sigma_0": float(s0), "sigma_1": float(s1),
                                "sigma_2": float(s1 * np.exp(g2[j])), "kl_1": k1, "kl_2": k2}
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
