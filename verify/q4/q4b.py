r"""Claim q4b: is the conditional velocity field $u_t(x|z)$ available in closed form for any path?

Flow time: source at t = 0, data at t = 1. Gaussian paths have the closed form; a quartic-exponential
path's field is not elementary (Risch), and in 2-D a rotational addition changes the field while the
continuity equation still holds.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import sympy as sp
from scipy import integrate

from derivations import flow_matching as fm
from derivations.chains.q4 import q4b_derivation
from ..engine.claims import Check, Claim, Evidence, Field, Role, Truth

__all__ = ["CLAIM"]

OMEGA, SIGMA_MIN, Z2 = 0.8, 0.1, np.array([1.0, -0.5])  # rotation strength, 2-D Gaussian path


def _quartic(t, x):
    return np.exp(-(1 - t) * x * x / 2 - t * x ** 4 / 4)


def _quartic_flux(t: float, x: float) -> tuple[float, float]:
    r"""$(p_t(x), \partial_t F_t(x))$ for $p_t \propto$ `quartic_path_density` by quadrature."""
    dlog = lambda v: v * v / 2 - v ** 4 / 4
    opts = dict(epsabs=1e-14, epsrel=1e-13, limit=200)
    zt = integrate.quad(lambda v: _quartic(t, v), -np.inf, np.inf, **opts)[0]
    dz = integrate.quad(lambda v: dlog(v) * _quartic(t, v), -np.inf, np.inf, **opts)[0]
    g = integrate.quad(lambda v: (dlog(v) - dz / zt) * _quartic(t, v), -np.inf, x, **opts)[0]
    return _quartic(t, x) / zt, g / zt


def _truth_q4b(*, rng: np.random.Generator) -> Truth:
    checks = []
    u, p = fm.gaussian_conditional_vf()
    res = sp.cancel(fm.continuity_residual(u, p))
    checks.append(Check.exact("Gaussian path: u = mu' + sigma'/sigma (x - mu) solves continuity",
                              res == 0, value=str(res), role=Role.CONTROL))
    from sympy.integrals.risch import NonElementaryIntegral
    flux = fm.quartic_path_flux_antiderivative()
    elementary = not isinstance(flux, NonElementaryIntegral)
    checks.append(Check.exact("quartic path exp(-(1-t)x^2/2 - t x^4/4): d_t F_t is elementary "
                              "(Risch)", elementary, value=type(flux).__name__, role=Role.FACT,
                              detail="u_t = -d_t F_t / p_t needs this antiderivative"))
    # 1-D: u = -d_t F / p from quadrature, continuity by FD of the flux, zero flux at +inf
    h, worst, tail = 1e-4, 0.0, 0.0
    for t in (0.25, 0.5, 0.75):
        tail = max(tail, abs(_quartic_flux(t, np.inf)[1]))
        for x in (-1.5, -0.4, 0.3, 1.2):
            dpt = (_quartic_flux(t + h, x)[0] - _quartic_flux(t - h, x)[0]) / (2 * h)
            dflux = -(_quartic_flux(t, x + h)[1] - _quartic_flux(t, x - h)[1]) / (2 * h)
            worst = max(worst, abs(dpt + dflux) / _quartic_flux(t, x)[0])
    checks.append(Check.close("1-D quartic path: u = -d_t F/p solves continuity (FD, h = 1e-4)",
                              worst, 0.0, atol=1e-6, role=Role.CONTROL))
    checks.append(Check.close("1-D: the flux -d_t F_t vanishes at +inf (u fixed by F_t, p_t)",
                              tail, 0.0, atol=1e-10, role=Role.CONTROL))
    # 2-D: rotational addition leaves p_t unchanged
    x, y = fm.x, fm.y
    mu = [fm.t * Z2[0], fm.t * Z2[1]]
    sd = 1 - (1 - SIGMA_MIN) * fm.t
    p2 = sp.exp(-((x - mu[0]) ** 2 + (y - mu[1]) ** 2) / (2 * sd ** 2)) / (2 * sp.pi * sd ** 2)
    u1 = Z2[0] + sp.diff(sd, fm.t) / sd * (x - mu[0])
    u2 = Z2[1] + sp.diff(sd, fm.t) / sd * (y - mu[1])
    v1, v2, div = fm.rotational_addition_2d(p2, u1, u2, sp.Float(OMEGA))
    checks.append(Check.exact("2-D: div(omega J grad p) = 0 symbolically", div == 0,
                              role=Role.CONTROL))
    resid = []
    tg, zx, zy = np.meshgrid([0.2, 0.5, 0.8], np.linspace(-2, 2, 5), np.linspace(-2, 2, 5))
    sdg = 1 - (1 - SIGMA_MIN) * tg  # points within 2 sd of the mean, where p_t lives
    grid = (tg, tg * Z2[0] + sdg * zx, tg * Z2[1] + sdg * zy)
    for f1, f2 in ((u1, u2), (v1, v2)):
        pf = sp.lambdify((fm.t, x, y), p2, "numpy")
        g1, g2 = (sp.lambdify((fm.t, x, y), f, "numpy") for f in (f1, f2))
        tt, xx, yy = grid
        hh = 1e-5
        dpt = (pf(tt + hh, xx, yy) - pf(tt - hh, xx, yy)) / (2 * hh)
        dx = (g1(tt, xx + hh, yy) * pf(tt, xx + hh, yy)
              - g1(tt, xx - hh, yy) * pf(tt, xx - hh, yy)) / (2 * hh)
        dy = (g2(tt, xx, yy + hh) * pf(tt, xx, yy + hh)
              - g2(tt, xx, yy - hh) * pf(tt, xx, yy - hh)) / (2 * hh)
        resid.append(float(np.max(np.abs(dpt + dx + dy) / pf(tt, xx, yy))))
    checks.append(Check.close("2-D: Gaussian field and rotated field both solve continuity (FD)",
                              max(resid), 0.0, atol=1e-6, role=Role.CONTROL,
                              detail=f"residuals {resid[0]:.2g}, {resid[1]:.2g}"))
    gap = float(np.max(np.hypot(*(np.broadcast_to(sp.lambdify((fm.t, x, y), a - b, "numpy")(
        *grid), grid[0].shape) for a, b in ((v1, u1), (v2, u2))))))
    unique = gap < 1e-12
    checks.append(Check.exact("2-D: the two fields differ (VF not determined by p_t)",
                              not unique, value=gap, role=Role.FACT))
    return Truth(tuple(checks), {"closed_form_general": elementary and unique, "gap": gap,
                                 "elementary": elementary, "fd_1d": worst, "fd_2d": max(resid),
                                 "derivation": q4b_derivation()})


def _judge_q4b(answer: Mapping[str, Any], truth: Truth) -> Evidence:
    checks = []
    if "closed_form_general" in answer:
        checks.append(Check.agrees("closed_form_general", answer["closed_form_general"],
                                   truth.facts["closed_form_general"]))
    kind = "elementary" if truth.facts["elementary"] else "non-elementary"
    summary = (f"Gaussian paths: closed form; quartic path: d_t F_t {kind} (Risch), "
               f"continuity residual {truth.facts['fd_1d']:.1g}; 2-D: a rotation adds up to "
               f"{truth.facts['gap']:.2f} to u with residual {truth.facts['fd_2d']:.1g}")
    correction = ("No. Any u with d_t p_t + div(p_t u) = 0 generates the path; for Gaussian paths "
                  "u = mu' + sigma'/sigma (x - mu) in closed form, but in 1-D u = -d_t F_t/p_t "
                  "needs the CDF (non-elementary for exp(-(1-t)x^2/2 - t x^4/4)) and in d >= 2 "
                  "u is not even unique (add J grad p_t / p_t).")
    return Evidence(truth.checks + tuple(checks), summary, correction, ())


_X, _X1, _T, _M, _S = fm.x, fm.x1, fm.t, fm.m, fm.s
CLAIM = Claim(
    "q4b", "Is the conditional VF u_t(x|z) available in closed form for any conditional path?",
    (Field("closed_form_general", "bool", "true if u_t(x|z) has a closed form for every path"),),
    _truth_q4b, _judge_q4b, ())
