"""derivations.likelihood: change of variables, the VP and RF formulas, the RF velocity."""
import numpy as np
import sympy as sp
from scipy.integrate import quad

from derivations import likelihood as L


def test_log_density_along_gaussian_flow_changes_by_minus_divergence():
    r = L.change_of_variables_gaussian()
    assert r["residual"] == 0 and r["continuity"] == 0


def test_vp_log_likelihood_has_the_drift_divergence_term():
    expected = L.log_pT - L.int_beta_div_s / 2 - L.d * L.int_beta / 2
    assert sp.simplify(L.vp_log_likelihood() - expected) == 0


def test_rf_log_likelihood_subtracts_the_divergence_integral():
    assert sp.simplify(L.rf_log_likelihood() - (L.log_p0 - L.int_div_v)) == 0


def test_rf_velocity_equals_tweedie_form_and_solves_continuity():
    assert sp.simplify(L.rf_gaussian_velocity() - L.rf_tweedie_velocity()) == 0
    assert L.rf_continuity_residual(L.rf_gaussian_velocity()) == 0


def test_rf_velocity_matches_quadrature_of_its_defining_integral():
    # u_t(x) = int (x1 - x)/(1-t) N(x; t x1, (1-t)^2) p1(x1) dx1 / p_t(x), target N(mu, c^2)
    mu, c, t, x = 0.7, 0.4, 0.35, -0.3
    mu_s, c_s = sp.Symbol("mu", real=True), sp.Symbol("c", positive=True)
    f = sp.lambdify([L.x, L.t, mu_s, c_s], L.rf_gaussian_velocity())
    w = lambda x1: np.exp(-0.5 * ((x - t * x1) / (1 - t)) ** 2 - 0.5 * ((x1 - mu) / c) ** 2)
    num = quad(lambda x1: (x1 - x) / (1 - t) * w(x1), -10, 10, epsabs=1e-13)[0]
    den = quad(w, -10, 10, epsabs=1e-13)[0]
    assert abs(num / den - f(x, t, mu, c)) < 1e-10  # quad at epsabs 1e-13 on a smooth integrand
