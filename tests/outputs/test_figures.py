"""Figures: one function per claim figure, PDF and PNG written, the same bytes on a rerun."""
import hashlib

from verify.outputs.figures import FIGURES, figure_names, write
from verify.registry import REGISTRY

NAMES = figure_names(REGISTRY.values())


def digest(paths):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_every_claim_figure_has_a_function():
    assert set(NAMES) <= set(FIGURES)


def test_every_figure_is_written_as_pdf_and_png(written_figures):
    assert set(written_figures) == {f"{n}.{ext}" for n in NAMES for ext in ("pdf", "png")}
    assert all(p.stat().st_size > 1000 for p in written_figures.values())


def test_no_figure_carries_a_timestamp_or_software_tag(written_figures):
    # the only run-dependent bytes matplotlib writes; the data come from the seeded truths
    for name, path in written_figures.items():
        data = path.read_bytes()
        assert b"CreationDate" not in data and b"ModDate" not in data, name
        assert b"Software" not in data and b"matplotlib version" not in data, name


def test_a_rerun_gives_the_same_bytes(tmp_path, auditor, written_figures):
    # one full figure per rerun keeps the suite fast; the check above covers the rest. Same process,
    # same cached truths, same code path: identical bytes are guaranteed (no BLAS thread dependence)
    names = ["q4d_alpha_sigma", "q1b_kl_vs_sigma"]
    again = digest(write(names, tmp_path, auditor))
    assert again == digest(written_figures[n] for n in again)


def test_no_text_is_cut_at_the_edge_of_its_figure(auditor, monkeypatch, tmp_path):
    # the figures are laid out with fixed margins (verify.outputs.figures.style.MARGINS): each panel with
    # everything it draws (tick labels, axis labels, title, legend) must lie inside the canvas, to
    # half a pixel at 100 dpi
    import sys

    cut = []

    def checking_save(fig, out_dir, name, formats=()):
        fig.set_dpi(100)
        fig.canvas.draw()
        renderer, edge = fig.canvas.get_renderer(), fig.bbox
        for i, ax in enumerate(fig.axes):
            box = ax.get_tightbbox(renderer)
            if (box.x0 < edge.x0 - 0.5 or box.y0 < edge.y0 - 0.5 or box.x1 > edge.x1 + 0.5
                    or box.y1 > edge.y1 + 0.5):
                cut.append((name, i, [round(v, 1) for v in box.extents]))
        return []

    for module in [m for n, m in sys.modules.items() if n.startswith("verify.outputs.figures")]:
        if hasattr(module, "save"):
            monkeypatch.setattr(module, "save", checking_save)
    for name in NAMES:
        FIGURES[name](tmp_path, lambda claim_id: auditor.truth(REGISTRY[claim_id]), ("png",))
    assert not cut
