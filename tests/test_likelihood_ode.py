"""verify.likelihood_ode: per-point DOP853, Richardson error estimates, exact log-likelihoods."""
import numpy as np
import pytest

from scipy.integrate import solve_ivp

from verify.likelihood_ode import halve, integrate, integrate_on_mesh, log_likelihood
from verify.models import GaussianMixture
from verify.q2_fields import RFVelocity, standard_normal_log_prob
from verify.q2_fields import test_mixture as mixture, test_points as points  # not test functions


def _ou_field(t, x):
    # v = -x/2 (N(0, c) -> scaled Gaussian): div v = -d/2, exact
    return -0.5 * x, np.full((len(x), 1), -0.5 * x.shape[1])


def _cos_field(t, x):
    # v = cos(t) x: x(t) = x(t0) exp(sin t - sin t0), div v = d cos t; t is one time per row
    c = np.cos(np.broadcast_to(t, (len(x),)))
    return c[:, None] * x, x.shape[1] * c[:, None]


def test_integrals_of_constant_divergence_are_exact():
    sol = integrate(_ou_field, np.ones((3, 2)), 0.0, 2.0)
    assert np.allclose(sol.integrals[:, 0], -2.0, atol=1e-12)  # -d/2 * 2 = -2, float eps level
    assert np.allclose(sol.x_end, np.exp(-1.0), rtol=1e-10)  # rtol 1e-10 solve


def test_fixed_mesh_dop853_has_order_eight():
    # uniform meshes of 8, 16, 32 steps on [0, 6] (errors 3e-7 .. 3e-12, above rounding): the error
    # of an order-8 method falls by 2^8 per halving; observed 8.1 and 8.6 (the O(h^9) term still
    # shows), so 7.7 .. 8.7 separates order 8 from 7 and 9
    x = np.array([[1.0, -2.0]])
    exact = x * np.exp(np.sin(6.0))
    errs = [np.abs(integrate_on_mesh(_cos_field, x, np.linspace(0.0, 6.0, s + 1)[None]).x_end
                   - exact).max() for s in (8, 16, 32)]
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all((orders > 7.7) & (orders < 8.7)), orders


def test_adaptive_solve_is_accurate_per_point_with_time_vectors():
    # rows start far apart in size: each is controlled by its own norm (rtol 1e-10 local)
    x = np.array([[1e-3, 0.0], [1.0, 2.0], [300.0, -40.0]])
    sol = integrate(_cos_field, x, 0.0, 6.0, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(sol.x_end, x * np.exp(np.sin(6.0)), rtol=1e-8)  # global <= 100 x local
    np.testing.assert_allclose(sol.integrals[:, 0], 2 * np.sin(6.0), atol=1e-9)
    assert np.all(sol.mesh[:, 0] == 0.0) and np.all(np.nanmax(sol.mesh, axis=1) == 6.0)


def test_halve_inserts_midpoints_and_keeps_padding_at_the_end():
    mesh = np.array([[1.0, 0.5, 0.0], [1.0, 0.0, np.nan]])
    out = halve(mesh)
    np.testing.assert_array_equal(out[0], [1.0, 0.75, 0.5, 0.25, 0.0])
    np.testing.assert_array_equal(out[1, :3], [1.0, 0.5, 0.0])
    assert np.all(np.isnan(out[1, 3:]))


def test_per_point_solver_matches_solve_ivp_reference():
    mix = mixture(2)
    x = points(mix, 6, np.random.default_rng(4), radii=(5.0,))
    field = RFVelocity(mix)
    ours = integrate(field, x, 1.0, 0.0, rtol=1e-12, atol=1e-12)

    n = x.size  # state entries of the points; their integrals follow (one per point)

    def stacked(t, y):  # scipy's reference: one state vector for the whole batch
        v, g = field(t, y[:n].reshape(x.shape))
        return np.concatenate([v.ravel(), g.ravel()])

    ref = solve_ivp(stacked, (1.0, 0.0), np.concatenate([x.ravel(), np.zeros(len(x))]),
                    method="DOP853", rtol=1e-12, atol=1e-12).y[:, -1]
    # both solves ~1e-11 accurate (global errors of 1e-12 local tolerances)
    np.testing.assert_allclose(ours.x_end.ravel(), ref[:n], rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours.integrals.ravel(), ref[n:], rtol=0, atol=1e-9)


def test_gaussian_likelihood_through_linear_flow_meets_per_point_tolerance():
    # x_t = e^{-t/2} x_0: p_0 = N(0, 4I) maps to N(0, 4e^{-2} I) at t = 2
    x = np.array([[0.0, 0.0], [3.0, -2.0], [12.0, 10.0]])  # includes a far tail point
    end = GaussianMixture.gaussian(np.zeros(2), 4 * np.exp(-2.0))
    sol = log_likelihood(_ou_field, end.log_prob, x, 0.0, 2.0)
    exact = GaussianMixture.gaussian(np.zeros(2), 4.0).log_prob(x)
    assert sol.within_tol and np.abs(sol.value - exact).max() <= 1e-8


def test_richardson_bound_covers_the_error_at_every_point_including_tails():
    mix = mixture(2)
    x = points(mix, 24, np.random.default_rng(5), radii=(4.0, 6.0, 8.0))
    sol = log_likelihood(RFVelocity(mix), standard_normal_log_prob, x, 1.0, 0.0, tol=1e-8,
                         rtol=1e-10, atol=1e-10)
    err = np.abs(sol.value - mix.log_prob(x))  # analytic mixture density: exact to ~1e-14
    assert sol.within_tol and err.max() <= 1e-8
    assert np.all(err <= sol.error_estimate + 1e-13)  # + float rounding of the analytic value


def test_a_points_result_does_not_depend_on_its_batch_mates():
    mix = mixture(2)
    x = points(mix, 5, np.random.default_rng(6), radii=(6.0,))
    field = RFVelocity(mix)
    batch = log_likelihood(field, standard_normal_log_prob, x, 1.0, 0.0)
    for i in (1, 9):  # a mixture draw, a tail point
        alone = log_likelihood(field, standard_normal_log_prob, x[i:i + 1], 1.0, 0.0)
        # per-point steps and elementwise kernels: the same steps, so equal up to float rounding
        # (bitwise equal on x86-64; a shared step size, as in solve_ivp, moves values by ~1e-10)
        assert abs(alone.value[0] - batch.value[i]) <= 1e-13
        assert abs(alone.error_estimate[0] - batch.error_estimate[i]) <= 1e-13
        assert alone.evals[0] == batch.evals[i]


def test_a_field_that_turns_nan_fails_fast_instead_of_retrying_forever():
    calls = []

    def blows_up(t, x):  # finite for |x| < 1.5, NaN beyond: the solve cannot pass x = 1.5
        calls.append(1)
        v = np.where(np.abs(x) < 1.5, x, np.nan)
        return v, np.ones((len(x), 1))

    with pytest.raises(RuntimeError, match="step size underflow"):
        integrate(blows_up, np.array([[1.0], [0.1]]), 0.0, 2.0)
    assert len(calls) < 5000  # the step shrinks by 0.2 per rejection (was 1.2e6 calls)


def test_an_empty_time_span_returns_the_start():
    sol = integrate(_ou_field, np.ones((2, 3)), 0.5, 0.5)
    assert np.array_equal(sol.x_end, np.ones((2, 3))) and np.all(sol.integrals == 0)
