r"""Claim q1b: Professor Super Smooth's KL claim (homework eq. (3)).

The joint KL is the Gaussian KL $\frac d2(r - 1 - \log r)$ for every $q_0$ (`derivations.gaussian_kl`),
checked by Monte Carlo and searched for counterexamples (`verify.q1.search`), as are the smoothed
marginals.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from derivations import gaussian_kl
from derivations.chains.q1 import q1b_derivation
from ..engine.claims import Check, Claim, Evidence, Field, Role, Truth
from ..engine.formula import equivalent
from ..models import GaussianMixture
from ..numerics.smoothed_kl_mp import DPS
from .marginals import BOUND_RTOL, KL_FLOOR, certify, marginal_search
from .search import SEARCH_SEED, joint_kl_mc, joint_search, kl_gauss

__all__ = ["CLAIM", "SYMBOLS_KL"]

d_sym, sigma_0, sigma_j = gaussian_kl.d, gaussian_kl.sigma_0, gaussian_kl.sigma_j
SYMBOLS_KL = (d_sym, sigma_0, sigma_j)
KL_DOMAIN = {d_sym: (1.0, 50.0), sigma_0: (0.01, 10.0), sigma_j: (0.01, 10.0)}
MC_SIGMAS = (0.6, 0.9, 1.3, 2.0)
MC_DIMS = (1, 3, 10)


def _bimodal(d):
    q = GaussianMixture(np.array([0.3, 0.7]), np.array([-2.0 * np.ones(d), 1.5 * np.ones(d)]),
                        np.array([0.1 * np.eye(d), 0.5 * np.eye(d)]))
    return lambda n, rng: (lambda x: (x, q.log_prob(x)))(q.sample(n, rng))


def _uniform(d):
    return lambda n, rng: (rng.uniform(-1.0, 2.0, (n, d)), np.full(n, -d * np.log(3.0)))


def _q1b_truth(*, rng: np.random.Generator) -> Truth:
    checks = []
    kl = gaussian_kl.kl_isotropic()
    deriv = gaussian_kl.kl_derivative_in_s1()
    two = sp.simplify(gaussian_kl.kl_product_2d() - kl.subs(gaussian_kl.d, 2)) == 0
    checks.append(Check.exact("symbolic: 2-D double integral = 2 x the 1-D KL (product step)", two))
    s0, s1 = gaussian_kl.s0, gaussian_kl.s1
    mono = sp.simplify(deriv - gaussian_kl.d * (s1 ** 2 - s0 ** 2) / (s0 ** 2 * s1)) == 0
    checks.append(Check.exact("symbolic: dKL/ds1 = d (s1^2 - s0^2)/(s0^2 s1) > 0 on s1 > s0", mono,
                              value=str(deriv)))
    free = not gaussian_kl.joint_log_ratio().atoms(AppliedUndef)  # no q0(x) left after cancelling
    checks.append(Check.exact("symbolic: q0 cancels in the joint log-ratio", free))
    f_kl = sp.lambdify((gaussian_kl.d, s1, s0), kl, "numpy")
    checks.append(Check.close("transcription kl_gauss = derived KL (d=7, 1.3, 0.4)",
                              kl_gauss(7, 1.3, 0.4), f_kl(7, 1.3, 0.4), rtol=1e-13,
                              role=Role.CONTROL, unit="nats"))
    mc = []
    for law, make in (("bimodal", _bimodal), ("uniform", _uniform)):
        for d in MC_DIMS:
            for sj in MC_SIGMAS:
                est, se = joint_kl_mc(make(d), d, sj, 0.5, 20_000, rng)
                exact = float(kl_gauss(d, sj, 0.5))
                chk = Check.monte_carlo(f"joint KL MC = closed form ({law}, d={d}, sigma_j={sj}, "
                                        "sigma_0=0.5)", est, se, exact, atol=1e-12, role=Role.CONTROL,
                                        unit="nats")
                checks.append(chk)
                mc.append({"law": law, "d": d, "sigma_j": sj, "est": est, "se": se, "exact": exact})
    joint = joint_search(400_000, rng=np.random.default_rng(SEARCH_SEED))
    checks.append(Check.exact(f"joint search: no violation in {joint['n']} configs (d = 1..50, "
                              f"{joint['n_outside']} outside the condition)", joint["violations"] == 0,
                              value=joint["min_margin"], detail="worst relative margins inside "
                              f"{joint['worst_rel_margin_inside']:.3g}, outside "
                              f"{joint['worst_rel_margin_outside']:.3g}", unit="nats"))
    checks.append(Check.close("joint search: KL_2 - KL_1 from two evaluations = the cancellation-free "
                              "margin (relative)", joint["max_rel_disagreement"], 0.0, atol=1e-10,
                              role=Role.CONTROL))
    marg = marginal_search()
    certificates = certify(marg)
    checks += _marginal_checks(marg, certificates)
    agree = bool(mono and free and joint["violations"] == 0)
    needed = bool(joint["violations"] > 0 and joint["worst_rel_margin_inside"] >= 0)
    # the sheet's KL direction is judged against both derived forms: derived once here, not per sheet
    reverse = gaussian_kl.kl_1d_reverse().subs({s1: sigma_j, s0: sigma_0}) * d_sym
    sufficient = not any(c["certified"] for c in certificates)
    return Truth(tuple(checks), {"agree": agree, "condition_needed": needed, "mc": mc,
                                 "joint": joint, "marginal": marg, "certificates": certificates,
                                 "condition_sufficient_for_marginals": sufficient,
                                 "derivation": q1b_derivation(),
                                 "kl_true": gaussian_kl.kl_answer_form(), "kl_reverse": reverse})


_KL_NAMES = {"forward": ("KL(q_s1||q_s0)", "KL(q_s2||q_s0)"),
             "reverse": ("KL(q_s0||q_s1)", "KL(q_s0||q_s2)")}


def _marginal_checks(marg: dict, certificates: list[dict]) -> list[Check]:
    """The marginal search's findings (FACT), its quadrature's accuracy (CONTROL) and one certificate
    (FACT) per best counterexample, with the float bound checked against mpmath (CONTROL)."""
    fams = marg["families"].values()
    rows = [v for fam in fams for v in fam.values()]
    per = {d: sum(fam[d]["counterexamples"] for fam in fams) for d in _KL_NAMES}
    n_inc, n_low = sum(v["inconclusive"] for v in rows), sum(v["unresolved"] for v in rows)
    checks = [Check.exact(
        f"marginal search: no counterexample in {marg['configs']} configs, both directions",
        marg["counterexamples"] == 0, value=marg["counterexamples"], expected=0,
        detail=f"counterexamples: forward {per['forward']}, reverse {per['reverse']}; {n_inc} margins "
               f"not signable by the quadrature ({n_low} with KL_2 < {KL_FLOOR:g} nats, at rounding)")]
    loose = sum(v["loose_bounds"] for v in rows)
    checks.append(Check.exact(f"marginal search: every quadrature error bound <= {BOUND_RTOL:g} KL_2 + "
                              f"{KL_FLOOR:g} nats (converged, not stopped on its panel limit)",
                              loose == 0, value=loose, expected=0, role=Role.CONTROL,
                              detail="largest bound / KL_2 where KL_2 >= "
                                     f"{KL_FLOOR:g}: {max(v['max_rel_err'] for v in rows):.2g}"))
    for c in certificates:
        kl_1, kl_2 = _KL_NAMES[c["direction"]]
        where = ", ".join(f"{k} = ({', '.join(f'{x:.4g}' for x in v)})" for k, v in c.items()
                          if k in ("w", "mu", "sd", "sigma", "L", "g") and np.ndim(v))
        checks.append(Check.exact(
            f"certified marginal counterexample ({c['family']}, {c['direction']}): {kl_1} = "
            f"{c['kl_1']:.6g} > {kl_2} = {c['kl_2']:.6g}", c["certified"], value=c["margin"],
            detail=f"{where}; mpmath ({DPS} digits): KL_2 - KL_1 = {c['margin']:.6g} +- "
                   f"{c['err']:.1g}; sigma_0^2 <= sigma_1^2/d holds for a product q0 in every "
                   f"d <= {c['d_max']}", unit="nats"))
        checks.append(Check.close(
            f"certificate ({c['family']}, {c['direction']}): float quadrature margin = mpmath margin "
            "within both error bounds", c["float_margin"], c["margin"],
            atol=c["float_err"] + c["err"], role=Role.CONTROL, unit="nats"))
    return checks


def _q1b_judge(answer: Mapping[str, Any], truth: Truth) -> Evidence:
    f = truth.facts
    checks = list(truth.checks)
    checks.append(Check.conclusion("agree with the professor (joint laws)", answer.get("agree"),
                                   f["agree"]))
    if "kl_gaussian" in answer:
        true = f["kl_true"]
        eq = equivalent(answer["kl_gaussian"], true, KL_DOMAIN)
        note = ("; it is the reverse direction KL(N(sigma_0)||N(sigma_j))"
                if not eq.equal and equivalent(answer["kl_gaussian"], f["kl_reverse"], KL_DOMAIN).equal
                else "")
        checks.append(Check.exact("kl_gaussian = KL(N(mu, sigma_j^2 I)||N(mu, sigma_0^2 I)) (stated "
                                  "direction)", eq.equal, value=str(answer["kl_gaussian"]),
                                  expected=str(true), detail=eq.describe() + note, role=Role.PART))
    if "condition_needed" in answer:
        checks.append(Check.agrees("condition sigma_0^2 <= sigma_j^2/d needed", answer["condition_needed"],
                                   f["condition_needed"], role=Role.PART))
    j, m = f["joint"], f["marginal"]
    kl = sp.sstr(f["kl_true"])
    summary = (f"joint KL = {kl} for all q0; {j['n']} joint configs: {j['violations']} violations "
               f"(worst rel. margin {min(j['worst_rel_margin_inside'], j['worst_rel_margin_outside']):.2g}); "
               f"marginals: {m['counterexamples']} counterexamples in {m['configs']} configs"
               + _certified_phrase(f["certificates"]))
    correction = (f"KL(q_sigma_j || q_sigma_0) for the joint laws equals {kl} for every q0, "
                  "increasing in sigma_j > sigma_0: the professor "
                  f"is {'right' if f['agree'] else 'wrong'} and the condition sigma_0^2 <= sigma_j^2/d "
                  f"is {'needed' if f['condition_needed'] else 'not needed'} for the joint laws"
                  + _marginal_sentence(f))
    return Evidence(tuple(checks), summary, correction, ("q1b_kl_vs_sigma", "q1b_search"))


def _certified_phrase(certificates: list[dict]) -> str:
    best = min((c for c in certificates if c["certified"]), key=lambda c: c["margin"] / c["kl_2"],
               default=None)  # the search's objective: the least relative margin
    if best is None:
        return ""
    return (f" (certified, {best['direction']}: KL_2 - KL_1 = {best['margin']:.3g} +- "
            f"{best['err']:.0g} nats at {DPS} digits)")


def _marginal_sentence(facts: Mapping[str, Any]) -> str:
    """What the marginal search says about the condition: sufficient for the smoothed marginals or not."""
    certified = [c for c in facts["certificates"] if c["certified"]]
    if facts["condition_sufficient_for_marginals"]:
        return "; for the smoothed marginals q0 * N(0, sigma^2) no counterexample was certified"
    dirs = sorted({c["direction"] for c in certified})
    return ("; for the smoothed marginals q0 * N(0, sigma^2) the inequality fails "
            f"({', '.join(dirs)} KL) even where sigma_0^2 <= sigma_j^2/d holds (certified "
            f"counterexamples, d up to {max(c['d_max'] for c in certified)}), so the condition "
            "is not what makes (3) true")


CLAIM = Claim(
    "q1b", "Professor Super Smooth: KL(q_s1||q_s0) <= KL(q_s2||q_s0) for the joint laws",
    (Field("agree", "bool", "the claim (3) holds for the joint distributions"),
     Field("kl_gaussian", "formula", "KL(N(mu, sigma_j^2 I_d) || N(mu, sigma_0^2 I_d)) in d, "
           "sigma_0, sigma_j", symbols=SYMBOLS_KL, domain=KL_DOMAIN),
     Field("condition_needed", "bool", "is sigma_0^2 <= sigma_j^2/d needed for (3)")),
    _q1b_truth, _q1b_judge, ("q1b_kl_vs_sigma", "q1b_search"))
