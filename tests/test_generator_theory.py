"""SPEC 5 (Problem 4): D*, V(D, G), JSD and V(D*, G) = −log 4 + 2·JSD on 1-D densities.

Independent references: scipy.stats densities, closed forms for uniforms (disjoint and
overlapping supports), scipy.spatial.distance.jensenshannon, scipy.optimize on the pointwise
problem, and a torch discriminator trained by gradient ascent on V from samples.
"""

import numpy as np
import pytest
import torch
from scipy import optimize, stats
from scipy.spatial.distance import jensenshannon

from conftest import run_script
from generator import MLPGenerator, theory
from generator.methods.baseline import BaselineConfig, BaselineMethod
from generator.nets.discriminators import MLPDiscriminator

LOG2, LOG4 = np.log(2.0), np.log(4.0)


def _mixture(weights, locs, scales):
    comps = [stats.norm(m, s) for m, s in zip(locs, scales)]

    def pdf(x):
        return sum(w * c.pdf(x) for w, c in zip(weights, comps))

    def logpdf(x):
        return np.logaddexp.reduce(
            [np.log(w) + c.logpdf(x) for w, c in zip(weights, comps)], axis=0)

    return pdf, logpdf


# name -> (p_data, p_G, lower, upper, break points); every pair has JSD strictly inside (0, log 2)
# except where a closed form says otherwise.
_MIX_PDF, _MIX_LOGPDF = _mixture([0.3, 0.7], [-2.0, 1.5], [0.5, 0.8])
PAIRS = {
    "gaussians": (stats.norm(0, 1).pdf, stats.norm(2, 1.5).pdf, -20.0, 25.0, ()),
    "mixture": (_MIX_PDF, stats.norm(0, 2).pdf, -25.0, 25.0, ()),
    "disjoint": (stats.uniform(0, 1).pdf, stats.uniform(2, 2).pdf, -1.0, 5.0, (0.0, 1.0, 2.0, 4.0)),
    "overlap": (stats.uniform(0, 1).pdf, stats.uniform(0.5, 1).pdf, -1.0, 2.5,
                (0.0, 0.5, 1.0, 1.5)),
}


def _grid(name, n=60001):
    p, q, lo, hi, _ = PAIRS[name]
    x = np.linspace(lo, hi, n)
    return x, p(x), q(x)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PAIRS))
def test_identity_by_adaptive_quadrature(name):
    # SPEC 5, 4e: V(D*, G) = −log 4 + 2 JSD, each side integrated separately by quad.
    p, q, lo, hi, pts = PAIRS[name]
    v = theory.optimal_value_quad(p, q, lo, hi, points=pts)
    j = theory.jsd_quad(p, q, lo, hi, points=pts)
    assert 0.0 <= j <= LOG2 + 1e-12
    assert v == pytest.approx(-LOG4 + 2 * j, abs=1e-8)


@pytest.mark.parametrize("name", ["gaussians", "mixture"])
def test_identity_on_a_grid_and_grid_agrees_with_quad(name):
    x, p, q = _grid(name)
    assert abs(theory.identity_residual(p, q, x)) < 1e-9
    pf, qf, lo, hi, pts = PAIRS[name]
    assert theory.jsd(p, q, x) == pytest.approx(theory.jsd_quad(pf, qf, lo, hi), abs=1e-8)
    # V at D* also through the probability form (not logits): same number where it is finite
    d_star = theory.optimal_discriminator(p, q)
    assert theory.value(d_star, p, q, x) == pytest.approx(theory.optimal_value(p, q, x), abs=1e-8)


def test_closed_forms_for_uniforms():
    # Disjoint supports: JSD = log 2 and V(D*, G) = 0 (D* = 1 on p_data, 0 on p_G).
    p, q, lo, hi, pts = PAIRS["disjoint"]
    assert theory.jsd_quad(p, q, lo, hi, points=pts) == pytest.approx(LOG2, abs=1e-10)
    assert theory.optimal_value_quad(p, q, lo, hi, points=pts) == pytest.approx(0.0, abs=1e-10)
    # U[0,1] vs U[0.5,1.5]: half of each mass sits where the other vanishes -> JSD = ½ log 2.
    p, q, lo, hi, pts = PAIRS["overlap"]
    assert theory.jsd_quad(p, q, lo, hi, points=pts) == pytest.approx(0.5 * LOG2, abs=1e-10)
    assert theory.optimal_value_quad(p, q, lo, hi, points=pts) == pytest.approx(
        -LOG4 + LOG2, abs=1e-10)


def test_disjoint_supports_on_a_grid():
    x = np.linspace(-1, 5, 6001)
    p = ((x >= 0) & (x <= 1)).astype(float)
    q = ((x >= 2) & (x <= 3)).astype(float)
    p, q = p / np.trapezoid(p, x), q / np.trapezoid(q, x)
    d = theory.optimal_discriminator(p, q)
    assert np.all(d[p > 0] == 1.0) and np.all(d[q > 0] == 0.0)
    assert np.all(d[(p == 0) & (q == 0)] == 0.5)
    assert theory.jsd(p, q, x) == pytest.approx(LOG2, abs=1e-12)
    assert theory.value(d, p, q, x) == 0.0
    assert theory.optimal_value(p, q, x) == 0.0


@pytest.mark.parametrize("name", ["gaussians", "mixture"])
def test_jsd_matches_scipy_jensenshannon(name):
    # scipy returns sqrt(JS) of the normalized vectors; on a uniform grid that is the Riemann
    # sum of the JSD integral, so its square (base e) must match the trapezoid value.
    x, p, q = _grid(name)
    ref = jensenshannon(p, q, base=np.e) ** 2
    assert theory.jsd(p, q, x) == pytest.approx(ref, rel=1e-6)


@pytest.mark.slow
def test_optimal_value_against_an_independent_logpdf_integral():
    # E_p[log D*] + E_q[log(1 − D*)] with log D* = log p − logaddexp(log p, log q).
    from scipy import integrate
    lp, lq = _MIX_LOGPDF, stats.norm(0, 2).logpdf

    def integrand(t):
        lse = np.logaddexp(lp(t), lq(t))
        return np.exp(lp(t)) * (lp(t) - lse) + np.exp(lq(t)) * (lq(t) - lse)

    ref, _ = integrate.quad(integrand, -25, 25, epsabs=1e-12, limit=500)
    assert theory.optimal_value_quad(_MIX_PDF, stats.norm(0, 2).pdf, -25, 25) == pytest.approx(
        ref, abs=1e-9)


def test_equal_densities_give_one_half():
    # SPEC 5, 4f: p_G = p_data -> D* ≡ 1/2, JSD = 0, V(D*, G) = −log 4.
    x = np.linspace(-25, 25, 20001)
    p = _MIX_PDF(x)
    d = theory.optimal_discriminator(p, p.copy())
    np.testing.assert_array_equal(d, 0.5)
    assert theory.jsd(p, p, x) == 0.0
    assert theory.optimal_value(p, p, x) == pytest.approx(-LOG4, abs=1e-10)
    d_fun = theory.optimal_discriminator(_MIX_PDF, _MIX_PDF)
    np.testing.assert_array_equal(d_fun(np.linspace(-40, 40, 101)), 0.5)


def test_pointwise_maximizer_matches_a_numerical_optimizer():
    # SPEC 5, 4d: argmax_D  p log D + q log(1 − D)  =  p / (p + q).
    rng = np.random.default_rng(0)
    for p, q in rng.uniform(0.01, 3.0, size=(10, 2)):
        res = optimize.minimize_scalar(lambda t: -(p * np.log(t) + q * np.log1p(-t)),  # noqa: B023
                                       bounds=(1e-9, 1 - 1e-9), method="bounded",
                                       options={"xatol": 1e-10})
        assert theory.optimal_discriminator([p], [q])[0] == pytest.approx(res.x, abs=1e-6)


@pytest.mark.parametrize("name", ["gaussians", "mixture"])
def test_perturbing_d_star_lowers_v(name):
    x, p, q = _grid(name, n=20001)
    d_star = theory.optimal_discriminator(p, q)
    v_star = theory.optimal_value(p, q, x)
    rng = np.random.default_rng(1)
    for _ in range(5):
        freq, phase = rng.uniform(0.2, 2.0), rng.uniform(0, 2 * np.pi)
        h = np.cos(freq * x + phase)
        for eps in (0.3, 0.05, -0.05, -0.3):
            # perturb in logit space so D stays in (0, 1)
            a = np.log(d_star) - np.log1p(-d_star) + eps * h
            assert theory.value(a, p, q, x, logit=True) < v_star
    # and second order: halving eps cuts the loss by about 4 (V is stationary at D*)
    a_star = np.log(d_star) - np.log1p(-d_star)
    drop = [v_star - theory.value(a_star + e * np.cos(x), p, q, x, logit=True)
            for e in (0.02, 0.01)]
    assert drop[0] / drop[1] == pytest.approx(4.0, rel=0.02)


@pytest.mark.slow
def test_the_baseline_discriminator_trained_on_samples_approaches_d_star():
    # The baseline's MLP discriminator, trained by the baseline's own discriminator step (ascent
    # on V) on samples of p_data = N(0, 1) and p_G = N(1, 2²) (D* = σ(quadratic), not linear in
    # x). Tolerance: mean |D − D*| ≤ 0.02 on a grid over [q_0.025, q_0.975] of the mixture
    # (p_data + p_G)/2, i.e. leaving out ≤ 5 % of the mass.
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    n = 4000
    real = torch.randn(n, 1, generator=gen, dtype=torch.float64)
    fake = 1.0 + 2.0 * torch.randn(n, 1, generator=gen, dtype=torch.float64)
    net = MLPDiscriminator(1, hidden=(32, 32))
    method = BaselineMethod(MLPGenerator(1, 1, hidden=(2,)), net, BaselineConfig(d_lr=1e-2))
    for _ in range(400):
        method.discriminator_step(real, fake)
    pdf_p, pdf_q = stats.norm(0, 1), stats.norm(1, 2)
    mix_cdf = lambda t: 0.5 * (pdf_p.cdf(t) + pdf_q.cdf(t))  # noqa: E731
    lo = optimize.brentq(lambda t: mix_cdf(t) - 0.025, -20, 20)
    hi = optimize.brentq(lambda t: mix_cdf(t) - 0.975, -20, 20)
    x = np.linspace(lo, hi, 401)
    d_star = theory.optimal_discriminator(pdf_p.pdf(x), pdf_q.pdf(x))
    with torch.no_grad():
        d_net = torch.sigmoid(net(torch.from_numpy(x)[:, None])).numpy()
    err = np.mean(np.abs(d_net - d_star))
    assert err <= 0.02, f"mean |D - D*| = {err:.4f}"


def test_input_validation():
    x = np.linspace(-1, 1, 11)
    with pytest.raises(ValueError, match="strictly increasing"):
        theory.jsd(np.ones(11), np.ones(11), x[::-1])
    with pytest.raises(ValueError, match="integrates to"):
        theory.jsd(np.ones(11), np.ones(11), x)  # mass 2
    with pytest.raises(ValueError, match="non-negative"):
        theory.optimal_discriminator([-1.0], [1.0])
    with pytest.raises(ValueError, match="finite"):
        theory.jsd_quad(stats.norm.pdf, stats.norm.pdf, -np.inf, np.inf)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        theory.value(np.full(11, 1.5), np.full(11, 0.5), np.full(11, 0.5), x)


@pytest.mark.slow
def test_gan_theory_example_runs(tmp_path):
    import json

    done = run_script("gan_theory", ["--pair", "disjoint", "--out", tmp_path, "--seed", "3",
                                     "--mc-samples", "1000", "--path-points", "4"])
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "gan_theory_disjoint.json").read_text())
    assert (tmp_path / "gan_theory_disjoint.png").stat().st_size > 0
    # disjoint supports: closed forms, and the path ends on p_G = p_data
    assert result["jsd"] == pytest.approx(LOG2, abs=1e-10)
    assert result["V_opt"] == pytest.approx(0.0, abs=1e-10)
    assert [r["t"] for r in result["path"]] == [3.0, 2.0, 1.0, 0.0]
    assert result["path"][-1]["V_opt"] == pytest.approx(-LOG4, abs=1e-10)
    assert result["path"][0]["V_opt"] == pytest.approx(0.0, abs=1e-10)


@pytest.mark.slow
def test_importing_the_theory_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, generator.theory; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
