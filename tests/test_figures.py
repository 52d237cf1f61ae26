"""Figures: one function per claim figure, PDF and PNG written, the same bytes on a rerun."""
import hashlib

from verify.cli import _figure_names
from verify.figures import FIGURES, write
from verify.registry import REGISTRY

NAMES = _figure_names(REGISTRY.values())


def digest(paths):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_every_claim_figure_has_a_function():
    assert set(NAMES) <= set(FIGURES)


def test_every_figure_is_written_as_pdf_and_png(written_figures):
    assert set(written_figures) == {f"{n}.{ext}" for n in NAMES for ext in ("pdf", "png")}
    assert all(p.stat().st_size > 1000 for p in written_figures.values())


def test_figures_are_byte_identical_on_a_rerun(tmp_path, auditor, written_figures):
    assert digest(write(NAMES, tmp_path, auditor)) == digest(written_figures.values())
