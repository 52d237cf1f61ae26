r"""Analytic fields for question 2: the VP probability flow and the rectified-flow velocity of a
Gaussian-mixture target, each with its exact divergence (trace of the analytic Jacobian).

VP-SDE (Song et al. 2021): data at t = 0, noise at t = T; $p_t$ = law of $\alpha(t)X + \sigma(t)Z$.
Rectified flow: source $N(0, I)$ at t = 0, data at t = 1; $p_t$ = law of $tX_1 + (1-t)X_0$,
$u_t(x) = \sum_k r_k(x)\,(\mu_k + (t\Sigma_k - (1-t)I)C_k^{-1}(x - t\mu_k))$, $C_k = t^2\Sigma_k + (1-t)^2 I$,
which equals the Tweedie form $(x + (1-t)\nabla\log p_t(x))/t$ of `derivations.likelihood` and stays
regular at t = 0 and t = 1 (computed by `verify.models.mixture_flows.eigen_vf_divergence`, the engine of
`mixture_marginal_vf_divergence`).
"""
from __future__ import annotations

import numpy as np

from ..numerics import mixture_ode
from ..models import GaussianMixture, VPSchedule
from ..models.mixture_flows import (eigen_vf_divergence, linear_schedule, mixture_eigenbasis,
                        noised_posterior, rotate, unrotate)

__all__ = ["test_mixture", "test_points", "noised_score_laplacian", "VPFlow", "RFVelocity",
           "standard_normal_log_prob"]

LOG_2PI = np.log(2 * np.pi)


def test_mixture(d: int = 2) -> GaussianMixture:
    """3-component anisotropic mixture with unequal weights in dimension `d` >= 2 (deterministic)."""
    if d < 2:
        raise ValueError("the test mixture needs d >= 2")
    means = np.zeros((3, d))
    means[0, :2], means[1, :2], means[2, :2] = (-2.0, 0.5), (1.5, 1.5), (1.0, -2.0)
    covs = np.tile(np.eye(d), (3, 1, 1)) * 0.5
    for k, (angle, s1, s2) in enumerate([(0.4, 0.9, 0.15), (-0.8, 0.5, 0.3), (1.2, 1.2, 0.1)]):
        c, s = np.cos(angle), np.sin(angle)
        rot = np.array([[c, -s], [s, c]])
        covs[k, :2, :2] = rot @ np.diag([s1, s2]) @ rot.T
    return GaussianMixture(np.array([0.5, 0.3, 0.2]), means, covs)


def test_points(mixture: GaussianMixture, n: int, rng: np.random.Generator,
                radii=(4.0, 6.0)) -> np.ndarray:
    """`n` mixture draws followed by 8 tail points per radius (in units of the overall std)."""
    centre, scale = mixture.mean(), np.sqrt(np.trace(mixture.covariance()) / mixture.dim)
    angles = np.arange(8) * np.pi / 4 + np.pi / 8
    tail = []
    for r in radii:
        pts = np.tile(centre, (8, 1))
        pts[:, 0] += r * scale * np.cos(angles)
        pts[:, 1] += r * scale * np.sin(angles)
        tail.append(pts)
    return np.concatenate([mixture.sample(n, rng)] + tail)


def noised_score_laplacian(basis, xt: np.ndarray, a, b):
    r"""Score (d, n) and Laplacian (n,) of $\log p$ for the law of $aX + bZ$, i.e. the components
    $N(a\mu_k, a^2\Sigma_k + b^2 I)$, at points-last xt (d, n); `basis` from `mixture_eigenbasis`, a, b
    scalars or (n,): $s = \sum_k r_k g_k$, $g_k = -C_k^{-1}(x - a\mu_k)$,
    $\Delta\log p = \sum_k r_k(|g_k - s|^2 - tr C_k^{-1})$."""
    q = basis[1]
    _, c, z, r = noised_posterior(basis, xt, a, b)
    s = -(r[:, None] * unrotate(z, q)).sum(axis=0)
    spread = z + rotate(s, q)                                   # -Q_k^T (g_k - s)
    return s, (r * ((spread * spread).sum(axis=1) - (1.0 / c).sum(axis=1))).sum(axis=0)


def standard_normal_log_prob(x: np.ndarray) -> np.ndarray:
    """$\\log N(x; 0, I)$, shape (n,)."""
    return -0.5 * (np.einsum("ni,ni->n", x, x) + x.shape[1] * LOG_2PI)


class VPFlow:
    """Probability-flow field $v = -\\frac12\\beta(t)(x + s_t(x))$; integrands
    $[\\nabla\\cdot v, \\beta\\nabla\\cdot s]$ with $\\nabla\\cdot v = -\\frac12\\beta(d + \\nabla\\cdot s)$.
    `t`: a scalar or one time per row of x (n,). `kernel`: the same field in `verify.numerics.mixture_ode`."""

    def __init__(self, mixture: GaussianMixture, schedule: VPSchedule = VPSchedule()):
        self.mixture, self.schedule, self.d = mixture, schedule, mixture.dim
        self.basis = mixture_eigenbasis(mixture)
        self.kernel = (mixture_ode.VP_FLOW, mixture_ode.mixture_params(self.basis),
                       (schedule.beta_min, schedule.beta_max))

    def marginal(self, t: float) -> GaussianMixture:
        return self.mixture.noised(float(self.schedule.alpha(t)), float(self.schedule.sigma(t)))

    def score_laplacian(self, t, x: np.ndarray):
        """$(\\nabla\\log p_t(x), \\Delta\\log p_t(x))$: x (n, d) -> (n, d), (n,)."""
        sch = self.schedule
        s, lap = noised_score_laplacian(self.basis, x.T, sch.alpha(t), sch.sigma(t))
        return s.T, lap

    def __call__(self, t, x: np.ndarray):
        b = self.schedule.beta(t)
        s, lap = self.score_laplacian(t, x)
        return (-0.5 * b * (x + s).T).T, np.stack([-0.5 * b * (self.d + lap), b * lap], axis=1)

    def log_p_T(self, x: np.ndarray) -> np.ndarray:
        return self.marginal(self.schedule.T).log_prob(x)


class RFVelocity:
    """Rectified-flow marginal velocity for a mixture target (linear path, N(0, I) source, flow time:
    source at 0, data at 1) and its divergence, both from `verify.models.mixture_flows` (one formula, two users);
    integrands $[\\nabla\\cdot u]$. `t`: a scalar or one time per row of x (n,). `kernel`: the same
    field in `verify.numerics.mixture_ode`."""

    def __init__(self, mixture: GaussianMixture):
        self.mixture, self.d = mixture, mixture.dim
        self.basis = mixture_eigenbasis(mixture)
        self.kernel = (mixture_ode.RF_LINEAR, mixture_ode.mixture_params(self.basis), (0.0, 0.0))

    def marginal(self, t: float) -> GaussianMixture:
        return self.mixture.noised(float(t), 1.0 - float(t))

    def velocity_divergence(self, t, x: np.ndarray):
        u, div = eigen_vf_divergence(self.basis, x.T, *linear_schedule(np.asarray(t, float)))
        return u.T, div

    def __call__(self, t, x: np.ndarray):
        u, div = self.velocity_divergence(t, x)
        return u, div[:, None]
