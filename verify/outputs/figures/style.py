"""Shared figure style and deterministic saving; matplotlib is imported lazily, only here.

Figures are sized for a 6.5 in LaTeX text width and laid out with fixed margins; PDF without
CreationDate and PNG without the Software tag, so a rerun writes the same bytes.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Sequence

__all__ = ["TEXT_WIDTH", "STYLE", "MARGINS", "FORMATS", "figure", "save"]

TEXT_WIDTH = 6.5  # inches
FORMATS = ("pdf", "png")  # the LaTeX report includes only the PDFs
STYLE = {
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "lines.linewidth": 1.3,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "svg.hashsalt": "dgm-verify",
}
# Fixed margins in inches (ticks + label on the left and bottom, a title on top, a y label between
# columns): constrained layout measured every text twice per file and doubled the drawing time.
MARGINS = {"left": 0.62, "right": 0.2, "bottom": 0.5, "top": 0.27, "wspace": 0.72, "hspace": 0.62}


def _subplot_params(ncols: int, nrows: int, width: float, height: float, margins) -> dict:
    """`MARGINS` (inches, with overrides) as `Figure.subplots_adjust` fractions."""
    m = {**MARGINS, **margins}
    axis_w = (width - m["left"] - m["right"] - (ncols - 1) * m["wspace"]) / ncols
    axis_h = (height - m["bottom"] - m["top"] - (nrows - 1) * m["hspace"]) / nrows
    return {"left": m["left"] / width, "right": 1 - m["right"] / width,
            "bottom": m["bottom"] / height, "top": 1 - m["top"] / height,
            "wspace": m["wspace"] / axis_w, "hspace": m["hspace"] / axis_h}


@contextmanager
def figure(ncols: int = 1, nrows: int = 1, height: float = 2.4, margins=None, **kwargs):
    """Yield (fig, axes) under STYLE, `TEXT_WIDTH` wide and `height` inches tall per row, laid out
    by `MARGINS` (inches; `margins` overrides some)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    with plt.rc_context(STYLE):
        size = (TEXT_WIDTH, height * nrows)
        fig, axes = plt.subplots(nrows, ncols, figsize=size, squeeze=False, **kwargs)
        fig.subplots_adjust(**_subplot_params(ncols, nrows, *size, margins or {}))
        try:
            yield fig, axes
        finally:
            plt.close(fig)


def save(fig, out_dir: Path, name: str, formats: Sequence[str] = FORMATS) -> list[Path]:
    """Write `name`.pdf and/or `name`.png into `out_dir` with no timestamps; return the paths.
    Dense scatters are drawn `rasterized=True`: an image at 300 dpi inside the vector PDF."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    options = {"pdf": {"dpi": 300, "metadata": {"CreationDate": None, "ModDate": None,
                                                "Producer": None, "Creator": None}},
               "png": {"dpi": 200, "metadata": {"Software": None}}}
    paths = [out_dir / f"{name}.{fmt}" for fmt in formats]
    for fmt, path in zip(formats, paths):
        fig.savefig(path, **options[fmt])
    return paths
