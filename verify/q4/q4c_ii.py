r"""Claim q4c.ii: the conditional and marginal velocity fields of the linear path $\alpha_t = t$,
$\sigma_t = 1 - t$.

Time runs from the source ($t = 0$, $N(0,1)$) to the data ($t = 1$). The true fields come from
`derivations.flow_matching`; a sheet's marginal field is compared on a grid of t, by its continuity
residual and by where its ODE sends N(0, 1).
"""
from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import sympy as sp
from scipy import integrate, stats
from scipy.special import ndtri

from derivations import flow_matching as fm
from derivations.chains.q4 import q4cii_derivation
from ..engine.claims import Check, Claim, Evidence, Field, Role, Truth
from ..engine.formula import equivalent
from ..engine.removable import NumericFormula, integration_span, to_numpy
from ..models import GaussianMixture
from ..models.mixture_flows import flow, gaussian_marginal_vf, linear_schedule, mixture_cdf, \
    mixture_marginal_vf, mixture_quantile


__all__ = ["CLAIM", "PAIRS", "MIXTURE", "N_SAMPLES", "T_SPAN", "sheet_field", "sheet_span"]

PAIRS = ((1.5, 0.5), (-1.0, 2.0), (0.5, 1.0))  # target N(m, s^2) used to judge a sheet's field
MIXTURE = GaussianMixture(np.array([0.3, 0.7]), np.array([[-2.0], [1.5]]),
                          np.array([[[0.25]], [[0.36]]]))
T_GRID = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99)   # judged times (a 0/0 by its limit): a field
                                                  # right at t = 0 only fails
_FIELD_SYMBOLS = (fm.x, fm.t, fm.m, fm.s)  # the arguments of a sheet's marginal field, in order
N_SAMPLES = 2000                                  # N(0,1) samples transported by each field
QUANTILES = np.linspace(0.01, 0.99, 25)           # deterministic quantile transport
T_SPAN = (0.0, 1.0)  # a sheet's field is integrated over this; an end where it is 0/0 moves inside


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
                                    x0, z, m, s, T_SPAN, Role.CONTROL, "true field")
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


def _transport_checks(field, x0, z, m, s, span, role, who):
    r"""Where `field` sends N(0,1) over the time `span`: moments of the samples (5 SE), KS, quantile
    map vs $m + s z$."""
    try:
        (y,), _ = flow(lambda v, ti: field(v, ti), x0[None], *span)
        (yq,), _ = flow(lambda v, ti: field(v, ti), z[None], *span)
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


def sheet_field(expr: sp.Expr) -> NumericFormula:
    """The sheet's marginal field as a numpy function f(x, t, m, s), t in [0, 1]: its limit where
    it is 0/0, NaN or inf where it is undefined or has a pole (`engine.removable`)."""
    return to_numpy(expr, _FIELD_SYMBOLS, {fm.t: T_SPAN})


def sheet_span(field: NumericFormula, m: float, s: float) -> tuple[float, float]:
    """T_SPAN for the ODE of a sheet's field (target N(m, s^2)), each end where the field is 0/0 at
    5 quantiles of the marginal p_t there moved just inside (`engine.removable.integration_span`);
    the ODE then evaluates `field.raw` inside it."""
    z = ndtri(QUANTILES[::6])
    return integration_span(
        field, lambda t: (t * m + math.sqrt(t * t * s * s + (1 - t) ** 2) * z, t, m, s), T_SPAN)


def _judge_q4cii(answer: Mapping[str, Any], truth: Truth) -> Evidence:
    checks, notes = [], []
    cond = answer.get("conditional_vf")
    if cond is not None:
        eq = equivalent(cond, truth.facts["conditional"], COND_DOMAIN)
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
        res_fn = to_numpy(fm.continuity_residual(marg, fm.gaussian_pdf(
            fm.x, fm.t * fm.m, sp.sqrt(fm.t ** 2 * fm.s ** 2 + (1 - fm.t) ** 2))),
            _FIELD_SYMBOLS, {fm.t: T_SPAN})
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
            r = res_fn(x[1:], t[1:], m, s)
            rmax = float(np.nan_to_num(np.abs(r), nan=np.inf).max())
            checks.append(Check.close(f"continuity residual of marginal_vf, N({m:g},{s:g}^2)",
                                      rmax, 0.0, atol=1e-8, role=Role.CONCLUSION,
                                      detail="(d_t p + d_x(u p))/p with the true p_t, t > 0"))
            worst[(m, s)] = (bad.max(), rmax)
            checks += _transport_checks(lambda v, ti, m=m, s=s: field.raw(v, ti, m, s),
                                        truth.facts["x0"], truth.facts["z"], m, s,
                                        sheet_span(field, m, s),
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


_X, _X1, _T, _M, _S = fm.x, fm.x1, fm.t, fm.m, fm.s
# where the fields' formulas are compared: t in (0, 1), points and means within 3 source SDs
COND_DOMAIN = {_T: (0.0, 1.0), _X: (-3.0, 3.0), _X1: (-3.0, 3.0)}
MARGINAL_DOMAIN = {_X: (-3.0, 3.0), _T: (0.0, 1.0), _M: (-3.0, 3.0), _S: (0.1, 3.0)}
CLAIM = Claim(
    "q4c.ii", "The conditional and marginal VF of alpha_t = t, sigma_t = 1 - t (N(0,1) source)",
    (Field("conditional_vf", "formula", "u_t(x | x1): x the current point, x1 the target sample, "
           "t the time", symbols=(_X, _X1, _T), domain=COND_DOMAIN),
     Field("marginal_vf", "formula", "u_t(x) for source N(0,1), target N(m, s^2): x the current "
           "point, t the time, m = E[x1], s the target standard deviation",
           symbols=(_X, _T, _M, _S), domain=MARGINAL_DOMAIN)),
    _truth_q4cii, _judge_q4cii, ("q4c_marginal_vf",))
