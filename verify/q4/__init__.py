"""Question 4: conditional flow matching, affine paths, optimal transport and bridges.

| claim | module |
| --- | --- |
| `q4a` | `q4a` |
| `q4b` | `q4b` |
| `q4c.i` | `q4c_i` (eq. (4) settled by `conditions`, shared with q4d) |
| `q4c.ii` | `q4c_ii` |
| `q4c.iii` | `q4c_iii` |
| `q4d.i`, `q4d.ii` | `q4d` (one truth) |
| `q4e.i` | `q4e_i` |
| `q4e.ii` | `q4e_ii` |
"""
from __future__ import annotations

from . import q4a, q4b, q4c_i, q4c_ii, q4c_iii, q4d, q4e_i, q4e_ii

__all__ = ["CLAIMS"]

CLAIMS = (q4a.CLAIM, q4b.CLAIM, q4c_i.CLAIM, q4c_ii.CLAIM, q4c_iii.CLAIM, *q4d.CLAIMS,
          q4e_i.CLAIM, q4e_ii.CLAIM)
