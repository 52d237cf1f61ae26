"""Claim q3a: the Dog -> Husky algorithm (well defined? which score? which t0? does the output follow
the Huskies?), judged against the exact translation laws of `translation`.

VP time: data at t = 0, noise at T = 1.
"""
from __future__ import annotations

from ..engine.claims import Check, Claim, Evidence, Field, Role, Truth
from .translation import TOL_W2, cross_cov_norm, floor_at, q3_truth

__all__ = ["CLAIM"]


def q3a_judge(answer, truth: Truth) -> Evidence:
    f = truth.facts
    checks = []
    forward = answer.get("forward")
    if forward is None or forward == "unspecified":
        checks.append(Check.stated("the forward process (noising of the Dog) is specified", None))
    else:
        checks.append(Check.exact("the forward process is a well-typed SDE whose kernel is known",
                                  f["well_typed"].get(forward, False), value=forward,
                                  expected="vp_kernel", role=Role.CONCLUSION,
                                  detail="a density p_theta1(x) is a scalar; the drift must be a vector"))
    score = answer.get("reverse_score")
    if score is None or score == "unspecified":
        checks.append(Check.stated("which model's score drives the reverse SDE", None))
    else:
        checks.append(Check.agrees("the reverse SDE uses the Husky score", score, "husky",
                                   detail=f"Dog score: output mean {f['dog_score_mean_gap']:.2f} away "
                                          "from the Husky mean"))
    t0 = answer.get("t0")
    if t0 is None:
        checks.append(Check.stated("the time t0 the Dog is noised to", None))
    else:
        tt = 1.0 if t0 == "T" else float(t0)
        low, up = floor_at(tt)
        checks.append(Check.exact(f"at t0 = {tt:g} the output follows the Huskies (W2 <= {TOL_W2})",
                                  up <= TOL_W2, value=[low, up], expected=TOL_W2,
                                  role=Role.CONCLUSION,
                                  detail=f"K -> inf bias floor: {low:.3g} <= W2 <= {up:.3g}; "
                                         f"|Cov(dog, output)| = {cross_cov_norm(tt):.3g}"))
    floors = {t0: c["floor"][1] for t0, c in f["curves"]["sde"].items() if t0 != "standard"}
    summary = ("W2 to Huskies (K -> inf, upper bound) by t0: "
               + ", ".join(f"{t0:g}: {v:.3f}" for t0, v in floors.items())
               + f"; |Cov(dog, out)| at T = {f['cross_cov'][1.0]:.1e}")
    correction = ("Sample a Dog x; noise it with the fixed VP kernel x_t0 = alpha(t0) x + sigma(t0) z "
                  "(no drift built from p_theta1: a density is a scalar, the drift must be a vector); "
                  "run the reverse SDE dx = [f - g^2 s_theta2(x, t)] dt + g dW from t0 to 0 with the "
                  "HUSKY score s_theta2. t0 sets the trade-off: at t0 = T the output is exactly Husky "
                  "but independent of the Dog (the standard sampler); for t0 < T the Dog is kept but "
                  "the output is biased (floor W2 " + ", ".join(f"{v:.2g} at t0 = {t:g}" for t, v in
                                                                floors.items() if t in (0.3, 0.5, 0.8)) + ")")
    return Evidence(truth.checks + tuple(checks), summary, correction, ("q3_translation",))


CLAIM = Claim(
    "q3a", "the Dog -> Husky algorithm: well defined, which score, t0; does the output follow "
           "the Huskies",
    (Field("forward", "choice", "how the Dog is noised: vp_kernel = the fixed forward VP-SDE or "
           "its closed-form kernel; density_drift = a drift f(x,t) = p_theta1(x) built from the "
           "Dog model's density; unspecified", choices=("vp_kernel", "density_drift", "unspecified")),
     Field("reverse_score", "choice", "whose score the reverse SDE uses",
           choices=("husky", "dog", "unspecified")),
     Field("t0", "number", "VP time the Dog is noised to (data at 0, noise at T = 1); \"T\" = "
           "the full forward process", choices=("T",), number_range=(1e-3, 1.0))),
    q3_truth, q3a_judge, ("q3_translation",), truth_key="q3")
