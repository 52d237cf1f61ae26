r"""Reference KL divergences between Gaussian-smoothed 1-D mixtures, in mpmath at `DPS` digits: the
independent certificate of a margin that the float quadrature of `smoothed_kl` signed.

$q_s = \sum_k w_k N(\mu_k, v_k + s^2)$ at three smoothings $s_0, s_1, s_2$. One adaptive
Gauss-Legendre pass (12 and 24 nodes per panel; a panel is bisected while the two rules differ by
more than `PANEL_RTOL` times the integrals' size, $\max_i \sum_{panels} |I_i|$ over the first
panels) integrates the four KLs
$KL(q_{s_j} \| q_{s_0})$ and $KL(q_{s_0} \| q_{s_j})$, j = 1, 2, with error estimate
$\sum |G_{24} - G_{12}|$. Panels break at $\mu_k \pm c\,sd_{kj}$ for every component and smoothing
($sd_{kj} = \sqrt{v_k + s_j^2}$); the domain is every mean $\pm 60\,sd_{max}$, beyond which every
integrand is below $e^{-1700}$ (tail bound 0 at this precision).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import mpmath
from mpmath.calculus.quadrature import GaussLegendre

__all__ = ["DPS", "MixtureKLs", "mixture_kls"]

DPS = 30
PANEL_RTOL = mpmath.mpf(10) ** -14  # the sign of a margin needs a few digits; 14 is ample
MAX_BISECTIONS = 30
_BREAKS = (0, 1, 4, 16, 40)  # in smoothed sds around each mean
_TAIL_SDS = 60


@dataclass(frozen=True)
class MixtureKLs:
    """The four KLs (mpf) and the summed error estimate (mpf) of one configuration."""

    forward: tuple  # (KL(q_s1 || q_s0), KL(q_s2 || q_s0))
    reverse: tuple  # (KL(q_s0 || q_s1), KL(q_s0 || q_s2))
    err: mpmath.mpf

    def margin(self, direction: str) -> mpmath.mpf:
        """$KL_2 - KL_1$ in the direction: negative is a counterexample to monotonicity."""
        k1, k2 = getattr(self, direction)
        return k2 - k1


@lru_cache(maxsize=None)
def _rules(dps: int):
    """Gauss-Legendre nodes and weights on [-1, 1] with 12 and 24 points, at dps + 10 digits."""
    with mpmath.workdps(dps + 10):
        rule = GaussLegendre(mpmath.mp)
        return rule.calc_nodes(3, mpmath.mp.prec), rule.calc_nodes(4, mpmath.mp.prec)


def _densities(w, mu, v, sigmas):
    """x -> [q_s(x) for s in sigmas], each an exact mixture sum at the working precision."""
    comps = [[(wk / mpmath.sqrt(2 * mpmath.pi * (vk + s * s)), mk, 2 * (vk + s * s))
              for wk, mk, vk in zip(w, mu, v)] for s in sigmas]

    def densities(x):
        return [mpmath.fsum(c * mpmath.exp(-(x - m) ** 2 / two_var) for c, m, two_var in cs)
                for cs in comps]
    return densities


def _integrands(densities, x):
    r"""The four KL integrands $p_a (\log p_a - \log p_b)$ at x: (1|0), (2|0), (0|1), (0|2)."""
    p0, p1, p2 = densities(x)
    l0, l1, l2 = mpmath.log(p0), mpmath.log(p1), mpmath.log(p2)
    return (p1 * (l1 - l0), p2 * (l2 - l0), p0 * (l0 - l1), p0 * (l0 - l2))


def _panel(logs, a, b, rules):
    """(24-node values, max |G24 - G12|) of the four integrands on [a, b]."""
    half, mid = (b - a) / 2, (a + b) / 2
    sums = []
    for nodes in rules:
        acc = [mpmath.mpf(0)] * 4
        for x, wt in nodes:
            acc = [s + wt * f for s, f in zip(acc, _integrands(logs, mid + half * x))]
        sums.append([half * s for s in acc])
    return sums[1], max(abs(p - q) for p, q in zip(*sums))


def _breakpoints(mu, v, sigmas):
    sds = [[mpmath.sqrt(vk + s * s) for vk in v] for s in sigmas]
    widest = max(max(row) for row in sds)
    lo, hi = min(mu) - _TAIL_SDS * widest, max(mu) + _TAIL_SDS * widest
    pts = {m + sign * c * sd for row in sds for m, sd in zip(mu, row) for c in _BREAKS
           for sign in (-1, 1)}
    return [lo] + sorted(p for p in pts if lo < p < hi) + [hi]


def mixture_kls(w, mu, v, sigmas, dps: int = DPS) -> MixtureKLs:
    """The four KLs of `MixtureKLs` for $q_0 = \\sum w_k N(\\mu_k, v_k)$ smoothed by `sigmas` =
    (s0, s1, s2), at `dps` digits (inputs are read exactly from their floats)."""
    with mpmath.workdps(dps):
        w, mu, v, sigmas = ([mpmath.mpf(float(t)) for t in seq] for seq in (w, mu, v, sigmas))
        logs = _densities(w, mu, v, sigmas)
        rules = _rules(dps)
        edges = _breakpoints(mu, v, sigmas)
        stack = [(a, b, 0, *_panel(logs, a, b, rules)) for a, b in zip(edges[:-1], edges[1:])]
        scale = max(sum(abs(vals[i]) for *_, vals, _ in stack) for i in range(4))
        tol = PANEL_RTOL * scale  # per panel, against the integrals' own size
        total, err = [mpmath.mpf(0)] * 4, mpmath.mpf(0)
        while stack:
            a, b, depth, vals, diff = stack.pop()
            if diff > tol and depth < MAX_BISECTIONS:
                m = (a + b) / 2
                stack += [(a, m, depth + 1, *_panel(logs, a, m, rules)),
                          (m, b, depth + 1, *_panel(logs, m, b, rules))]
                continue
            total = [s + t for s, t in zip(total, vals)]
            err += diff
        return MixtureKLs((total[0], total[1]), (total[2], total[3]), err)
