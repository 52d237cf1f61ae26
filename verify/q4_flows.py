r"""Question 4(b) and 4(c)ii: conditional velocity fields and the marginal field of the linear path.

Time runs from the source ($t = 0$, $N(0,1)$) to the data ($t = 1$). `CLAIMS` also re-exports
q4a (`verify.q4a_mle`) and q4c.iii (`verify.q4c_ot`), so the registry lists this module only.
"""
from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import sympy as sp
from scipy import integrate, stats
from scipy.special import ndtri

from derivations import flow_matching as fm
from derivations.steps import q4cii_derivation
from derivations.steps_q4 import q4b_derivation
from .claims import Check, Claim, Evidence, Field, Role, Truth
from .formula import equivalent, to_numpy
from .models import GaussianMixture
from .q4_fields import flow, gaussian_marginal_vf, linear_schedule, mixture_cdf, \
    mixture_marginal_vf, mixture_quantile
from . import q4a_mle, q4c_ot

__all__ = ["CLAIMS", "PAIRS", "MIXTURE", "N_SAMPLES", "sheet_field"]

PAIRS = ((1.5, 0.5), (-1.0, 2.0), (0.5, 1.0))  # target N(m, s^2) used to judge a sheet's field
MIXTURE = GaussianMixture(np.array([0.3, 0.7]), np.array([[-2.0], [1.5]]),
                          np.array([[[0.25]], [[0.36]]]))
T_GRID = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99)   # judged times: a field right at t = 0 only fails
N_SAMPLES = 2000                                  # N(0,1) samples transported by each field
QUANTILES = np.linspace(0.01, 0.99, 25)           # deterministic quantile transport
T_END = 1.0 - 1e-9  # a sheet's field is integrated to here (formulas may have 0/0 at t = 1)


def _grid(m: float, s: float):
    """(t, x) grid around the marginal: x = t m + sd_t * z, z in [-3, 3]; shapes (7, 9)."""
    t = np.array(T_GRID)[:, None]
    sd = np.sqrt(t * t * s * s + (1 - t) ** 2)
    return np.broadcast_to(t, (t.size, 9)), t * m + sd * np.linspace(-3, 3, 9)[None]


def _quadrature_vf(t: float, x: float, pdf, lo: float, hi: float) -> float:
    r"""$\int u_t(x|x_1) p_t(x|x_1) q(x_1)dx_1 / \int p_t(x|x_1) q(x_1) dx_1$ by adaptive quadrature."""
    def lik(x1):
        return math.exp(-0.5 * ((x - t * x1) / (1 - t)) ** 2) * pdf(x1)
    pts = [x / t] if lo < x / t < hi else None
    opts = dict(points=pts, epsabs=0.0, epsrel=1e-12, limit=400)
    num = integrate.quad(lambda v: (v - x) / (1 - t) * lik(v), lo, hi, **opts)[0]
    den = integrate.quad(lik, lo, hi, **opts)[0]
    return num / den


def _fd_continuity(field, logp, t, x, h=1e-5):
    r"""$(\partial_t p + \partial_x(u p))/p$ by central differences of step h (error O(h^2))."""
    p = lambda tt, xx: np.exp(logp(tt, xx))
    dpt = (p(t + h, x) - p(t - h, x)) / (2 * h)
    flux = (field(x + h, t) * p(t, x + h) - field(x - h, t) * p(t, x - h)) / (2 * h)
    return (dpt + flux) / p(t, x)


def _gauss_logp(m, s):
    return lambda t, x: stats.norm.logpdf(x, t * m, np.sqrt(t * t * s * s + (1 - t) ** 2))


def _truth_q4cii(*, rng: np.random.Generator) -> Truth:
    checks = []
    cond = fm.conditional_vf_current_point()
    checks.append(Check.exact("conditional VF at the current point is (x1 - x)/(1 - t)",
                              sp.cancel(cond - (fm.x1 - fm.x) / (1 - fm.t)) == 0,
                              value=str(cond), role=Role.CONTROL))
    u = fm.marginal_vf_linear_gaussian()
    p = fm.gaussian_pdf(fm.x, fm.t * fm.m, sp.sqrt(fm.t ** 2 * fm.s ** 2 + (1 - fm.t) ** 2))
    res = sp.cancel(fm.continuity_residual(u, p))
    checks.append(Check.exact("marginal VF solves the continuity equation (cancel = 0)",
                              res == 0, value=str(res), role=Role.CONTROL))
    gauss_form = fm.gaussian_path_marginal_vf().subs(
        {fm.alpha: fm.t, fm.sigma: 1 - fm.t, fm.dalpha: 1, fm.dsigma: -1})
    checks.append(Check.exact("defining integral = Gaussian-conditioning form",
                              sp.cancel(u - gauss_form) == 0, role=Role.CONTROL))
    # adaptive quadrature of the defining integral, Gaussian and mixture targets
    worst = 0.0
    for m, s in PAIRS:
        pdf = lambda v, m=m, s=s: math.exp(-0.5 * ((v - m) / s) ** 2) / s
        for t in (0.1, 0.5, 0.9):
            for zz in (-2.0, 0.0, 2.5):
                x = t * m + np.sqrt(t * t * s * s + (1 - t) ** 2) * zz
                q = _quadrature_vf(t, x, pdf, m - 14 * s, m + 14 * s)
                worst = max(worst, abs(q - gaussian_marginal_vf(x, t, m, s)))
    checks.append(Check.close("quadrature of the defining integral vs closed form (Gaussian)",
                              worst, 0.0, atol=1e-10, role=Role.CONTROL))
    comps = [(w, mu[0], math.sqrt(c[0, 0])) for w, mu, c in
             zip(MIXTURE.weights, MIXTURE.means, MIXTURE.covs)]
    mix_pdf = lambda v: sum(w * math.exp(-0.5 * ((v - mu) / sd) ** 2) / sd for w, mu, sd in comps)
    worst_mix = 0.0
    for t in (0.1, 0.5, 0.9):
        for x in (-2.0, -0.3, 0.7, 2.0):
            q = _quadrature_vf(t, x, mix_pdf, -12.0, 12.0)
            worst_mix = max(worst_mix, abs(q - mixture_marginal_vf(
                MIXTURE, np.array([[x]]), *linear_schedule(t))[0, 0]))
    checks.append(Check.close("quadrature of the defining integral vs mixture field",
                              worst_mix, 0.0, atol=1e-10, role=Role.CONTROL))
    # continuity equation by finite differences
    tt, xx = np.meshgrid([0.2, 0.5, 0.8], np.linspace(-2, 2, 5))
    fd = max(np.max(np.abs(_fd_continuity(lambda v, ti: gaussian_marginal_vf(v, ti, m, s),
                                          _gauss_logp(m, s), tt, xx))) for m, s in PAIRS)
    mix_logp = lambda ti, v: np.vectorize(
        lambda a, b: MIXTURE.noised(a, 1 - a).log_prob(np.array([[b]]))[0])(ti, v)
    mix_field = lambda v, ti: np.vectorize(
        lambda a, b: mixture_marginal_vf(MIXTURE, np.array([[a]]), *linear_schedule(b))[0, 0])(v, ti)
    fd_mix = np.max(np.abs(_fd_continuity(mix_field, mix_logp, tt, xx)))
    checks.append(Check.close("continuity residual by finite differences (h = 1e-5)",
                              max(fd, fd_mix), 0.0, atol=1e-6, role=Role.CONTROL,
                              detail=f"Gaussian {fd:.2g}, mixture {fd_mix:.2g}"))
    # transport of N(0,1) samples and quantiles through the true fields
    x0 = rng.standard_normal(N_SAMPLES)
    z = ndtri(QUANTILES)
    for m, s in PAIRS:
        checks += _transport_checks(lambda v, ti, m=m, s=s: gaussian_marginal_vf(v, ti, m, s),
                                    x0, z, m, s, 1.0, Role.CONTROL, "true field")
    mix_u = lambda v, ti: mixture_marginal_vf(MIXTURE, v.reshape(-1, 1), *linear_schedule(ti))
    (y_mix,), _ = flow(mix_u, z[None])
    target_q = mixture_quantile(MIXTURE, QUANTILES)
    checks.append(Check.close("mixture field sends N(0,1) quantiles to the mixture quantiles",
                              np.max(np.abs(y_mix - target_q)), 0.0, atol=1e-7, role=Role.CONTROL))
    (ys,), _ = flow(mix_u, x0[None])
    ks = stats.kstest(ys, lambda v: mixture_cdf(MIXTURE, np.atleast_1d(v)))
    checks.append(Check.exact(f"mixture field: KS test of {N_SAMPLES} transported samples",
                              ks.pvalue > 1e-6, value=float(ks.pvalue), expected="p > 1e-6",
                              role=Role.FACT, detail=f"KS statistic {ks.statistic:.4f}"))
    return Truth(tuple(checks), {"x0": x0, "z": z, "fd": float(max(fd, fd_mix)),
                                 "quad": float(max(worst, worst_mix)),
                                 "conditional": cond, "marginal": u,
                                 "derivation": q4cii_derivation()})


def _transport_checks(field, x0, z, m, s, t_end, role, who):
    r"""Where `field` sends N(0,1): moments of the samples (5 SE), KS, quantile map vs $m + s z$."""
    try:
        (y,), _ = flow(lambda v, ti: field(v, ti), x0[None], t1=t_end)
        (yq,), _ = flow(lambda v, ti: field(v, ti), z[None], t1=t_end)
    except (RuntimeError, ValueError, FloatingPointError) as exc:
        return [Check.exact(f"{who} sends N(0,1) to N({m:g}, {s:g}^2)", False,
                            detail=f"ODE failed: {exc}", role=role)]
    n = y.size
    ks = stats.kstest(y, stats.norm(m, s).cdf)
    return [
        Check.monte_carlo(f"{who}, N({m:g},{s:g}^2): mean of {n} transported samples", y.mean(),
                          y.std(ddof=1) / np.sqrt(n), m, role=role),
        Check.monte_carlo(f"{who}, N({m:g},{s:g}^2): variance of {n} transported samples",
                          y.var(ddof=1), s * s * np.sqrt(2.0 / (n - 1)), s * s, role=role),
        Check.close(f"{who}, N({m:g},{s:g}^2): quantile map = m + s z (25 quantiles)",
                    np.max(np.abs(yq - (m + s * z))), 0.0, atol=1e-6, role=role),
        Check.exact(f"{who}, N({m:g},{s:g}^2): KS test, n = {n}", ks.pvalue > 1e-6,
                    value=float(ks.pvalue), expected="p > 1e-6", role=Role.FACT,
                    detail=f"KS statistic {ks.statistic:.4f}"),
    ]


def sheet_field(expr: sp.Expr):
    """The sheet's marginal field as a numpy function f(x, t, m, s) (finite or NaN)."""
    fn = to_numpy(expr, (fm.x, fm.t, fm.m, fm.s))
    return lambda x, t, m, s: np.broadcast_to(fn(x, t, m, s), np.shape(x)).copy()


def _judge_q4cii(answer: Mapping[str, Any], truth: Truth) -> Evidence:
    checks, notes = [], []
    cond = answer.get("conditional_vf")
    if cond is not None:
        eq = equivalent(cond, truth.facts["conditional"],
                        {fm.t: (0.0, 1.0), fm.x: (-3.0, 3.0), fm.x1: (-3.0, 3.0)})
        checks.append(Check.exact("conditional_vf = (x1 - x)/(1 - t) at the current point x",
                                  eq.equal, value=str(cond), expected="(x1 - x)/(1 - t)",
                                  detail=eq.describe(), role=Role.PART))
        lagr = sp.simplify(cond.subs(fm.x, fm.x0) - (fm.x1 - fm.x0)) == 0
        checks.append(Check.exact("conditional_vf = d/dt psi_t if x is read as the source x0",
                                  lagr, role=Role.FACT, detail="the velocity along the conditional "
                                  "path written in source coordinates, u_t(psi_t(x0|x1)|x1)"))
        notes.append(f"conditional {'ok' if eq.equal else 'wrong'}")
    marg = answer.get("marginal_vf")
    if marg is None:  # the question asks for the marginal field; the conditional one is optional
        checks.append(Check.stated("the answer states the marginal VF", None))
    else:
        field = sheet_field(marg)
        res_fn = sp.lambdify((fm.x, fm.t, fm.m, fm.s), fm.continuity_residual(
            marg, fm.gaussian_pdf(fm.x, fm.t * fm.m,
                                  sp.sqrt(fm.t ** 2 * fm.s ** 2 + (1 - fm.t) ** 2))), "numpy")
        worst = {}
        for m, s in PAIRS:
            t, x = _grid(m, s)
            true = gaussian_marginal_vf(x, t, m, s)
            err = np.abs(field(x, t, m, s) - true) / (1 + np.abs(true))
            bad = np.nan_to_num(err, nan=np.inf).max(axis=1)
            wrong_t = [T_GRID[i] for i in np.flatnonzero(bad > 1e-9)]
            checks.append(Check.close(f"marginal_vf = truth on the (t, x) grid, N({m:g},{s:g}^2)",
                                      bad.max(), 0.0, atol=1e-9, role=Role.CONCLUSION,
                                      detail=f"relative error max {bad.max():.3g}; wrong at t = "
                                             f"{wrong_t}; grid t = {list(T_GRID)}"))
            with np.errstate(all="ignore"):
                r = np.broadcast_to(np.asarray(res_fn(x[1:], t[1:], m, s), float), x[1:].shape)
            rmax = float(np.nan_to_num(np.abs(r), nan=np.inf).max())
            checks.append(Check.close(f"continuity residual of marginal_vf, N({m:g},{s:g}^2)",
                                      rmax, 0.0, atol=1e-8, role=Role.CONCLUSION,
                                      detail="(d_t p + d_x(u p))/p with the true p_t, t > 0"))
            worst[(m, s)] = (bad.max(), rmax)
            checks += _transport_checks(lambda v, ti, m=m, s=s: field(v, ti, m, s),
                                        truth.facts["x0"], truth.facts["z"], m, s, T_END,
                                        Role.CONCLUSION, "marginal_vf")
        notes.append("marginal: max rel. error " + ", ".join(
            f"{v[0]:.2g} (N({k[0]:g},{k[1]:g}^2))" for k, v in worst.items()))
    summary = (f"truth: u_t(x|x1) = {sp.sstr(truth.facts['conditional'])}, u_t(x) = "
               f"{sp.sstr(truth.facts['marginal'])}; quadrature error {truth.facts['quad']:.1g}, FD continuity "
               f"{truth.facts['fd']:.1g}" + ("; sheet: " + "; ".join(notes) if notes else ""))
    correction = ("As a field of the current point x, u_t(x|x1) = (x1 - x)/(1 - t) (x1 - x0 is the "
                  "velocity along the path in source coordinates). The marginal field is "
                  "u_t(x) = (E[x1 | x_t = x] - x)/(1 - t), which for N(0,1) -> N(m, s^2) is "
                  "m + (t s^2 - (1 - t))/(t^2 s^2 + (1 - t)^2) (x - t m); E[x1] - x holds only "
                  "at t = 0 and its ODE sends N(0,1) to N(m(1 - 1/e), e^-2), not N(m, s^2).")
    return Evidence(truth.checks + tuple(checks), summary, correction, ("q4c_marginal_vf",))


# ---- q4b ---------------------------------------------------------------------------------------

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

Q4B = Claim(
    "q4b", "Is the conditional VF u_t(x|z) available in closed form for any conditional path?",
    (Field("closed_form_general", "bool", "true if u_t(x|z) has a closed form for every path"),),
    _truth_q4b, _judge_q4b, ())

Q4C_II = Claim(
    "q4c.ii", "The conditional and marginal VF of alpha_t = t, sigma_t = 1 - t (N(0,1) source)",
    (Field("conditional_vf", "formula", "u_t(x | x1): x the current point, x1 the target sample, "
           "t the time", symbols=(_X, _X1, _T)),
     Field("marginal_vf", "formula", "u_t(x) for source N(0,1), target N(m, s^2): x the current "
           "point, t the time, m = E[x1], s the target standard deviation",
           symbols=(_X, _T, _M, _S))),
    _truth_q4cii, _judge_q4cii, ("q4c_marginal_vf",))

CLAIMS = (*q4a_mle.CLAIMS, Q4B, Q4C_II, *q4c_ot.CLAIMS)
