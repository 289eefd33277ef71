"""The causal Q-Former is causal (query i sees queries 0..i only) and the reverse Q-Former is not."""

from __future__ import annotations

import torch

from make_random_checkpoints import random_tokenizer
from seed_v1_modules import small_config


def outputs_after_changing_query(qformer, queries, context, j):
    changed = queries.clone()
    changed[:, j] += torch.randn(changed.shape[-1], generator=torch.Generator().manual_seed(j))
    with torch.no_grad():
        return qformer(queries, context), qformer(changed, context)


def test_causal_qformer_outputs_before_a_query_ignore_it():
    model = random_tokenizer(small_config(), seed=3)
    queries = model.query_tokens.detach().clone()
    context = torch.randn(1, 257, model.config.vision.width)
    for j in (0, 5, 17, 31):
        before, after = outputs_after_changing_query(model.Qformer, queries, context, j)
        assert torch.equal(before[:, :j], after[:, :j]), f'an output before query {j} depends on it'
        changed = (before - after).abs().amax(dim=-1)[0]
        assert bool((changed[j:] > 1e-4).all()), f'queries from {j} on should depend on query {j}'


def test_causal_qformer_codes_depend_on_the_image():
    model = random_tokenizer(small_config(), seed=3)
    queries = model.query_tokens.detach()
    with torch.no_grad():
        a = model.Qformer(queries, torch.randn(1, 257, model.config.vision.width))
        b = model.Qformer(queries, torch.randn(1, 257, model.config.vision.width))
    assert bool(((a - b).abs().amax(dim=-1) > 1e-4).all())


def test_reverse_qformer_is_bidirectional():
    model = random_tokenizer(small_config(), seed=4)
    queries = model.reverse_tokens.detach().clone()
    context = torch.randn(1, 32, model.config.qformer.width)
    for j in (0, 40, 76):
        before, after = outputs_after_changing_query(model.Reverse_Qformer, queries, context, j)
        changed = (before - after).abs().amax(dim=-1)[0]
        assert bool((changed > 1e-5).all()), f'every reverse query should see query {j}'
