"""Figures of question 4(a) and 4(c)ii-iii; each reuses its claim's cached truth."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from scipy import stats

from . import style

__all__ = ["FIGURES", "q4c_marginal_vf", "q4c_paths_vs_ot", "q4a_fm_vs_cfm"]


def _seed_marginal_vf():
    """The seed sheet's marginal_vf as f(x, t, m, s), or None when the seed sheet is unavailable."""
    from ...engine.errors import UserError
    from ...q4.q4c_ii import CLAIM, sheet_field
    from ...engine.sheet import load

    try:
        expr = load(None, {CLAIM.id: CLAIM}).answer("q4c.ii").get("marginal_vf")
    except (FileNotFoundError, UserError):
        return None
    return None if expr is None else sheet_field(expr)


def q4c_marginal_vf(out_dir: Path, truth_of: Callable,
                    formats: Sequence[str] = style.FORMATS) -> list[Path]:
    """True marginal field of the linear path against the seed's, and where each sends N(0,1)."""
    from ...models.mixture_flows import flow, gaussian_marginal_vf
    from ...q4.q4c_ii import sheet_span

    truth = truth_of("q4c.ii")
    m, s = 1.5, 0.5
    seed = _seed_marginal_vf()
    x = np.linspace(-3, 3, 201)
    with style.figure(ncols=2, height=2.6) as (fig, axes):
        ax = axes[0, 0]
        for i, t in enumerate((0.0, 0.25, 0.5, 0.9)):
            c = f"C{i}"
            ax.plot(x, gaussian_marginal_vf(x, t, m, s), color=c, label=f"true, $t={t:g}$")
            if seed is not None:
                ax.plot(x, seed(x, t, m, s), color=c, ls="--", lw=0.9)
        ax.set_xlabel("$x$")
        ax.set_ylabel("$u_t(x)$")
        ax.set_title(f"$N(0,1)\\to N({m:g}, {s:g}^2)$" + ("; dashed: seed's field" if seed
                                                           is not None else ""))
        ax.legend(loc="upper right")
        ax = axes[0, 1]
        x0 = truth.facts["x0"]
        (y_true,), _ = flow(lambda v, t: gaussian_marginal_vf(v, t, m, s), x0[None])
        bins = np.linspace(-1, 3.5, 61)
        ax.hist(y_true, bins=bins, density=True, alpha=0.5, label="true field")
        if seed is not None:
            (y_seed,), _ = flow(lambda v, t: seed.raw(v, t, m, s), x0[None],
                                *sheet_span(seed, m, s))
            ax.hist(y_seed, bins=bins, density=True, alpha=0.5, label="seed's field")
        ax.plot(bins, stats.norm.pdf(bins, m, s), "k", lw=1, label=f"target $N({m:g},{s:g}^2)$")
        ax.set_xlabel("$x_1$ (ODE from $N(0,1)$, $n = %d$)" % x0.size)
        ax.set_ylabel("density")
        ax.legend()
        return style.save(fig, out_dir, "q4c_marginal_vf", formats)


def q4c_paths_vs_ot(out_dir: Path, truth_of: Callable,
                    formats: Sequence[str] = style.FORMATS) -> list[Path]:
    """Spread of the flow's and McCann's marginals over t; 2-D flow map vs Bures OT map."""
    from ...q4.q4c_iii import SIGMA0

    f = truth_of("q4c.iii").facts
    with style.figure(ncols=3, height=2.4) as (fig, axes):
        ax = axes[0, 0]
        ax.plot(f["t"], f["sd_flow"], label="flow (Gaussian)")
        ax.plot(f["t"], f["sd_ot"], "--", label="McCann (Gaussian)")
        ax.plot(f["t"], np.sqrt(f["var_flow_mix"]), label="flow (mixture)")
        ax.plot(f["t"], np.sqrt(f["var_ot_mix"]), "--", label="McCann (mixture)")
        ax.set_xlabel("$t$")
        ax.set_ylabel("std of $x_t$")
        ax.legend(fontsize=6)
        ax = axes[0, 1]
        th = np.linspace(0, 2 * np.pi, 200)
        circle = np.linalg.cholesky(SIGMA0) @ np.stack([np.cos(th), np.sin(th)])
        nc = f["two_d"]["non-commuting Gaussians"]
        ax.plot(*circle, "k:", lw=0.8, label=r"$\Sigma_0$ ellipse")
        ax.plot(*(nc["flow"] @ circle), label="flow map $M$")
        ax.plot(*(nc["ot"] @ circle), "--", label="OT map $T$")
        marks = circle[:, ::25]
        ax.plot(*(nc["flow"] @ marks), "o", ms=3, color="C0")
        ax.plot(*(nc["ot"] @ marks), "x", ms=4, color="C1")
        for k in range(marks.shape[1]):
            ax.plot(*np.stack([nc["flow"] @ marks[:, k], nc["ot"] @ marks[:, k]]).T,
                    color="0.4", lw=0.7)
        ax.set_aspect("equal")
        ax.set_title(f"same image, other points: $|M - M^T| = {nc['asym']:.2f}$", fontsize=7)
        ax.legend(fontsize=6)
        ax = axes[0, 2]
        mix = f["two_d"]["mixture"]
        for a, b in zip(mix["x"][:60], mix["y"][:60]):
            ax.plot([a[0], b[0]], [a[1], b[1]], color="0.6", lw=0.5)
        ax.scatter(*mix["x"][:60].T, s=4, label="$x_0$")
        ax.scatter(*mix["y"][:60].T, s=4, label="flow map")
        ax.set_title(f"mixture: Jacobian asymmetry {mix['asym']:.2f}", fontsize=7)
        ax.legend(fontsize=6)
        return style.save(fig, out_dir, "q4c_paths_vs_ot", formats)


def q4a_fm_vs_cfm(out_dir: Path, truth_of: Callable,
                  formats: Sequence[str] = style.FORMATS) -> list[Path]:
    """FM and CFM losses along a line in theta (common random numbers) and their constant gap."""
    f = truth_of("q4a").facts
    with style.figure(ncols=2, height=2.4) as (fig, axes):
        ax = axes[0, 0]
        ax.plot(f["line"], f["lfm"], label=r"$L_{FM}$")
        ax.plot(f["line"], f["lcfm"], "--", label=r"$L_{CFM}$")
        ax.set_xlabel(r"$\lambda$ ($\theta = \theta_3 + \lambda(1, 0, 1, 0)$)")
        ax.set_ylabel("loss")
        ax.legend()
        ax = axes[0, 1]
        ax.plot(f["line"], f["lfm"] - f["lcfm"], label=r"$L_{FM} - L_{CFM}$ (MC)")
        ax.axhline(f["const"], color="k", ls=":",
                   label=r"$-\int_0^1 E\,\mathrm{Var}(x_1 - x_0 | x_t)\,dt$")
        ax.set_xlabel(r"$\lambda$")
        ax.legend()
        return style.save(fig, out_dir, "q4a_fm_vs_cfm", formats)


FIGURES = {"q4c_marginal_vf": q4c_marginal_vf, "q4c_paths_vs_ot": q4c_paths_vs_ot,
           "q4a_fm_vs_cfm": q4a_fm_vs_cfm}
