"""Small linear-algebra helpers shared by the question modules."""
from __future__ import annotations

import numpy as np

__all__ = ["psd_sqrt"]


def psd_sqrt(S: np.ndarray) -> np.ndarray:
    """Symmetric square root of symmetric positive semi-definite matrices, `S: (..., d, d)`, by
    `eigh` (negative rounding-level eigenvalues clipped to 0)."""
    w, v = np.linalg.eigh(np.asarray(S, float))
    return (v * np.sqrt(np.clip(w, 0.0, None))[..., None, :]) @ np.swapaxes(v, -1, -2)
