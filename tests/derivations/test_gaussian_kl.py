"""The Gaussian KL of question 1(b), derived by integration, against mpmath quadrature."""
import mpmath
import sympy as sp

from derivations import gaussian_kl as g


def test_kl_1d_matches_mpmath_quadrature():
    expr = sp.lambdify((g.s1, g.s0), g.kl_1d(), "mpmath")
    p = lambda x: mpmath.npdf(x, 0, 1.3)
    q = lambda x: mpmath.npdf(x, 0, 0.4)
    ref = mpmath.quad(lambda x: p(x) * (mpmath.log(p(x)) - mpmath.log(q(x))), [-mpmath.inf, 0, mpmath.inf])
    assert abs(expr(1.3, 0.4) - ref) < 1e-12  # both near float64 accuracy


def test_product_step_gives_d_times_1d_kl():
    assert sp.simplify(g.kl_product_2d() - 2 * g.kl_1d()) == 0


def test_kl_is_the_seed_form_for_the_stated_direction():
    r = g.sigma_j ** 2 / g.sigma_0 ** 2
    assert sp.simplify(g.kl_answer_form() - g.d / 2 * (r - 1 - sp.log(r))) == 0


def test_reverse_direction_differs():
    assert sp.simplify(g.kl_1d_reverse() - g.kl_1d()) != 0


def test_kl_increases_in_s1_above_s0():
    deriv = g.kl_derivative_in_s1()
    assert sp.simplify(deriv - g.d * (g.s1 ** 2 - g.s0 ** 2) / (g.s0 ** 2 * g.s1)) == 0


def test_q0_cancels_in_the_joint_log_ratio():
    assert not g.joint_log_ratio().has(sp.Function("q0"))
