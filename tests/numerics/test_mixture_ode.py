"""verify.numerics.mixture_ode: the compiled fields match the numpy ones; the per-point DOP853 solves."""
import numpy as np
import pytest
from numba import njit

from verify.numerics import mixture_ode
from verify.models import GaussianMixture, VPSchedule
from verify.q2.fields import RFVelocity, VPFlow
from verify.q2.fields import test_mixture as mixture, test_points as points  # not test functions


def _kernel_field(numpy_field, times, x):
    """The compiled field at (t_i, x_i), the rows on lanes: (n, d + m)."""
    return mixture_ode.evaluate(*numpy_field.kernel, np.asarray(times, float), x)


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
    # d = 400, VP at t = 0 (c = lambda): prod c = 1e-400 underflows float64, and the two components'
    # determinants differ by e^{400 log(1.005)} ~ e^2, so a wrong log-determinant moves the weights
    d, sch = 400, VPSchedule()
    covs = np.stack([0.1 * np.eye(d), 0.1005 * np.eye(d)])
    mix = GaussianMixture(np.array([0.6, 0.4]), np.zeros((2, d)), covs)
    x = np.full((1, d), 0.05)
    weights = np.exp(mix.component_log_probs(x) - mix.log_prob(x)[:, None])
    assert np.all(weights > 0.05)  # both components matter at x (what the test needs)
    ref = VPFlow(mix, sch)
    v, g = ref(np.zeros(1), x)
    # |entries| in [0.02, 400], none near 0: rtol alone; 400 terms summed in two orders
    np.testing.assert_allclose(_kernel_field(ref, [0.0], x), np.hstack([v, g]), rtol=1e-11, atol=0)


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


def _scipy_per_point(field, x, t0, t1, tol):
    """scipy's DOP853 on one point's augmented ODE: (solution, the field as scipy calls it)."""
    from scipy.integrate import solve_ivp
    d = len(x)

    def rhs(t, y):
        v, g = field(np.array([t]), y[None, :d])
        return np.concatenate([v[0], g[0]])

    y0 = np.concatenate([x, np.zeros(mixture_ode.n_integrands(field.kernel[0]))])
    return solve_ivp(rhs, (t0, t1), y0, method="DOP853", rtol=tol, atol=tol), rhs


@pytest.mark.parametrize("make, t0, t1", [(RFVelocity, 1.0, 0.0), (VPFlow, 0.0, 1.0)],
                         ids=["rf-backward", "vp-forward"])
def test_each_point_takes_scipys_steps_and_the_fine_solve_halves_them(make, t0, t1):
    from scipy.integrate._ivp import dop853_coefficients as tab
    from scipy.integrate._ivp.rk import rk_step
    mix = mixture(2)
    x = points(mix, 3, np.random.default_rng(4), radii=(5.0,))[[0, 1, 2, 3, 8]]  # 2 tail points
    field = make(mix)
    coarse, fine, evals = mixture_ode.solve(*field.kernel, x, t0, t1, 1e-9, 1e-9)
    for i, xi in enumerate(x):
        ref, rhs = _scipy_per_point(field, xi, t0, t1, 1e-9)
        accepted = len(ref.t) - 1
        rejected = (ref.nfev - 2) // 12 - accepted  # scipy: 2 to start, then 12 per attempt
        # ours: 2 to start, 11 per attempt, and per accepted step 23 (fine lane) + 2 (FSAL, both
        # lanes) except after the last: the same accepted and rejected steps as scipy's controller
        assert evals[i] == 11 * rejected + 36 * accepted
        # the same steps on fields that differ by rounding (|y| <= ~10): ~1e-13 measured
        np.testing.assert_allclose(coarse[i], ref.y[:, -1], rtol=0, atol=1e-12)
        y, f = ref.y[:, 0].copy(), rhs(t0, ref.y[:, 0])
        s = tab.N_STAGES
        k = np.empty((s + 1, len(y)))
        for lo, hi in zip(ref.t[:-1], ref.t[1:]):  # scipy's step on the halved mesh
            for a, b in ((lo, 0.5 * (lo + hi)), (0.5 * (lo + hi), hi)):
                y, f = rk_step(rhs, a, y, f, b - a, tab.A[:s, :s], tab.B, tab.C[:s], k)
        np.testing.assert_allclose(fine[i], y, rtol=0, atol=1e-12)


def test_points_that_are_or_turn_nan_fail_fast_with_a_failure_code():
    x = np.array([[0.5, 0.5], [np.nan, 0.0], [1e200, 0.0]])  # the last overflows the field
    kernel = RFVelocity(mixture(2)).kernel
    for t1 in (0.0, 1.0):  # a real span, and an empty one (no evaluations)
        _, _, evals = mixture_ode.solve(*kernel, x, 1.0, t1, 1e-10, 1e-10)
        assert (evals[0] > 0) == (t1 != 1.0) and evals[1] == mixture_ode.NOT_FINITE
    assert mixture_ode.solve(*kernel, x, 1.0, 0.0, 1e-10, 1e-10)[2][2] == mixture_ode.NOT_FINITE


def test_bad_tolerances_and_time_spans_are_refused():
    kernel, x = RFVelocity(mixture(2)).kernel, np.zeros((1, 2))
    with pytest.raises(ValueError, match="rtol and atol must be positive"):
        mixture_ode.solve(*kernel, x, 1.0, 0.0, 1e-10, 0.0)
    with pytest.raises(ValueError, match="time span must be finite"):
        mixture_ode.solve(*kernel, x, np.nan, 0.0, 1e-10, 1e-10)


def test_an_empty_time_span_returns_the_start_without_evaluating():
    x = np.ones((2, 2))
    coarse, fine, evals = mixture_ode.solve(*RFVelocity(mixture(2)).kernel, x, 0.5, 0.5, 1e-8, 1e-8)
    # exact: nothing is computed (the start copied, the integral's 0.0 untouched)
    assert np.array_equal(coarse[:, :2], x) and np.all(fine[:, 2] == 0) and np.all(evals == 0)


def test_a_points_solve_is_bitwise_the_same_in_any_lane_and_lane_count():
    x = points(mixture(2), 9, np.random.default_rng(7), radii=(6.0,))
    kernel = VPFlow(mixture(2)).kernel
    ref = mixture_ode.solve(*kernel, x, 0.0, 1.0, 1e-9, 1e-9)
    for order, lanes in ((slice(None, None, -1), 5), (slice(None), 1), (slice(None), 64)):
        other = mixture_ode.solve(*kernel, x[order], 0.0, 1.0, 1e-9, 1e-9, lanes=lanes)
        # guaranteed bitwise: compiled IEEE arithmetic per lane (no fastmath, so no FMA contraction
        # or reassociation, in vector or scalar code), no BLAS, no reduction across lanes
        for a, b in zip(ref, other):
            assert np.array_equal(a[order], b)


@njit
def _elementwise(fn_id, x):
    """The compiled _exp (0), _expm1 (1) or log = _log_split(*_split) (2) of each entry of x."""
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        if fn_id == 0:
            out[i] = mixture_ode._exp(x[i])
        elif fn_id == 1:
            out[i] = mixture_ode._expm1(x[i])
        else:
            e, m = mixture_ode._split(x[i])
            out[i] = mixture_ode._log_split(e, m)
    return out


def _ulps(value, ref):
    return np.abs(value - ref) / np.spacing(np.abs(ref))


def test_the_arithmetic_exp_expm1_and_log_are_within_two_ulp_of_libm_where_the_fields_use_them():
    import mpmath
    with mpmath.workdps(40):  # the two-part ln 2 of the range reductions
        assert abs(mpmath.mpf(mixture_ode._LN2_HI) + mixture_ode._LN2_LO - mpmath.log(2)) < 1e-25
    rng = np.random.default_rng(8)
    x = np.concatenate([-rng.uniform(0, 707.9, 20000), -rng.uniform(0, 1, 20000),
                        [0.0, -1e-300, -1e-8, -0.35, -0.3499999, -708.0]])  # the fields' x <= 0
    assert _ulps(_elementwise(0, x), np.exp(x)).max() <= 1
    big = np.array([1.0, 300.0, 709.0])
    assert _ulps(_elementwise(0, big), np.exp(big)).max() <= 1
    assert _ulps(_elementwise(1, x), np.expm1(x)).max() <= 2
    assert np.all(_elementwise(0, np.array([-708.5, -1e4, -np.inf])) == 0.0)
    assert np.all(_elementwise(0, np.array([709.5, 800.0, np.inf])) == np.inf)
    assert np.isnan(_elementwise(0, np.array([np.nan]))).all()
    y = np.concatenate([np.exp(rng.uniform(-700, 700, 20000)), rng.uniform(0.5, 2.0, 20000),
                        [1.0, np.sqrt(2.0), np.nextafter(np.sqrt(2.0), 2), np.sqrt(0.5), 2.0**-1022,
                         np.finfo(float).max]])
    ref = np.log(y)
    assert (np.abs(_elementwise(2, y) - ref) <= 2 * np.spacing(np.maximum(np.abs(ref), 1.0))).all()
