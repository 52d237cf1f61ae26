r"""Formulas written in LaTeX (`$...$`), read into the same whitelisted sympy tree as `formula.parse`.

A small tokenizer and a recursive-descent parser, no `eval` and no `sympy.parse_latex`: numbers,
the field's symbols, `+ - * / ^`, `\frac \dfrac \tfrac \sqrt`, `\exp \log \ln`, `e^{...}`,
absolute values, brackets (`( ) [ ] \{ \}`, with `\left \right \big...`), `\cdot \times \div`,
spacing commands, and implicit multiplication by juxtaposition. A symbol followed by brackets is a
product (`\beta(1-t)`, `t(1-t)`); only `\exp \log \ln \sqrt` (and `\mathrm{exp}` etc.) apply to an
argument. Symbol spelling (`symbol_latex_names`): a single letter as itself, a Greek name as its
command (`\beta`, `\epsilon` or `\varepsilon`), a subscript as `_x` or `_{...}` (`\sigma_0`,
`\sigma_{0}`, `x_1` for `x1`), and any name exactly inside `\mathrm{...}`, `\text{...}`,
`\mathit{...}` or `\operatorname{...}` with `\_` or `_` for underscores (`\mathrm{E\_tr\_var}`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

import sympy as sp

from .formula_rules import MAX_DEPTH, MAX_LENGTH, FormulaError, safe_power

__all__ = ["parse_latex", "is_latex", "symbol_latex", "symbol_latex_names", "GREEK"]

GREEK = (
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi",
    "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi",
    "Omega",
)
_VARIANTS = {"varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "varrho": "rho",
             "varsigma": "sigma", "varpi": "pi"}
_FUNCTIONS = {"exp": sp.exp, "log": sp.log, "ln": sp.log, "sqrt": sp.sqrt}
_FRACTIONS = {"frac", "dfrac", "tfrac"}
_TIMES = {"cdot", "times", "ast"}
_SPACES = {",", ";", ":", "!", " ", "quad", "qquad", "displaystyle", "textstyle",
           "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
           "Biggl", "Biggr", "middle"}
_NAME_WRAPPERS = {"mathrm", "text", "mathit", "operatorname", "textrm", "textit", "mathsf"}
_OPEN = {"(": ")", "[": "]", r"\{": r"\}", "\\lbrace": "\\rbrace", "\\lparen": "\\rparen"}
_ABS = {"|": "|", "\\lvert": "\\rvert", "\\vert": "\\vert"}

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[0-9]+(?:\.[0-9]+)?|\.[0-9]+|[A-Za-z]|\s+|.", re.S)


@dataclass(frozen=True)
class _Tok:
    text: str
    col: int  # 1-based column in the formula (after the opening $)


def is_latex(text: str) -> bool:
    """A formula is LaTeX when it is written between dollar signs."""
    return isinstance(text, str) and text.strip().startswith("$")


def parse_latex(text: str, symbols: Mapping[str, sp.Symbol]) -> sp.Expr:
    r"""Parse `$...$` into sympy using only `symbols` (name -> Symbol) and exp/log/sqrt/abs."""
    if not isinstance(text, str):
        raise FormulaError(f"expected a formula string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula longer than {MAX_LENGTH} characters")
    body = text.strip()
    if not (len(body) >= 2 and body.startswith("$") and body.endswith("$")):
        raise FormulaError("a LaTeX formula must be written between $ and $")
    body = body[2:-2] if body.startswith("$$") and body.endswith("$$") and len(body) >= 4 else body[1:-1]
    tokens = [_Tok(m.group(), m.start() + 1) for m in _TOKEN.finditer(body)
              if not m.group().isspace() and m.group() != "~"]
    if not tokens:
        raise FormulaError("empty formula")
    try:
        return _Parser(tokens, symbols).run()
    except RecursionError:
        raise FormulaError(f"formula nested deeper than {MAX_DEPTH} levels") from None


def symbol_latex(name: str) -> str:
    r"""How the report writes a symbol, in the spelling the reader accepts: `\sigma_{0}`, `x_{1}`,
    `\beta`, `t`, else `\mathrm{E\_tr\_var}`."""
    base, _, sub = name.partition("_")
    head = "\\" + base if base in GREEK else base if len(base) == 1 and base.isalpha() else None
    if head is not None and not sub:
        return head
    if head is not None and sub.isalnum():
        return f"{head}_{{{sub}}}"
    digits = re.fullmatch(r"([A-Za-z]+?)([0-9]+)", name)
    if digits and (len(digits.group(1)) == 1 or digits.group(1) in GREEK):
        head = digits.group(1) if len(digits.group(1)) == 1 else "\\" + digits.group(1)
        return f"{head}_{{{digits.group(2)}}}"
    return r"\mathrm{" + name.replace("_", r"\_") + "}"


def symbol_latex_names(symbols) -> dict:
    """`symbol_names` for `sympy.latex`: every symbol written as `symbol_latex` says."""
    return {s: symbol_latex(s.name) for s in symbols}


class _Parser:
    def __init__(self, tokens: list[_Tok], symbols: Mapping[str, sp.Symbol]):
        self.toks, self.i, self.symbols, self.depth = tokens, 0, symbols, 0

    # ---- token helpers ----
    def peek(self, skip_space: bool = True) -> str | None:
        if skip_space:
            while self.i < len(self.toks) and self._is_space(self.toks[self.i].text):
                self.i += 1
        return self.toks[self.i].text if self.i < len(self.toks) else None

    @staticmethod
    def _is_space(text: str) -> bool:
        return text.startswith("\\") and text[1:] in _SPACES

    def next(self) -> _Tok:
        self.peek()
        if self.i >= len(self.toks):
            raise FormulaError("formula ends too early")
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def split(self, tok: _Tok) -> None:
        """The token just read keeps its first character; the rest becomes the next token."""
        self.toks[self.i - 1:self.i] = [_Tok(tok.text[0], tok.col), _Tok(tok.text[1:], tok.col + 1)]

    def error(self, tok: _Tok | None, what: str) -> FormulaError:
        where = f" at column {tok.col}" if tok else " at the end"
        return FormulaError(f"{what}{where}")

    def expect(self, text: str) -> None:
        tok = self.next() if self.peek() is not None else None
        if tok is None or tok.text != text:
            raise self.error(tok, f"expected '{text}', got '{tok.text if tok else 'end'}'")

    def run(self) -> sp.Expr:
        expr = self.expr()
        if self.peek() is not None:
            tok = self.next()
            raise self.error(tok, f"unexpected '{tok.text}'")
        return expr

    # ---- grammar ----
    def deeper(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"formula nested deeper than {MAX_DEPTH} levels")

    def expr(self) -> sp.Expr:
        """expr := [+-] term ([+-] term)*"""
        self.deeper()
        sign = 1
        if self.peek() in ("+", "-"):
            sign = -1 if self.next().text == "-" else 1
        total = sign * self.term()
        while self.peek() in ("+", "-"):
            op = self.next().text
            right = self.term()
            total = total + right if op == "+" else total - right
        self.depth -= 1
        return total

    def term(self) -> sp.Expr:
        """term := factor ((* | \\cdot | \\times | / | \\div | juxtaposition) factor)*"""
        value = self.factor()
        while True:
            nxt = self.peek()
            if nxt in ("*", "\\cdot", "\\times", "\\ast"):
                self.next()
                value = value * self.signed_factor()
            elif nxt in ("/", "\\div"):
                self.next()
                value = value / self.signed_factor()
            elif nxt is not None and self.starts_atom(nxt):
                value = value * self.factor()
            else:
                return value

    def signed_factor(self) -> sp.Expr:
        sign = 1
        while self.peek() in ("+", "-"):
            sign = -sign if self.next().text == "-" else sign
        return sign * self.factor()

    def factor(self) -> sp.Expr:
        """factor := atom [^ exponent]"""
        base = self.atom()
        if self.peek() == "^":
            self.next()
            base = self.power(base, self.argument())
        if self.peek() == "^":
            raise self.error(self.next(), "double superscript: use braces")
        return base

    def power(self, base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
        return safe_power(base, exponent)

    def starts_atom(self, text: str) -> bool:
        if text[0].isalnum() or text[0] == "." and len(text) > 1 or text in ("(", "[", "{"):
            return True
        if text == "|":  # a bar after an atom closes an absolute value
            return False
        if text.startswith("\\"):
            cmd = text[1:]
            return (cmd in _FUNCTIONS or cmd in _FRACTIONS or cmd in _NAME_WRAPPERS
                    or cmd in GREEK or cmd in _VARIANTS or cmd in ("left", "lvert", "{", "lbrace", "lparen")
                    or (cmd not in _TIMES and cmd not in ("div", "right", "rvert", "}", "rbrace", "rparen", "vert")
                        and cmd.isalpha()))  # unknown commands are reported by atom()
        return False

    def argument(self) -> sp.Expr:
        """A macro argument or exponent: `{expr}` or one token (one digit of a number)."""
        tok = self.next()
        if tok.text == "{":
            value = self.expr()
            self.expect("}")
            return value
        if tok.text[0].isdigit() and len(tok.text) > 1:  # x^23 is x^2 3, \frac12 is 1/2
            self.split(tok)
            return sp.Integer(tok.text[0])
        if tok.text in ("+", "-"):
            raise self.error(tok, f"'{tok.text}' in a superscript or argument needs braces")
        self.i -= 1
        return self.atom()

    def atom(self) -> sp.Expr:
        self.deeper()
        try:
            return self._atom()
        finally:
            self.depth -= 1

    def _atom(self) -> sp.Expr:
        tok = self.next()
        text = tok.text
        if text[0].isdigit() or text[0] == ".":
            if text == ".":
                raise self.error(tok, "unexpected '.'")
            return sp.Integer(text) if text.isdigit() else sp.Rational(text)
        if text == "{":
            value = self.expr()
            self.expect("}")
            return value
        if text in ("(", "["):
            return self.bracketed(_OPEN[text])
        if text == "|":
            return sp.Abs(self.bracketed("|"))
        if text.isalpha() and len(text) == 1:
            return self.symbol(text, tok)
        if text == "\\left":
            return self.left_right()
        if text.startswith("\\"):
            cmd = text[1:]
            if text in _OPEN:
                return self.bracketed(_OPEN[text])
            if text in _ABS:
                return sp.Abs(self.bracketed(_ABS[text]))
            if cmd in _FRACTIONS:
                num = self.argument()
                return num / self.argument()
            if cmd == "sqrt":
                return self.sqrt()
            if cmd in _FUNCTIONS:
                return self.apply(_FUNCTIONS[cmd])
            if cmd in GREEK or cmd in _VARIANTS:
                return self.symbol(_VARIANTS.get(cmd, cmd), tok)
            if cmd in _NAME_WRAPPERS:
                return self.wrapped_name(tok)
            raise self.error(tok, f"unknown command '{text}'")
        raise self.error(tok, f"unexpected '{text}'")

    def bracketed(self, close: str) -> sp.Expr:
        value = self.expr()
        tok = self.next() if self.peek() is not None else None
        if tok is not None and tok.text in ("\\right",):
            tok = self.next()
        if tok is None or tok.text != close:
            raise self.error(tok, f"expected '{close}', got '{tok.text if tok else 'end'}'")
        return value

    def left_right(self) -> sp.Expr:
        tok = self.next()
        if tok.text in _OPEN:
            close = _OPEN[tok.text]
            wrap = lambda v: v  # noqa: E731
        elif tok.text in _ABS:
            close, wrap = _ABS[tok.text], sp.Abs
        else:
            raise self.error(tok, f"unsupported delimiter '\\left{tok.text}'")
        value = self.expr()
        self.expect("\\right")
        end = self.next()
        if end.text != close:
            raise self.error(end, f"expected '\\right{close}', got '\\right{end.text}'")
        return wrap(value)

    def sqrt(self) -> sp.Expr:
        if self.peek() == "[":
            self.next()
            index = self.expr()
            self.expect("]")
            return self.power(self.argument(), 1 / index)
        return sp.sqrt(self.argument())

    def apply(self, fn) -> sp.Expr:
        """\\exp, \\log, \\ln: a bracketed argument, or else the juxtaposed factors that follow."""
        if self.peek() == "^":
            raise self.error(self.next(), "a power of a function: write (\\log x)^2")
        nxt = self.peek()
        if nxt is None or not self.starts_atom(nxt):
            raise self.error(self.toks[self.i] if nxt else None, "function without an argument")
        if nxt in ("(", "[", "\\left", "{"):
            return fn(self.atom())
        value = self.factor()
        while self.peek() is not None and self.starts_atom(self.peek()) and self.peek() not in (
                "(", "\\left") and self.peek()[1:] not in _FUNCTIONS:
            value = value * self.factor()
        return fn(value)

    def wrapped_name(self, tok: _Tok) -> sp.Expr:
        self.expect("{")
        parts = []
        while self.peek(skip_space=False) not in ("}", None):
            t = self.toks[self.i].text
            self.i += 1
            if t in ("\\_", "_"):
                parts.append("_")
            elif t.isalnum():
                parts.append(t)
            elif t.isspace():
                continue
            else:
                raise self.error(self.toks[self.i - 1], f"unexpected '{t}' in {tok.text}{{...}}")
        self.expect("}")
        name = "".join(parts)
        if name in _FUNCTIONS and name not in self.symbols:
            return self.apply(_FUNCTIONS[name])
        return self.symbol(name, tok, written=f"{tok.text}{{{name}}}")

    def subscript(self) -> str | None:
        if self.peek() != "_":
            return None
        self.next()
        tok = self.next()
        if tok.text != "{":
            if tok.text[0].isdigit():
                if len(tok.text) > 1:
                    self.split(tok)
                return tok.text[0]
            if tok.text.isalpha() or tok.text[1:] in GREEK:
                return tok.text.lstrip("\\")
            raise self.error(tok, f"unexpected subscript '{tok.text}'")
        parts = []
        while self.peek() not in ("}", None):
            t = self.next()
            if t.text in ("\\_", "_"):
                parts.append("_")
            elif t.text.isalnum():
                parts.append(t.text)
            elif t.text[1:] in GREEK:
                parts.append(t.text[1:])
            elif t.text[1:] in _NAME_WRAPPERS:
                self.expect("{")
                while self.peek() not in ("}", None):
                    u = self.next()
                    if not (u.text.isalnum() or u.text in ("\\_", "_")):
                        raise self.error(u, f"unexpected '{u.text}' in a subscript")
                    parts.append("_" if u.text in ("\\_", "_") else u.text)
                self.expect("}")
            else:
                raise self.error(t, f"unexpected '{t.text}' in a subscript")
        self.expect("}")
        return "".join(parts)

    def symbol(self, name: str, tok: _Tok, written: str | None = None) -> sp.Expr:
        if self.peek() == "^":  # x^2, or \sigma^2_j with the superscript before the subscript
            self.next()
            exponent = self.argument()  # parsed once: no rewind, so nesting costs linear time
            return self.power(self.symbol(name, tok, written), exponent)
        sub = self.subscript()
        written = written or tok.text
        if sub is not None:
            written += f"_{{{sub}}}"
            candidates = [f"{name}_{sub}", f"{name}{sub}"]
        else:
            candidates = [name]
            # x1 typed without an underscore: the letter and the digits after it, if that is a name
            nxt = self.peek(skip_space=False)
            if len(name) == 1 and nxt is not None and nxt[0].isdigit() \
                    and self.toks[self.i].col == tok.col + 1:
                if name + nxt in self.symbols:
                    self.i += 1
                    return self.symbols[name + nxt]
                raise self.error(tok, f"ambiguous '{name}{nxt}': write {name}_{{{nxt}}}, "
                                      f"{nxt}{name} or {name} \\cdot {nxt}")
        for candidate in candidates:
            if candidate in self.symbols:
                return self.symbols[candidate]
        if sub is None and name == "e":
            return sp.E
        allowed = ", ".join(f"{symbol_latex(n)}" for n in sorted(self.symbols)) or "none"
        raise self.error(tok, f"unknown symbol '{written}' (allowed symbols: {allowed})")
