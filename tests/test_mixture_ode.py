"""verify.mixture_ode: the compiled fields match the numpy ones; the per-point DOP853 solves."""
import numpy as np
import pytest

from verify import mixture_ode
from verify.models import GaussianMixture, VPSchedule
from verify.q2_fields import RFVelocity, VPFlow
from verify.q2_fields import test_mixture as mixture, test_points as points  # not test functions


def _kernel_field(numpy_field, times, x):
    """The compiled field at (t_i, x_i), row by row: (n, d + m)."""
    kind, params, sched = numpy_field.kernel
    out = np.empty((len(x), x.shape[1] + mixture_ode.n_integrands(kind)))
    work = np.empty(mixture_ode.work_length(params))
    for i, (t, xi) in enumerate(zip(times, x)):
        mixture_ode.field(kind, t, xi, params, np.asarray(sched, float), work, out[i])
    return out


@pytest.mark.parametrize("d", [2, 5])
@pytest.mark.parametrize("make", [RFVelocity, VPFlow], ids=["rf", "vp"])
def test_compiled_fields_equal_the_numpy_fields(make, d):
    mix = mixture(d)
    x = points(mix, 40, np.random.default_rng(d), radii=(6.0,))
    times = np.random.default_rng(d + 1).uniform(0.02, 0.98, len(x))
    ref = make(mix)
    v, g = ref(times, x)
    np.testing.assert_allclose(_kernel_field(ref, times, x), np.hstack([v, g]), rtol=1e-11,
                               atol=1e-11)  # same formula, other summation order: rounding only


def test_log_determinant_survives_a_dimension_where_the_product_underflows():
    # d = 400, variances 0.1 at t = 1 (VP: c = lambda there): prod c = 1e-400 underflows float64
    d, sch = 400, VPSchedule()
    mix = GaussianMixture(np.array([0.6, 0.4]), np.zeros((2, d)), np.stack([0.1 * np.eye(d)] * 2))
    x = np.full((1, d), 0.05)
    ref = VPFlow(mix, sch)
    v, g = ref(np.zeros(1), x)
    np.testing.assert_allclose(_kernel_field(ref, [0.0], x), np.hstack([v, g]), rtol=1e-11)


def _gaussian_rf(s: float, m: float, d: int = 2):
    """RF to N(m, s^2 I): x_t = sigma_t x_0 + t m, sigma_t = sqrt(t^2 s^2 + (1 - t)^2), so the
    flow from t = 1 back to 0 ends at (x - m) / s with int_0^1 div u = d log s."""
    return RFVelocity(GaussianMixture.gaussian(np.full(d, m), s * s))


def test_adaptive_and_halved_solves_of_a_gaussian_flow_are_exact_to_tolerance():
    s, m = 2.5, 0.7
    x = np.array([[0.0, 0.0], [3.0, -2.0], [12.0, 10.0]])  # includes a far tail point
    coarse, fine, evals = mixture_ode.solve(*_gaussian_rf(s, m).kernel, x, 1.0, 0.0, 1e-10, 1e-10)
    exact = np.hstack([(x - m) / s, np.full((3, 1), -2 * np.log(s))])  # integral from 1 down to 0
    assert np.abs(coarse - exact).max() < 1e-8 and np.abs(fine - exact).max() < 1e-10
    assert np.all(evals > 0)


def test_solver_matches_solve_ivp_reference():
    from scipy.integrate import solve_ivp
    mix = mixture(2)
    x = points(mix, 6, np.random.default_rng(4), radii=(5.0,))
    field = RFVelocity(mix)
    _, fine, _ = mixture_ode.solve(*field.kernel, x, 1.0, 0.0, 1e-12, 1e-12)

    n = x.size  # state entries of the points; their integrals follow (one per point)

    def stacked(t, y):  # scipy's reference: one state vector for the whole batch
        v, g = field(t, y[:n].reshape(x.shape))
        return np.concatenate([v.ravel(), g.ravel()])

    ref = solve_ivp(stacked, (1.0, 0.0), np.concatenate([x.ravel(), np.zeros(len(x))]),
                    method="DOP853", rtol=1e-12, atol=1e-12).y[:, -1]
    # both solves ~1e-11 accurate (global errors of 1e-12 local tolerances)
    np.testing.assert_allclose(fine[:, :2].ravel(), ref[:n], rtol=0, atol=1e-9)
    np.testing.assert_allclose(fine[:, 2], ref[n:], rtol=0, atol=1e-9)


def test_a_point_that_is_nan_fails_fast_with_a_failure_code():
    x = np.array([[0.5, 0.5], [np.nan, 0.0]])
    _, _, evals = mixture_ode.solve(*RFVelocity(mixture(2)).kernel, x, 1.0, 0.0, 1e-10, 1e-10)
    assert evals[0] > 0 and evals[1] == mixture_ode.NOT_FINITE


def test_an_empty_time_span_returns_the_start():
    x = np.ones((2, 2))
    coarse, fine, evals = mixture_ode.solve(*RFVelocity(mixture(2)).kernel, x, 0.5, 0.5, 1e-8, 1e-8)
    assert np.array_equal(coarse[:, :2], x) and np.all(fine[:, 2] == 0) and np.all(evals == 1)
