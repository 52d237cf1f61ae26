"""Safe formula reading and equivalence by mathematics, never by string.

`parse(text, symbols)` turns plain math (`d/2*(r - 1 - log(r))`, `**` or `^`) into a sympy
expression by walking Python's `ast` under a whitelist: numbers, the field's symbols, + - * / ** ^,
unary minus, and exp, log, sqrt, abs. LaTeX between `$...$` goes to `latex_formula.parse_latex`,
which builds the same whitelisted tree. Nothing is evaluated as code. `equivalent(a, b, ...)` settles
equality by sympy when it can, else by mpmath evaluation at many points; a formula that is 0/0 at a
point is judged by its limit there (`removable`), and `to_numpy` (from `removable`) evaluates one
on arrays the same way.
"""
from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from typing import Mapping

import mpmath
import numpy as np
import sympy as sp

from .formula_rules import FUNCTIONS, MAX_DEPTH, MAX_EXPAND_POWER, MAX_EXPONENT, MAX_LENGTH, \
    MAX_SIMPLIFY_OPS, FormulaError, safe_power
from .latex_formula import parse_latex
from .removable import symbol_bounds, to_numpy, value_or_limit

__all__ = ["FormulaError", "parse", "Equivalence", "equivalent", "FUNCTIONS", "to_numpy", "safe_power"]


def parse(text: str, symbols: Mapping[str, sp.Symbol]) -> sp.Expr:
    """Parse `text` into sympy using only `symbols` (name -> Symbol) and FUNCTIONS; the result is
    refused when it is not a finite real expression (`1/0`, `log(0)`, `sqrt(-1)`)."""
    expr = _read(text, symbols)
    if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan, sp.I):
        raise FormulaError(f"'{text.strip()[:60]}' is not a finite real expression "
                           f"(sympy reads it as {sp.sstr(expr)[:60]})")
    _refuse_huge_constants(expr)
    return expr


def _refuse_huge_constants(expr: sp.Expr) -> None:
    """Powers with a constant exponent beyond MAX_EXPONENT, or exp of a constant beyond it, would
    stall simplification and evaluation (`x**(10**100)`, `exp(exp(exp(100)))`): refused."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and node.exp.is_number and abs(node.exp) > MAX_EXPONENT:
            raise FormulaError(f"exponent {sp.sstr(node.exp)[:30]} is too large (limit {MAX_EXPONENT})")
        if isinstance(node, sp.exp) and node.args[0].is_number and abs(node.args[0]) > MAX_EXPONENT:
            raise FormulaError(f"exp of {sp.sstr(node.args[0])[:30]} is too large (limit {MAX_EXPONENT})")


def _read(text: str, symbols: Mapping[str, sp.Symbol]) -> sp.Expr:
    if not isinstance(text, str):
        raise FormulaError(f"expected a formula string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula longer than {MAX_LENGTH} characters")
    if text.strip().startswith("$"):  # LaTeX between $...$: same whitelist, own reader
        return parse_latex(text, symbols)
    source = text.strip().replace("^", "**")
    if not source:
        raise FormulaError("empty formula")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"not a formula: {exc.msg} at column {exc.offset}") from None
    return _Reader(symbols).read(tree.body, 0)


_BINARY = {ast.Add: sp.Add, ast.Sub: lambda a, b: a - b, ast.Mult: sp.Mul,
           ast.Div: lambda a, b: a / b}


class _Reader:
    def __init__(self, symbols: Mapping[str, sp.Symbol]):
        self.symbols = symbols

    def read(self, node: ast.AST, depth: int) -> sp.Expr:
        if depth > MAX_DEPTH:
            raise FormulaError(f"formula nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, ast.Constant):
            return self._constant(node.value)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.read(node.operand, depth + 1)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            return safe_power(self.read(node.left, depth + 1), self.read(node.right, depth + 1))
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = self.read(node.left, depth + 1), self.read(node.right, depth + 1)
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        raise FormulaError(f"'{_describe(node)}' is not allowed in a formula")

    def _constant(self, value: object) -> sp.Expr:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FormulaError(f"constant {value!r} is not a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise FormulaError(f"constant {value!r} is not finite")
        return sp.Integer(value) if isinstance(value, int) else sp.Rational(repr(value))

    def _name(self, name: str) -> sp.Expr:
        if name in self.symbols:
            return self.symbols[name]
        if name in FUNCTIONS:
            raise FormulaError(f"function '{name}' used without an argument")
        allowed = ", ".join(sorted(self.symbols)) or "none"
        raise FormulaError(f"unknown symbol '{name}' (allowed symbols: {allowed})")

    def _call(self, node: ast.Call, depth: int) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            raise FormulaError(f"'{_describe(node.func)}' is not an allowed function")
        name = node.func.id
        if name not in FUNCTIONS:
            allowed = ", ".join(sorted(FUNCTIONS))
            raise FormulaError(f"unknown function '{name}' (allowed: {allowed})")
        if node.keywords or len(node.args) != 1:
            raise FormulaError(f"function '{name}' takes exactly one argument")
        return FUNCTIONS[name](self.read(node.args[0], depth + 1))


def _describe(node: ast.AST) -> str:
    try:
        return ast.unparse(node)[:60]
    except Exception:  # pragma: no cover - unparse handles every node the parser returns
        return type(node).__name__


@dataclass(frozen=True)
class Equivalence:
    """How two expressions compare: `how` is 'symbolic' (`proof` names the sympy step) or
    'numeric' (worst point and number of points)."""

    equal: bool
    how: str
    max_rel_error: float
    worst_point: Mapping[str, float]
    points: int
    proof: str = ""

    def describe(self) -> str:
        if self.how == "symbolic":
            return _PROOFS[self.proof]
        point = ", ".join(f"{k}={v:.6g}" for k, v in self.worst_point.items())
        return (f"max relative difference {self.max_rel_error:.3g} over {self.points} points "
                f"(worst at {point})")


_PROOFS = {"cancel": "cancel(together(answer - truth)) = 0",
           "simplify": "simplify(answer - truth) = 0"}


def equivalent(answer: sp.Expr, truth: sp.Expr, domain: Mapping[sp.Symbol, tuple[float, float]],
               *, rtol: float = 1e-10, points: int = 64, seed: int = 0,
               dps: int = 40) -> Equivalence:
    """Equal on `domain` (symbol -> open interval)? Symbolically first: the difference over one
    denominator (`together`, then `cancel`) is 0, which also settles forms that are 0/0 somewhere
    (`(x1 - x)*t/(t - t**2)`). Else `points` mpmath samples decide, a side that is not finite at a
    sample taking its limit there (`removable.value_or_limit`), and agreement is upgraded to a proof
    when `simplify(answer - truth)` is 0. Both sympy steps run on small expressions only
    (`_symbolic_ok`); a formula that differs never reaches `simplify`, which costs 0.1-0.4 s on a
    small wrong formula and can stall on large powers.

    Numeric agreement means $|a - b| \\le rtol \\max(|b|, 10^{-300})$ at every sample, at `dps` digits.
    """
    small = _symbolic_ok(answer, truth)
    if small and sp.cancel(sp.together(answer - truth)) == 0:
        return Equivalence(True, "symbolic", 0.0, {}, 0, "cancel")
    numeric = _numeric_equivalence(answer, truth, domain, rtol, points, seed, dps)
    if numeric.equal and small and sp.simplify(answer - truth) == 0:  # a difference needs no proof
        return Equivalence(True, "symbolic", 0.0, {}, 0, "simplify")
    return numeric


def _symbolic_ok(*exprs: sp.Expr) -> bool:
    """Small enough for sympy's cancel and simplify: at most MAX_SIMPLIFY_OPS operations and no
    integer power above MAX_EXPAND_POWER of anything but a symbol (cancel expands it)."""
    if sum(sp.count_ops(e) for e in exprs) > MAX_SIMPLIFY_OPS:
        return False
    return not any(isinstance(node, sp.Pow) and not node.base.is_Symbol and node.exp.is_Integer
                   and abs(node.exp) > MAX_EXPAND_POWER
                   for e in exprs for node in sp.preorder_traversal(e))


def _numeric_equivalence(answer, truth, domain, rtol, points, seed, dps) -> Equivalence:
    rng = np.random.default_rng(seed)
    names = list(domain)
    bounds = [symbol_bounds(s, domain) for s in names]
    f_answer, f_truth = (sp.lambdify(names, e, "mpmath") for e in (answer, truth))
    worst, worst_point, compared = 0.0, {}, 0
    with mpmath.workdps(dps):
        for _ in range(points):
            point = {s: _inside(rng, *domain[s]) for s in names}
            args = [point[s] for s in names]
            a, b = (value_or_limit(f, args, bounds) for f in (f_answer, f_truth))
            if a is None or b is None:  # undefined here (no limit either): equal only if both are
                rel = math.inf if (a is None) != (b is None) else 0.0
            else:
                rel, compared = float(abs(a - b) / max(abs(b), mpmath.mpf("1e-300"))), compared + 1
            if rel > worst or not worst_point:
                worst, worst_point = rel, {str(s): float(v) for s, v in point.items()}
    # agreement needs finite values at (at least half of) the points, not only shared undefinedness
    return Equivalence(worst <= rtol and 2 * compared >= points, "numeric", worst, worst_point,
                       points)


def _inside(rng: np.random.Generator, low: float, high: float) -> float:
    """A sample strictly inside (low, high), uniform on a log scale for wide positive ranges."""
    if low > 0 and high / low > 100:
        return float(np.exp(rng.uniform(np.log(low), np.log(high))))
    return float(rng.uniform(low, high))
