"""Claim q2a.gan: a GAN's likelihood, shown by computation.

Latent dim < data dim gives a Jacobian of rank < d, so the push-forward has no density (the
generator is the nonlinear decoder of `q2a_vae`).
"""
from __future__ import annotations

import numpy as np

from ..engine.claims import Check, Claim, Evidence, Field, Truth
from .q2a_vae import decoder

__all__ = ["CLAIM"]


def gan_truth(*, rng: np.random.Generator) -> Truth:
    z = rng.standard_normal(1000)
    jac = np.stack([np.ones_like(z), 2 * np.cos(2 * z)], axis=1)[:, :, None]  # d g / dz: (n, 2, 1)
    rank = int(np.max(np.linalg.matrix_rank(jac)))
    # mass of the eps-ball around a point on the image over its area grows like eps^(k - d) = eps^-1
    x0, pts = decoder(np.array([0.3]))[0], decoder(rng.standard_normal(400_000))
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


_EXACT = Field("exact", "bool", "can the model compute p(x_test) exactly?")
CLAIM = Claim("q2a.gan", "2(a)ii: exact likelihood of a GAN?", (_EXACT,), gan_truth, gan_judge)
