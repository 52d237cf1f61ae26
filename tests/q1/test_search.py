"""The q1(b) numerics of the joint laws: Gaussian KL transcription, joint search and Monte Carlo."""
import numpy as np
import pytest
import sympy as sp

from derivations import gaussian_kl as g
from verify.q1 import search as s


@pytest.mark.parametrize("d, a, b", [(1, 0.7, 0.2), (50, 3.0, 0.1), (3, 1.0001, 1.0),
                                     (2, 1.0 + 1e-7, 1.0), (4, 0.5, 0.5 * (1 - 1e-9))])
def test_kl_gauss_transcribes_the_derivation_without_cancellation(d, a, b):
    exact = sp.N(g.kl_isotropic().subs({g.d: d, g.s1: sp.Float(a, 40), g.s0: sp.Float(b, 40)}), 40)
    # near r = 1 the KL is ~ d u^2 / 4 and u - log1p(u) keeps ~ eps / u relative accuracy
    assert s.kl_gauss(d, a, b) == pytest.approx(float(exact), rel=1e-6 if abs(a / b - 1) < 1e-6 else 1e-12)


@pytest.mark.parametrize("d, s0, s1, s2", [(1, 0.3, 0.7, 2.0), (50, 0.1, 3.0, 3.0 * (1 + 1e-6)),
                                           (7, 1.0, 1.001, 1.002), (2, 0.05, 40.0, 41.0)])
def test_kl_gauss_margin_is_the_derived_difference_without_cancellation(d, s0, s1, s2):
    kl = g.kl_isotropic()
    at = {g.d: d, g.s0: sp.Float(s0, 40)}
    exact = sp.N(kl.subs({**at, g.s1: sp.Float(s2, 40)}) - kl.subs({**at, g.s1: sp.Float(s1, 40)}), 40)
    # 1e-12: a few hundred ulp; the difference of two kl_gauss loses up to 1e-7 on the second case
    assert s.kl_gauss_margin(d, s0, s1, s2) == pytest.approx(float(exact), rel=1e-12)


def test_joint_search_evaluates_the_closed_form_on_its_draws():
    n = 5000
    r = s.joint_search(n, np.random.default_rng(3))
    rng = np.random.default_rng(3)  # the same draws: d, then log sigma_0 and the two log-gaps
    d = rng.integers(1, 51, n)
    s0 = np.exp(rng.uniform(-3, 1, n))
    s1 = s0 * np.exp(rng.uniform(1e-3, 3, n))
    s2 = s1 * np.exp(rng.uniform(1e-3, 3, n))
    rel = s.kl_gauss_margin(d, s0, s1, s2) / s.kl_gauss(d, s2, s0)
    assert np.allclose(r["sample"]["rel_margin"], rel[:4000], rtol=1e-11, atol=0)  # sigmas rounded
    assert r["n_inside"] == int((s0 ** 2 <= s1 ** 2 / d).sum())
    w = r["worst_inside"]
    assert w["kl_1"] == pytest.approx(s.kl_gauss(w["d"], w["sigma_1"], w["sigma_0"]), rel=1e-12)
    assert w["kl_2"] == pytest.approx(s.kl_gauss(w["d"], w["sigma_2"], w["sigma_0"]), rel=1e-12)


def test_joint_search_finds_no_violation_inside_or_outside_the_condition():
    r = s.joint_search(20_000, np.random.default_rng(1))
    assert r["violations"] == 0 and r["n_inside"] > 0 and r["n_outside"] > 0


def test_joint_mc_matches_the_closed_form():
    rng = np.random.default_rng(2)
    est, se = s.joint_kl_mc(lambda n, r: (r.uniform(0, 1, (n, 2)), np.zeros(n)), 2, 1.1, 0.5, 20_000, rng)
    assert abs(est - s.kl_gauss(2, 1.1, 0.5)) < 5 * se  # 5 SE


def test_joint_search_counts_violations_when_the_kl_decreases(monkeypatch):
    real = s._kl_from_u
    monkeypatch.setattr(s, "_kl_from_u", lambda d, u, log1p_u: -real(d, u, log1p_u))  # KL_2 < KL_1
    r = s.joint_search(3000, np.random.default_rng(5))
    assert r["violations"] == 3000 and r["max_rel_disagreement"] > 1
