"""Symbolic derivations (sympy only): each module derives the closed forms the answers rely on."""
