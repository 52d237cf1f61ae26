"""A true formula written through a factor that vanishes at a judged point (0/0 there) is judged by
its limit: `correct` through a full sheet for q4c.ii, q4a, q4e.i and q4d.ii; a genuine pole is not."""
import pytest

from verify.engine.claims import Role, Verdict
from verify.engine.sheet import load_text
from verify.registry import REGISTRY

TRUE_U = "m + (t*s**2 - (1 - t))*(x - t*m)/(t**2*s**2 + (1 - t)**2)"
# u_t(x) = (x - E[x0 | x_t = x])/t, through the source's posterior mean: 0/0 at t = 0
SOURCE_POSTERIOR_U = "(x - (1 - t)*(x - t*m)/(t**2*s**2 + (1 - t)**2))/t"
# (E[x1 | x_t = x] - x)/(1 - t), through the target's posterior mean: 0/0 at t = 1
TARGET_POSTERIOR_U = "((m*(1 - t)**2 + s**2*t*x)/(t**2*s**2 + (1 - t)**2) - x)/(1 - t)"
Q4A_DIFFERENCE = "mle_needs_simulation = true\ncfm_simulation_free = true\n"


def judge(auditor, claim_id, body):
    return auditor.judge(REGISTRY[claim_id], load_text(f"[{claim_id}]\n{body}", "t.toml", REGISTRY))


@pytest.mark.parametrize("claim_id, body", [
    # 0/0 on the whole t = 0 row of the judging grid and at the ODE's start
    ("q4c.ii", f"conditional_vf = '(x1 - x)/(1 - t)'\nmarginal_vf = '{SOURCE_POSTERIOR_U}'\n"),
    # 0/0 at the ODE's end t = 1; the conditional field 0/0 at t = 0
    ("q4c.ii", f"conditional_vf = '(x1 - x)*t/(t - t**2)'\nmarginal_vf = '{TARGET_POSTERIOR_U}'\n"),
    # 0/0 on the t = 1/2 row of the grid (and of the continuity residual)
    ("q4c.ii", f"marginal_vf = '(2*t - 1)*({TRUE_U})/(t - 1/2)/2'\n"),
    # KL(q || p_theta) = E_log_q - E_log_p_model as its square over itself: 0/0 at the data,
    # where the loss must be smallest
    ("q4a", "mle_loss = '(E_log_q**2 - 2*E_log_q*E_log_p_model + E_log_p_model**2)"
            f"/(E_log_q - E_log_p_model)'\n{Q4A_DIFFERENCE}"),
    ("q4e.i", "bridge_variance = '2*epsilon*(t**2 - t**3)/t'\nsb_coupling = 'entropic_ot'\n"),
    ("q4e.i", "bridge_variance = '2*epsilon*(t - t**2)*(1 - t**2)/((1 - t)*(1 + t))'\n"
              "sb_coupling = 'entropic_ot'\n"),
    ("q4d.ii", "satisfies = false\nviolated = ['alpha_0']\n"
               "alpha = '(1 - t**2)*exp(-beta*(1 - t)/2)/((1 - t)*(1 + t))'\n"
               "sigma = '(t - t**2)*(1 - exp(-beta*(1 - t)))/(t*(1 - t))'\n"),
])
def test_an_equivalent_form_that_is_zero_over_zero_somewhere_is_correct(auditor, claim_id, body):
    result = judge(auditor, claim_id, body)
    failed = [c.name for c in result.evidence.checks if not c.passed and c.role is not Role.FACT]
    assert result.verdict is Verdict.CORRECT, failed


def test_the_grid_row_at_t0_of_a_zero_over_zero_field_is_judged_by_its_limit(auditor):
    result = judge(auditor, "q4c.ii", f"marginal_vf = '{SOURCE_POSTERIOR_U}'\n")
    grid = [c for c in result.evidence.checks if c.name.startswith("marginal_vf = truth on")]
    assert len(grid) == 3 and all(c.passed and "wrong at t = []" in c.detail for c in grid)


@pytest.mark.parametrize("claim_id, body, expected", [
    # the true field plus a pole at t = 0: right to 1e-5 at t = 0.99, infinite at t = 0
    ("q4c.ii", f"marginal_vf = '{TRUE_U} + 1e-3*(1 - t)/t'\n", Verdict.INCORRECT),
    # the source-posterior form over t^2 instead of t: a pole, not 0/0
    ("q4c.ii", f"marginal_vf = '({SOURCE_POSTERIOR_U})/t'\n", Verdict.INCORRECT),
    # 1/KL written 0/0 at the data: a pole there, where a loss to minimise must be smallest
    ("q4a", "mle_loss = '(E_log_q**2 - E_log_p_model**2)/((E_log_q + E_log_p_model)"
            f"*(E_log_q - E_log_p_model)**2)'\n{Q4A_DIFFERENCE}", Verdict.FLAWED),
    # 0/0 at t = 0 with the wrong value elsewhere: 2 eps (1 - t)
    ("q4e.i", "bridge_variance = '2*epsilon*(t**2 - t**3)/t**2'\nsb_coupling = 'entropic_ot'\n",
     Verdict.FLAWED),
])
def test_a_genuine_pole_or_a_wrong_form_stays_wrong(auditor, claim_id, body, expected):
    assert judge(auditor, claim_id, body).verdict is expected


def test_a_pole_at_the_ode_start_fails_the_transport_there(auditor):
    result = judge(auditor, "q4c.ii", f"marginal_vf = '{TRUE_U} + 1e-3*(1 - t)/t'\n")
    transport = [c for c in result.evidence.checks if c.name.startswith("marginal_vf sends")]
    assert transport and all(not c.passed and "not finite at t = 0" in c.detail for c in transport)
