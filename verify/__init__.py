"""Certification suite for the DGM homework-2 answers: sheets in, verdicts with evidence out."""

__version__ = "0.1.0"
