"""verify.numerics.likelihood_ode: exact log-likelihoods with per-point Richardson error estimates."""
import numpy as np
import pytest

from verify.numerics.likelihood_ode import log_likelihood, richardson
from verify.models import GaussianMixture
from verify.q2.fields import RFVelocity, VPFlow, standard_normal_log_prob
from verify.q2.fields import test_mixture as mixture, test_points as points  # not test functions


def test_gaussian_likelihood_through_rectified_flow_meets_per_point_tolerance():
    target = GaussianMixture.gaussian(np.array([0.7, -0.3]), 6.25)
    x = np.array([[0.0, 0.0], [3.0, -2.0], [12.0, 10.0]])  # includes a far tail point
    sol = log_likelihood(RFVelocity(target), standard_normal_log_prob, x, 1.0, 0.0)
    assert sol.within_tol and np.abs(sol.value - target.log_prob(x)).max() <= 1e-8


@pytest.mark.parametrize("make, t0, t1", [(RFVelocity, 1.0, 0.0), (VPFlow, 0.0, 1.0)],
                         ids=["rf", "vp"])
def test_richardson_estimate_covers_the_error_at_every_point_including_tails(make, t0, t1):
    mix = mixture(2)
    x = points(mix, 24, np.random.default_rng(5), radii=(4.0, 6.0, 8.0))
    field = make(mix)
    end = standard_normal_log_prob if make is RFVelocity else field.log_p_T
    sol = log_likelihood(field, end, x, t0, t1, tol=1e-8, rtol=1e-10, atol=1e-10)
    err = np.abs(sol.value - mix.log_prob(x))  # analytic mixture density: exact to ~1e-14
    assert sol.within_tol and err.max() <= 1e-8
    assert np.all(err <= sol.error_estimate + 1e-13)  # + float rounding of the analytic value


def test_a_points_result_does_not_depend_on_its_batch_mates_or_the_threads():
    mix = mixture(2)
    x = points(mix, 5, np.random.default_rng(6), radii=(6.0,))
    field = RFVelocity(mix)
    batch = richardson(field, x, 1.0, 0.0, 1e-10, 1e-10)
    threaded = richardson(field, x, 1.0, 0.0, 1e-10, 1e-10, threads=3)
    # bitwise by construction: each point is solved alone in compiled arithmetic (no BLAS, no
    # cross-point sums), whichever thread or batch runs it (see test_mixture_ode)
    for a, b in zip(batch, threaded):
        assert np.array_equal(a, b)
    for i in (1, 9):  # a mixture draw, a tail point
        alone = richardson(field, x[i:i + 1], 1.0, 0.0, 1e-10, 1e-10)
        for a, b in zip(alone, batch):
            assert np.array_equal(a[0], b[i])


def test_tighter_rounds_run_only_for_points_over_tolerance():
    mix = mixture(2)
    x = points(mix, 24, np.random.default_rng(7), radii=(6.0,))
    args = (RFVelocity(mix), standard_normal_log_prob, x, 1.0, 0.0)
    opts = dict(tol=1e-9, rtol=1e-9, atol=1e-9)
    first = log_likelihood(*args, max_rounds=1, **opts)
    over = first.error_estimate > 1e-9
    assert 0 < over.sum() < len(x)  # the case this test is about: some points need a second round
    both = log_likelihood(*args, max_rounds=2, **opts)
    assert np.array_equal(both.rounds, np.where(over, 2, 1))
    assert np.array_equal(both.value[~over], first.value[~over])  # the same first round, bitwise
    assert np.all(both.error_estimate[over] < first.error_estimate[over])


def test_a_failed_solve_raises_naming_the_callers_row():
    x = np.array([[0.0, 0.0], [np.nan, 0.0]])
    field = RFVelocity(mixture(2))
    with pytest.raises(RuntimeError, match="row 1: the step size is not finite"):
        log_likelihood(field, standard_normal_log_prob, x, 1.0, 0.0)
    with pytest.raises(RuntimeError, match="row 7: "):
        richardson(field, x, 1.0, 0.0, 1e-10, 1e-10, rows=np.array([5, 7]))
