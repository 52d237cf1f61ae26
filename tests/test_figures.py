"""Figures: written for every registered claim, with the same bytes on a rerun."""
import hashlib

from verify.cli import _figure_names
from verify.figures import FIGURES, write
from verify.registry import REGISTRY


def test_every_claim_figure_has_a_function():
    assert set(_figure_names(REGISTRY.values())) <= set(FIGURES)


def test_figures_are_byte_identical_on_a_rerun(tmp_path, auditor):
    names = ["q4d_alpha_sigma"]
    first = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in write(names, tmp_path / "a", auditor)}
    second = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in write(names, tmp_path / "b", auditor)}
    assert first == second and set(first) == {"q4d_alpha_sigma.pdf", "q4d_alpha_sigma.png"}
