"""Adam as torch.optim.Adam computes it on the CPU, for the lab's one PPO step.

Creating a torch.optim optimizer imports torch._dynamo (1–1.5 s on this machine's
cores), which the first PPO step in a lab paid for. This is the same update, in
the same order of the same tensor operations as torch's single-tensor Adam (the
path it takes for CPU tensors, no amsgrad, no weight decay, not maximizing), so
the numbers are identical bit for bit; tests compare the two after several steps.
"""
from __future__ import annotations

from collections.abc import Iterable

import torch


class PlainAdam:
    def __init__(self, params: Iterable[torch.Tensor], lr: float, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        self.params = [p for p in params]
        self.lr, (self.beta1, self.beta2), self.eps = lr, betas, eps
        self.state: dict[int, tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = {}  # step, m, v per parameter

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.detach_()
                p.grad.zero_()

    @torch.no_grad()
    def step(self) -> None:
        beta1, beta2, lr, eps = self.beta1, self.beta2, self.lr, self.eps
        for i, param in enumerate(self.params):
            if param.grad is None:
                continue
            if i not in self.state:  # as torch: a float32 step count and zeroed moments, made on first use
                self.state[i] = (torch.tensor(0.0, dtype=torch.float32),
                                 torch.zeros_like(param, memory_format=torch.preserve_format),
                                 torch.zeros_like(param, memory_format=torch.preserve_format))
            step_t, exp_avg, exp_avg_sq = self.state[i]
            grad = param.grad
            step_t += 1
            exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            step = step_t.item()
            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            step_size = lr / bias_correction1
            bias_correction2_sqrt = bias_correction2**0.5
            denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
            param.addcdiv_(exp_avg, denom, value=-step_size)
