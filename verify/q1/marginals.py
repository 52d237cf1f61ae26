r"""Question 1(b) for the smoothed marginals $q_\sigma = q_0 * N(0, \sigma^2)$ (1-D): is
$KL(q_{\sigma_1} \| q_{\sigma_0}) \le KL(q_{\sigma_2} \| q_{\sigma_0})$ (forward), or the reverse-direction
analogue, for every $q_0$ and $\sigma_0 < \sigma_1 < \sigma_2$? A deterministic counterexample search.

Scale invariance: rescaling x by c maps $(q_0, \sigma)$ to $(q_0(\cdot/c)/c, c\sigma)$ and leaves every KL
unchanged, so the search fixes $\sigma_0 = 1$ and draws $\log_{10}(\sigma_1/\sigma_0)$,
$\log_{10}(\sigma_2/\sigma_1)$ in `LOG10_RATIO` and $q_0$'s features (widths, separations, scales) in
units of $\sigma_0$, over decades below and above it. KLs by the adaptive quadrature of
`verify.numerics.smoothed_kl` with its error bound; a counterexample is a margin
$KL_2 - KL_1 < -$(bound + `KL_FLOOR`, the rounding floor). The most negative (relative) one per family and direction is certified by
`verify.numerics.smoothed_kl_mp` (mpmath, 30 digits). For a product $q_0$ on $R^d$ the KLs add over
coordinates, so a 1-D counterexample with ratio $\rho = \sigma_1/\sigma_0$ is one in every
$d \le \rho^2$, where $\sigma_0^2 \le \sigma_j^2/d$ holds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from ..numerics.smoothed_kl import CauchyLaw, MixtureLaw, UniformLaw, margins
from ..numerics.smoothed_kl_mp import DPS, mixture_kls
from .search import SEARCH_SEED

__all__ = ["LOG10_RATIO", "KL_FLOOR", "BOUND_RTOL", "MixtureFamily", "ScalarFamily", "FAMILIES",
           "BUDGET", "marginal_search", "certify"]
LOG10_RATIO = (1e-3, 4.0)  # log10 of sigma_1/sigma_0 and of sigma_2/sigma_1: up to 10^4 each
BUDGET = {"spike_broad": 400, "spikes": 300, "mixture": 400, "uniform": 150, "cauchy": 150}
KL_FLOOR = 1e-12  # nats: float rounding of the O(1)-O(30) log-density terms integrated over unit
# mass reaches ~1e-14 and is not in the quadrature's bound; a margin signs only beyond bound + floor
# (seen: KLs of -4e-16 for q0 features 10^4 sigma_0 wide, below minus their bound of 1e-16)
BOUND_RTOL = 1e-6  # a bound above BOUND_RTOL KL_2 + KL_FLOOR: the quadrature stopped on its panel
# limit (panels are refined to 1e-10 of each KL), and its sign is not to be trusted
REFINE_STEPS = 12
PROPOSALS = 4  # Gaussian proposals per hill-climbing step


def _decode_sigmas(t):
    """(C, 2) unconstrained -> sigma_0 = 1, sigma_1, sigma_2 (C,) each."""
    r1, r2 = (10.0 ** np.clip(t[:, i], *LOG10_RATIO) for i in (0, 1))
    return np.ones(len(t)), r1, r1 * r2


def _draw_sigmas(n, rng):
    return rng.uniform(*LOG10_RATIO, (n, 2))


@dataclass(frozen=True)
class MixtureFamily:
    r"""$q_0 = \sum_k w_k N(\mu_k, sd_k^2)$ with $\log_{10} sd_k$ in `log10_sd[k]` and
    $\mu_k = a_k 10^c$, $a_k \in [-1, 1]$, $c$ in `log10_spread` (units of $\sigma_0$).
    theta: K logits, K log10 sds, K offsets, the spread, 2 sigma ratios."""

    name: str
    log10_sd: tuple
    log10_spread: tuple

    @property
    def K(self) -> int:
        return len(self.log10_sd)

    def decode(self, theta):
        """theta (C, 3K + 3) -> (w, mu, v0, s0, s1, s2)."""
        K = self.K
        logits = theta[:, :K]
        w = np.clip(np.exp(logits - logsumexp(logits, axis=1, keepdims=True)), 1e-6, None)
        w /= w.sum(axis=1, keepdims=True)
        lo, hi = np.array(self.log10_sd).T
        sd = 10.0 ** np.clip(theta[:, K:2 * K], lo, hi)
        spread = 10.0 ** np.clip(theta[:, 3 * K], *self.log10_spread)
        mu = np.clip(theta[:, 2 * K:3 * K], -1.0, 1.0) * spread[:, None]
        return (w, mu, sd ** 2) + _decode_sigmas(theta[:, 3 * K + 1:])

    def draw(self, n, rng):
        K = self.K
        lo, hi = np.array(self.log10_sd).T
        return np.column_stack([rng.normal(0, 2, (n, K)), rng.uniform(lo, hi, (n, K)),
                                rng.uniform(-1, 1, (n, K)), rng.uniform(*self.log10_spread, n),
                                _draw_sigmas(n, rng)])

    def margins(self, theta):
        w, mu, v0, s0, s1, s2 = self.decode(theta)
        return margins(MixtureLaw(w, mu, v0, np.column_stack([s0, s1, s2])))

    def describe(self, params) -> dict:
        K = self.K
        return {"w": params[:K], "mu": params[K:2 * K], "sd": [math.sqrt(v) for v in params[2 * K:3 * K]],
                "sigma": params[3 * K:]}


@dataclass(frozen=True)
class ScalarFamily:
    """A one-parameter q0 (uniform width L, Cauchy scale g) with $\\log_{10}$ of it in `log10_range`."""

    name: str
    law: type
    param: str  # the law's own name of the parameter
    log10_range: tuple

    def decode(self, theta):
        return (10.0 ** np.clip(theta[:, 0], *self.log10_range),) + _decode_sigmas(theta[:, 1:])

    def draw(self, n, rng):
        return np.column_stack([rng.uniform(*self.log10_range, n), _draw_sigmas(n, rng)])

    def margins(self, theta):
        p, s0, s1, s2 = self.decode(theta)
        return margins(self.law(p, np.column_stack([s0, s1, s2])))

    def describe(self, params) -> dict:
        return {self.param: params[0], "sigma": params[1:]}


FAMILIES = {f.name: f for f in (
    # a near point mass (narrower than sigma_0) beside a broad mode (up to 10^5 sigma_0)
    MixtureFamily("spike_broad", ((-4.0, -1.0), (0.0, 5.0)), (-2.0, 5.0)),
    # three near point masses, separated by 0.1 .. 10^4 sigma_0
    MixtureFamily("spikes", ((-4.0, -1.0),) * 3, (-1.0, 4.0)),
    # three modes of any width 10^-3 .. 10^5 sigma_0
    MixtureFamily("mixture", ((-3.0, 5.0),) * 3, (-2.0, 5.0)),
    ScalarFamily("uniform", UniformLaw, "L", (-3.0, 5.0)),
    ScalarFamily("cauchy", CauchyLaw, "g", (-3.0, 5.0)),  # heavy tails
)}


def _relative(margin, err, scale):
    """margin / KL_2 where the quadrature signs the margin (bound < |margin|), else +inf."""
    return np.where(_signed(margin, err), margin / np.maximum(scale, 1e-300), np.inf)


def _signed(margin, err):
    """The quadrature signs the margin: |margin| beyond its bound plus the rounding floor."""
    return np.abs(margin) > err + KL_FLOOR


def _negative(margin, err):
    """A counterexample: the margin is below minus (its bound plus the rounding floor)."""
    return margin < -(err + KL_FLOOR)


def _refine(fam, direction, theta, res, rng):
    """Hill-climb from the configuration of least relative margin: PROPOSALS Gaussian proposals per
    step, the step shrinking by 0.7 after a step without progress. Returns (best theta (1, P),
    its (margin, err, KL_2), counterexamples among the proposals)."""
    rel = _relative(*res)
    i = int(np.argmin(rel))
    best, best_rel = theta[i:i + 1].copy(), float(rel[i])
    best_res = tuple(float(a[i]) for a in res)
    found, step = 0, 0.3
    for _ in range(REFINE_STEPS):
        props = best + step * rng.standard_normal((PROPOSALS, best.shape[1]))
        m, e, k2 = fam.margins(props)[direction]
        found += int(_negative(m, e).sum())
        r = _relative(m, e, k2)
        j = int(np.argmin(r))
        if r[j] < best_rel:
            best, best_rel = props[j:j + 1], float(r[j])
            best_res = (float(m[j]), float(e[j]), float(k2[j]))
        else:
            step *= 0.7
    return best, best_res, found


def _family_direction(fam, direction, theta, res, rng) -> dict:
    """Search summary of one family and direction: counts, the best configuration, a sample."""
    margin, err, scale = res
    best, (m, e, k2), found = _refine(fam, direction, theta, res, rng)
    params = fam.decode(theta)
    return {
        "n": int(len(theta)) + PROPOSALS * REFINE_STEPS,
        "counterexamples": int(_negative(margin, err).sum()) + found,
        "inconclusive": int((~_signed(margin, err)).sum()), "worst_rel_margin": m / k2,
        "worst_margin": m, "worst_err": e, "worst_kl_2": k2, "worst_kl_1": k2 - m,
        "worst_params": [float(v) for v in np.concatenate([np.ravel(a) for a in fam.decode(best)])],
        "unresolved": int((scale < KL_FLOOR).sum()),
        "loose_bounds": int((err > BOUND_RTOL * scale + KL_FLOOR).sum()),
        "max_rel_err": float(np.max(err / scale, where=scale >= KL_FLOOR, initial=0.0)),
        "sample_sigma_ratio": (params[-2][:1000] / params[-3][:1000]).tolist(),
        "sample_rel_margin": (margin[:1000] / np.maximum(scale[:1000], 1e-300)).tolist(),
        "sample_counterexample": _negative(margin[:1000], err[:1000]).tolist(),
    }


def marginal_search(budget: dict[str, int] = BUDGET, seed: int = SEARCH_SEED) -> dict:
    """Seeded draws plus hill-climbing per family and KL direction; counts every evaluated
    configuration whose margin is below minus its quadrature error bound."""
    rng = np.random.default_rng(seed)
    report = {"configs": 0, "counterexamples": 0, "families": {}}
    for name, n in budget.items():
        fam = FAMILIES[name]
        theta = fam.draw(n, rng)
        res = fam.margins(theta)
        rows = {d: _family_direction(fam, d, theta, r, rng) for d, r in res.items()}
        report["families"][name] = rows
        report["configs"] += sum(r["n"] for r in rows.values())
        report["counterexamples"] += sum(r["counterexamples"] for r in rows.values())
    return report


def certify(report: dict) -> list[dict]:
    """mpmath certificates (`DPS` digits) of the best counterexample of each mixture family and
    direction: both KLs, the margin and its error estimate, and whether they sign it."""
    out = []
    for name, rows in report["families"].items():
        fam = FAMILIES[name]
        for direction, r in rows.items():
            if not isinstance(fam, MixtureFamily) or not _negative(r["worst_margin"], r["worst_err"]):
                continue
            K = fam.K
            p = r["worst_params"]
            kls = mixture_kls(p[:K], p[K:2 * K], p[2 * K:3 * K], p[3 * K:], dps=DPS)
            k1, k2 = getattr(kls, direction)
            margin = kls.margin(direction)
            out.append({"family": name, "direction": direction, **fam.describe(p),
                        "kl_1": float(k1), "kl_2": float(k2), "margin": float(margin),
                        "err": float(kls.err), "certified": bool(margin < -kls.err),
                        "float_margin": r["worst_margin"], "float_err": r["worst_err"],
                        "d_max": int(np.floor((p[-2] / p[-3]) ** 2))})
    return out
