"""The limits every formula reader enforces, shared by the plain reader (`formula`) and the LaTeX
reader (`latex_formula`): the error type, the whitelisted functions, size limits, and a power that
refuses constants too large to evaluate.
"""
from __future__ import annotations

import math

import sympy as sp

__all__ = ["FormulaError", "FUNCTIONS", "MAX_LENGTH", "MAX_DEPTH", "MAX_POWER_LOG10", "MAX_EXPONENT",
           "MAX_SIMPLIFY_OPS", "MAX_EXPAND_POWER", "safe_power"]


FUNCTIONS = {"exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "abs": sp.Abs}
MAX_LENGTH = 2000
MAX_DEPTH = 200  # a sum of n terms nests n deep in the ast
MAX_POWER_LOG10 = 1000  # refuse constant powers with more than this many digits
MAX_EXPONENT = 1000  # largest constant exponent (or exp argument) a formula may carry
MAX_SIMPLIFY_OPS = 200  # larger expressions are compared numerically only
MAX_EXPAND_POWER = 16  # an integer power of a sum above this is compared numerically only:
# sympy's cancel expands it ((x+1)**999 - x took 7 s), a 4-term sum to the 16th has 969 terms


class FormulaError(ValueError):
    """A formula outside the whitelist; the message says what and where."""


def safe_power(base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
    """`base ** exponent`, refused when both are constants whose power has over MAX_POWER_LOG10
    digits (`9**9**9**9`); shared by the plain and the LaTeX reader."""
    if base.is_number and exponent.is_number:
        size = abs(complex(exponent.evalf(15))) * math.log10(max(abs(complex(base.evalf(15))), 2.0))
        if size > MAX_POWER_LOG10:
            raise FormulaError("constant power too large to evaluate")
    return sp.Pow(base, exponent)
