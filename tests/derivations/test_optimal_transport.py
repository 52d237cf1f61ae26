"""derivations.optimal_transport: McCann's path against the rectified-flow path (1-D Gaussians)."""
import sympy as sp
from scipy import integrate

from derivations import optimal_transport as ot
from derivations.flow_matching import m, s, t


def test_mccann_variance_exceeds_flow_variance_by_2ts_1_minus_t():
    assert sp.expand(ot.std_gap_squared() - 2 * t * (1 - t) * s) == 0


def test_flow_kinetic_energy_exceeds_w2_squared():
    f = sp.lambdify(t, ot.flow_kinetic_integrand().subs({m: 1.5, s: sp.Rational(1, 2)}))
    energy = integrate.quad(f, 0, 1, epsabs=1e-13)[0]
    w2 = float(ot.w2_squared_gaussian().subs({m: 1.5, s: sp.Rational(1, 2)}))
    assert energy > w2 + 0.1  # 2.7146 vs 2.5: Benamou-Brenier, strict off the McCann path


def test_ot_map_pushes_n01_to_target():
    T = ot.ot_map_gaussian()
    assert sp.expand(T.subs(sp.Symbol("x", real=True), 0) - m) == 0
