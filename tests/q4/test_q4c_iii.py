"""Claim q4c.iii: rectified flow vs OT in 1-D and 2-D; sheet verdicts."""
import numpy as np
import pytest

from verify.engine.audit import Auditor
from verify.engine.claims import Verdict
from verify.q4.q4c_iii import CLAIM, SIGMA0, SIGMA1, _FLOW_STD, _KINETIC, _MCCANN_STD, _W2, \
    _assignment_gap, bures_map, gaussian_flow_map
from verify.engine.sheet import load_text

REG = {CLAIM.id: CLAIM}
SEED1 = Auditor(seed=1)  # one seed-1 truth for the module


def test_bures_map_is_symmetric_and_pushes_forward():
    t = bures_map(SIGMA0, SIGMA1)
    # entries O(1), condition numbers <= 10: eigh square roots and inverses round to ~10 eps
    np.testing.assert_allclose(t, t.T, rtol=0, atol=1e-13)
    np.testing.assert_allclose(t @ SIGMA0 @ t, SIGMA1, rtol=0, atol=1e-12)


def test_flow_map_is_ot_from_isotropic_source_but_not_for_non_commuting_covariances():
    iso = gaussian_flow_map(np.eye(2), SIGMA1)
    # the map by DOP853 at rtol 1e-12: its global error (~1e-13 measured), well below 1e-9
    np.testing.assert_allclose(iso, bures_map(np.eye(2), SIGMA1), rtol=0, atol=1e-9)
    nc = gaussian_flow_map(SIGMA0, SIGMA1)
    np.testing.assert_allclose(nc @ SIGMA0 @ nc.T, SIGMA1, rtol=0, atol=1e-9)
    assert np.max(np.abs(nc - nc.T)) > 0.1  # not symmetric, so not a gradient map


def test_lambdified_closed_forms_take_t_m_s_in_that_order():
    t, m, s = np.linspace(0, 1, 6), 1.5, 0.5
    # hand forms of derivations.optimal_transport; float64 rounding only
    np.testing.assert_allclose(_FLOW_STD(t, m, s), np.sqrt(t * t * s * s + (1 - t) ** 2),
                               rtol=1e-12)
    np.testing.assert_allclose(_MCCANN_STD(t, m, s), 1 - t + t * s, rtol=1e-12)
    np.testing.assert_allclose(_KINETIC(t, m, s), m * m + (t * s * s - (1 - t)) ** 2
                               / (t * t * s * s + (1 - t) ** 2), rtol=1e-12)
    assert _W2(0.3, m, s) == pytest.approx(m * m + (1 - s) ** 2, rel=1e-12, abs=0)  # 2.5: no 0


def test_assignment_keeps_a_monotone_pairing():
    x = np.sort(np.random.default_rng(0).standard_normal(50))[:, None]
    pair, best = _assignment_gap(x, 2 * x + 1)
    # a monotone 1-D coupling is optimal: the same cost (> 0) summed in two orders
    assert pair == pytest.approx(best, rel=1e-12, abs=0)


def test_truth_shows_where_flow_and_ot_coincide(auditor):
    f = auditor.truth(REG["q4c.iii"]).facts
    assert f["endpoint"] < 1e-7 and f["energy"] > f["w2"] + 0.1
    assert f["two_d"]["isotropic -> Gaussian"]["diff"] < 1e-8
    assert f["two_d"]["non-commuting Gaussians"]["pair"] > f["two_d"]["non-commuting Gaussians"]["best"]
    assert f["same_as_ot"] is False


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("text, expected", [
    ("[q4c.iii]\nsame_as_ot = false", Verdict.CORRECT),
    ("[q4c.iii]\nsame_as_ot = true", Verdict.INCORRECT),
    ("", Verdict.UNANSWERED),
])
def test_sheets_get_the_verdict_the_mathematics_implies(auditor, seed, text, expected):
    aud = auditor if seed == 0 else SEED1
    sheet = load_text(text, "t.toml", REG)
    assert aud.judge(REG["q4c.iii"], sheet).verdict is expected
