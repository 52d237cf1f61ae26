"""Claims q4e.i, q4e.ii: Gaussian Schroedinger bridge, bridge-mixture sampler, verdicts."""
import numpy as np
import pytest

from derivations import bridges as D
from verify.engine.claims import Verdict
from verify.q4 import q4e_i, q4e_ii
from verify.q4.q4e_i import gaussian_sb_cross_cov, gaussian_sb_marginal_cov
from verify.q4.q4e_ii import bridge_log_h, simulate_bridge_mixture, two_moons
from verify.engine.sheet import load_text
from verify.numerics.sinkhorn import sinkhorn_log, squared_distances

CLAIMS = (q4e_i.CLAIM, q4e_ii.CLAIM)
REG = {c.id: c for c in CLAIMS}
SEED_SHEET = """
[q4e.i]
bridge_variance = "2*epsilon*t*(1-t)"
sb_coupling = "entropic_ot"
[q4e.ii]
faster = "brownian_bridge"
"""


def test_matrix_cross_covariance_reduces_to_the_sympy_scalar_formula():
    for A, B, eps in ((0.7, 1.3, 0.25), (2.0, 0.1, 0.01)):
        want = float(D.gaussian_sb_cross_covariance().subs({D.A: A, D.B: B, D.eps: eps}))
        got = gaussian_sb_cross_cov(np.array([[A]]), np.array([[B]]), eps)[0, 0]
        assert got == pytest.approx(want, rel=1e-12, abs=0)  # eigh square roots: a few ulps of 0.4-0.7


def test_marginal_covariance_matches_sympy_in_one_dimension():
    A, B, eps, t = 0.7, 1.3, 0.25, 0.3
    C = gaussian_sb_cross_cov(np.array([[A]]), np.array([[B]]), eps)
    want = float(D.gaussian_sb_marginal_variance().subs({D.A: A, D.B: B, D.eps: eps, D.t: t}))
    assert gaussian_sb_marginal_cov(np.array([[A]]), np.array([[B]]), C, eps, t)[0, 0] == \
        pytest.approx(want, rel=1e-12, abs=0)  # a variance > 0: rounding relative to it


def test_one_euler_step_is_the_barycentric_projection_of_the_plan():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 2)), two_moons(16, rng)
    cost = squared_distances(x, y)
    res = sinkhorn_log(cost, 0.08, tol=1e-12)
    out, _, _ = simulate_bridge_mixture(x, y, bridge_log_h(res.log_plan, cost, 0.02), 0.02, 1,
                                        np.zeros((4, 16, 2)))
    want = (res.plan / res.plan.sum(1, keepdims=True)) @ y
    # at t = 0 the weights are pi(j | i) exactly: two evaluation orders of O(1) sums, ~eps each
    np.testing.assert_allclose(out, want, rtol=0, atol=1e-12)


def test_bridge_mixture_ends_on_the_targets_with_the_coupling_law():
    # many paths from one start point under the independent coupling: X_1 uniform over the y_j
    rng = np.random.default_rng(1)
    y = np.array([[-1.0, 0.0], [1.0, 0.0]])
    x = np.zeros((4000, 2))
    log_h = bridge_log_h(np.full((4000, 2), np.log(0.5)), squared_distances(x, y), 0.05)
    noise = rng.standard_normal((256, 4000, 2)) / 16.0
    out, _, _ = simulate_bridge_mixture(x, y, log_h, 0.05, 256, noise)
    frac = (out[:, 0] > 0).mean()
    assert abs(frac - 0.5) < 5 * 0.5 / np.sqrt(4000)          # 5 SE of a binomial proportion
    assert np.abs(np.abs(out[:, 0]) - 1).mean() < 0.02          # lands on the targets (K = 256)


def test_entropic_coupling_is_faster_and_straighter(auditor):
    f = auditor.truth(REG["q4e.ii"]).facts
    bb, sb = f["results"]["brownian_bridge"], f["results"]["schroedinger_bridge"]
    assert f["faster"] == "schroedinger_bridge"
    assert sb["ref_energy"] < bb["ref_energy"] and sb["err"][0] < bb["err"][0]


def _verdicts(auditor, text):
    sheet = load_text(text, "t.toml", REG)
    return {i: auditor.judge(REG[i], sheet).verdict for i in REG}


@pytest.mark.parametrize("text, expected", [
    (SEED_SHEET, {"q4e.i": Verdict.CORRECT, "q4e.ii": Verdict.INCORRECT}),
    ('[q4e.i]\nbridge_variance = "2*epsilon*t"\nsb_coupling = "entropic_ot"\n'
     '[q4e.ii]\nfaster = "schroedinger_bridge"', {"q4e.i": Verdict.FLAWED, "q4e.ii": Verdict.CORRECT}),
    ('[q4e.i]\nbridge_variance = "2*epsilon*t*(1-t)"', {"q4e.i": Verdict.INCOMPLETE,
                                                         "q4e.ii": Verdict.UNANSWERED}),
    ('[q4e.i]\nsb_coupling = "independent"', {"q4e.i": Verdict.INCORRECT,
                                               "q4e.ii": Verdict.UNANSWERED}),
])
def test_sheets_get_the_verdict_the_mathematics_implies(auditor, text, expected):
    assert _verdicts(auditor, text) == expected
