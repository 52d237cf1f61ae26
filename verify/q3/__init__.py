"""Question 3: Dog -> Husky translation with a Score-SDE.

| claim | module |
| --- | --- |
| `q3a` | `q3a` (the shared truth, exact translation laws: `translation`) |
| `q3b` | `q3b` |
"""
from __future__ import annotations

from . import q3a, q3b

__all__ = ["CLAIMS"]

CLAIMS = (q3a.CLAIM, q3b.CLAIM)
