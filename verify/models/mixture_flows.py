r"""Numeric flow-matching fields and their flows (question 4; shared with question 2).

Time runs from the source ($t = 0$) to the data ($t = 1$). For $x_t = \alpha_t x_1 + \sigma_t x_0$ with
$x_1 \sim \sum_k \pi_k N(\mu_k, \Sigma_k)$ and $x_0 \sim N(0, \Sigma_0)$ independent, the marginal
velocity field is $u_t(x) = \sum_k r_k(x)\,[\dot\alpha\mu_k + B_k(x - \alpha\mu_k)]$ with
$C_k = \alpha^2\Sigma_k + \sigma^2\Sigma_0$, $B_k = (\alpha\dot\alpha\Sigma_k + \sigma\dot\sigma\Sigma_0)C_k^{-1}$
and $r_k$ the posterior of component $k$ under $N(\alpha\mu_k, C_k)$. This transcribes
`derivations.flow_matching.mixture_marginal_vf` (tests compare the two). It could move to
`verify/models`.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.integrate import solve_ivp
from scipy.special import ndtr
from scipy.optimize import brentq

from .gmm import GaussianMixture

__all__ = ["linear_schedule", "mixture_marginal_vf", "mixture_marginal_vf_jacobian",
           "mixture_marginal_vf_divergence", "mixture_eigenbasis", "rotate", "unrotate",
           "noised_posterior", "eigen_vf_divergence", "gaussian_marginal_vf", "flow",
           "flow_with_jacobian", "mixture_cdf", "mixture_quantile"]


RTOL, ATOL = 1e-10, 1e-12  # ODE tolerances: DOP853 reaches ~1e-10 on these analytic fields


MAX_NFEV = 200_000  # a sheet field that needs more is reported, not waited for


def linear_schedule(t: float):
    r"""$(\alpha_t, \sigma_t, \dot\alpha_t, \dot\sigma_t) = (t, 1 - t, 1, -1)$ (question 4(c)i)."""
    return t, 1.0 - t, 1.0, -1.0


def _components(gmm: GaussianMixture, a, b, da, db, source_cov):
    d = gmm.dim
    s0 = np.eye(d) if source_cov is None else np.asarray(source_cov, float)
    cov = a * a * gmm.covs + b * b * s0[None]                      # (K, d, d)
    prec = np.linalg.inv(cov)
    gain = (a * da * gmm.covs + b * db * s0[None]) @ prec          # B_k, (K, d, d)
    return cov, prec, gain


def _posterior(gmm, x, a, cov, prec):
    """diff = x - a mu_k, sol = C_k^{-1} diff (n, K, d) and responsibilities r (n, K).
    A loop over the K components of (n, d) @ (d, d) products: several times faster than einsum."""
    diff = x[:, None, :] - a * gmm.means[None]                     # (n, K, d)
    sol = np.stack([diff[:, k] @ prec[k].T for k in range(len(prec))], axis=1)
    logdet = np.linalg.slogdet(cov)[1]
    lp = np.log(gmm.weights) - 0.5 * (np.einsum("nki,nki->nk", diff, sol) + logdet)
    r = np.exp(lp - lp.max(axis=1, keepdims=True))
    return diff, sol, r / r.sum(axis=1, keepdims=True)


def mixture_marginal_vf(gmm: GaussianMixture, x: np.ndarray, a: float, b: float, da: float,
                        db: float, source_cov: np.ndarray | None = None) -> np.ndarray:
    r"""$u_t(x)$ for $x_t = a x_1 + b x_0$ ($a = \alpha_t$, $b = \sigma_t$, $da, db$ their
    derivatives), $x_1 \sim$ `gmm`, $x_0 \sim N(0, \Sigma_0)$ (identity by default). x: (n, d) -> (n, d)."""
    x = np.atleast_2d(np.asarray(x, float))
    cov, prec, gain = _components(gmm, a, b, da, db, source_cov)
    diff, _, r = _posterior(gmm, x, a, cov, prec)
    uk = da * gmm.means[None] + np.einsum("kij,nkj->nki", gain, diff)  # (n, K, d)
    return np.einsum("nk,nki->ni", r, uk)


def mixture_marginal_vf_jacobian(gmm: GaussianMixture, x: np.ndarray, a: float, b: float,
                                 da: float, db: float,
                                 source_cov: np.ndarray | None = None) -> np.ndarray:
    r"""$\nabla u_t(x) = \sum_k r_k B_k + \sum_k r_k (u_k - u) g_k^T$, $g_k = -C_k^{-1}(x - a\mu_k)$.
    x: (n, d) -> (n, d, d)."""
    x = np.atleast_2d(np.asarray(x, float))
    cov, prec, gain = _components(gmm, a, b, da, db, source_cov)
    diff, sol, r = _posterior(gmm, x, a, cov, prec)
    uk = da * gmm.means[None] + np.einsum("kij,nkj->nki", gain, diff)
    u = np.einsum("nk,nki->ni", r, uk)
    first = np.einsum("nk,kij->nij", r, gain)
    second = np.einsum("nk,nki,nkj->nij", r, uk - u[:, None, :], -sol)
    return first + second


def mixture_eigenbasis(gmm: GaussianMixture) -> tuple[np.ndarray, ...]:
    r"""Time-independent parts, shaped for points-last arrays (K, d, n): $\log\pi$ (K, 1), $Q$
    (K, d, d), $\lambda$ (K, d, 1) with $\Sigma_k = Q_k\,diag(\lambda_k)\,Q_k^T$, and $Q_k^T\mu_k$ (K, d, 1)."""
    lam, q = np.linalg.eigh(gmm.covs)
    return (np.log(gmm.weights)[:, None], q, lam[:, :, None],
            np.einsum("kij,ki->kj", q, gmm.means)[:, :, None])


def rotate(xt: np.ndarray, q: np.ndarray) -> np.ndarray:
    """$Q_k^T x$ for every component: xt (d, n), q (K, d, d) -> (K, d, n). Elementwise products
    summed over d (no BLAS), so a point's value never depends on the other points."""
    out = q[:, 0, :, None] * xt[0]
    for i in range(1, q.shape[1]):
        out = out + q[:, i, :, None] * xt[i]
    return out


def unrotate(y: np.ndarray, q: np.ndarray) -> np.ndarray:
    """$Q_k y_k$: y (K, d, n), q (K, d, d) -> (K, d, n) (elementwise, as `rotate`)."""
    out = q[:, :, 0, None] * y[:, None, 0]
    for j in range(1, q.shape[2]):
        out = out + q[:, :, j, None] * y[:, None, j]
    return out


def noised_posterior(basis, xt: np.ndarray, a, b):
    r"""Components $N(a\mu_k, C_k)$, $C_k = a^2\Sigma_k + b^2 I = Q_k\,diag(c_k)\,Q_k^T$ at xt (d, n):
    $y = Q_k^T(x - a\mu_k)$, $c = a^2\lambda_k + b^2$, $z = y / c = Q_k^T C_k^{-1}(x - a\mu_k)$
    (each (K, d, n)) and responsibilities r (K, n). a, b: scalars or one value per point (n,)."""
    log_w, q, lam, m = basis
    y = rotate(xt, q) - a * m
    c = a * a * lam + b * b
    z = y / c
    logdet = np.log(c).sum(axis=1)  # log det C_k, no overflow or underflow of the product
    lp = log_w - 0.5 * ((y * z).sum(axis=1) + logdet)
    r = np.exp(lp - lp.max(axis=0))
    return y, c, z, r / r.sum(axis=0)


def eigen_vf_divergence(basis, xt: np.ndarray, a, b, da, db) -> tuple[np.ndarray, np.ndarray]:
    r"""`mixture_marginal_vf_divergence` on points-last arrays, xt (d, n) -> (d, n), (n,), from a
    `mixture_eigenbasis`: $B_k = Q_k\,diag(\gamma)\,Q_k^T$, $\gamma = (a\dot a\lambda_k + b\dot b)/c$.
    The schedule values may be arrays (n,): each point its own time."""
    q, lam, m = basis[1:]
    y, c, z, r = noised_posterior(basis, xt, a, b)
    gamma = (a * da * lam + b * db) / c
    uk = da * m + gamma * y                                        # Q_k^T u_k
    u = (r[:, None] * unrotate(uk, q)).sum(axis=0)
    dev = uk - rotate(u, q)                                        # Q_k^T (u_k - u)
    return u, (r * (gamma.sum(axis=1) - (dev * z).sum(axis=1))).sum(axis=0)


def mixture_marginal_vf_divergence(gmm: GaussianMixture, x: np.ndarray, a, b, da,
                                   db) -> tuple[np.ndarray, np.ndarray]:
    r"""$(u_t(x), \nabla\cdot u_t(x))$ in one pass (identity source): the trace of
    `mixture_marginal_vf_jacobian`, $\sum_k r_k\,tr B_k - \sum_k r_k (u_k - u)\cdot C_k^{-1}(x - a\mu_k)$.
    x: (n, d) -> (n, d), (n,); a, b, da, db scalars or one value per point (n,)."""
    xt = np.atleast_2d(np.asarray(x, float)).T
    sched = (np.asarray(v, float) for v in (a, b, da, db))
    u, div = eigen_vf_divergence(mixture_eigenbasis(gmm), xt, *sched)
    return u.T, div


def gaussian_marginal_vf(x, t, m, s):
    r"""Linear path, source $N(0,1)$, target $N(m, s^2)$: $m + \frac{ts^2 - (1-t)}{t^2s^2 + (1-t)^2}(x - tm)$
    (transcribes `derivations.flow_matching.marginal_vf_linear_gaussian`)."""
    t = np.asarray(t, float)
    return m + (t * s * s - (1 - t)) / (t * t * s * s + (1 - t) ** 2) * (np.asarray(x) - t * m)


def flow(field: Callable[[np.ndarray, float], np.ndarray], x0: np.ndarray, t0: float = 0.0,
         t1: float = 1.0, rtol: float = RTOL, atol: float = ATOL) -> tuple[np.ndarray, int]:
    r"""Solve $\dot x = u_t(x)$ from t0 to t1 for every row of x0: (n, d) -> ((n, d), nfev).

    `field(x, t)` takes (n, d) and returns (n, d). Raises RuntimeError if the solver fails, the
    field is not finite (FloatingPointError), or it needs more than MAX_NFEV evaluations."""
    x0 = np.atleast_2d(np.asarray(x0, float))
    shape = x0.shape
    calls = [0]

    def rhs(t, y):
        calls[0] += 1
        if calls[0] > MAX_NFEV:
            raise RuntimeError(f"ODE solve stopped after {MAX_NFEV} field evaluations")
        v = np.asarray(field(y.reshape(shape), t), float).reshape(-1)
        if not np.all(np.isfinite(v)):
            raise FloatingPointError(f"the field is not finite at t = {t:.6g}")
        return v

    sol = solve_ivp(rhs, (t0, t1), x0.reshape(-1), method="DOP853", rtol=rtol, atol=atol)
    if not sol.success or not np.all(np.isfinite(sol.y[:, -1])):
        raise RuntimeError(f"ODE solve failed: {sol.message}")
    return sol.y[:, -1].reshape(shape), int(sol.nfev)


def flow_with_jacobian(gmm: GaussianMixture, x0: np.ndarray, source_cov=None):
    r"""Flow map $\Phi(x_0)$ of the linear-path marginal field and its Jacobian by the variational
    equation $\dot J = \nabla u_t(x_t) J$, $J(0) = I$. x0: (n, d) -> ((n, d), (n, d, d))."""
    x0 = np.atleast_2d(np.asarray(x0, float))
    n, d = x0.shape

    def rhs(t, y):
        xs, js = y[: n * d].reshape(n, d), y[n * d:].reshape(n, d, d)
        sched = linear_schedule(t)
        du = mixture_marginal_vf(gmm, xs, *sched, source_cov)
        dj = mixture_marginal_vf_jacobian(gmm, xs, *sched, source_cov) @ js
        return np.concatenate([du.reshape(-1), dj.reshape(-1)])

    y0 = np.concatenate([x0.reshape(-1), np.broadcast_to(np.eye(d), (n, d, d)).reshape(-1)])
    sol = solve_ivp(rhs, (0.0, 1.0), y0, method="DOP853", rtol=RTOL, atol=ATOL)
    if not sol.success:
        raise RuntimeError(f"ODE solve failed: {sol.message}")
    y1 = sol.y[:, -1]
    return y1[: n * d].reshape(n, d), y1[n * d:].reshape(n, d, d)


def mixture_cdf(gmm: GaussianMixture, x: np.ndarray) -> np.ndarray:
    """CDF of a 1-D mixture at x: (n,) -> (n,)."""
    sd = np.sqrt(gmm.covs[:, 0, 0])
    return ndtr((np.asarray(x, float)[:, None] - gmm.means[None, :, 0]) / sd) @ gmm.weights


def mixture_quantile(gmm: GaussianMixture, u: np.ndarray) -> np.ndarray:
    """$F^{-1}(u)$ of a 1-D mixture by Brent's method (xtol 1e-14): (n,) -> (n,)."""
    lo = gmm.means[:, 0].min() - 40 * np.sqrt(gmm.covs[:, 0, 0].max())
    hi = gmm.means[:, 0].max() + 40 * np.sqrt(gmm.covs[:, 0, 0].max())
    return np.array([brentq(lambda v: mixture_cdf(gmm, np.array([v]))[0] - ui, lo, hi,
                            xtol=1e-14, rtol=1e-15) for ui in np.asarray(u, float)])
