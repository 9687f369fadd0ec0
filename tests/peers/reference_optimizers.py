"""Optimizers and learning-rate schedulers written from their published descriptions, in plain Python
floats, independent of calcanim.numerics.descent:

- SGD with momentum and nesterov: the pseudo-code of PyTorch's ``torch.optim.SGD`` documentation
  (dampening tau = 0, weight decay lambda = 0, maximize off).
- Adam: Kingma & Ba (2015), Algorithm 1, which PyTorch's ``torch.optim.Adam`` documents the same way
  (amsgrad off, weight decay 0).
- RMSprop: the pseudo-code of PyTorch's ``torch.optim.RMSprop`` documentation (centered off, momentum 0).
- Schedulers: PyTorch's *recursive* (chainable) forms of ExponentialLR, StepLR and CosineAnnealingLR
  (eta_min = 0), not the closed forms calcanim uses, so the two routes check each other.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

Vector = list[float]
Gradient = Callable[[Vector], Vector]


def scheduled_rates(kind: str, base: float, count: int, gamma: float, step_size: int, t_max: int) -> list[float]:
    """The lr seen by optimizer steps 1..count: the scheduler's lr after 0, 1, ..., count - 1 calls of step()."""
    rates, lr = [base], base
    for epoch in range(1, count):
        if kind == "exponential":  # ExponentialLR.get_lr: group['lr'] * gamma
            lr = lr * gamma
        elif kind == "step":  # StepLR.get_lr: multiply by gamma when last_epoch % step_size == 0
            lr = lr * gamma if epoch % step_size == 0 else lr
        elif kind == "cosine":  # CosineAnnealingLR.get_lr, recursive form with eta_min = 0
            lr = (1 + math.cos(math.pi * epoch / t_max)) / (1 + math.cos(math.pi * (epoch - 1) / t_max)) * lr
        elif kind != "constant":
            raise ValueError(kind)
        rates.append(lr)
    return rates


def sgd(
    gradient: Gradient, theta0: Sequence[float], rates: Sequence[float], momentum: float = 0.0, nesterov: bool = False
) -> list[Vector]:
    """torch.optim.SGD's documented algorithm; returns theta_0, theta_1, ..., one per rate."""
    theta, buffer, path = list(theta0), None, [list(theta0)]
    for t, lr in enumerate(rates, start=1):
        g = gradient(theta)
        if momentum != 0:
            if t > 1:
                buffer = [momentum * b + gi for b, gi in zip(buffer, g)]  # (1 - dampening) = 1
            else:
                buffer = list(g)
            g = [gi + momentum * b for gi, b in zip(g, buffer)] if nesterov else buffer
        theta = [th - lr * gi for th, gi in zip(theta, g)]
        path.append(theta)
    return path


def adam(
    gradient: Gradient, theta0: Sequence[float], rates: Sequence[float], beta1: float, beta2: float, eps: float,
    along: Sequence[Sequence[float]] | None = None,
) -> list[Vector]:
    """Kingma & Ba, Algorithm 1 (alpha = the step's lr). With ``along`` (another implementation's iterates),
    step t starts from along[t - 1] instead of this path's own point: each step checked on its own, so
    rounding differences are not amplified through the run (Adam with beta1 = 0 near a minimum is chaotic)."""
    theta = list(theta0)
    m, v = [0.0] * len(theta), [0.0] * len(theta)
    path = [list(theta)]
    for t, lr in enumerate(rates, start=1):
        if along is not None:
            theta = list(along[t - 1])
        g = gradient(theta)
        m = [beta1 * mi + (1 - beta1) * gi for mi, gi in zip(m, g)]
        v = [beta2 * vi + (1 - beta2) * gi * gi for vi, gi in zip(v, g)]
        m_hat = [mi / (1 - beta1**t) for mi in m]
        v_hat = [vi / (1 - beta2**t) for vi in v]
        theta = [th - lr * mh / (math.sqrt(vh) + eps) for th, mh, vh in zip(theta, m_hat, v_hat)]
        path.append(theta)
    return path


def rmsprop(gradient: Gradient, theta0: Sequence[float], rates: Sequence[float], alpha: float, eps: float,
            along: Sequence[Sequence[float]] | None = None) -> list[Vector]:
    """torch.optim.RMSprop's documented algorithm, centered = False, momentum = 0; ``along`` as for :func:`adam`."""
    theta = list(theta0)
    v = [0.0] * len(theta)
    path = [list(theta)]
    for t, lr in enumerate(rates, start=1):
        if along is not None:
            theta = list(along[t - 1])
        g = gradient(theta)
        v = [alpha * vi + (1 - alpha) * gi * gi for vi, gi in zip(v, g)]
        theta = [th - lr * gi / (math.sqrt(vi) + eps) for th, gi, vi in zip(theta, g, v)]
        path.append(theta)
    return path
