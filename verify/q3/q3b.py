"""Claim q3b: why translation from a noised Dog may be faster than sampling from N(0, I), judged by
the steps each sampler needs (exact laws of `translation`).

VP time: data at t = 0, noise at T = 1.
"""
from __future__ import annotations

from ..engine.claims import Check, Claim, Evidence, Field, Role, Truth
from .translation import TAU_Q, q3_truth

__all__ = ["CLAIM"]


def q3b_judge(answer, truth: Truth) -> Evidence:
    f = truth.facts
    checks = []
    checks.append(Check.conclusion(f"faster: some t0 < T reaches W2 <= {TAU_Q} in fewer NFE",
                                   answer.get("faster"), f["faster"]))
    if f["bias_at_gain"] is not None and "bias_noted" in answer:  # judged only when stated
        low, t_gain = f["bias_at_gain"]
        checks.append(Check.agrees(f"a bias is left at t0 < T (at t0 = {t_gain:g}, where the NFE "
                                   f"gain is largest, W2 >= {low:.3g})", answer["bias_noted"], True,
                                   role=Role.PART))
    nfe = f["nfe"]["sde"]
    fmt = lambda k: "> 1024" if k is None else str(k)  # noqa: E731
    floors = {t0: c["floor"][1] for t0, c in f["curves"]["sde"].items() if t0 != "standard"}
    summary = (f"NFE to W2 <= {TAU_Q} (SDE): standard {fmt(nfe['standard'])}, "
               + ", ".join(f"t0={t0:g}: {fmt(k)}" for t0, k in nfe.items() if t0 != "standard")
               + f"; ODE: standard {fmt(f['nfe']['ode']['standard'])}, best t0 < T "
               + _best(f["nfe"]["ode"])
               + f"; Dogs-Huskies W2 >= {f['dog_vs_husky'][0]:.2f}, N(0,I)-Huskies W2 <= "
               f"{f['gauss_vs_husky'][1]:.2f}")
    best = [(k, t0) for t0, k in nfe.items() if t0 != "standard" and t0 < 1 and k is not None]
    best_txt = f"{min(best)[0]} NFE at t0 = {min(best)[1]:g}" if best else "never"
    correction = (f"Starting at t0 < T integrates only [0, t0], so fewer steps are needed for the same "
                  f"step size, but the output is then the Husky reverse flow of the noised Dogs, not a "
                  f"Husky: bias floor W2 {', '.join(f'{floors[t]:.2g} (t0={t:g})' for t in (0.3, 0.5, 0.7, 0.9))}. "
                  f"At W2 <= {TAU_Q}: standard sampler {fmt(nfe['standard'])} NFE, translation "
                  f"{best_txt}. The Dog distribution is not closer to the Huskies than N(0, I) in W2 "
                  f"({f['dog_vs_husky'][0]:.2f} vs {f['gauss_vs_husky'][1]:.2f}); the gain comes "
                  "from the shorter interval and is paid for by the bias")
    return Evidence(truth.checks + tuple(checks), summary, correction, ("q3_translation",))


def _best(nfe: dict) -> str:
    best = [(k, t0) for t0, k in nfe.items() if t0 != "standard" and t0 < 1 and k is not None]
    return f"{min(best)[0]} (t0 = {min(best)[1]:g})" if best else "none"


CLAIM = Claim(
    "q3b", "is translation from a noised Dog faster than sampling from N(0, I)",
    (Field("faster", "bool", "the answer's claim that starting from a Dog is faster"),
     Field("bias_noted", "bool", "the answer notes that for t0 < T the output is only "
           "approximately Husky (a bias floor that more steps do not remove)")),
    q3_truth, q3b_judge, ("q3_translation",), truth_key="q3")
