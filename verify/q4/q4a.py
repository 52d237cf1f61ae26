r"""Claim q4a: maximum likelihood against (conditional) flow matching for a flow model.

Source $N(0,1)$ at $t = 0$, data $q = N(m, s^2)$ at $t = 1$, linear path $x_t = t x_1 + (1-t) x_0$.
Model: $v_\theta(t, x) = (\theta_0 + \theta_1 t) x + \theta_2 + \theta_3 t$ (affine in x). Lipman et
al. (2023), Theorem 2: $L_{FM}(\theta) - L_{CFM}(\theta)$ does not depend on $\theta$; here it equals
$-\int_0^1 E\,Var(x_1 - x_0 | x_t)\,dt$. Maximum likelihood needs $\log p_\theta(x) = \log p_0(x_0) -
\int_0^1 \nabla\cdot v_\theta\,dt$ along the ODE solution through each data point.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import sympy as sp
from scipy import integrate, stats
from scipy.integrate import solve_ivp

from derivations import flow_matching as fm
from derivations.optimal_transport import flow_kinetic_integrand
from derivations.chains.q4 import q4a_derivation

from ..engine.claims import Check, Claim, Evidence, Field, Role, Truth
from ..engine.formula import to_numpy
from ..models.mixture_flows import gaussian_marginal_vf

__all__ = ["CLAIM", "DATA", "THETAS", "E_LOG_P_MODEL", "E_LOG_Q", "features"]

DATA = (1.0, 0.5)                   # q = N(m, s^2)
N_MC = 20000                        # Monte Carlo triples (t, x0, x1), common to every theta
THETAS = np.array([[0.0, 0.0, 0.0, 0.0], [-1.0, 0.5, 1.0, 0.0], [0.5, -0.5, 0.2, 1.0],
                   [-0.6, 0.8, 1.0, 0.1], [2.0, 1.0, -1.0, 0.5]])
LINE = np.linspace(-2.0, 2.0, 41)   # theta = THETAS[3] + lam * (1, 0, 1, 0) for the figure
E_LOG_P_MODEL = sp.Symbol("E_log_p_model", real=True)
E_LOG_Q = sp.Symbol("E_log_q", real=True)
# where loss formulas are compared: expected log-densities, any sign (a narrow q has E_log_q > 0)
MLE_DOMAIN = {E_LOG_P_MODEL: (-20.0, 20.0), E_LOG_Q: (-20.0, 20.0)}
# E[u_t(x_t)^2] of the marginal field (derivations.optimal_transport), a numpy function of (t, m, s)
_KINETIC = sp.lambdify((fm.t, fm.m, fm.s), flow_kinetic_integrand(), "numpy")


def features(t: np.ndarray, x: np.ndarray) -> np.ndarray:
    """phi(t, x) = (x, t x, 1, t), so v_theta = phi @ theta: (n,) -> (n, 4)."""
    return np.stack([x, t * x, np.ones_like(x), t], axis=-1)


def _gap_constant(m: float, s: float) -> float:
    r"""$-\int_0^1 E\,Var(x_1 - x_0 | x_t)\,dt = -\int_0^1 (E[(x_1 - x_0)^2] - E[u_t(x_t)^2])\,dt$
    $= -\int_0^1 [s^2 + 1 - (ts^2 - (1-t))^2/(t^2s^2 + (1-t)^2)]dt$ (Gaussian conditioning)."""
    f = lambda t: m * m + s * s + 1 - _KINETIC(t, m, s)
    return -integrate.quad(f, 0, 1, epsabs=1e-13, epsrel=1e-13)[0]


def _affine_loglik_exact(theta, x):
    r"""$\log p_\theta(x)$ exactly: the flow of an affine field maps $N(0,1)$ to $N(e^{A}c, e^{2A})$,
    $A = \theta_0 + \theta_1/2$, $c = \int_0^1 e^{-A(s)}(\theta_2 + \theta_3 s)ds$."""
    a = lambda u: theta[0] * u + theta[1] * u * u / 2
    c = integrate.quad(lambda u: np.exp(-a(u)) * (theta[2] + theta[3] * u), 0, 1,
                       epsabs=1e-13, epsrel=1e-12)[0]
    return stats.norm.logpdf(x, np.exp(a(1.0)) * c, np.exp(a(1.0)))


class _Counted:
    """Counts how many times each sample's velocity is evaluated."""

    def __init__(self, theta):
        self.theta, self.evals = np.asarray(theta, float), 0

    def __call__(self, t, x):
        self.evals += 1
        return features(np.broadcast_to(t, np.shape(x)), x) @ self.theta

    def divergence(self, t):
        return self.theta[0] + self.theta[1] * t


def _loglik_by_ode(theta, x):
    r"""Exact-likelihood pipeline: integrate $[x, \ell]$ from 1 back to 0 with $\dot\ell =
    \nabla\cdot v$, then $\log p_\theta(x) = \log N(x_0; 0, 1) - \ell(1) + \ell(0)$. Returns
    (log p, evaluations of v per sample)."""
    v = _Counted(theta)
    n = x.size

    def rhs(t, y):
        return np.concatenate([v(t, y[:n]), np.full(n, v.divergence(t))])

    sol = solve_ivp(rhs, (1.0, 0.0), np.concatenate([x, np.zeros(n)]), method="DOP853",
                    rtol=1e-10, atol=1e-12)
    x0, ell = sol.y[:n, -1], sol.y[n:, -1]
    return stats.norm.logpdf(x0) + ell, v.evals


def _truth(*, rng: np.random.Generator) -> Truth:
    m, s = DATA
    t = rng.uniform(size=N_MC)
    x0, x1 = rng.standard_normal(N_MC), m + s * rng.standard_normal(N_MC)
    xt = t * x1 + (1 - t) * x0
    u, target = gaussian_marginal_vf(xt, t, m, s), x1 - x0
    phi = features(t, xt)
    const = _gap_constant(m, s)
    checks = []
    d_ref = (phi @ THETAS[0] - u) ** 2 - (phi @ THETAS[0] - target) ** 2
    for i, theta in enumerate(THETAS):
        v = phi @ theta
        d = (v - u) ** 2 - (v - target) ** 2
        checks.append(Check.monte_carlo(f"L_FM - L_CFM at theta = {theta.tolist()}", d.mean(),
                                        d.std(ddof=1) / np.sqrt(N_MC), const, atol=1e-3,
                                        detail="expected -int E Var(x1 - x0 | x_t) dt"))
        if i == 0:
            continue  # THETAS[0] is the reference: its difference is identically 0
        diff = d - d_ref  # common random numbers: the theta-dependence of the gap alone
        checks.append(Check.monte_carlo(f"gap(theta) - gap(0) at theta = {theta.tolist()}",
                                        diff.mean(), diff.std(ddof=1) / np.sqrt(N_MC), 0.0,
                                        atol=1e-3))
    theta = THETAS[3]
    v = phi @ theta
    gdiff = 2 * phi * ((v - u) - (v - target))[:, None]  # grad L_FM - grad L_CFM per sample
    for i in range(4):
        checks.append(Check.monte_carlo(f"d/dtheta_{i} (L_FM - L_CFM) = 0", gdiff[:, i].mean(),
                                        gdiff[:, i].std(ddof=1) / np.sqrt(N_MC), 0.0, atol=1e-3))
    # a figure line through theta space, common random numbers
    lfm, lcfm = [], []
    for lam in LINE:
        w = phi @ (theta + lam * np.array([1.0, 0.0, 1.0, 0.0]))
        lfm.append(np.mean((w - u) ** 2))
        lcfm.append(np.mean((w - target) ** 2))
    # maximum likelihood: an ODE solve with the divergence for every data point
    xdata = m + s * rng.standard_normal(64)
    ll, evals = _loglik_by_ode(theta, xdata)
    exact = _affine_loglik_exact(theta, xdata)
    checks.append(Check.close("ODE log-likelihood vs exact Gaussian push-forward",
                              np.max(np.abs(ll - exact)), 0.0, atol=1e-7, role=Role.CONTROL))
    cfm = _Counted(theta)
    _ = np.mean((cfm(t, xt) - target) ** 2)
    checks.append(Check.exact("velocity evaluations per sample: MLE forward pass vs CFM loss",
                              evals > cfm.evals, value=evals, expected=cfm.evals,
                              detail="MLE gradient by adjoint needs a second solve as well"))
    facts = {"mle_needs_simulation": evals > 1, "cfm_simulation_free": cfm.evals == 1,
             "mle_evals": evals, "cfm_evals": cfm.evals, "const": const,
             "gap_est": float(np.mean(lfm) - np.mean(lcfm)), "line": LINE,
             "lfm": np.array(lfm), "lcfm": np.array(lcfm),
             "derivation": q4a_derivation(*(sp.nsimplify(v) for v in DATA))}
    return Truth(tuple(checks), facts)


def _mle_loss_checks(expr: sp.Expr) -> list[Check]:
    r"""Minimise the sheet's loss over Gaussian models $N(\mu, \sigma^2)$: must depend on the model
    and be minimised at the data, $(\mu, \sigma) = (m, s)$ (grid of 9 x 9, data at the centre)."""
    m, s = DATA
    mu, sd = np.meshgrid(m + np.linspace(-2, 2, 9), s * np.exp(np.linspace(-1, 1, 9)))
    a = -0.5 * np.log(2 * np.pi * sd * sd) - (s * s + (m - mu) ** 2) / (2 * sd * sd)
    b = -0.5 * np.log(2 * np.pi * s * s) - 0.5
    val = np.nan_to_num(to_numpy(expr, (E_LOG_P_MODEL, E_LOG_Q))(a, b), nan=np.inf)
    spread = float(np.ptp(val[np.isfinite(val)])) if np.isfinite(val).any() else 0.0
    i = np.unravel_index(np.argmin(val), val.shape)
    others = np.delete(val.ravel(), np.ravel_multi_index(i, val.shape))
    at_data = i == (4, 4) and bool(np.all(others > val[4, 4]))
    return [
        Check.exact("mle_loss depends on the model (theta)", spread > 1e-9, value=spread,
                    role=Role.PART, detail="range of the loss over 81 Gaussian models"),
        Check.exact("mle_loss, minimised, selects the data distribution", at_data,
                    value=[float(mu[i]), float(sd[i])], expected=[m, s], role=Role.PART,
                    detail="argmin (mu, sigma) over the grid; a loss to minimise must be "
                           "decreasing in E_log_p_model, e.g. -E_log_p_model or E_log_q - "
                           "E_log_p_model (= KL(q || p_theta))"),
    ]


def _judge(answer: Mapping[str, Any], truth: Truth) -> Evidence:
    checks = []
    if "mle_loss" in answer:
        checks += _mle_loss_checks(answer["mle_loss"])
    keys = ("mle_needs_simulation", "cfm_simulation_free")
    stated = [k for k in keys if answer.get(k) is not None]
    checks.append(Check.stated("the answer states the main difference", stated or None,
                               detail="one of " + ", ".join(keys) + " suffices"))
    checks += [Check.agrees(k, answer[k], truth.facts[k], role=Role.CONCLUSION) for k in stated]
    f = truth.facts
    summary = (f"L_FM - L_CFM = {f['const']:.4f} for every theta (MC, {N_MC} CRN triples); "
               f"MLE needs {f['mle_evals']} velocity evaluations per sample (one ODE solve) vs "
               f"{f['cfm_evals']} for CFM")
    correction = ("MLE minimises -E_q[log p_theta(x)] (= KL(q || p_theta) + const), and "
                  "log p_theta(x) = log p_0(x_0) - int_0^1 div v_theta(t, x_t) dt needs an ODE "
                  "solve (with the divergence) per sample and per step; CFM minimises "
                  "E||v_theta(t, x_t) - u_t(x_t | x_1)||^2, a regression on samples of the "
                  "conditional path: simulation-free, with the same gradient as FM.")
    return Evidence(truth.checks + tuple(checks), summary, correction, ("q4a_fm_vs_cfm",))


CLAIM = Claim(
    "q4a", "Maximum likelihood vs conditional flow matching: losses and the main difference",
    (Field("mle_loss", "formula", "the MLE loss to minimise, in E_log_p_model = E_q[log p_theta(x)]"
           " and E_log_q = E_q[log q(x)]", symbols=(E_LOG_P_MODEL, E_LOG_Q),
           domain=MLE_DOMAIN),
     Field("mle_needs_simulation", "bool", "MLE training needs an ODE solve (with divergence) "
           "per sample"),
     Field("cfm_simulation_free", "bool", "CFM training is simulation-free (a regression)")),
    _truth, _judge, ("q4a_fm_vs_cfm",))
