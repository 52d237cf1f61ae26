"""Figure of question 4(e): bridge trajectories under both couplings and Euler error against K."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ...q4.q4e_ii import K_GRID, TAU
from .style import FORMATS, figure, save

__all__ = ["FIGURES", "q4e_bridges"]

_LABEL = {"brownian_bridge": "Brownian bridge (independent coupling)",
          "schroedinger_bridge": "Schroedinger bridge (entropic OT)"}


def q4e_bridges(out_dir: Path, truth_of: Callable,
                formats: Sequence[str] = FORMATS) -> list[Path]:
    """Left, middle: reference trajectories (K = 1024) from p0 (Gaussian) to p1 (two moons) under
    each coupling. Right: mean endpoint error against the number of Euler-Maruyama steps K."""
    f = truth_of("q4e.ii").facts
    with figure(ncols=3, height=2.4) as (fig, ax):
        for a, name in zip(ax[0, :2], ("brownian_bridge", "schroedinger_bridge")):
            traj = f["results"][name]["traj"]
            a.scatter(*f["x0"].T, s=3, color="C0", label="$p_0$")
            a.scatter(*f["x1"].T, s=3, color="C3", label="$p_1$")
            for p in range(traj.shape[1]):
                a.plot(traj[:, p, 0], traj[:, p, 1], color="0.3", lw=0.4, alpha=0.7)
            a.set(title=_LABEL[name], xlabel="$x_1$", ylabel="$x_2$")
            a.title.set_fontsize(7)
            a.legend(loc="lower left", markerscale=2, fontsize=6)
        for name, color in (("brownian_bridge", "C1"), ("schroedinger_bridge", "C2")):
            r = f["results"][name]
            ax[0, 2].errorbar(K_GRID, r["err"], yerr=5 * np.asarray(r["se"]), color=color,
                              marker="o", ms=3, capsize=2, label=_LABEL[name].split(" (")[0])
        ax[0, 2].axhline(TAU, color="k", ls=":", lw=0.8, label=rf"$\tau = {TAU:g}$")
        ax[0, 2].set(xscale="log", yscale="log", xlabel="Euler-Maruyama steps $K$",
                     ylabel=r"$E|X_K - X_{ref}|$ ($\pm 5$ SE)")
        ax[0, 2].legend(fontsize=6, loc="lower left")
        return save(fig, out_dir, "q4e_bridges", formats)


FIGURES = {"q4e_bridges": q4e_bridges}
