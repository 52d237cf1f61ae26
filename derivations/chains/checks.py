"""The check text under a derivation step: what sympy established, computed, never a literal."""
from __future__ import annotations

import sympy as sp

__all__ = ["identity", "is_zero"]


def identity(lhs: sp.Expr, rhs: sp.Expr) -> str:
    """'sympy: simplify(lhs - rhs) = 0', or the same with '!= 0 (step FAILS)'."""
    return is_zero(lhs - rhs, "simplify(lhs - rhs)")


def is_zero(expr: sp.Expr, what: str) -> str:
    """'sympy: <what> = 0' when `expr` simplifies to 0, else '<what> != 0 (step FAILS)'."""
    ok = sp.simplify(expr) == 0
    return f"sympy: {what} = 0" if ok else f"sympy: {what} != 0 (step FAILS)"
