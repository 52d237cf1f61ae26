"""Question 2: exact likelihood for VAE, GAN, Score-SDE and rectified flow.

| claim | module |
| --- | --- |
| `q2a.vae` | `q2a_vae` |
| `q2a.gan` | `q2a_gan` |
| `q2a.score_sde` | `q2a_score_sde` (shared with the other "yes" cases: `exact`, `runs`, `fields`) |
| `q2a.rf_gaussian` | `q2a_rf_gaussian` |
| `q2a.rf_samples` | `q2a_rf_samples` |
| `q2b` | `q2b` |
"""
from __future__ import annotations

from . import q2a_gan, q2a_rf_gaussian, q2a_rf_samples, q2a_score_sde, q2a_vae, q2b

__all__ = ["CLAIMS"]

CLAIMS = tuple(m.CLAIM for m in (q2a_vae, q2a_gan, q2a_score_sde, q2a_rf_gaussian, q2a_rf_samples,
                                 q2b))
