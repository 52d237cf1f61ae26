"""The q1(b) marginal search: scale invariance, the families' margins, determinism, counting, and
the certificates."""
import numpy as np
import pytest

from verify.numerics import smoothed_kl as q
from verify.numerics.smoothed_kl import MixtureLaw, margins
from verify.q1 import marginals as mg

SMALL = {"spike_broad": 12, "uniform": 4}


@pytest.mark.parametrize("c", [1e-3, 7.0, 1e4])
def test_margins_are_scale_invariant(c):
    # x -> c x maps (q0, sigma) to (q0(./c)/c, c sigma): every KL is unchanged, the premise of the
    # search's units (sigma_0 = 1)
    w, mu, v = np.array([[0.3, 0.7]]), np.array([[0.0, 2.0]]), np.array([[1e-6, 9.0]])
    S = np.array([[1.0, 4.0, 30.0]])
    base = margins(MixtureLaw(w, mu, v, S))
    scaled = margins(MixtureLaw(w, c * mu, c * c * v, c * S))
    for d in ("forward", "reverse"):
        (m, e, k), (ms, es, ks) = base[d], scaled[d]
        assert abs(m[0] - ms[0]) <= e[0] + es[0] and abs(k[0] - ks[0]) <= 1e-9 * k[0]  # 1e-9: bounds


@pytest.mark.parametrize("name", ["uniform", "cauchy"])
def test_scalar_margins_are_the_differences_of_the_separate_kls(name):
    fam = mg.FAMILIES[name]
    theta = fam.draw(6, np.random.default_rng(4))
    p, s0, s1, s2 = fam.decode(theta)
    kl = q.kl_uniform if name == "uniform" else q.kl_cauchy
    (k1, e1), (k2, e2) = kl(p, s1, s0), kl(p, s2, s0)
    m, e, scale = fam.margins(theta)["forward"]
    # each side's own error bounds, plus 1e-15 nats for a KL at the rounding of its O(1) terms
    assert np.all(np.abs(m - (k2 - k1)) <= e + e1 + e2 + 1e-15)
    assert np.all(np.abs(scale - k2) <= e + e2 + 1e-15)


def test_mixture_family_decodes_in_units_of_sigma_0_within_its_ranges():
    fam = mg.FAMILIES["spike_broad"]
    w, mu, v0, s0, s1, s2 = fam.decode(fam.draw(200, np.random.default_rng(1)) * 3)  # beyond ranges
    assert np.all(s0 == 1.0) and np.all(s1 > s0) and np.all(s2 > s1)
    top = 10 ** mg.LOG10_RATIO[1] * (1 + 1e-12)  # s2 / s1 rounds a few ulps off the clipped ratio
    assert np.all(s1 <= top) and np.all(s2 / s1 <= top)
    sd = np.sqrt(v0)
    assert np.all(sd[:, 0] <= 0.1) and np.all(sd[:, 1] >= 1.0) and np.allclose(w.sum(axis=1), 1)


def test_marginal_search_is_deterministic():
    assert mg.marginal_search(SMALL) == mg.marginal_search(SMALL)


def test_marginal_search_counts_every_configuration_it_can_sign_negative(monkeypatch):
    def fake_margins(law):  # a margin below minus its error bound, in both directions
        n = law.S.shape[0]
        m, e, k2 = np.full(n, -0.5), np.full(n, 1e-9), np.ones(n)
        return {"forward": (m, e, k2), "reverse": (m, e, k2)}

    monkeypatch.setattr(mg, "margins", fake_margins)
    r = mg.marginal_search({"uniform": 4})
    row = r["families"]["uniform"]["forward"]
    assert row["counterexamples"] == row["n"] == 4 + mg.PROPOSALS * mg.REFINE_STEPS
    assert r["counterexamples"] == 2 * row["n"] and r["configs"] == 2 * row["n"]


def test_certify_confirms_a_known_counterexample_and_refuses_a_positive_margin():
    # a near point mass beside a mode 10^3 sigma_0 wide: KL(q_s1||q_s0) > KL(q_s2||q_s0)
    params = [0.5, 0.5, 0.0, 0.0, 1e-6, 1e6, 1.0, 10.0, 1000.0]
    m, e, _ = margins(MixtureLaw(np.array([params[:2]]), np.array([params[2:4]]),
                                               np.array([params[4:6]]), np.array([params[6:]])))["forward"]
    row = {"worst_params": params, "worst_margin": float(m[0]), "worst_err": float(e[0])}
    (cert,) = mg.certify({"families": {"spike_broad": {"forward": row}}})
    assert cert["certified"] and cert["margin"] < -0.5 and cert["err"] < 1e-12
    # the float quadrature and mpmath agree within both bounds
    assert abs(cert["margin"] - float(m[0])) <= cert["err"] + float(e[0])
    assert cert["d_max"] == 100  # (sigma_1/sigma_0)^2
    positive = {**row, "worst_margin": 0.1}
    assert mg.certify({"families": {"spike_broad": {"forward": positive}}}) == []


def test_a_margin_at_float_rounding_is_not_a_counterexample(monkeypatch):
    # KLs of ~1e-16 nats (q0 features far wider than every sigma) can round below minus their
    # quadrature bound; below the rounding floor KL_FLOOR nothing is signed
    def rounding_margins(law):
        n = law.S.shape[0]
        m, e, k2 = np.full(n, -4e-16), np.full(n, 1e-16), np.full(n, -3e-16)
        return {"forward": (m, e, k2), "reverse": (m, e, k2)}

    monkeypatch.setattr(mg, "margins", rounding_margins)
    row = mg.marginal_search({"cauchy": 3})["families"]["cauchy"]["reverse"]
    assert row["counterexamples"] == 0 and row["inconclusive"] == 3
