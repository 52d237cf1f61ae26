r"""1-D Kullback-Leibler divergences between Gaussian-smoothed laws $q_\sigma = q_0 * N(0, \sigma^2)$ by
adaptive Gauss-Kronrod (7, 15) quadrature of log-densities, vectorised over configurations.

Error estimate: $\sum |K_{15} - G_7|$ over the panels plus a tail bound; a panel is bisected while its
estimate exceeds `QUAD_RTOL` times its configuration's $\sum|K_{15}|$. Laws: Gaussian mixtures (panels
break at each mode and at sharp switches between modes), the uniform on [0, L] (log-ndtr differences)
and the Cauchy (Voigt profile), each folded by symmetry where it has one.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.special import log_ndtr, voigt_profile

__all__ = ["GK_NODES", "GK_WEIGHTS", "G7_WEIGHTS", "QUAD_RTOL", "log_uniform_smoothed", "log_voigt",
           "MixtureLaw", "UniformLaw", "CauchyLaw", "kl_mixture", "kl_uniform", "kl_cauchy",
           "margins"]


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
QUAD_MAX_PANELS = 2000  # and no splitting of a config with this many open panels (per config, so a
# config's value never depends on its batch mates)


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
        room = np.bincount(owner, minlength=C)[owner] < QUAD_MAX_PANELS
        split = (e > tol[:, owner]).any(axis=0) & room if r < QUAD_ROUNDS else np.zeros(owner.size, bool)
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
class MixtureLaw:
    r"""$q_0 = \sum_k w_k N(\mu_k, v_k)$ smoothed by each column of S: (C, J). Panels break at
    $\mu_k$ and $\mu_k \pm \{1, 2.5, 5, 10\} sd_k$ for every smoothing (column of S), so that each
    mode gets nodes on its own scale at every smoothing, decades apart as they may be; the domain is every mean $\pm 40 sd_{max}$ (Gaussian tails beyond:
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
        sd = np.sqrt(self.v0[:, None, :] + self.S[:, :, None] ** 2)        # (C, J, K)
        mu = self.mu[:, None, None, :]
        pts = (mu + _MIX_BREAKS[None, :, None, None] * sd[:, None]).reshape(len(sd), -1)
        widest = sd.max(axis=1)
        lo = (self.mu - 40 * widest).min(axis=1)
        hi = (self.mu + 40 * widest).max(axis=1)
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
class UniformLaw:
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
class CauchyLaw:
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
    return _kl_one(MixtureLaw(w, mu, v0, np.column_stack([s_a, s_b])))


def kl_uniform(L, s_a, s_b):
    """KL between $U[0, L] * N(0, s_a^2)$ and $U[0, L] * N(0, s_b^2)$: (kl, err), arrays (C,) or floats."""
    kl, err = _kl_one(UniformLaw(np.atleast_1d(np.asarray(L, float)),
                                  np.column_stack([np.atleast_1d(s_a), np.atleast_1d(s_b)])))
    return (kl, err) if np.ndim(L) else (float(kl[0]), float(err[0]))


def kl_cauchy(g, s_a, s_b):
    """KL between Cauchy$(0, g) * N(0, s_a^2)$ and Cauchy$(0, g) * N(0, s_b^2)$: (kl, err)."""
    kl, err = _kl_one(CauchyLaw(np.atleast_1d(np.asarray(g, float)),
                                 np.column_stack([np.atleast_1d(s_a), np.atleast_1d(s_b)])))
    return (kl, err) if np.ndim(g) else (float(kl[0]), float(err[0]))


# Forward: KL(q_s2||q_s0) - KL(q_s1||q_s0); reverse: KL(q_s0||q_s2) - KL(q_s0||q_s1); each with KL_2
_MARGIN_COMBOS = [[(1.0, 2, 0), (-1.0, 1, 0)], [(1.0, 2, 0)],
                  [(1.0, 0, 2), (-1.0, 0, 1)], [(1.0, 0, 2)]]


def margins(law):
    """{direction: (margin, error bound of the margin, KL_2)}, one quadrature for all four integrals."""
    (fm, f2, rm, r2), (fe, _, re, _) = _integrate(law, _MARGIN_COMBOS)
    return {"forward": (fm, fe, f2), "reverse": (rm, re, r2)}
