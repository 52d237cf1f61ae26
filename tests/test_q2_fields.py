"""verify.q2_fields: the analytic fields match the Tweedie forms and finite differences."""
import numpy as np

from verify import q2_fields as F
from verify.q2_fields import RFVelocity, VPFlow


def test_rf_velocity_is_tweedie_form_with_exact_divergence():
    mix = F.test_mixture(3)
    x = F.test_points(mix, 5, np.random.default_rng(0))
    rf, t = RFVelocity(mix), 0.42
    u, div = rf.velocity_divergence(t, x)
    m = rf.marginal(t)
    assert np.abs(u - (x + (1 - t) * m.score(x)) / t).max() < 1e-12  # float64 rounding
    lap = np.trace(m.hessian(x), axis1=1, axis2=2)
    assert np.abs(div - (3 + (1 - t) * lap) / t).max() < 1e-11


def test_vp_flow_divergence_matches_central_differences():
    mix = F.test_mixture(2)
    flow, x, t, h = VPFlow(mix), np.array([[0.3, -0.4], [2.0, 1.0]]), 0.3, 1e-5
    div = flow(t, x)[1][:, 0]
    fd = sum((flow(t, x + h * e)[0][:, i] - flow(t, x - h * e)[0][:, i]) / (2 * h)
             for i, e in enumerate(np.eye(2)))
    assert np.abs(div - fd).max() < 1e-6  # O(h^2) central difference error
