"""Gaussian mixtures with exact log-density, score, Hessian and affine noising.

$p(x) = \\sum_k \\pi_k N(x; \\mu_k, \\Sigma_k)$ on $R^d$; points are arrays `x: (n, d)`.
`noised(a, b)` is the law of $aX + bZ$, $Z \\sim N(0, I)$ independent: again a mixture, which makes
the VP-SDE marginals and the affine flow-matching paths exact.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

__all__ = ["GaussianMixture"]


@dataclass(frozen=True, eq=False)
class GaussianMixture:
    """weights: (K,), means: (K, d), covs: (K, d, d) symmetric positive definite."""

    weights: np.ndarray
    means: np.ndarray
    covs: np.ndarray

    def __post_init__(self):
        w = np.asarray(self.weights, float)
        m = np.atleast_2d(np.asarray(self.means, float))
        c = np.asarray(self.covs, float).reshape(len(w), m.shape[1], m.shape[1])
        if w.ndim != 1 or m.shape[0] != w.size or np.any(w <= 0) or not np.isclose(w.sum(), 1.0):
            raise ValueError("weights must be positive, sum to 1 and match the means")
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "means", m)
        object.__setattr__(self, "covs", c)
        object.__setattr__(self, "_chol", np.linalg.cholesky(c))
        object.__setattr__(self, "_prec", np.linalg.inv(c))

    @classmethod
    def gaussian(cls, mean, cov) -> "GaussianMixture":
        """A single Gaussian $N(mean, cov)$ (cov a matrix, or a scalar times the identity)."""
        mean = np.atleast_1d(np.asarray(mean, float))
        cov = np.asarray(cov, float)
        cov = cov * np.eye(mean.size) if cov.ndim == 0 else cov
        return cls(np.ones(1), mean[None], cov[None])

    @property
    def dim(self) -> int:
        return self.means.shape[1]

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """`n` draws, shape (n, d); the component is drawn first, then the Gaussian."""
        k = rng.choice(self.weights.size, size=n, p=self.weights)
        z = rng.standard_normal((n, self.dim))
        return self.means[k] + np.einsum("nij,nj->ni", self._chol[k], z)

    def component_log_probs(self, x: np.ndarray) -> np.ndarray:
        """$\\log \\pi_k + \\log N(x; \\mu_k, \\Sigma_k)$, shape (n, K)."""
        diff = np.asarray(x, float)[:, None, :] - self.means[None]  # (n, K, d)
        sol = np.einsum("kij,nkj->nki", self._prec, diff)
        maha = np.einsum("nki,nki->nk", diff, sol)
        logdet = 2.0 * np.log(np.diagonal(self._chol, axis1=1, axis2=2)).sum(axis=1)
        return np.log(self.weights) - 0.5 * (maha + logdet + self.dim * np.log(2 * np.pi))

    def log_prob(self, x: np.ndarray) -> np.ndarray:
        """$\\log p(x)$, shape (n,)."""
        return logsumexp(self.component_log_probs(x), axis=1)

    def responsibilities(self, x: np.ndarray) -> np.ndarray:
        """Posterior component probabilities $P(k | x)$, shape (n, K)."""
        lp = self.component_log_probs(x)
        return np.exp(lp - logsumexp(lp, axis=1, keepdims=True))

    def _component_scores(self, x: np.ndarray) -> np.ndarray:
        """$-\\Sigma_k^{-1}(x - \\mu_k)$, shape (n, K, d)."""
        diff = np.asarray(x, float)[:, None, :] - self.means[None]
        return -np.einsum("kij,nkj->nki", self._prec, diff)

    def score(self, x: np.ndarray) -> np.ndarray:
        """$\\nabla_x \\log p(x) = \\sum_k r_k(x) (-\\Sigma_k^{-1}(x - \\mu_k))$, shape (n, d)."""
        return np.einsum("nk,nki->ni", self.responsibilities(x), self._component_scores(x))

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """$\\nabla^2 \\log p = \\sum_k r_k(g_k g_k^T - \\Sigma_k^{-1}) - s s^T$, shape (n, d, d)."""
        r, g = self.responsibilities(x), self._component_scores(x)
        s = np.einsum("nk,nki->ni", r, g)
        second = np.einsum("nk,nki,nkj->nij", r, g, g) - np.einsum("nk,kij->nij", r, self._prec)
        return second - np.einsum("ni,nj->nij", s, s)

    def noised(self, a: float, b: float) -> "GaussianMixture":
        """Law of $aX + bZ$: means $a\\mu_k$, covariances $a^2\\Sigma_k + b^2 I$."""
        return GaussianMixture(self.weights, a * self.means,
                               a * a * self.covs + b * b * np.eye(self.dim)[None])

    def mean(self) -> np.ndarray:
        """$E[X] = \\sum_k \\pi_k \\mu_k$, shape (d,)."""
        return self.weights @ self.means

    def covariance(self) -> np.ndarray:
        """$Cov[X] = \\sum_k \\pi_k(\\Sigma_k + \\mu_k\\mu_k^T) - E[X]E[X]^T$, shape (d, d)."""
        m = self.mean()
        second = np.einsum("k,kij->ij", self.weights,
                           self.covs + np.einsum("ki,kj->kij", self.means, self.means))
        return second - np.outer(m, m)
