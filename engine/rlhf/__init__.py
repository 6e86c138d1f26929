"""The training pipeline: data, rater, pre-training, SFT, reward model, PPO, sampling, and the driver of all four."""
