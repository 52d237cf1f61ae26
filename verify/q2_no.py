"""Claims q2a.vae, q2a.gan, q2a.rf_samples: the three "no" cases, shown by computation.

VAE: a linear-Gaussian VAE has p(x) in closed form (measures the ELBO gap and IWAE bias); a
nonlinear decoder leaves only bounds/estimates (IWAE bias > 0 at every K, reference by quadrature).
GAN: latent dim < data dim gives a Jacobian of rank < d, so the push-forward has no density.
RF from samples: the formula needs log p_0 at the endpoint; KDE from n samples stays far from it.
"""
from __future__ import annotations

import numpy as np
from scipy.special import logsumexp
from scipy.stats import gaussian_kde, multivariate_normal

from .claims import Check, Claim, Evidence, Field, Truth
from .q2_fields import test_mixture
from .q2_runs import TOL

__all__ = ["CLAIMS", "iwae", "decoder_log_marginal"]

KS = (1, 10, 100, 1000)
SIGMA_X = 0.3  # decoder noise std


def _decoder(z):
    """Nonlinear decoder mean R -> R^2: (z, sin 2z) ((m,) -> (m, 2))."""
    return np.stack([z, np.sin(2 * z)], axis=-1)


def decoder_log_marginal(x: np.ndarray) -> np.ndarray:
    """$\\log\\int N(x; g(z), \\sigma^2 I) N(z; 0, 1) dz$ by 4000-node trapezoid on [-8, 8] (reference)."""
    z = np.linspace(-8, 8, 4001)
    ll = (-0.5 * ((x[:, None, :] - _decoder(z)[None]) ** 2).sum(-1) / SIGMA_X ** 2
          - np.log(2 * np.pi * SIGMA_X ** 2) - 0.5 * z ** 2 - 0.5 * np.log(2 * np.pi))
    return logsumexp(ll, axis=1) + np.log(z[1] - z[0])


def iwae(x: np.ndarray, k: int, reps: int, rng: np.random.Generator) -> np.ndarray:
    """IWAE estimates (reps, n) with encoder q(z|x) = N(x_1, 0.5^2) (a plausible amortised guess)."""
    z = x[None, None, :, 0] + 0.5 * rng.standard_normal((reps, k, len(x)))
    log_q = -0.5 * ((z - x[:, 0]) / 0.5) ** 2 - np.log(0.5 * np.sqrt(2 * np.pi))
    log_joint = (-0.5 * ((x[None, None] - _decoder(z)) ** 2).sum(-1) / SIGMA_X ** 2
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
    xs = np.array([[0.5, 0.8], [-1.0, -0.9], [2.5, -0.9]])  # nonlinear-decoder test points
    ref = decoder_log_marginal(xs)
    rows = {}
    for k in KS:
        est = iwae(xs, k, 200, rng) - ref  # (reps, n)
        bias, se = est.mean(), est.mean(axis=1).std(ddof=1) / np.sqrt(est.shape[0])
        rows[k] = (float(bias), float(se), float(est.std()))
        checks.append(Check.monte_carlo(f"nonlinear VAE: IWAE K={k} bias (estimate - log p)", bias, se,
                                        0.0, atol=TOL, detail=f"spread SD {est.std():.3g}", unit="nats"))
    exact = bool(all(abs(b) + 5 * s <= TOL for b, s, _ in rows.values()))
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


def gan_truth(*, rng: np.random.Generator) -> Truth:
    z = rng.standard_normal(1000)
    jac = np.stack([np.ones_like(z), 2 * np.cos(2 * z)], axis=1)[:, :, None]  # d g / dz: (n, 2, 1)
    rank = int(np.max(np.linalg.matrix_rank(jac)))
    # mass of the eps-ball around a point on the image over its area grows like eps^(k - d) = eps^-1
    x0, pts = _decoder(np.array([0.3]))[0], _decoder(rng.standard_normal(400_000))
    eps = np.array([0.1, 0.03, 0.01])
    dens = np.array([np.mean(((pts - x0) ** 2).sum(1) < e * e) / (np.pi * e * e) for e in eps])
    slope = float(np.polyfit(np.log(eps), np.log(dens), 1)[0])
    checks = (Check.exact("generator Jacobian rank < data dimension 2", rank < 2, value=rank, expected=2),
              Check.close("ball-mass/area ~ eps^(k-d): fitted exponent", slope, -1.0, atol=0.25,
                          detail=f"densities {np.round(dens, 2).tolist()} at eps {eps.tolist()}"))
    return Truth(checks, {"exact": rank == 2, "rank": rank, "slope": slope})


def gan_judge(answer, truth: Truth) -> Evidence:
    checks = truth.checks + (Check.conclusion("exact likelihood possible", answer.get("exact"),
                                          truth.facts["exact"]),)
    return Evidence(checks, f"Jacobian rank {truth.facts['rank']} < d = 2; eps-ball density exponent "
                    f"{truth.facts['slope']:.2f} (-1 expected: no density)", correction=(
                        "No: with latent dim < data dim the generator's image is a lower-dimensional "
                        "manifold, the push-forward has no Lebesgue density. With equal dimensions and an "
                        "invertible generator, p(x) = p_z(G^-1 x)/|det J| is exact, but GAN training "
                        "gives neither invertibility nor a tractable inverse/determinant."))


def rf_samples_truth(*, rng: np.random.Generator) -> Truth:
    src = test_mixture(2)  # the unknown source; ODE endpoints x_0 of data points are distributed as it
    x0 = src.sample(100, rng)
    exact = src.log_prob(x0)
    rows = {}
    for n in (100, 1000, 10000):
        err = np.abs(np.log(gaussian_kde(src.sample(n, rng).T)(x0.T)) - exact)
        rows[n] = (float(np.sqrt(np.mean(err ** 2))), float(err.max()))
    ns = np.array(list(rows))
    rate = float(np.polyfit(np.log(ns), np.log([r[0] for r in rows.values()]), 1)[0])
    checks = tuple(Check.close(f"KDE from n = {n} samples: RMS |log p0 error| at ODE endpoints", r[0], 0.0,
                               atol=TOL, detail=f"max {r[1]:.3g}", unit="nats") for n, r in rows.items())
    checks += (Check.exact("RMS error decays (fitted exponent < 0)", rate < 0, value=rate),)
    best = min(r[1] for r in rows.values())
    return Truth(checks, {"exact": best <= TOL, "rows": rows, "rate": rate})


def rf_samples_judge(answer, truth: Truth) -> Evidence:
    rows = truth.facts["rows"]
    checks = truth.checks + (Check.conclusion("exact likelihood possible", answer.get("exact"),
                                          truth.facts["exact"]),)
    line = ", ".join(f"n={n}: RMS {r[0]:.3g}" for n, r in rows.items())
    return Evidence(checks, f"KDE log p0 error {line}; rate n^{truth.facts['rate']:.2f}", correction=(
        "No: log p_1(x) = log p_0(x_0) - int div v needs log p_0 at the endpoint; from samples only an "
        "estimate (KDE error ~ n^-1/3 in d = 2 at best rate) is available, never the exact value."))


_EXACT = Field("exact", "bool", "can the model compute p(x_test) exactly?")
CLAIMS = (
    Claim("q2a.vae", "2(a)i: exact likelihood of a VAE?", (_EXACT,), vae_truth, vae_judge),
    Claim("q2a.gan", "2(a)ii: exact likelihood of a GAN?", (_EXACT,), gan_truth, gan_judge),
    Claim("q2a.rf_samples", "2(a)v: rectified flow with a sample-only source?", (_EXACT,),
          rf_samples_truth, rf_samples_judge),
)
