"""The door into the engine: every computation the app, packs and the CLI may run, by name.

    from engine.probes import all_probes, run_probe
    run_probe("softmax", {"scores": [2, 1, 0]})

Importing this package registers the catalogue (names and argument specs
only, no numpy or torch); a probe's code is imported when it first runs.
"""
from collections.abc import Iterable

from engine.errors import ProbeError
from engine.probes.registry import Arg, Probe, all_probes, get, register, run_probe, to_plain
from engine.probes import catalogue  # noqa: F401  (registers every probe)
from engine.identity import engine_identity
from engine.transformer.variants import MODELS, checkpoint_name


WARM_PROBES = ("ppo_step", "compare_stages")  # the slowest probes: their first call loads the most


def warm_up(which: Iterable[str] = WARM_PROBES) -> None:
    """Load what these probes need (torch for ppo_step) ahead of their first call; for a background thread."""
    from engine.probes.rlhf import warm
    warm(tuple(which))


__all__ = ["Arg", "MODELS", "Probe", "ProbeError", "WARM_PROBES", "all_probes", "checkpoint_name", "engine_identity", "get",
           "register", "run_probe", "to_plain", "warm_up"]
