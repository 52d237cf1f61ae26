"""Figure of question 4(d)i: alpha_t and sigma_t of eq. (5) for beta = 598, both sigma variants."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ...q4.conditions import BETA_4D, alpha_sigma_4d
from .style import FORMATS, figure, save

__all__ = ["FIGURES", "q4d_alpha_sigma"]


def q4d_alpha_sigma(out_dir: Path, truth_of: Callable | None = None,
                    formats: Sequence[str] = FORMATS) -> list[Path]:
    """Top: alpha_t and sigma_t on [0, 1] (linear). Bottom: alpha_t on a log scale (alpha_0 = e^-299)
    and sigma_t near t = 1, where the two variants 1 - alpha^2 and sqrt(1 - alpha^2) differ."""
    grid = np.linspace(0.0, 1.0, 2001)
    near_one = np.linspace(0.97, 1.0, 1201)
    alpha, sigma, sigma_sqrt = alpha_sigma_4d(grid)
    _, sigma_n, sigma_sqrt_n = alpha_sigma_4d(near_one)
    with figure(ncols=2, nrows=2, height=2.2, margins={"left": 0.75}) as (fig, ax):  # 10^-140 ticks
        ax[0, 0].plot(grid, alpha, color="C0")
        ax[0, 0].set(xlabel="$t$", ylabel=r"$\alpha_t$", title=rf"$\alpha_t = e^{{-\beta(1-t)/2}}$, $\beta = {BETA_4D}$")
        ax[0, 1].plot(grid, sigma, color="C1", label=r"$\sigma_t = 1 - \alpha_t^2$ (eq. 5)")
        ax[0, 1].plot(grid, sigma_sqrt, color="C2", ls="--", label=r"$\sqrt{1 - \alpha_t^2}$ (VP variant)")
        ax[0, 1].set(xlabel="$t$", ylabel=r"$\sigma_t$", title=r"$\sigma_t$")
        ax[0, 1].legend(loc="lower left")
        ax[1, 0].semilogy(grid, alpha, color="C0")
        ax[1, 0].axhline(np.exp(-BETA_4D / 2), color="0.4", lw=0.8, ls=":")
        ax[1, 0].annotate(r"$\alpha_0 = e^{-299} \approx 1.4\times10^{-130} \neq 0$", (0.02, 3e-128),
                          fontsize=8)
        ax[1, 0].set(xlabel="$t$", ylabel=r"$\alpha_t$ (log scale)", ylim=(1e-140, 1e5))
        ax[1, 1].plot(near_one, sigma_n, color="C1", label=r"$1 - \alpha_t^2$")
        ax[1, 1].plot(near_one, sigma_sqrt_n, color="C2", ls="--", label=r"$\sqrt{1 - \alpha_t^2}$")
        ax[1, 1].set(xlabel="$t$", ylabel=r"$\sigma_t$ near $t = 1$")
        ax[1, 1].legend(loc="lower left")
        return save(fig, out_dir, "q4d_alpha_sigma", formats)


FIGURES = {"q4d_alpha_sigma": q4d_alpha_sigma}
