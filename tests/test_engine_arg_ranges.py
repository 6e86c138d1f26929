"""Every probe argument is checked against one documented range, the same way for every probe.

Hypothesis throws any value at every argument: checking never raises anything
but a ProbeError, a value in range is accepted, and the cheap numpy probes
run on any in-range arguments without an error of another kind.
"""
from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.cli import main as engine_main
from engine.probes import ProbeError, all_probes
from engine.probes.registry import MAX_ITEMS, MAX_TEXT, SEED_RANGE

PROBES = all_probes()
CHEAP = ("softmax", "positional_encoding", "ppo_clip", "gae", "ratio_from_logprobs", "scaled_softmax", "pe_entry",
         "clip_branch")

anything = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=2**63), st.floats(), st.text(max_size=30),
    st.sampled_from(["1e999", "-1e999", "nan", "9" * 400, "0x_", "", " ", "1,2,3", "true"]),
    st.lists(st.one_of(st.integers(), st.floats(), st.text(max_size=5)), max_size=5))


@settings(max_examples=300, deadline=None)
@given(probe=st.sampled_from(sorted(PROBES)), data=st.data())
def test_checking_any_value_of_any_argument_says_what_is_wrong_in_one_line(probe, data):
    spec = PROBES[probe]
    arg = data.draw(st.sampled_from(spec.args))
    value = data.draw(anything)
    for message in spec.problems({arg.name: value}):
        assert "\n" not in message and len(message) < 300
    try:
        arg.coerce(value)
    except ProbeError as error:
        assert "\n" not in str(error)


def in_range(arg, draw):
    if arg.choices:
        return draw(st.sampled_from(arg.choices))
    if arg.kind == "bool":
        return draw(st.booleans())
    if arg.kind == "str":
        return draw(st.text(min_size=1, max_size=40))
    low, high = arg.bounds
    number = (st.integers(int(math.ceil(low)), int(high)) if arg.kind in ("int", "ints")
              else st.floats(low, high, allow_nan=False))
    return draw(st.lists(number, min_size=1, max_size=8)) if arg.kind in ("ints", "floats") else draw(number)


@settings(max_examples=300, deadline=None)
@given(probe=st.sampled_from(CHEAP), data=st.data())
def test_cheap_probes_run_on_any_in_range_arguments_or_say_why_not(probe, data):
    spec = PROBES[probe]
    args = {a.name: in_range(a, data.draw) for a in spec.args if a.required or data.draw(st.booleans())}
    try:
        result = spec.run(args)
    except ProbeError as error:
        assert "\n" not in str(error)
        return
    json.dumps(result, allow_nan=False)  # plain, finite data: what --json prints


def test_every_number_has_a_range_and_every_seed_the_same_one():
    for probe in PROBES.values():
        for arg in probe.args:
            if arg.kind in ("int", "float", "ints", "floats"):
                low, high = arg.bounds
                assert math.isfinite(low) and math.isfinite(high) and low <= high, (probe.name, arg.name)
            if arg.name == "seed":
                assert arg.bounds == SEED_RANGE, probe.name


@pytest.mark.parametrize("argv, message", [
    (["kl", "--text", "hi", "--seed", "-1"], "seed must be between 0 and 4294967295, not -1"),
    (["ppo-step", "--prompt", "hi", "--seed", str(2**64)], "seed must be between 0 and 4294967295"),
    (["compare-stages", "--prompt", "hi", "--seed", "-1"], "seed must be between 0 and 4294967295, not -1"),
    (["scaled-softmax", "--scores", "1,2", "--d-k", "4", "--power", "1e308"], "power must be between -4.0 and 4.0"),
    (["softmax", "--scores", "1e999"], "scores must be a finite number"),
    (["softmax", "--scores", ",".join(["1"] * (MAX_ITEMS + 1))], f"at most {MAX_ITEMS:,} numbers"),
    (["tokenize", "--text", "x" * (MAX_TEXT + 1)], f"at most {MAX_TEXT:,} characters"),
    (["pe-entry", "--pos", "1", "--i", "9" * 60, "--d-model", "8"], "i must be a whole number"),
])
def test_out_of_range_arguments_are_one_line_and_exit_1(argv, message, capsys):
    assert engine_main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_train_refuses_a_seed_torch_cannot_take(capsys):
    assert engine_main(["train", "--stage", "pretrain", "--seed", str(2**64), "--out", "nowhere"]) == 2
    assert "--seed must be between 0 and 4294967295" in capsys.readouterr().err
