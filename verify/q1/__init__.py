"""Question 1: denoising score matching and smoothing.

| claim | module |
| --- | --- |
| `q1a` | `q1a`: J1 = J2 + c, the constant, the regularity conditions |
| `q1b` | `q1b`: Professor Super Smooth's KL claim (searches in `search`) |
"""
from __future__ import annotations

from . import q1a, q1b

__all__ = ["CLAIMS"]

CLAIMS = (q1a.CLAIM, q1b.CLAIM)
