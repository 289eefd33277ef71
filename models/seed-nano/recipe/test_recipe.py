"""Fast checks of the seed-nano recipe: module shapes, causality, quantiser, schedule, sampler, and a smoke run of
every stage (dataset, autoencoder, SEED, evaluation, export) on a tiny subset. Run from the repo root:

    /usr/bin/python3 -m pytest models/seed-nano/recipe/test_recipe.py
"""

import json
import math
import os
import sys

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import augment  # noqa: E402
import dataset as ds  # noqa: E402
import train  # noqa: E402
from diffusion import cosine_alphas_cumprod, plms_timesteps, sample_plms  # noqa: E402
from model import QFormer, SeedNano, SeedNanoConfig  # noqa: E402

torch.set_num_threads(2)


def small_model():
    torch.manual_seed(0)
    return SeedNano(SeedNanoConfig()).eval()


def test_every_module_has_the_manifest_shapes():
    model, cfg = small_model(), SeedNanoConfig()
    x = torch.rand(2, 3, cfg.image_size, cfg.image_size) * 2 - 1
    with torch.no_grad():
        features = model.encoder(x)
        assert features.shape == (2, cfg.num_queries, cfg.code_dim)
        codes = model.quantize.codes(features)
        assert codes.shape == (2, cfg.num_queries) and codes.dtype == torch.int64
        embedding = model.embed_codes(codes)
        assert embedding.shape == (2, cfg.gen_tokens, cfg.gen_dim)
        latent = torch.randn(2, cfg.latent_channels, cfg.latent_size, cfg.latent_size)
        assert model.unet(latent, torch.tensor([1, 999]), embedding).shape == latent.shape
        assert model.vae_decoder(latent).shape == x.shape
        assert model.predict_latent(embedding).shape == latent.shape


def test_causal_qformer_query_i_sees_only_queries_up_to_i():
    torch.manual_seed(0)
    qformer = QFormer(num_queries=8, dim=32, heads=4, layers=2, context_dim=16, causal=True).eval()
    context = torch.randn(1, 5, 16)
    queries = torch.randn(1, 8, 32)
    changed = queries.clone()
    changed[:, 5] += torch.randn(32)
    with torch.no_grad():
        a, b = qformer(context, queries), qformer(context, changed)
    assert torch.allclose(a[:, :5], b[:, :5], atol=1e-6), 'outputs before the changed query moved'
    assert not torch.allclose(a[:, 5:], b[:, 5:], atol=1e-3), 'the changed query and later ones must see it'


def test_encoder_code_i_ignores_later_query_tokens():
    model = small_model()
    x = torch.rand(1, 3, 32, 32) * 2 - 1
    with torch.no_grad():
        before = model.encoder(x)
        model.encoder.qformer.query_tokens[:, 20] += torch.randn(128)
        after = model.encoder(x)
    assert torch.allclose(before[:, :20], after[:, :20], atol=1e-6)
    assert not torch.allclose(before[:, 20], after[:, 20], atol=1e-3)


def test_reverse_qformer_is_bidirectional():
    model = small_model()
    codes = torch.randint(1024, (1, 32))
    changed = codes.clone()
    changed[0, 31] = (codes[0, 31] + 1) % 1024
    with torch.no_grad():
        a, b = model.embed_codes(codes), model.embed_codes(changed)
    assert (a - b).abs().amax(dim=-1).min() > 0, 'every generation token must depend on the last code'


def test_quantizer_picks_the_most_similar_normalised_code_and_passes_gradients():
    model = small_model()
    features = torch.randn(3, 32, 32, requires_grad=True)
    quantized, codes, loss = model.quantize(features)
    book = model.quantize.normalized_codebook()
    expected = (torch.nn.functional.normalize(features, dim=-1) @ book.t()).argmax(-1)
    assert torch.equal(codes, expected)
    assert torch.allclose(quantized, book[codes], atol=1e-6)
    (quantized.sum() + loss).backward()
    assert features.grad is not None and features.grad.abs().sum() > 0


def test_cosine_schedule_follows_nichol_and_dhariwal():
    acp = cosine_alphas_cumprod()
    f = lambda t: math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2  # noqa: E731
    assert abs(float(acp[499]) - f(0.5) / f(0.0)) < 1e-4
    assert bool((acp[1:] < acp[:-1]).all())


def test_plms_visits_compvis_timesteps_with_steps_plus_one_evaluations():
    assert plms_timesteps(50)[:2] == [981, 961] and plms_timesteps(50)[-1] == 1
    calls = []

    def unet(sample, timestep, context):
        calls.append(int(timestep[0]))
        assert sample.shape[0] == 2 * 3 and context.shape[0] == 6
        return torch.zeros_like(sample)

    noise = torch.randn(3, 4, 8, 8)
    out = sample_plms(unet, torch.zeros(3, 16, 8), torch.zeros(1, 16, 8), noise, 10, 3.0, cosine_alphas_cumprod())
    assert len(calls) == 11 and calls[:2] == [901, 801]
    # v = 0 means x0 = sqrt(a) x at every step; the result stays finite and proportional to the noise
    assert torch.isfinite(out).all()


def test_dataset_renders_an_emoji_on_white_as_the_first_seed_nano_did():
    entries = ds.read_emoji_list()
    assert len(entries) > 3000 and entries[0][1] == 'grinning face'
    from PIL import ImageFont

    font = ImageFont.truetype(ds.FONT_PATH, ds.FONT_SIZE, layout_engine=ImageFont.Layout.RAQM)
    image = ds.render(font, entries[0][0], 32)
    assert image.shape == (32, 32, 3)
    assert image[0, 0].tolist() == [255, 255, 255]
    assert image[16, 16, 2] < 128, 'the middle of the grinning face is yellow'


def test_emoji_sources_are_transparent_around_the_glyph():
    sources, captions, _ = ds.emoji_sources(limit=2)
    assert sources.shape == (2, ds.SOURCE_SIZE, ds.SOURCE_SIZE, 4) and captions[0] == 'grinning face'
    assert sources[0, 0, 0, 3] == 0 and sources[0, ds.SOURCE_SIZE // 2, ds.SOURCE_SIZE // 2, 3] == 255


def test_icon_sources_are_distinct_cropped_and_captioned():
    sources, captions = ds.icon_sources(limit=30)
    assert len(sources) == 30 and len({ds.thumbnail_key(s) for s in sources}) == 30
    assert all('symbolic' not in c and 'icon, ' in c for c in captions)
    alpha = sources[..., 3] > 0
    # cropped to the visible box: every icon touches two opposite edges of its square
    touches = (alpha[:, 0, :].any(1) & alpha[:, -1, :].any(1)) | (alpha[:, :, 0].any(1) & alpha[:, :, -1].any(1))
    assert touches.all()


def test_photo_crops_are_deterministic():
    a, names = ds.photo_crops(3, seed=0, size=24)
    b, _ = ds.photo_crops(3, seed=0, size=24)
    assert a.shape == (3, 24, 24, 3) and np.array_equal(a, b) and names[0].endswith('.jpg')


def _disc(size=ds.SOURCE_SIZE, colour=(200, 30, 30)):
    """A red opaque disc filling its square, transparent corners."""
    yy, xx = np.mgrid[:size, :size]
    inside = (yy - size / 2 + 0.5) ** 2 + (xx - size / 2 + 0.5) ** 2 < (size / 2) ** 2
    rgba = np.zeros((1, size, size, 4), dtype=np.uint8)
    rgba[0, inside] = colour + (255,)
    return rgba


def test_plain_presentation_is_full_frame_on_white():
    x = (augment.plain(_disc()) + 1) / 2
    assert x.shape == (1, 3, 32, 32)
    assert torch.allclose(x[0, :, 0, 0], torch.ones(3)), 'corners are the white background'
    assert torch.allclose(x[0, :, 16, 16], torch.tensor([200, 30, 30]) / 255, atol=1e-3)


def test_random_presentation_changes_background_scale_and_is_reproducible():
    sources = np.repeat(_disc(), 64, axis=0)
    x = augment.present(sources, torch.Generator().manual_seed(3))
    again = augment.present(sources, torch.Generator().manual_seed(3))
    assert torch.equal(x, again)
    rgb = (x + 1) / 2
    red = (rgb[:, 0] > 0.7) & (rgb[:, 1] < 0.2) & (rgb[:, 2] < 0.2)
    covered = red.float().mean(dim=(1, 2))
    # the disc covers pi/4 of the frame at full scale and a ninth of that at a third
    assert covered.max() <= 0.8 and covered.min() < 0.25 and covered.min() > 0.03
    corners = rgb[:, :, [0, 0, -1, -1], [0, -1, 0, -1]]
    white = ((corners - 1).abs().amax(dim=(1, 2)) < 0.05).float().mean()
    assert white < 0.1, 'random presentations are (nearly) never on white'
    assert corners.std(dim=0).mean() > 0.15, 'backgrounds vary'


def test_held_out_sets_are_disjoint_from_training_sources(tmp_path):
    data = {
        'sources': np.concatenate([np.repeat(_disc(), 6, axis=0), np.repeat(_disc(colour=(0, 0, 200)), 6, axis=0)]),
        'kinds': ['emoji'] * 6 + ['icon'] * 6,
        'is_test': np.array([True, False, True, False, False, False] * 2),
        'photos': np.zeros((2, ds.SOURCE_SIZE, ds.SOURCE_SIZE, 3), dtype=np.uint8),
    }
    import evaluate

    sets = evaluate.held_out_sets(data, 32, seed=0)
    assert {k: len(v) for k, v in sets.items()} == {
        'emoji': 2, 'emoji-presented': 2, 'icons': 2, 'icons-presented': 2, 'photos': 2,
    }
    assert len(evaluate.training_presentations(data, 0.25, seed=0)) == 8
    assert torch.equal(sets['photos'], -torch.ones(2, 3, 32, 32)), 'photographs are opaque: no white shows through'


def test_smoke_run_of_every_stage(tmp_path):
    work, out = str(tmp_path / 'work'), str(tmp_path / 'model')
    train.main(['--smoke', '--all', '--work', work, '--out', out])
    manifest = json.load(open(os.path.join(out, 'seed-model.json')))
    assert manifest['tokenizer']['distance'] == 'cosine' and manifest['diffusion']['prediction'] == 'v'
    for rel in ['tokenizer/encoder.onnx', 'tokenizer/decoder.onnx', 'unet/model.onnx', 'vae_decoder/model.onnx']:
        assert os.path.getsize(os.path.join(out, rel)) > 0
    assert os.path.getsize(os.path.join(out, 'tokenizer/codebook.f32')) == 1024 * 32 * 4
    assert os.path.exists(os.path.join(out, 'contact-sheet.png')) and os.path.exists(os.path.join(out, 'README.md'))
    assert os.path.exists(os.path.join(work, 'parity', 'fixture.json'))
    # bench_torch.py reads the weights back from the exported ONNX initializers: same model as the checkpoint
    import bench_torch
    import evaluate

    reloaded, _ = bench_torch.load_model(out)
    trained, _ = evaluate.load_model(work)
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    with torch.no_grad():
        assert torch.equal(reloaded.encode_codes(x), trained.encode_codes(x))
        codes = trained.encode_codes(x)
        assert torch.allclose(reloaded.embed_codes(codes), trained.embed_codes(codes), atol=1e-6)
        assert torch.equal(reloaded.null_embedding, trained.null_embedding)
    metrics = json.load(open(os.path.join(work, 'metrics.json')))
    assert set(metrics['sets']) == {'emoji', 'emoji-presented', 'icons', 'icons-presented', 'photos'}
    # --seed-minutes ends the SEED stage on time, before its step count; --init-from fine-tunes an exported model
    train.main(['--smoke', '--stage', 'seed', '--work', work, '--seed-minutes', '0.0001', '--init-from', out])
    ckpt = torch.load(os.path.join(work, 'seed.pt'))
    assert ckpt['steps_done'] < train.SMOKE['seed_steps']
    assert ckpt['init_from']['encoder_sha256'] == manifest['tokenizer']['encoder']['sha256']
    assert ckpt['quantize_from'] == 0, 'a fine-tuned model quantises from the first step'
