"""Numeric schedules, transcribed from `derivations.schedules` (tests tie the two together).

VP-SDE (Song et al. 2021): data at t = 0, noise at t = T; kernel $N(\\alpha(t) x_0, \\sigma(t)^2 I)$.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["VPSchedule"]


@dataclass(frozen=True)
class VPSchedule:
    """Linear $\\beta(t) = \\beta_{min} + (\\beta_{max} - \\beta_{min}) t$ on $[0, T]$."""

    beta_min: float = 0.1
    beta_max: float = 20.0
    T: float = 1.0

    def beta(self, t):
        return self.beta_min + (self.beta_max - self.beta_min) * np.asarray(t, float)

    def integrated_beta(self, t):
        """$\\int_0^t \\beta = \\beta_{min} t + \\frac12(\\beta_{max} - \\beta_{min}) t^2$."""
        t = np.asarray(t, float)
        return self.beta_min * t + 0.5 * (self.beta_max - self.beta_min) * t * t

    def alpha(self, t):
        """$\\alpha(t) = e^{-\\frac12\\int_0^t\\beta}$."""
        return np.exp(-0.5 * self.integrated_beta(t))

    def sigma(self, t):
        """$\\sigma(t) = \\sqrt{1 - \\alpha(t)^2}$, computed as sqrt(-expm1(-int beta)) for accuracy at small t."""
        return np.sqrt(-np.expm1(-self.integrated_beta(t)))

    def drift(self, x, t):
        """Forward drift $f(x, t) = -\\frac12\\beta(t) x$."""
        return -0.5 * self.beta(t) * x

    def diffusion_sq(self, t):
        """Squared diffusion $g(t)^2 = \\beta(t)$."""
        return self.beta(t)
