"""The q1(b) numerics: Gaussian KL transcription, smoothed densities, marginal quadratures, searches."""
import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy import integrate, optimize, stats

from derivations import gaussian_kl as g
from verify import q1_search as s


def test_kl_gauss_transcribes_the_derivation():
    f = sp.lambdify((g.d, g.s1, g.s0), g.kl_isotropic(), "numpy")
    for d, a, b in [(1, 0.7, 0.2), (50, 3.0, 0.1), (3, 1.0001, 1.0)]:
        assert np.isclose(s.kl_gauss(d, a, b), f(d, a, b), rtol=1e-8, atol=1e-15)  # cancellation near r=1


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


def test_gauss_kronrod_rules_integrate_polynomials_of_their_degree_exactly():
    x = s.GK_NODES
    for k in range(0, 24, 2):  # odd powers vanish by symmetry of the nodes
        exact = 2 / (k + 1)
        assert s.GK_WEIGHTS @ x ** k == pytest.approx(exact, rel=1e-14)  # K15: degree 22
        if k <= 13:
            assert s.G7_WEIGHTS @ x[1::2] ** k == pytest.approx(exact, rel=1e-14)  # G7: degree 13


@pytest.mark.parametrize("x, L, sd", [(-0.9, 1.5, 0.3), (0.1, 1.5, 0.3), (0.75, 1.5, 0.3), (2.1, 1.5, 0.3),
                                      (1.55, 1.5, 0.01), (-0.3, 0.2, 2.0)])
def test_uniform_smoothed_density_is_the_convolution(x, L, sd):
    ref, _ = integrate.quad(lambda y: stats.norm.pdf(x - y, scale=sd) / L, 0, L, epsabs=0, epsrel=1e-12,
                            points=[min(max(x, 0), L)])
    assert np.exp(s.log_uniform_smoothed(x, L, sd)) == pytest.approx(ref, rel=1e-9)  # quad's tolerance


@pytest.mark.parametrize("x, gam, sd", [(0.0, 0.5, 0.3), (1.7, 0.5, 0.3), (-40.0, 0.2, 1.5), (3.0, 0.1, 0.02)])
def test_voigt_density_is_the_convolution(x, gam, sd):
    f = lambda y: stats.cauchy.pdf(y, scale=gam) * stats.norm.pdf(x - y, scale=sd)
    lo, hi = min(0.0, x) - 12 * sd, max(0.0, x) + 12 * sd
    parts = [integrate.quad(f, -np.inf, lo, epsabs=0, epsrel=1e-12)[0],
             integrate.quad(f, lo, hi, epsabs=0, epsrel=1e-12, points=[0.0, x], limit=200)[0],
             integrate.quad(f, hi, np.inf, epsabs=0, epsrel=1e-12)[0]]
    assert np.exp(s.log_voigt(x, gam, sd)) == pytest.approx(sum(parts), rel=1e-9)  # quad's tolerance


GAUSS_CASES = [(0.3, 0.7, 0.2), (0.3, 0.2, 0.7), (1e-10, 2.0, 0.01), (1e-10, 0.01, 2.0), (0.5, 1.0, 1.0001)]


@pytest.mark.parametrize("v, s_a, s_b", GAUSS_CASES)
def test_quadrature_kl_of_two_gaussians_is_the_closed_form_within_its_error_estimate(v, s_a, s_b):
    one = np.ones((1, 1))
    kl, err = s.kl_mixture(one, 0.4 * one, v * one, np.array([s_a]), np.array([s_b]))
    exact = s.kl_gauss(1, np.sqrt(v + s_a ** 2), np.sqrt(v + s_b ** 2))
    assert abs(kl[0] - exact) <= err[0] + 1e-14 * exact  # the estimate bounds the error (plus round-off)
    # and is small: panels are refined to 1e-10 of int |integrand| (~1e-4 in the last case, whose KL
    # 4e-9 is a cancellation)
    assert err[0] <= 1e-8 * exact + 1e-14


def test_error_estimate_bounds_the_error_for_narrow_separated_modes():
    # modes 40 apart with widths <= 0.3: their overlap is below e^-1000, so the mixture KL is exactly
    # sum_k w_k KL(component_k): the forward case (wide law against narrow modes) that GH got wrong
    w, mu, v = np.array([[0.3, 0.7]]), np.array([[-20.0, 20.0]]), np.array([[1e-10, 1e-6]])
    sa, sb = np.array([0.3]), np.array([0.01])
    kl, err = s.kl_mixture(w, mu, v, sa, sb)
    exact = sum(w[0, k] * s.kl_gauss(1, np.sqrt(v[0, k] + 0.09), np.sqrt(v[0, k] + 1e-4)) for k in range(2))
    assert abs(kl[0] - exact) <= err[0] + 1e-14 * exact and err[0] <= 1e-8 * exact


def test_mixture_quadrature_matches_an_independent_quad_where_modes_overlap():
    # forward direction: the wide law q_1.5 covers both narrow modes of q_0.02, and log q_0.02 switches
    # from one mode to the other within ~1e-4 (the old Gauss-Hermite estimate: ~10)
    w, mu, v = np.array([0.3, 0.7]), np.array([-1.0, 2.0]), np.array([1e-8, 1e-6])
    sa, sb = 1.5, 0.02

    def terms(x, sd):
        var = v + sd ** 2
        return np.log(w) - 0.5 * np.log(2 * np.pi * var) - (x - mu) ** 2 / (2 * var)

    logq = lambda x, sd: np.logaddexp(*terms(x, sd))
    f = lambda x: np.exp(logq(x, sa)) * (logq(x, sa) - logq(x, sb))
    xc = optimize.brentq(lambda x: np.subtract(*terms(x, sb)), -1, 2, xtol=1e-15)  # the switch
    pts = [-1, xc - 1e-3, xc - 1e-4, xc, xc + 1e-4, xc + 1e-3, 2]
    ref, ref_err = integrate.quad(f, -25, 25, points=pts, epsabs=0, epsrel=1e-13, limit=400)
    kl, err = s.kl_mixture(w[None], mu[None], v[None], np.array([sa]), np.array([sb]))
    assert abs(kl[0] - ref) <= err[0] + ref_err and err[0] <= 1e-8 * ref


def test_uniform_quadrature_matches_mpmath_within_its_error_estimate():
    L, a, b = 1.0, 0.7, 0.2
    # reflected right of L/2 so that neither difference of normal cdfs cancels to 0
    p = lambda x, sd: ((mpmath.ncdf(x / sd) - mpmath.ncdf((x - L) / sd)) if x < L / 2 else
                       (mpmath.ncdf((L - x) / sd) - mpmath.ncdf(-x / sd))) / L
    with mpmath.workdps(30):
        ref = mpmath.quad(lambda x: p(x, a) * mpmath.log(p(x, a) / p(x, b)), [-8, 0, 0.5, 1, 9])
    kl, err = s.kl_uniform(L, a, b)
    assert abs(kl - float(ref)) <= err + 1e-15 and err < 1e-9  # tails beyond [-8, 9]: < 1e-20


def test_cauchy_quadrature_is_zero_for_equal_sigmas_and_positive_otherwise():
    assert abs(s.kl_cauchy(0.5, 0.3, 0.3)[0]) < 1e-15
    kl, err = s.kl_cauchy(0.5, 0.7, 0.2)
    assert kl > 0 and err < 1e-9


@pytest.mark.parametrize("name", ["uniform", "cauchy"])
def test_margins_are_the_differences_of_the_separate_kls(name):
    fam = s.FAMILIES[name]
    theta = fam.draw(6, np.random.default_rng(4))
    p, s0, s1, s2 = fam.decode(theta)
    kl = s.kl_uniform if name == "uniform" else s.kl_cauchy
    (k1, e1), (k2, e2) = kl(p, s1, s0), kl(p, s2, s0)
    m, e, scale = fam.margins(theta)["forward"]
    assert np.all(np.abs(m - (k2 - k1)) <= e + e1 + e2) and np.allclose(scale, k2, rtol=1e-9)


def test_marginal_search_is_deterministic():
    a = s.marginal_search({"mixture": 20, "uniform": 5}, refine_steps=2)
    b = s.marginal_search({"mixture": 20, "uniform": 5}, refine_steps=2)
    assert a == b
