"""Claims q3a, q3b: exact propagation of the translation sampler and the verdicts it implies."""
import numpy as np
import pytest

from verify.engine.claims import Verdict
from verify.models import GaussianMixture
from verify.q3 import CLAIMS
from verify.q3.translation import (DOGS, HUSKY, VP, NFE_GRID, nfe_to_reach, reverse_affine_law,
                                   translation_start, w2_bounds, w2_gaussian)
from verify.engine.sheet import load_text

REG = {c.id: c for c in CLAIMS}
SEED_SHEET = """
[q3a]
forward = "density_drift"
reverse_score = "unspecified"
[q3b]
faster = true
"""


def _direct_law(start: GaussianMixture, t0, K, lam):
    """Independent transcription: full 2x2 matrices, step by step, in the original basis."""
    mh, sh = HUSKY.means[0], HUSKY.covs[0]
    means, covs = start.means.copy(), start.covs.copy()
    h = t0 / K
    for k in range(K):
        t = t0 * (1 - k / K)
        b, a, s = float(VP.beta(t)), float(VP.alpha(t)), float(VP.sigma(t))
        prec = np.linalg.inv(a * a * sh + s * s * np.eye(2))
        m = np.eye(2) + h * b * (0.5 * np.eye(2) - lam * prec)
        c = h * b * lam * prec @ (a * mh)
        means = means @ m.T + c
        covs = m @ covs @ m.T + (2 * lam - 1) * h * b * np.eye(2)
    return means, covs


@pytest.mark.parametrize("t0, K, lam", [(1.0, 7, 1.0), (0.4, 13, 0.5), (0.8, 50, 1.0)])
def test_eigenbasis_propagation_matches_step_by_step_matrices(t0, K, lam):
    law = reverse_affine_law(translation_start(t0), t0, K, lam)
    means, covs = _direct_law(translation_start(t0), t0, K, lam)
    np.testing.assert_allclose(law.means, means, rtol=1e-10, atol=1e-12)  # same arithmetic, reordered
    np.testing.assert_allclose(law.covs, covs, rtol=1e-10, atol=1e-12)


def test_probability_flow_from_the_true_husky_marginal_returns_huskies():
    # exact score and exact start: only the Euler error remains, first order in 1/K
    start = HUSKY.noised(float(VP.alpha(1.0)), float(VP.sigma(1.0)))
    errs = [w2_bounds(reverse_affine_law(start, 1.0, K, 0.5))[1] for K in (1000, 2000)]
    assert errs[1] < 1e-2 and 1.7 < errs[0] / errs[1] < 2.3  # ratio 2 = first order


def test_w2_gaussian_matches_the_one_dimensional_formula_per_axis():
    s1, s2 = np.diag([0.5, 2.0]), np.diag([1.5, 0.3])
    want = np.sqrt(1.0 + (np.sqrt(0.5) - np.sqrt(1.5)) ** 2 + (np.sqrt(2.0) - np.sqrt(0.3)) ** 2)
    # eigh square roots of diagonal matrices: a few ulps of W2 ~ 1.4
    got = w2_gaussian(np.array([1.0, 0.0]), s1, np.zeros(2), s2)
    assert got == pytest.approx(want, rel=1e-12, abs=0)


def test_gelbrich_bound_is_below_the_component_coupling_bound():
    low, up = w2_bounds(DOGS)
    assert 0 < low <= up


def test_nfe_to_reach_requires_staying_below_the_tolerance():
    curve = np.full(len(NFE_GRID), 0.5)
    curve[3] = 0.01           # one accidental dip
    curve[10:] = 0.01
    assert nfe_to_reach(curve, 0.1) == NFE_GRID[10]


def test_density_drift_is_ill_typed_and_full_noising_forgets_the_dog(auditor):
    f = auditor.truth(REG["q3a"]).facts
    assert f["well_typed"] == {"vp_kernel": True, "density_drift": False}
    assert f["cross_cov"][1.0] < 1e-3 < f["cross_cov"][0.5]
    assert f["curves"]["sde"][0.3]["floor"][0] > 0.1   # t0 = 0.3 leaves Dogs' trace: not Huskies


def _verdicts(auditor, text):
    sheet = load_text(text, "t.toml", REG)
    return {i: auditor.judge(REG[i], sheet).verdict for i in REG}


@pytest.mark.parametrize("text, expected", [
    (SEED_SHEET, {"q3a": Verdict.INCORRECT, "q3b": Verdict.CORRECT}),
    ('[q3b]\nfaster = true\nbias_noted = false', {"q3a": Verdict.UNANSWERED,
                                                  "q3b": Verdict.FLAWED}),  # t0 < T is biased
    ('[q3a]\nforward = "vp_kernel"\nreverse_score = "husky"\nt0 = 0.7\n'
     '[q3b]\nfaster = true\nbias_noted = true', {"q3a": Verdict.CORRECT, "q3b": Verdict.CORRECT}),
    ('[q3a]\nforward = "vp_kernel"\nreverse_score = "husky"\nt0 = 0.3\n[q3b]\nfaster = false',
     {"q3a": Verdict.INCORRECT, "q3b": Verdict.INCORRECT}),
    ('[q3a]\nforward = "vp_kernel"\nreverse_score = "dog"\nt0 = 0.7', {"q3a": Verdict.INCORRECT,
                                                                        "q3b": Verdict.UNANSWERED}),
    ('[q3a]\nforward = "vp_kernel"\nreverse_score = "husky"', {"q3a": Verdict.INCOMPLETE,
                                                                "q3b": Verdict.UNANSWERED}),
])
def test_sheets_get_the_verdict_the_mathematics_implies(auditor, text, expected):
    assert _verdicts(auditor, text) == expected


def test_affine_step_factors_transcribe_the_sympy_euler_step():
    import sympy as sp

    from derivations.schedules import vp_reverse_euler_step
    from verify.q3.translation import HUSKY, VP, _EIG, _V, _affine_steps

    y, a, e, s, mu = sp.symbols("y a e s mu", real=True)
    h, beta, lam = sp.symbols("h beta lam", positive=True)
    mean, var = vp_reverse_euler_step(y, h, beta, -(y - a * mu) / (a * a * e + s * s), lam)
    factor, offset = sp.diff(mean, y), mean.subs(y, 0)  # the step is affine in y
    t0, K, lam_v = 0.6, 7, 1.0
    m, c, q = _affine_steps(t0, K, lam_v)
    mu_h = _V.T @ HUSKY.means[0]
    for k in range(K):
        tk = t0 * (1 - k / K)
        for i in range(2):
            at = {h: t0 / K, beta: float(VP.beta(tk)), lam: lam_v, a: float(VP.alpha(tk)),
                  s: float(VP.sigma(tk)), e: float(_EIG[i]), mu: float(mu_h[i])}
            # float64 evaluation of the same expression: rounding only; |factors| >= 0.15, offsets
            # >= 0.16, variances >= 0.15 (never near 0), so rel alone (abs=0) bounds the rounding
            assert float(factor.subs(at)) == pytest.approx(m[k, i], rel=1e-12, abs=0)
            assert float(offset.subs(at)) == pytest.approx(c[k, i], rel=1e-12, abs=0)
        assert float(var.subs(at)) == pytest.approx(q[k], rel=1e-12, abs=0)
