"""Noise schedule, training target and the sampler of seed-nano.

The sampler is the CompVis PLMS algorithm exactly as /work/shared/docs/seed-reference.md describes it (the
runtime's default sampler), so that PyTorch and the ONNX runtime produce the same images for the same noise.
"""

import math

import torch

TRAIN_STEPS = 1000


def cosine_alphas_cumprod(train_steps=TRAIN_STEPS, s=0.008, max_beta=0.999):
    """Nichol & Dhariwal's cosine schedule as diffusers' squaredcos_cap_v2: betas clipped at 0.999, then cumprod."""

    def alpha_bar(t):
        return math.cos((t + s) / (1 + s) * math.pi / 2) ** 2

    betas = [min(1 - alpha_bar((i + 1) / train_steps) / alpha_bar(i / train_steps), max_beta) for i in range(train_steps)]
    return torch.cumprod(1 - torch.tensor(betas, dtype=torch.float64), dim=0).to(torch.float32)


def v_target(x0, noise, a):
    """v = sqrt(a) * noise - sqrt(1 - a) * x0 (v-prediction, Salimans & Ho)."""
    a = a[:, None, None, None]
    return a.sqrt() * noise - (1 - a).sqrt() * x0


def add_noise(x0, noise, a):
    a = a[:, None, None, None]
    return a.sqrt() * x0 + (1 - a).sqrt() * noise


def plms_timesteps(steps, train_steps=TRAIN_STEPS):
    """CompVis 'uniform' spacing: range(0, T, T // steps) + 1, visited from the largest down."""
    stride = train_steps // steps
    return list(reversed([t + 1 for t in range(0, train_steps, stride)]))


@torch.no_grad()
def sample_plms(unet, embedding, unconditional, noise, steps, guidance, alphas_cumprod):
    """PLMS with classifier-free guidance; returns the final latent (as the sampler holds it, times vaeScale).

    unet(sample, timestep int64 [B], encoder_hidden_states) predicts v; each evaluation runs a batch of two
    (unconditional first) and converts v to epsilon: eps = sqrt(a) v + sqrt(1 - a) x.
    """
    ts = plms_timesteps(steps)
    uncond = unconditional.expand(embedding.shape[0], -1, -1)
    context = torch.cat([uncond, embedding], dim=0)
    acp = alphas_cumprod.to(noise.device)

    def eps(x, t):
        a = acp[t]
        timestep = torch.full((2 * x.shape[0],), t, dtype=torch.int64, device=x.device)
        xx = torch.cat([x, x], dim=0)
        v = unet(xx, timestep, context)
        v_uncond, v_cond = v.chunk(2)
        v = v_uncond + guidance * (v_cond - v_uncond)
        return a.sqrt() * v + (1 - a).sqrt() * x

    def step(x, e, t, t_prev):
        a_t = acp[t]
        a_prev = acp[t_prev] if t_prev is not None else acp[0]
        x0 = (x - (1 - a_t).sqrt() * e) / a_t.sqrt()
        return a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * e

    x = noise
    history = []
    for i, t in enumerate(ts):
        t_prev = ts[i + 1] if i + 1 < len(ts) else None
        e_t = eps(x, t)
        if not history:
            x_next = step(x, e_t, t, t_prev)
            e_next = eps(x_next, t_prev if t_prev is not None else t)
            e_prime = (e_t + e_next) / 2
        elif len(history) == 1:
            e_prime = (3 * e_t - history[-1]) / 2
        elif len(history) == 2:
            e_prime = (23 * e_t - 16 * history[-1] + 5 * history[-2]) / 12
        else:
            e_prime = (55 * e_t - 59 * history[-1] + 37 * history[-2] - 9 * history[-3]) / 24
        x = step(x, e_prime, t, t_prev)
        history.append(e_t)
        if len(history) > 3:
            history.pop(0)
    return x
