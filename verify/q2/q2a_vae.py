"""Claim q2a.vae: a VAE's likelihood, shown by computation.

A linear-Gaussian VAE has p(x) in closed form (measures the ELBO gap and IWAE bias); a nonlinear
decoder leaves only bounds/estimates (IWAE bias < 0 at every K: a lower bound; reference by quadrature).
"""
from __future__ import annotations

import numpy as np
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from ..engine.claims import Check, Claim, Evidence, Field, Truth
from .runs import TOL

__all__ = ["CLAIM", "NONLINEAR_POINTS", "iwae", "decoder", "decoder_log_marginal"]

KS = (1, 10, 100, 1000)
SIGMA_X = 0.3  # decoder noise std
NONLINEAR_POINTS = np.array([[0.5, 0.8], [-1.0, -0.9], [2.5, -0.9]])  # nonlinear-decoder test x


def decoder(z):
    """Nonlinear decoder mean R -> R^2: (z, sin 2z) ((m,) -> (m, 2))."""
    return np.stack([z, np.sin(2 * z)], axis=-1)


def decoder_log_marginal(x: np.ndarray) -> np.ndarray:
    """$\\log\\int N(x; g(z), \\sigma^2 I) N(z; 0, 1) dz$ by 4000-node trapezoid on [-8, 8] (reference)."""
    z = np.linspace(-8, 8, 4001)
    ll = (-0.5 * ((x[:, None, :] - decoder(z)[None]) ** 2).sum(-1) / SIGMA_X ** 2
          - np.log(2 * np.pi * SIGMA_X ** 2) - 0.5 * z ** 2 - 0.5 * np.log(2 * np.pi))
    return logsumexp(ll, axis=1) + np.log(z[1] - z[0])


def iwae(x: np.ndarray, k: int, reps: int, rng: np.random.Generator) -> np.ndarray:
    """IWAE estimates (reps, n) with encoder q(z|x) = N(x_1, 0.5^2) (a plausible amortised guess)."""
    z = x[None, None, :, 0] + 0.5 * rng.standard_normal((reps, k, len(x)))
    log_q = -0.5 * ((z - x[:, 0]) / 0.5) ** 2 - np.log(0.5 * np.sqrt(2 * np.pi))
    log_joint = (-0.5 * ((x[None, None] - decoder(z)) ** 2).sum(-1) / SIGMA_X ** 2
                 - np.log(2 * np.pi * SIGMA_X ** 2) - 0.5 * z ** 2 - 0.5 * np.log(2 * np.pi))
    return logsumexp(log_joint - log_q, axis=1) - np.log(k)


def vae_truth(*, rng: np.random.Generator) -> Truth:
    # linear-Gaussian VAE z ~ N(0, I_1), x | z ~ N(w z, s^2 I_2): p(x) = N(0, w w^T + s^2 I) exactly
    w = np.array([1.0, 0.5])
    cov = np.outer(w, w) + SIGMA_X ** 2 * np.eye(2)
    x = rng.multivariate_normal(np.zeros(2), cov, size=8)
    exact_lin = multivariate_normal(np.zeros(2), cov).logpdf(x)
    # encoder q = N(m(x), v): the best is the posterior; a mean-field guess with 20% variance error
    prec = 1 + w @ w / SIGMA_X ** 2
    post_v = 1 / prec
    v = 1.2 * post_v  # ELBO gap = KL(q || posterior), closed form for 1-D Gaussians
    gap = 0.5 * (v / post_v - 1 - np.log(v / post_v))
    checks = [Check.close("linear VAE: closed-form log p(x) equals the quadrature of int p(x|z)p(z)dz",
                          np.abs(exact_lin - _lin_quad(x, w)).max(), 0.0, atol=1e-10, unit="nats"),
              Check.exact("linear VAE: ELBO gap KL(q||posterior) > 0 for an imperfect encoder",
                          gap.min() > 0, value=float(gap.mean()), unit="nats")]
    xs = NONLINEAR_POINTS
    ref = decoder_log_marginal(xs)
    rows = {}
    for k in KS:
        est = iwae(xs, k, 200, rng) - ref  # (reps, n)
        bias, se = est.mean(), est.mean(axis=1).std(ddof=1) / np.sqrt(est.shape[0])
        rows[k] = (float(bias), float(se), float(est.std()))
        checks.append(Check.monte_carlo(f"nonlinear VAE: IWAE K={k} bias (estimate - log p)", bias, se,
                                        0.0, atol=TOL, detail=f"spread SD {est.std():.3g}", unit="nats"))
    # Not exact as soon as one K's bias is nonzero beyond 5 SE (+ TOL): a falsifiable test; an encoder
    # equal to the posterior would give zero-variance, unbiased estimates and so `exact`.
    exact = not any(abs(b) > 5 * s + TOL for b, s, _ in rows.values())
    return Truth(tuple(checks), {"exact": exact, "iwae": rows, "gap": float(gap.mean())})


def _lin_quad(x, w):
    z = np.linspace(-10, 10, 8001)
    ll = (-0.5 * ((x[:, None, :] - z[None, :, None] * w) ** 2).sum(-1) / SIGMA_X ** 2
          - np.log(2 * np.pi * SIGMA_X ** 2) - 0.5 * z ** 2 - 0.5 * np.log(2 * np.pi))
    return logsumexp(ll, axis=1) + np.log(z[1] - z[0])


def vae_judge(answer, truth: Truth) -> Evidence:
    rows = truth.facts["iwae"]
    checks = truth.checks + (Check.conclusion("exact likelihood possible", answer.get("exact"),
                                          truth.facts["exact"]),)
    line = ", ".join(f"K={k}: {b:.3g} +- {s:.1g}" for k, (b, s, _) in rows.items())
    return Evidence(checks, f"IWAE bias (nonlinear decoder): {line}; linear-VAE ELBO gap "
                    f"{truth.facts['gap']:.3g}", correction=(
                        "No in general: p(x) = int p(x|z)p(z)dz has no closed form for a nonlinear "
                        "decoder; the ELBO is a lower bound and IWAE a biased (downward) estimate for "
                        "every finite K. Only a linear-Gaussian decoder gives p(x) = N(b, WW^T + s^2 I)."))


_EXACT = Field("exact", "bool", "can the model compute p(x_test) exactly?")
CLAIM = Claim("q2a.vae", "2(a)i: exact likelihood of a VAE?", (_EXACT,), vae_truth, vae_judge)
