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
    np.testing.assert_allclose(gmm.log_prob(x), ref, rtol=1e-12)


def test_score_and_hessian_match_central_differences():
    gmm, h = mixture(), 1e-5
    x = np.random.default_rng(1).normal(size=(20, 2))
    eye = np.eye(2)
    fd_score = np.stack([(gmm.log_prob(x + h * e) - gmm.log_prob(x - h * e)) / (2 * h) for e in eye], 1)
    fd_hess = np.stack([(gmm.score(x + h * e) - gmm.score(x - h * e)) / (2 * h) for e in eye], 2)
    # central differences: error O(h^2) ~ 1e-10 plus rounding eps/h ~ 1e-11
    np.testing.assert_allclose(gmm.score(x), fd_score, atol=1e-8)
    np.testing.assert_allclose(gmm.hessian(x), fd_hess, atol=1e-8)


def test_noised_mixture_has_the_moments_of_aX_plus_bZ():
    gmm, a, b = mixture(), 0.7, 0.4
    noised = gmm.noised(a, b)
    np.testing.assert_allclose(noised.mean(), a * gmm.mean(), rtol=1e-14)
    np.testing.assert_allclose(noised.covariance(), a * a * gmm.covariance() + b * b * np.eye(2),
                               rtol=1e-14)


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
        assert np.isclose(vp.integrated_beta(time), float(sym.vp_integrated_beta(tt).subs(subs)),
                          rtol=1e-14, atol=0)
        assert np.isclose(vp.alpha(time), float(sym.vp_alpha(tt).subs(subs)), rtol=1e-14)
        assert np.isclose(vp.sigma(time), float(sym.vp_sigma(tt).subs(subs)), rtol=1e-12)
