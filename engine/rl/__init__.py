"""The maths of the PPO paper in numpy: log-probabilities and ratios, the clipped objective, GAE, KL and β."""
