"""Question 2: exact likelihood for VAE, GAN, Score-SDE and rectified flow (claims q2a.*, q2b).

The "yes" cases (Score-SDE, rectified flow with N(0, I) source) and the outline q2b live in
`q2_exact`; the "no" cases (VAE, GAN, sample-only source) in `q2_no`.
"""
from __future__ import annotations

from . import q2_exact, q2_no

__all__ = ["CLAIMS"]

_BY_ID = {c.id: c for c in q2_no.CLAIMS + q2_exact.CLAIMS}
CLAIMS = tuple(_BY_ID[i] for i in ("q2a.vae", "q2a.gan", "q2a.score_sde", "q2a.rf_gaussian",
                                   "q2a.rf_samples", "q2b"))
