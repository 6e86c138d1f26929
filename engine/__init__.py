"""The numbers behind the quiz: a small GPT, the PPO maths, the RLHF pipeline, and the probes that show them.

    transformer/  tokenizers, the torch model and its numpy twin, positions, head roles, weights
    rl/           the PPO paper's objective, GAE and KL in numpy
    rlhf/         pre-training, SFT, reward model and PPO training, with their data
    probes/       the registry of named computations: the one door the app and packs use
    cli/          `quizapp engine ...` and its rich drawings
    identity.py   one checksum of the probes' code and the checkpoints (what the pack cache keys on)

Importing this package is cheap: no torch, no textual. Modules that run a model
import torch themselves, and only when they run.
"""
