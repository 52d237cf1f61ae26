"""Derivation chains for the LaTeX report (sympy only): one function per claim returning steps
`(lhs LaTeX, sympy expression, check text)`; the check text states what sympy established for that
step (computed by `checks`, never written as a literal). One module per question.
"""
