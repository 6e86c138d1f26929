"""The PPO maths against hand-worked numbers and direct re-computations (no torch)."""
from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from engine.rl import gae as gae_mod
from engine.rl import kl as klm
from engine.rl import ppo
from engine.probes import ProbeError, run_probe


# --- L^CLIP, hand-worked with ε = 0.2 ---

@pytest.mark.parametrize("r, a, expected, active", [
    (1.5, +1.0, 1.2, True),    # good action, ratio already above 1+ε: the gain is capped
    (0.5, +1.0, 0.5, False),   # good action made less likely: the min keeps r·Â (no cap on the loss)
    (1.5, -1.0, -1.5, False),  # bad action made more likely: the min keeps r·Â (full penalty)
    (0.5, -1.0, -0.8, True),   # bad action already pushed below 1−ε: the gain is capped
    (1.1, +1.0, 1.1, False),   # inside the band: the clip does nothing
])
def test_clip_objective_hand_worked(r, a, expected, active):
    out = run_probe("ppo_clip", {"ratio": r, "advantage": a, "epsilon": 0.2})
    assert out["objective"] == pytest.approx(expected)
    assert out["unclipped"] == pytest.approx(r * a)
    assert out["clipped"] == pytest.approx(min(max(r, 0.8), 1.2) * a)
    assert out["clip_active"] is active
    assert ppo.clip_objective(np.array([r]), np.array([a]), 0.2) == pytest.approx(expected)


def test_clip_curve_is_figure_1():
    # Â > 0: rises with slope Â up to 1+ε, flat after; Â < 0: flat up to 1−ε, then falls.
    pos = run_probe("ppo_clip", {"ratio": 1.0, "advantage": 2.0, "epsilon": 0.2})["curve"]
    for p in pos:
        assert p["objective"] == pytest.approx(2.0 * min(p["ratio"], 1.2))
    neg = run_probe("ppo_clip", {"ratio": 1.0, "advantage": -1.0, "epsilon": 0.2})["curve"]
    for p in neg:
        assert p["objective"] == pytest.approx(-max(p["ratio"], 0.8))
    assert pos[0]["ratio"] == 0.0 and pos[-1]["ratio"] >= 2.0


def test_batch_objectives_match_loops():
    rng = np.random.default_rng(0)
    logp_old = np.log(rng.uniform(0.05, 1, 50))
    logp_new = logp_old + rng.normal(0, 0.3, 50)
    adv = rng.normal(0, 1, 50)
    eps = 0.2
    ratio = ppo.probability_ratio(logp_new, logp_old)
    for i in range(50):
        assert ratio[i] == pytest.approx(math.exp(logp_new[i]) / math.exp(logp_old[i]))
    per_sample = [min(r * a, min(max(r, 1 - eps), 1 + eps) * a) for r, a in zip(ratio, adv)]
    assert ppo.clip_objective(ratio, adv, eps) == pytest.approx(sum(per_sample) / 50)
    assert ppo.surrogate_cpi(ratio, adv) == pytest.approx(sum(r * a for r, a in zip(ratio, adv)) / 50)
    assert ppo.policy_gradient_objective(logp_new, adv) == pytest.approx(sum(l * a for l, a in zip(logp_new, adv)) / 50)
    outside = sum(abs(r - 1) > eps for r in ratio) / 50
    bound = sum(r * a > min(max(r, 1 - eps), 1 + eps) * a for r, a in zip(ratio, adv)) / 50
    assert ppo.clip_fraction_outside(ratio, eps) == pytest.approx(outside)
    assert ppo.clip_fraction_bound(ratio, adv, eps) == pytest.approx(bound)
    # Bound implies outside the band, not the other way round.
    assert bound <= outside
    # At θ = θold every objective agrees with L^CPI = Ê[Â], and nothing is clipped.
    ones = np.ones(50)
    assert ppo.clip_objective(ones, adv, eps) == pytest.approx(adv.mean())
    assert ppo.clip_fraction_outside(ones, eps) == 0.0


def test_action_log_probs_and_entropy():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    actions = np.array([0, 2])
    z = math.exp(2) + math.exp(1) + 1
    assert ppo.action_log_probs(logits, actions) == pytest.approx([2 - math.log(z), -math.log(3)])
    assert ppo.entropy(logits)[1] == pytest.approx(math.log(3))
    p = np.array([math.exp(2), math.exp(1), 1]) / z
    assert ppo.entropy(logits)[0] == pytest.approx(-(p * np.log(p)).sum())


def test_clipped_value_loss():
    v, v_old, ret = np.array([1.0, 0.0]), np.array([0.0, 0.0]), np.array([2.0, 1.0])
    # sample 0: V moved 1.0 but clip 0.2 → V_clip = 0.2; max((1−2)², (0.2−2)²) = 3.24
    # sample 1: V did not move; (0 − 1)² = 1
    assert ppo.clipped_value_loss(v, v_old, ret, 0.2) == pytest.approx(0.5 * (3.24 + 1.0) / 2)
    assert ppo.value_loss(v, ret) == pytest.approx(0.5 * (1.0 + 1.0) / 2)


# --- GAE ---

def test_gae_hand_worked():
    out = run_probe("gae", {"rewards": [1, 1, 1], "values": [0.5, 0.4, 0.3], "gamma": 0.99, "lam": 0.95,
                            "dones": [0, 0, 1]})
    assert out["advantages"] == pytest.approx([2.358807, 1.555350, 0.7], abs=1e-6)
    assert out["deltas"] == pytest.approx([0.896, 0.897, 0.7])
    assert out["returns"] == pytest.approx([2.858807, 1.955350, 1.0], abs=1e-6)
    default = run_probe("gae", {"rewards": [1, 1, 1], "values": [0.5, 0.4, 0.3], "gamma": 0.99, "lam": 0.95})
    assert default["advantages"] == out["advantages"]


def test_gae_against_discounted_sums():
    rng = np.random.default_rng(1)
    r, v = rng.normal(size=7), rng.normal(size=7)
    dones = np.array([0, 0, 1, 0, 0, 0, 0])
    gamma, lam, last = 0.9, 0.8, 0.5
    _, adv, ret = gae_mod.gae(r, v, gamma, lam, dones, last_value=last)
    nxt = np.append(v[1:], last)
    delta = r + gamma * nxt * (1 - dones) - v
    for t in range(7):
        expected, k = 0.0, t
        while k < 7:
            expected += (gamma * lam) ** (k - t) * delta[k]
            if dones[k]:
                break
            k += 1
        assert adv[t] == pytest.approx(expected)
    assert ret == pytest.approx(adv + v)
    # λ = 1 with γ = 1: the advantage is the undiscounted return to the end of the episode minus V.
    _, adv1, _ = gae_mod.gae(r[:3], v[:3], 1.0, 1.0)
    assert adv1 == pytest.approx([r[:3].sum() - v[0], r[1:3].sum() - v[1], r[2] - v[2]])
    # A batch axis computes each row on its own.
    _, batch, _ = gae_mod.gae(np.stack([r, r[::-1]]), np.stack([v, v]), gamma, lam)
    assert batch[1] == pytest.approx(gae_mod.gae(r[::-1], v, gamma, lam)[1])


def test_gae_probe_errors():
    with pytest.raises(ProbeError):
        run_probe("gae", {"rewards": [1, 2], "values": [1]})
    with pytest.raises(ProbeError):
        run_probe("gae", {"rewards": [1, 2], "values": [1, 2], "dones": [0, 2]})


# --- KL ---

P = np.array([0.5, 0.3, 0.2])
Q = np.array([0.4, 0.4, 0.2])
KL_PQ = float(np.sum(P * np.log(P / Q)))


def test_exact_kl():
    assert klm.exact_kl(np.log(P), np.log(Q)) == pytest.approx(KL_PQ)
    assert klm.exact_kl(np.log(P), np.log(P)) == pytest.approx(0.0)
    assert KL_PQ > 0 and klm.exact_kl(np.log(Q), np.log(P)) != pytest.approx(KL_PQ)  # not symmetric


def test_k1_k3_unbiased_k2_biased():
    # Exact expectations over x ~ P: k1 and k3 hit the KL, k2 does not (but comes close when P ≈ Q).
    expected = klm.expected_estimators(np.log(P), np.log(Q))
    assert expected["k1"] == pytest.approx(KL_PQ)
    assert expected["k3"] == pytest.approx(KL_PQ)
    assert expected["k2"] != pytest.approx(KL_PQ, rel=1e-3)
    assert expected["k2"] == pytest.approx(KL_PQ, rel=0.1)
    # Sampling: the k3 mean converges to the exact KL, with a smaller spread than k1.
    est = klm.estimate_kl(np.log(P), np.log(Q), 200_000, np.random.default_rng(0))
    assert est["k3"] == pytest.approx(KL_PQ, abs=4 * est["k3_std"] / math.sqrt(200_000))
    assert est["k1"] == pytest.approx(KL_PQ, abs=4 * est["k1_std"] / math.sqrt(200_000))
    assert est["k3_std"] < est["k1_std"]
    lr = np.linspace(-2, 2, 41)
    assert (klm.k3(lr) >= 0).all() and (klm.k2(lr) >= 0).all() and (klm.k1(lr) < 0).any()


def test_beta_controllers_and_trust_region():
    assert klm.adaptive_beta(0.1, kl=0.001, kl_target=0.01) == pytest.approx(0.05)
    assert klm.adaptive_beta(0.1, kl=0.1, kl_target=0.01) == pytest.approx(0.2)
    assert klm.adaptive_beta(0.1, kl=0.01, kl_target=0.01) == pytest.approx(0.1)
    c = klm.AdaptiveKLController(beta=0.1, kl_target=0.01)
    assert c.update(1.0) == pytest.approx(0.2) and c.update(1.0) == pytest.approx(0.4)
    assert klm.FixedKLController(0.1).update(5.0) == 0.1
    assert klm.within_trust_region(0.009, 0.01) and not klm.within_trust_region(0.011, 0.01)


# --- the tiny probes stay torch-free and work from the command line ---

def test_probes_do_not_import_torch():
    code = ("import sys; from engine.probes import run_probe; "
            "run_probe('ppo_clip', {'ratio': 1.5, 'advantage': 1}); "
            "run_probe('gae', {'rewards': [1], 'values': [0]}); "
            "import engine.rl.kl; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


CLI = [sys.executable, "-c", "import sys; from engine.cli import main; sys.exit(main(sys.argv[1:]))"]


def test_cli_json():
    out = subprocess.run([*CLI, "ppo-clip", "--ratio", "1.5", "--advantage", "1", "--epsilon", "0.2", "--json"],
                         capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    for key in ("ratio", "advantage", "epsilon", "unclipped", "clipped", "objective", "clip_active", "curve"):
        assert key in data
    assert data["objective"] == pytest.approx(1.2)
    out = subprocess.run([*CLI, "gae", "--rewards", "1,1,1", "--values", "0.5,0.4,0.3", "--gamma", "0.99", "--lam", "0.95",
                          "--json"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["advantages"] == pytest.approx([2.358807, 1.555350, 0.7], abs=1e-6)
