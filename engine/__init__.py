"""The numbers behind the quiz: tokenizer, a tiny GPT, attention, PPO/RLHF, and probes.

Importing this package is cheap: no torch, no textual. Modules that run a model
import torch themselves, and only when they run.
"""
