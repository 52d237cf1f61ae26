"""Shared analytic models against independent references (scipy, finite differences, sympy)."""
import numpy as np
import sympy as sp
from scipy.stats import multivariate_normal

from derivations import schedules as sym
from verify.models import GaussianMixture, VPSchedule


def mixture():
    return GaussianMixture(np.array([0.2, 0.5, 0.3]),
                           np.array([[-2.0, 0.5], [1.0, 1.0], [0.5, -2.0]]),
                           np.array([[[1.0, 0.6], [0.6, 0.8]], [[0.3, 0.0], [0.0, 1.5]],
                                     [[0.5, -0.2], [-0.2, 0.4]]]))


def test_log_prob_matches_scipy():
    gmm = mixture()
    x = np.random.default_rng(0).normal(size=(50, 2)) * 3
    ref = np.log(sum(w * multivariate_normal(m, c).pdf(x)
                     for w, m, c in zip(gmm.weights, gmm.means, gmm.covs)))
    # log p in [-34, -2] here (never near 0): a few ulps of rounding on each side, far below 1e-12
    np.testing.assert_allclose(gmm.log_prob(x), ref, rtol=1e-12)


def test_score_and_hessian_match_central_differences():
    gmm, h = mixture(), 1e-5
    x = np.random.default_rng(1).normal(size=(20, 2))
    eye = np.eye(2)
    fd_score = np.stack([(gmm.log_prob(x + h * e) - gmm.log_prob(x - h * e)) / (2 * h) for e in eye], 1)
    fd_hess = np.stack([(gmm.score(x + h * e) - gmm.score(x - h * e)) / (2 * h) for e in eye], 2)
    # central differences: error O(h^2) ~ 1e-10 plus rounding eps/h ~ 1e-11 (5e-9 measured on the
    # Hessian: truncation, the same on any machine); rtol=0, as numpy's default 1e-7 would add ~1e-6
    np.testing.assert_allclose(gmm.score(x), fd_score, rtol=0, atol=1e-8)
    np.testing.assert_allclose(gmm.hessian(x), fd_hess, rtol=0, atol=1e-8)


def _within(got, want, bound):
    """|got - want| <= bound entrywise (bound an array: each entry's own rounding bound)."""
    assert np.all(np.abs(got - want) <= bound), f"{got} vs {want}, bounds {bound}"


def test_noised_mixture_has_the_moments_of_aX_plus_bZ():
    gmm, a, b = mixture(), 0.7, 0.4
    noised = gmm.noised(a, b)
    w, mu, cov = gmm.weights, np.abs(gmm.means), np.abs(gmm.covs)
    # E[X]_2 = 0.2 * 0.5 + 0.5 * 1 - 0.3 * 2 = 0, computed as 0.0 or a rounding residue by kernel
    # (an FMA chain gives 2.66e-17 for the noised means): each entry within the rounding bound of
    # its sums, |fl(sum) - sum| <= n u sum |terms| (u = eps / 2, n roundings per term; Higham,
    # Accuracy and Stability, 3.1); eps per rounding doubles that, covering both sides' errors
    eps, m_abs = np.finfo(float).eps, w @ mu
    # 3 terms: 1 rounding for a, 1 per product, 2 additions: n = 4
    _within(noised.mean(), a * gmm.mean(), 4 * eps * a * m_abs)
    cov_scale = (a * a * np.einsum("k,kij->ij", w, cov + np.einsum("ki,kj->kij", mu, mu))
                 + b * b * np.eye(2) + a * a * np.outer(m_abs, m_abs))
    # per entry at most 8 roundings (a^2, + b^2 I, mu mu^T, + Sigma, * pi, 3-term sum, - m m^T)
    _within(noised.covariance(), a * a * gmm.covariance() + b * b * np.eye(2), 8 * eps * cov_scale)


def test_samples_have_the_mixture_mean_within_5_se():
    gmm = mixture()
    x = gmm.sample(40_000, np.random.default_rng(2))
    se = np.sqrt(np.diag(gmm.covariance()) / len(x))
    assert np.all(np.abs(x.mean(0) - gmm.mean()) < 5 * se)


def test_vp_schedule_transcribes_the_sympy_derivation():
    vp = VPSchedule()
    subs = {sym.beta_min: sp.Rational(1, 10), sym.beta_max: 20}
    for time in (0.0, 1e-4, 0.3, 1.0):
        tt = sp.nsimplify(time)
        # elementwise float64 (no BLAS), no cancellation: int beta is a sum of two terms >= 0, alpha
        # = exp(-B/2), sigma = sqrt(-expm1(-B)), each within a few ulps relative, hence rtol alone;
        # at t = 0 both sides are exactly 0.0 (0 * x = 0, expm1(-0) = -0, sqrt(0) = 0), so atol = 0
        assert np.isclose(vp.integrated_beta(time), float(sym.vp_integrated_beta(tt).subs(subs)),
                          rtol=1e-14, atol=0)
        assert np.isclose(vp.alpha(time), float(sym.vp_alpha(tt).subs(subs)), rtol=1e-14, atol=0)
        assert np.isclose(vp.sigma(time), float(sym.vp_sigma(tt).subs(subs)), rtol=1e-12, atol=0)
