"""Figures of question 1: the constant c (q1a), KL against sigma_j (q1b) and the search map (q1b)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ...engine.claims import Truth
from ...q1.search import kl_gauss
from . import style

__all__ = ["FIGURES", "q1a_constant", "q1b_kl_vs_sigma", "q1b_search"]


def q1a_constant(out_dir: Path, truth_of: Callable[[str], Truth],
                 formats: Sequence[str] = style.FORMATS) -> list[Path]:
    """$\\hat J_1 - \\hat J_2$ (mean +- 5 SE) for each random theta against c from the posterior."""
    laws = truth_of("q1a").facts["laws"]
    with style.figure(ncols=len(laws), height=2.2) as (fig, axes):
        for ax, (name, law) in zip(axes[0], laws.items()):
            m = np.array([r["mean"] for r in law["mc"]])
            se = np.array([r["se"] for r in law["mc"]])
            ax.errorbar(np.arange(m.size), m, yerr=5 * se, fmt="o", ms=3, label=r"MC $\pm 5$ SE")
            ax.axhline(law["c"], color="C3", label=r"$c=-\frac{1}{2}E\,\mathrm{tr\,Var}$")
            ax.set_xlabel(r"random $\theta$ index")
            ax.set_title(name.replace("_", " "))
        axes[0][0].set_ylabel(r"$J_1(\theta) - J_2(\theta)$")
        axes[0][0].legend(loc="best")
        return style.save(fig, out_dir, "q1a_constant", formats)


def q1b_kl_vs_sigma(out_dir: Path, truth_of: Callable[[str], Truth],
                    formats: Sequence[str] = style.FORMATS) -> list[Path]:
    """Joint KL against sigma_j (sigma_0 = 0.5) for several d: closed form and MC points (+-5 SE)."""
    mc = truth_of("q1b").facts["mc"]
    s = np.linspace(0.5, 2.1, 200)
    with style.figure(height=2.6) as (fig, axes):
        ax = axes[0][0]
        for i, d in enumerate(sorted({r["d"] for r in mc})):
            ax.plot(s, kl_gauss(d, s, 0.5), color=f"C{i}", label=f"closed form, $d={d}$")
            for law, marker in (("bimodal", "o"), ("uniform", "s")):
                pts = [r for r in mc if r["d"] == d and r["law"] == law]
                ax.errorbar([r["sigma_j"] for r in pts], [r["est"] for r in pts],
                            yerr=[5 * r["se"] for r in pts], fmt=marker, ms=3, color=f"C{i}",
                            mfc="none", label=f"MC, {law} $q_0$" if i == 0 else None)
        ax.set_yscale("log")
        ax.set_xlabel(r"$\sigma_j$ ($\sigma_0 = 0.5$)")
        ax.set_ylabel(r"$KL(q_{\sigma_j}(\tilde x, x)\,\|\,q_{\sigma_0}(\tilde x, x))$")
        ax.legend(ncol=2)
        return style.save(fig, out_dir, "q1b_kl_vs_sigma", formats)


def q1b_search(out_dir: Path, truth_of: Callable[[str], Truth],
               formats: Sequence[str] = style.FORMATS) -> list[Path]:
    """Left: joint search, relative margin against $\\sigma_1^2/(d\\sigma_0^2)$ (condition holds right of 1).
    Right: marginal search, relative margin $(KL_2 - KL_1)/KL_2$ (symlog) against $\\sigma_1/\\sigma_0$
    per family and direction; counterexamples ringed, certified ones starred."""
    facts = truth_of("q1b").facts
    with style.figure(ncols=2, height=2.6) as (fig, axes):
        _joint_panel(axes[0][0], facts["joint"]["sample"])
        _marginal_panel(axes[0][1], facts["marginal"]["families"], facts["certificates"])
        return style.save(fig, out_dir, "q1b_search", formats)


def _joint_panel(ax, sample) -> None:
    ratio, rel = np.array(sample["ratio"]), np.array(sample["rel_margin"])
    inside = ratio >= 1
    dense = {"s": 2, "rasterized": True}  # thousands of points: an image inside the PDF
    ax.scatter(ratio[inside], rel[inside], label="inside the condition", **dense)
    ax.scatter(ratio[~inside], rel[~inside], label="outside", **dense)
    ax.axvline(1.0, color="k", lw=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\sigma_1^2 / (d\,\sigma_0^2)$")
    ax.set_ylabel(r"$(KL_2 - KL_1)/KL_2$ (joint)")
    ax.legend()


def _marginal_panel(ax, families, certificates) -> None:
    lowest = min([0.0] + [c["margin"] / c["kl_2"] for c in certificates]
                 + [min(r["sample_rel_margin"]) for dirs in families.values() for r in dirs.values()])
    for i, (fam, dirs) in enumerate(families.items()):
        for direction, marker in (("forward", "o"), ("reverse", "x")):
            r = dirs[direction]
            x, y = np.array(r["sample_sigma_ratio"]), np.array(r["sample_rel_margin"])
            bad = np.array(r["sample_counterexample"], bool)
            ax.scatter(x, y, s=3, marker=marker, color=f"C{i}", rasterized=True, lw=0.5,
                       label=fam if direction == "forward" else None)
            ax.scatter(x[bad], y[bad], s=14, facecolors="none", edgecolors="k", lw=0.4,
                       rasterized=True)
    for j, c in enumerate(certificates):
        ax.scatter([c["sigma"][1] / c["sigma"][0]], [c["margin"] / c["kl_2"]], marker="*", s=70,
                   color="red", edgecolors="k", lw=0.5, zorder=5,
                   label="certified (mpmath)" if j == 0 else None)
    ax.axhline(0.0, color="k", lw=0.8)
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=1e-4)  # negative margins (counterexamples) stay visible
    ax.set_ylim(3 * lowest if lowest < 0 else -1e-4, 3.0)
    ax.set_xlabel(r"$\sigma_1/\sigma_0$ (condition holds for $d \leq (\sigma_1/\sigma_0)^2$)")
    ax.set_ylabel(r"$(KL_2 - KL_1)/KL_2$ (marginals)")
    ax.set_title("o forward KL, x reverse KL; ringed: counterexample", fontsize=7)
    ax.legend(ncol=3, fontsize=5, loc="center", markerscale=0.8)  # in the empty band around 0


FIGURES = {"q1a_constant": q1a_constant, "q1b_kl_vs_sigma": q1b_kl_vs_sigma,
           "q1b_search": q1b_search}
