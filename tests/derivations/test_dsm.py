"""J1 - J2 for a Gaussian q0 and an affine score model: free of (A, b), equal to -E_tr_var/2."""
import numpy as np
import sympy as sp

from derivations import dsm


def test_gaussian_integral_is_the_known_value():
    a, b = sp.Symbol("alpha", positive=True), sp.Symbol("beta", real=True)
    assert sp.simplify(dsm.gaussian_integral() - sp.sqrt(sp.pi / a) * sp.exp(b ** 2 / (4 * a))) == 0


def test_marginal_is_gaussian_with_added_variance():
    xt, m = sp.symbols("xt m", real=True)
    tau = sp.Symbol("tau", positive=True)
    s2 = dsm.sigma ** 2 + tau ** 2
    ref = sp.exp(-(xt - m) ** 2 / (2 * s2)) / sp.sqrt(2 * sp.pi * s2)
    assert sp.simplify(dsm.marginal_density_1d() - ref) == 0


def test_j1_minus_j2_does_not_depend_on_theta():
    D = dsm.derive(2)
    assert all(sp.diff(D.c, s) == 0 for s in list(D.A) + list(D.b))


def test_c_is_minus_half_expected_trace_variance():
    D = dsm.derive(2)
    assert sp.simplify(D.c + D.E_tr_var / 2) == 0
    assert sp.simplify(D.c - (D.E_marg_sq - D.E_cond_sq) / 2) == 0
    assert sp.simplify(D.c - dsm.c_closed_form(2)) == 0


def test_gaussian_moments_are_sympys_integrals():
    z = sp.Symbol("z", real=True)
    for k in range(7):  # E z^k = (k - 1)!! for even k, 0 for odd k: against the integral itself
        integral = sp.integrate(z ** k * sp.exp(-z ** 2 / 2) / sp.sqrt(2 * sp.pi), (z, -sp.oo, sp.oo))
        assert sp.simplify(dsm.gaussian_expectation(z ** k, [z]) - integral) == 0


def test_gaussian_expectation_matches_monte_carlo():
    z = sp.symbols("z0 z1", real=True)
    val = dsm.gaussian_expectation((z[0] + 2 * z[1]) ** 4 + z[0] ** 2, z)
    zz = np.random.default_rng(0).standard_normal((400_000, 2))
    mc = ((zz[:, 0] + 2 * zz[:, 1]) ** 4 + zz[:, 0] ** 2)
    assert abs(float(val) - mc.mean()) < 5 * mc.std() / np.sqrt(mc.size)  # 5 SE
