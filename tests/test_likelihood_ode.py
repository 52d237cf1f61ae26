"""verify.likelihood_ode: augmented ODE with per-point error bounds."""
import numpy as np

from verify.likelihood_ode import integrate, log_likelihood
from verify.models import GaussianMixture


def _ou_field(t, x):
    # v = -x/2 (N(0, c) -> scaled Gaussian): div v = -d/2, exact
    return -0.5 * x, np.full((len(x), 1), -0.5 * x.shape[1])


def test_integrals_of_constant_divergence_are_exact():
    sol = integrate(_ou_field, np.ones((3, 2)), 0.0, 2.0)
    assert np.allclose(sol.integrals[:, 0], -2.0, atol=1e-12)  # -d/2 * 2 = -2, float eps level
    assert np.allclose(sol.x_end, np.exp(-1.0), rtol=1e-10)  # rtol 1e-10 solve


def test_gaussian_likelihood_through_linear_flow_meets_per_point_tolerance():
    # x_t = e^{-t/2} x_0: p_0 = N(0, 4I) maps to N(0, 4e^{-2} I) at t = 2
    x = np.array([[0.0, 0.0], [3.0, -2.0], [12.0, 10.0]])  # includes a far tail point
    end = GaussianMixture.gaussian(np.zeros(2), 4 * np.exp(-2.0))
    sol = log_likelihood(_ou_field, end.log_prob, x, 0.0, 2.0)
    exact = GaussianMixture.gaussian(np.zeros(2), 4.0).log_prob(x)
    assert sol.guaranteed and np.abs(sol.value - exact).max() <= 1e-8
