"""The q1(b) numerics: Gaussian KL transcription, marginal quadratures, searches."""
import mpmath
import numpy as np
import sympy as sp

from derivations import gaussian_kl as g
from verify import q1_search as s


def test_kl_gauss_transcribes_the_derivation():
    f = sp.lambdify((g.d, g.s1, g.s0), g.kl_isotropic(), "numpy")
    for d, a, b in [(1, 0.7, 0.2), (50, 3.0, 0.1), (3, 1.0001, 1.0)]:
        assert np.isclose(s.kl_gauss(d, a, b), f(d, a, b), rtol=1e-8, atol=1e-15)  # cancellation near r=1


def test_mixture_quadrature_of_a_single_gaussian_is_exact():
    kl, err = s.kl_mixture(np.ones((1, 1)), np.zeros((1, 1)), np.array([[0.3]]), np.array([0.7]),
                           np.array([0.2]))
    assert abs(kl[0] - s.kl_gauss(1, np.sqrt(0.79), np.sqrt(0.34))) < 1e-13  # float64 round-off
    assert err[0] < 1e-12


def test_uniform_quadrature_matches_mpmath():
    L, a, b = 1.0, 0.7, 0.2
    # reflected right of L/2 so that neither difference of normal cdfs cancels to 0
    p = lambda x, sd: ((mpmath.ncdf(x / sd) - mpmath.ncdf((x - L) / sd)) if x < L / 2 else
                       (mpmath.ncdf((L - x) / sd) - mpmath.ncdf(-x / sd))) / L
    with mpmath.workdps(30):
        ref = mpmath.quad(lambda x: p(x, a) * mpmath.log(p(x, a) / p(x, b)), [-8, 0, 0.5, 1, 9])
    kl, err = s.kl_uniform(L, a, b)
    assert abs(kl - float(ref)) < 1e-9 and err < 1e-9  # quadrature tolerance of the search


def test_cauchy_quadrature_is_small_for_equal_sigmas_and_positive_otherwise():
    assert abs(s.kl_cauchy(0.5, 0.3, 0.3)[0]) < 1e-15
    kl, err = s.kl_cauchy(0.5, 0.7, 0.2)
    assert kl > 0 and err < 1e-9


def test_joint_search_finds_no_violation_inside_or_outside_the_condition():
    r = s.joint_search(20_000, np.random.default_rng(1))
    assert r["violations"] == 0 and r["n_inside"] > 0 and r["n_outside"] > 0


def test_joint_mc_matches_the_closed_form():
    rng = np.random.default_rng(2)
    est, se = s.joint_kl_mc(lambda n, r: (r.uniform(0, 1, (n, 2)), np.zeros(n)), 2, 1.1, 0.5, 20_000, rng)
    assert abs(est - s.kl_gauss(2, 1.1, 0.5)) < 5 * se  # 5 SE


def test_marginal_search_is_deterministic():
    a = s.marginal_search({"mixture": 20}, refine_steps=2)
    b = s.marginal_search({"mixture": 20}, refine_steps=2)
    assert a["families"] == b["families"]
