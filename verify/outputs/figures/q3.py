"""Figure of question 3: Dog -> Husky translation (samples, quality against NFE, bias floor)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ...q3.translation import NFE_GRID, T0_GRID, TAU_Q
from .style import FORMATS, figure, save

__all__ = ["FIGURES", "q3_translation"]


def q3_translation(out_dir: Path, truth_of: Callable,
                   formats: Sequence[str] = FORMATS) -> list[Path]:
    """Left: Dogs, translated samples (t0 of the Monte Carlo control) and Huskies. Middle: W2 upper
    bound to the Huskies against NFE (reverse SDE) for each t0 and for the standard sampler.
    Right: the K -> infinity bias floor and |Cov(dog, output)| against t0."""
    f = truth_of("q3a").facts
    sde = f["curves"]["sde"]
    with figure(ncols=3, height=2.4) as (fig, ax):
        dense = {"s": 2, "rasterized": True}  # 600 points each: an image inside the PDF
        ax[0, 0].scatter(*f["dogs"].T, color="0.6", label="Dogs", **dense)
        ax[0, 0].scatter(*f["huskies"].T, color="C0", label="Huskies", **dense)
        ax[0, 0].scatter(*f["mc_out"].T, color="C3", label=rf"translated, $t_0 = {f['mc_t0']:g}$", **dense)
        ax[0, 0].set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
        ax[0, 0].legend(loc="lower left", markerscale=3, fontsize=6)
        colors = iter(__import__("matplotlib").colormaps["viridis"](np.linspace(0, 0.9, len(T0_GRID))))
        for t0 in T0_GRID:
            ax[0, 1].loglog(NFE_GRID, np.maximum(sde[t0]["up"], 1e-6), color=next(colors),
                            lw=0.9, label=rf"$t_0 = {t0:g}$")
        ax[0, 1].loglog(NFE_GRID, np.maximum(sde["standard"]["up"], 1e-6), "k--", lw=1.0,
                        label=r"$N(0, I)$ at $T$")
        ax[0, 1].axhline(TAU_Q, color="C3", lw=0.8, ls=":")
        ax[0, 1].set(xlabel="NFE (reverse SDE steps)", ylabel=r"$W_2$ to Huskies (upper bound)",
                     ylim=(1e-3, 20))
        ax[0, 1].legend(fontsize=5, ncol=2, loc="upper right")
        t0s = np.array(T0_GRID)
        ax[0, 2].semilogy(t0s, [max(sde[t]["floor"][1], 1e-8) for t in T0_GRID], "o-", ms=3,
                          label=r"bias floor $W_2$ (upper)")
        ax[0, 2].semilogy(t0s, [max(sde[t]["floor"][0], 1e-8) for t in T0_GRID], "s--", ms=3,
                          label=r"bias floor $W_2$ (lower)")
        ax[0, 2].semilogy(t0s, [f["cross_cov"][t] for t in T0_GRID], "^-", ms=3, color="C2",
                          label=r"$\|Cov(x_{dog}, x_{out})\|_F$")
        ax[0, 2].set(xlabel="$t_0$", ylabel="value")
        ax[0, 2].legend(fontsize=6, loc="lower left")
        return save(fig, out_dir, "q3_translation", formats)


FIGURES = {"q3_translation": q3_translation}
