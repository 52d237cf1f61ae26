"""Figures of question 2: q2a_loglik_error and q2a_trajectories."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ...q2.q2a_rf_gaussian import RF_TRUE, rf_values
from ...q2.q2a_score_sde import VP_TRUE, vp_values
from ...q2.fields import VPFlow, test_mixture
from . import style

__all__ = ["FIGURES", "q2a_loglik_error", "q2a_trajectories"]


def q2a_loglik_error(out_dir: Path, truth_of,
                     formats: Sequence[str] = style.FORMATS) -> list[Path]:
    """|formula - analytic log p| per test point: true formulas vs the seed-style variants."""
    from derivations.likelihood import d, int_beta, int_div_v
    vp, rf = truth_of("q2a.score_sde").facts["run"], truth_of("q2a.rf_gaussian").facts["run"]
    order = np.argsort(vp["exact"])
    with style.figure(ncols=2, height=2.6) as (fig, axes):
        ax = axes[0, 0]
        for label, expr in [("true formula (ODE endpoint)", VP_TRUE),
                            (r"without $-\frac{d}{2}\int\beta$", VP_TRUE + d * int_beta / 2)]:
            ax.semilogy(np.abs(vp_values(vp, "ode", expr) - vp["exact"])[order] + 1e-16, ".", label=label)
        ax.semilogy(vp["estimate"][order], "k_", ms=4, label="per-point error estimate")
        ax.axhline(1e-8, color="r", lw=0.8, ls="--", label=r"$10^{-8}$")
        ax.set(title="Score-SDE (VP)", xlabel=r"test point (sorted by $\log p$)",
               ylabel=r"$|\log\hat p - \log p|$")
        ax.legend()
        ax = axes[0, 1]
        order = np.argsort(rf["exact"])
        for label, expr in [(r"$\log p_0 - \int\nabla\cdot v$", RF_TRUE),
                            (r"$\log p_0 + \int\nabla\cdot v$", RF_TRUE + 2 * int_div_v)]:
            ax.semilogy(np.abs(rf_values(rf, expr) - rf["exact"])[order] + 1e-16, ".", label=label)
        ax.semilogy(rf["estimate"][order], "k_", ms=4, label="per-point error estimate")
        ax.axhline(1e-8, color="r", lw=0.8, ls="--")
        ax.set(title="rectified flow", xlabel=r"test point (sorted by $\log p$)")
        ax.legend()
        return style.save(fig, out_dir, "q2a_loglik_error", formats)


def q2a_trajectories(out_dir: Path, truth_of,
                     formats: Sequence[str] = style.FORMATS) -> list[Path]:
    """Probability-flow ODE trajectories (t: 0 -> 1) over the target density's contours."""
    from scipy.integrate import solve_ivp
    mix = test_mixture(2)
    flow = VPFlow(mix)
    x0 = truth_of("q2a.score_sde").facts["run"]["x"][:24]
    n = len(x0)
    sol = solve_ivp(lambda t, y: flow(t, y.reshape(n, 2))[0].ravel(), (0, 1), x0.ravel(),
                    method="DOP853", rtol=1e-8, atol=1e-10, t_eval=np.linspace(0, 1, 101))
    g = np.linspace(-5, 5, 201)
    xx, yy = np.meshgrid(g, g)
    lp = mix.log_prob(np.column_stack([xx.ravel(), yy.ravel()])).reshape(xx.shape)
    with style.figure(height=4.0) as (fig, axes):
        ax = axes[0, 0]
        ax.contourf(xx, yy, np.exp(lp), levels=20, cmap="Greys")
        paths = sol.y.reshape(n, 2, -1)
        for i in range(n):
            ax.plot(paths[i, 0], paths[i, 1], lw=0.8, color="C0")
        ax.plot(x0[:, 0], x0[:, 1], "o", color="C1", ms=3, label=r"$x_0$ (data, $t=0$)")
        ax.plot(paths[:, 0, -1], paths[:, 1, -1], "s", color="C2", ms=3, label=r"$x_T$ ($t=T$)")
        ax.set(xlabel=r"$x_1$", ylabel=r"$x_2$", aspect="equal", title="probability-flow ODE (VP)")
        ax.legend()
        return style.save(fig, out_dir, "q2a_trajectories", formats)


FIGURES = {"q2a_loglik_error": q2a_loglik_error, "q2a_trajectories": q2a_trajectories}
