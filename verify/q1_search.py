r"""Question 1(b) numerics: the Gaussian KL, joint-KL Monte Carlo, and the counterexample searches.

Joint laws $q_\sigma(\tilde x, x) = q_0(x) N(\tilde x; x, \sigma^2 I_d)$: $KL(q_{\sigma_j} \| q_{\sigma_0})
= \frac d2(r - 1 - \log r)$, $r = \sigma_j^2/\sigma_0^2$ (`derivations.gaussian_kl`), for every $q_0$.
Marginals $q_\sigma = q_0 * N(0, \sigma^2)$ in 1-D: KL by adaptive Gauss-Kronrod (7, 15) quadrature of
log-densities, vectorised over configurations, with the a-posteriori error $\sum |K_{15} - G_7|$ plus a
tail bound. For product $q_0$ on $R^d$ the marginal KL is the sum of the coordinates' 1-D KLs, so a
1-D search settles the sign for every d.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.special import log_ndtr, logsumexp, voigt_profile

__all__ = ["kl_gauss", "kl_gauss_margin", "joint_search", "joint_kl_mc", "log_uniform_smoothed",
           "log_voigt", "kl_mixture", "kl_uniform", "kl_cauchy", "MixtureFamily", "ScalarFamily",
           "marginal_search", "SEARCH_SEED", "FAMILIES", "QUAD_RTOL"]

SEARCH_SEED = 20250331  # the searches are deterministic numerics: a fixed seed, whatever --seed is


# ------------------------------------------------------------------------------- joint laws
def kl_gauss(d, s_a, s_b):
    r"""$KL(N(\mu, s_a^2 I_d) \| N(\mu, s_b^2 I_d)) = \frac d2 (u - \log(1 + u))$, $u = s_a^2/s_b^2 - 1$;
    transcription of `derivations.gaussian_kl.kl_isotropic` (log1p keeps it accurate near u = 0)."""
    u = np.divide(s_a, s_b, dtype=float)
    u *= u
    u -= 1.0
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


def _joint_block(d, g1, g2):
    """(margin, KL_1, KL_2, inside) for log-gaps g1, g2 (see joint_search)."""
    a = np.expm1(2 * g1)
    inside = d <= a + 1.0
    k1 = _kl_from_u(d, a.copy(), 2 * g1)
    two_g2 = 2 * g2
    margin = _margin_core(d, a, np.expm1(two_g2), two_g2)
    return margin, k1, k1 + margin, inside


def joint_search(n: int, rng: np.random.Generator, d_max: int = 50) -> dict:
    """Vectorised check of $KL(q_{\\sigma_1}\\|q_{\\sigma_0}) \\le KL(q_{\\sigma_2}\\|q_{\\sigma_0})$ (joint laws)
    over d = 1..d_max and `n` sigma triples; inside means $\\sigma_0^2 \\le \\sigma_1^2/d$. The KLs depend on
    the ratios only: $r_1 - 1 = $ expm1$(2 g_1)$, $\\delta = $ expm1$(2 g_2)$, $\\log(1 + \\delta) = 2 g_2$, and
    $KL_2 = KL_1 + (KL_2 - KL_1)$, a sum of two positive terms; evaluated in cache-sized blocks."""
    d = rng.integers(1, d_max + 1, n)
    ls0, g1, g2 = _log_sigma_triples(rng, n)
    out = {"n": int(n), "n_inside": 0, "violations": 0, "min_margin": np.inf}
    worst = {"inside": (np.inf, 0, 0.0, 0.0), "outside": (np.inf, 0, 0.0, 0.0)}
    for i in range(0, n, _BLOCK):
        margin, k1, k2, inside = _joint_block(*(v[i:i + _BLOCK] for v in (d, g1, g2)))
        rel = margin / k2
        out["n_inside"] += int(inside.sum())
        out["violations"] += int((margin < 0).sum())
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


# ------------------------------------------- adaptive Gauss-Kronrod, vectorised over configurations
_XK8 = np.array([0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
                 0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
                 0.586087235467691130294144838258730, 0.405845151377397166906606412076961,
                 0.207784955007898467600689403773245, 0.0])
_WK8 = np.array([0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
                 0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
                 0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
                 0.204432940075298892414161999234649, 0.209482141084727828012999174891714])
_WG4 = np.array([0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
                 0.381830050505118944950369775488975, 0.417959183673469387755102040816327])
GK_NODES = np.concatenate([-_XK8[:-1], _XK8[::-1]])       # (15,) ascending; G7 nodes are [1::2]
GK_WEIGHTS = np.concatenate([_WK8[:-1], _WK8[::-1]])
G7_WEIGHTS = np.concatenate([_WG4[:-1], _WG4[::-1]])
QUAD_RTOL = 1e-10  # a panel is bisected while its |K15 - G7| > QUAD_RTOL x sum |K15| of its config
QUAD_ROUNDS = 40  # at most this many bisections of a panel,
QUAD_MAX_PANELS = 2000  # and no more splitting once a batch averages this many panels per config


def _gk_panels(f, a, b, owner):
    """Kronrod-15 and |K15 - G7| on panels [a, b]: f(x: (P, 15), owner: (P,)) -> (V, P, 15)."""
    half = 0.5 * (b - a)
    fx = f((0.5 * (a + b))[:, None] + half[:, None] * GK_NODES, owner)
    k = (fx @ GK_WEIGHTS) * half
    return k, np.abs(k - (fx[..., 1::2] @ G7_WEIGHTS) * half)


def _gk_adaptive(f, edges):
    """$\\int f$ over [edges[c, 0], edges[c, -1]] per configuration c, panels between the sorted
    breakpoints `edges: (C, B)`, bisected while inaccurate; returns (value, err), each (V, C)."""
    C = edges.shape[0]
    a, b = edges[:, :-1].ravel(), edges[:, 1:].ravel()
    owner = np.repeat(np.arange(C), edges.shape[1] - 1)
    nz = b > a
    a, b, owner = a[nz], b[nz], owner[nz]
    val = err = tol = None
    for r in range(QUAD_ROUNDS + 1):
        k, e = _gk_panels(f, a, b, owner)
        if tol is None:
            val, err = np.zeros((k.shape[0], C)), np.zeros((k.shape[0], C))
            tol = QUAD_RTOL * np.array([np.bincount(owner, np.abs(kv), C) for kv in k])
        more = r < QUAD_ROUNDS and owner.size < QUAD_MAX_PANELS * C
        split = (e > tol[:, owner]).any(axis=0) if more else np.zeros(owner.size, bool)
        done = ~split
        for v in range(k.shape[0]):
            val[v] += np.bincount(owner[done], k[v, done], C)
            err[v] += np.bincount(owner[done], e[v, done], C)
        if not split.any():
            break
        m = 0.5 * (a[split] + b[split])
        a, b = np.concatenate([a[split], m]), np.concatenate([m, b[split]])
        owner = np.tile(owner[split], 2)
    return val, err


def _integrate(law, combos):
    r"""For each combo $[(c, i, j), ...]$: $\sum c \int p_i (\log p_i - \log p_j)$ (a KL or a difference of
    KLs) under `law`, with error $\sum|K_{15} - G_7|$ plus $\sum |c|$ tail bound. Returns (V, C) pairs."""
    pairs = sorted({(a, b) for combo in combos for _, a, b in combo})

    def f(x, owner):
        lg = {i: law.logpdf(x, owner, i) for i in sorted({i for pair in pairs for i in pair})}
        terms = {(a, b): np.exp(lg[a]) * (lg[a] - lg[b]) for a, b in pairs}
        out = np.zeros((len(combos),) + x.shape)
        for row, combo in zip(out, combos):
            for c, a, b in combo:
                row += c * terms[a, b]
        return out

    val, err = _gk_adaptive(f, law.edges())
    tail = np.stack([sum(abs(c) * law.tail(a, b) for c, a, b in combo) for combo in combos])
    return law.fold * val, law.fold * err + tail


# --------------------------------------------------------------- smoothed laws q0 * N(0, s^2)
def log_uniform_smoothed(x, L, s):
    r"""$\log[U(0, L) * N(0, s^2)](x) = \log[(\Phi(x/s) - \Phi((x-L)/s))/L]$ via log_ndtr, stable on both
    sides (reflected about L/2, where the density is symmetric)."""
    left = x <= 0.5 * L
    hi = np.where(left, x, L - x) / s
    lo = hi - L / s
    a = log_ndtr(hi)
    return a + np.log(-np.expm1(log_ndtr(lo) - a)) - np.log(L)  # expm1: accurate when s >> L


def log_voigt(x, g, s):
    r"""$\log[\mathrm{Cauchy}(0, g) * N(0, s^2)](x)$, the Voigt profile (scipy's Faddeeva-based `voigt_profile`)."""
    return np.log(voigt_profile(x, s, g))


def _log_normal_term(x, mu, var, c):
    """$c - (x - \\mu)^2/(2 var)$ for x: (P, M), mu, var, c: (P,), in place on one temporary."""
    t = x - mu[:, None]
    t *= t
    t *= (-0.5 / var)[:, None]
    t += c[:, None]
    return t


def _log_sum_exp(terms):
    """$\\log\\sum_k e^{t_k}$ over a list of equal-shape arrays (overwrites them): max-shifted."""
    m = terms[0].copy()
    for t in terms[1:]:
        np.maximum(m, t, out=m)
    tot = np.zeros_like(m)
    for t in terms:
        t -= m
        np.exp(t, out=t)
        tot += t
    np.log(tot, out=tot)
    tot += m
    return tot


_MIX_BREAKS = np.array([-10, -5, -2.5, -1, 1, 2.5, 5, 10])  # in smoothed sds around each mean


def _pair_crossings(mu, var, c):
    r"""Roots of $t_k = t_l$, $t_k(x) = c_k - (x - \mu_k)^2/(2 v_k)$, two per pair k < l of components (nan
    when none), $|t_k' - t_l'|$ there, k and l: (C, K(K-1)) each. Stable quadratic formula."""
    xs, slopes, ks, ls = [np.empty((len(mu), 0))] * 2 + [np.empty((len(mu), 0), int)] * 2
    for k, m in itertools.combinations(range(mu.shape[1]), 2):
        A = 0.5 / var[:, m] - 0.5 / var[:, k]
        B = mu[:, k] / var[:, k] - mu[:, m] / var[:, m]
        C = c[:, k] - c[:, m] - 0.5 * mu[:, k] ** 2 / var[:, k] + 0.5 * mu[:, m] ** 2 / var[:, m]
        disc = B * B - 4 * A * C
        q = -0.5 * (B + np.copysign(np.sqrt(np.where(disc >= 0, disc, np.nan)), B))
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.column_stack([C / q, q / A])
        x[~np.isfinite(x)] = np.nan
        slope = np.abs((x - mu[:, m, None]) / var[:, m, None] - (x - mu[:, k, None]) / var[:, k, None])
        xs, slopes = np.column_stack([xs, x]), np.column_stack([slopes, slope])
        ks, ls = np.column_stack([ks, np.full(x.shape, k)]), np.column_stack([ls, np.full(x.shape, m)])
    return xs, slopes, ks, ls


@dataclass(frozen=True)
class _MixtureLaw:
    r"""$q_0 = \sum_k w_k N(\mu_k, v_k)$ smoothed by each column of S: (C, J). Panels break at
    $\mu_k$ and $\mu_k \pm \{1, 2.5, 5, 10\} sd_k$ for the narrowest and the widest smoothing, so that each
    mode gets nodes on its own scale; the domain is every mean $\pm 40 sd_{max}$ (Gaussian tails beyond:
    $< 10^{-300}$, tail bound 0). Where log q switches sharply between modes, `_switches` adds panels on
    the switch's own width (GK nodes could step over it unseen); bisection does the rest."""

    w: np.ndarray
    mu: np.ndarray
    v0: np.ndarray
    S: np.ndarray
    fold = 1

    def logpdf(self, x, owner, j):
        var = self.v0[owner] + self.S[owner, j, None] ** 2                   # (P, K)
        c = np.log(self.w[owner]) - 0.5 * np.log(2 * np.pi * var)
        return _log_sum_exp([_log_normal_term(x, self.mu[owner, k], var[:, k], c[:, k])
                             for k in range(var.shape[1])])

    def edges(self):
        ends = np.column_stack([self.S.min(axis=1), self.S.max(axis=1)])
        sd = np.sqrt(self.v0[:, None, :] + ends[:, :, None] ** 2)        # (C, 2, K)
        mu = self.mu[:, None, None, :]
        pts = (mu + _MIX_BREAKS[None, :, None, None] * sd[:, None]).reshape(len(sd), -1)
        lo = (self.mu - 40 * sd[:, 1]).min(axis=1)
        hi = (self.mu + 40 * sd[:, 1]).max(axis=1)
        pts = np.column_stack([pts, self.mu] + [self._switches(j) for j in range(self.S.shape[1])])
        pts = np.clip(np.where(np.isnan(pts), lo[:, None], pts), lo[:, None], hi[:, None])
        return np.sort(np.column_stack([lo, pts, hi]), axis=1)

    def _switches(self, j):
        """$x_c$, $x_c \\pm 8w$ where log q_{S_j} switches between two leading components k, l within a
        width $w = 1/|t_k' - t_l'|$ below both sds (nan where there is no such switch): (C, 3K(K-1))."""
        var = self.v0 + self.S[:, j, None] ** 2
        c = np.log(self.w) - 0.5 * np.log(2 * np.pi * var)
        x, slope, k, m = _pair_crossings(self.mu, var, c)                    # (C, n)
        tx = c[:, :, None] - (x[:, None, :] - self.mu[:, :, None]) ** 2 / (2 * var[:, :, None])
        top = np.take_along_axis(tx, k[:, None, :], 1)[:, 0] >= tx.max(axis=1) - 50
        sd = np.sqrt(np.minimum(np.take_along_axis(var, k, 1), np.take_along_axis(var, m, 1)))
        with np.errstate(divide="ignore"):
            w = 1 / slope
        x = np.where((w < sd) & top, x, np.nan)
        return np.column_stack([x, x - 8 * w, x + 8 * w])

    def tail(self, i, j):
        return np.zeros(len(self.w))


@dataclass(frozen=True)
class _UniformLaw:
    r"""$U(0, L) * N(0, s^2)$, s in the columns of S: (C, J). Symmetric about L/2: twice the integral
    over $[-40 s_{max}, L/2]$, panels breaking at 0 and $\pm\{1, 4\} s$ (tails beyond $< 10^{-300}$)."""

    L: np.ndarray
    S: np.ndarray
    fold = 2

    def logpdf(self, x, owner, j):
        return log_uniform_smoothed(x, self.L[owner, None], self.S[owner, j, None])

    def edges(self):
        s = self.S[:, :, None] * np.array([-4, -1, 1, 4])
        half = 0.5 * self.L[:, None]
        pts = np.minimum(s.reshape(len(s), -1), half)
        return np.sort(np.column_stack([-40 * self.S.max(axis=1), pts, np.zeros_like(half), half]), axis=1)

    def tail(self, i, j):
        return np.zeros(len(self.L))


@dataclass(frozen=True)
class _CauchyLaw:
    r"""Cauchy$(0, g) * N(0, s^2)$ (Voigt), s in the columns of S: (C, J). Even: twice the integral over
    $[0, R]$, $R = 10^6 c$, $c = \max(g, s)$, panels breaking at $\{1, 4\} s$, $\{1, 4\} g$, $10^k c$; tail bound
    $4 g |s_a^2 - s_b^2|/(\pi R^3)$ (log-ratio $\approx 3(s_a^2 - s_b^2)/x^2$ where the density is
    $\approx g/(\pi x^2)$, doubled)."""

    g: np.ndarray
    S: np.ndarray
    fold = 2

    def logpdf(self, x, owner, j):
        return log_voigt(x, self.g[owner, None], self.S[owner, j, None])

    def _c(self):
        return np.maximum(self.g, self.S.max(axis=1))

    def edges(self):
        c = self._c()[:, None]
        pts = [np.zeros_like(c), self.S, 4 * self.S, self.g[:, None], 4 * self.g[:, None],
               c * 10.0 ** np.arange(1, 7)]
        return np.sort(np.column_stack(pts), axis=1)

    def tail(self, i, j):
        R = 1e6 * self._c()
        return 4 * self.g * np.abs(self.S[:, i] ** 2 - self.S[:, j] ** 2) / (np.pi * R ** 3)


def _kl_one(law):
    (kl,), (err,) = _integrate(law, [[(1.0, 0, 1)]])
    return kl, err


def kl_mixture(w, mu, v0, s_a, s_b):
    r"""$KL(q_0 * N(0, s_a^2) \| q_0 * N(0, s_b^2))$ for mixtures $q_0 = \sum_k w_k N(\mu_k, v_k)$ by adaptive
    Gauss-Kronrod. w, mu, v0: (C, K); s_a, s_b: (C,). Returns (kl, err), each (C,)."""
    return _kl_one(_MixtureLaw(w, mu, v0, np.column_stack([s_a, s_b])))


def kl_uniform(L, s_a, s_b):
    """KL between $U[0, L] * N(0, s_a^2)$ and $U[0, L] * N(0, s_b^2)$: (kl, err), arrays (C,) or floats."""
    kl, err = _kl_one(_UniformLaw(np.atleast_1d(np.asarray(L, float)),
                                  np.column_stack([np.atleast_1d(s_a), np.atleast_1d(s_b)])))
    return (kl, err) if np.ndim(L) else (float(kl[0]), float(err[0]))


def kl_cauchy(g, s_a, s_b):
    """KL between Cauchy$(0, g) * N(0, s_a^2)$ and Cauchy$(0, g) * N(0, s_b^2)$: (kl, err)."""
    kl, err = _kl_one(_CauchyLaw(np.atleast_1d(np.asarray(g, float)),
                                 np.column_stack([np.atleast_1d(s_a), np.atleast_1d(s_b)])))
    return (kl, err) if np.ndim(g) else (float(kl[0]), float(err[0]))


# Forward: KL(q_s2||q_s0) - KL(q_s1||q_s0); reverse: KL(q_s0||q_s2) - KL(q_s0||q_s1); each with KL_2
_MARGIN_COMBOS = [[(1.0, 2, 0), (-1.0, 1, 0)], [(1.0, 2, 0)],
                  [(1.0, 0, 2), (-1.0, 0, 1)], [(1.0, 0, 2)]]


def _margins(law):
    """{direction: (margin, error bound of the margin, KL_2)}, one quadrature for all four integrals."""
    (fm, f2, rm, r2), (fe, _, re, _) = _integrate(law, _MARGIN_COMBOS)
    return {"forward": (fm, fe, f2), "reverse": (rm, re, r2)}


# ----------------------------------------------------------------------------- the searches
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
        return _margins(_MixtureLaw(w, mu, v0, np.column_stack([s0, s1, s2])))


def _decode_sigmas(t):
    s0 = np.exp(np.clip(t[:, 0], np.log(1e-2), np.log(3.0)))
    s1 = s0 * np.exp(np.clip(t[:, 1], 0.01, 3.0))
    s2 = s1 * np.exp(np.clip(t[:, 2], 0.01, 3.0))
    return s0, s1, s2


def _draw_sigmas(n, rng):
    return np.column_stack([rng.uniform(np.log(1e-2), np.log(3.0), n),
                            rng.uniform(0.01, 3.0, n), rng.uniform(0.01, 3.0, n)])


@dataclass(frozen=True)
class ScalarFamily:
    """A one-parameter q0 (uniform width L or Cauchy scale g), all configurations in one quadrature."""

    name: str
    law: type
    log_range: tuple

    def decode(self, theta):
        p = np.exp(np.clip(theta[:, 0], *self.log_range))
        return (p,) + _decode_sigmas(theta[:, 1:])

    def draw(self, n, rng):
        return np.column_stack([rng.uniform(*self.log_range, n), _draw_sigmas(n, rng)])

    def margins(self, theta):
        p, s0, s1, s2 = self.decode(theta)
        return _margins(self.law(p, np.column_stack([s0, s1, s2])))


FAMILIES = {
    "mixture": MixtureFamily(3),
    "uniform": ScalarFamily("uniform", _UniformLaw, (np.log(0.1), np.log(10.0))),
    "cauchy": ScalarFamily("cauchy", _CauchyLaw, (np.log(0.1), np.log(1.0))),
}


def _refine(fam, direction, theta, rel, conclusive, margin, err, steps, rng):
    """Hill-climb from the conclusive configuration of least relative margin: 4 Gaussian proposals
    per step, the step shrinking by 0.7 after a step without progress. Returns (best, rel, m, e, tried)."""
    i = int(np.argmin(np.where(conclusive, rel, np.inf)))
    best, best_rel, best_m, best_e = theta[i:i + 1].copy(), float(rel[i]), float(margin[i]), float(err[i])
    step = 0.3
    for _ in range(steps):
        props = best + step * rng.standard_normal((4, best.shape[1]))
        m, e, s = fam.margins(props)[direction]
        r = np.where(e < np.abs(m), m / np.maximum(s, 1e-300), np.inf)
        j = int(np.argmin(r))
        if r[j] < best_rel:
            best, best_rel, best_m, best_e = props[j:j + 1], float(r[j]), float(m[j]), float(e[j])
        else:
            step *= 0.7
    return best, best_rel, best_m, best_e, 4 * steps


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
            best, best_rel, best_m, best_e, tried = _refine(fam, direction, theta, rel, conclusive,
                                                            margin, err, refine_steps, rng)
            report["configs"] += tried
            found = margin < -err
            params = fam.decode(theta)
            fam_report[direction] = {
                "n": int(n), "violations": int(found.sum()),
                "inconclusive": int((~conclusive).sum()), "worst_rel_margin": best_rel,
                "worst_margin": best_m, "worst_err": best_e, "max_err": float(err.max()),
                "max_rel_err": float((err / np.maximum(scale, 1e-300)).max()),
                "worst_params": [float(v) for v in np.concatenate(
                    [np.ravel(a) for a in fam.decode(best)])],
                "sample_rel_margin": rel[:2000].tolist(),
                "sample_sigma_ratio": (params[-1][:2000] / params[-2][:2000]).tolist(),
            }
            if best_m < -best_e or found.any():
                report["counterexamples"].append({"family": name, "direction": direction,
                                                  "margin": best_m, "err": best_e,
                                                  "params": fam_report[direction]["worst_params"]})
        report["families"][name] = fam_report
    return report
