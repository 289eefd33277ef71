"""Writes models/seed-nano/README.md (the model card) from the recipe's measurements; nothing in it is typed by hand."""

import time

from evaluate import CONTACT_SHEETS

# The held-out sets in card order: label, what they are, and issue 13's targets (None: reported without a target).
SETS = [
    ('emoji', '(a) emoji', 'held-out emoji, plain: full frame on white, as the first seed-nano was measured',
     {'ratio': 0.40, 'ratio_before': 0.373, 'retrieval_before': 0.835}),
    ('emoji-presented', '(b) emoji, presented', 'the same emoji with a random presentation (background, scale, '
     'position, rotation, mirroring; fixed seed)', {'ratio': 0.45, 'retrieval': 0.60}),
    ('icons', '(c) icons', 'held-out desktop icons, plain (full frame on white)', {'ratio': 0.45, 'retrieval': 0.60}),
    ('icons-presented', "(c') icons, presented", 'the same icons with a random presentation', None),
    ('photos', '(d) photographs', 'square crops (a third to all of the short side) of the nature photographs of '
     'Debian mate-backgrounds, out of domain', None),
]


def _pct(x):
    return f'{100 * x:.1f}%'


def _bytes(n):
    return f'{n / 1e6:.2f} MB' if n >= 1e5 else f'{n / 1e3:.1f} kB'


def _verdict(ok):
    return 'met' if ok else '**not met**'


def _targets(s, target):
    """The target cell of one set: each target with met / not met."""
    if target is None:
        return 'reported, no target'
    parts = [f'ratio <= {target["ratio"]:.2f}: {_verdict(s["recon_over_random"] <= target["ratio"])}']
    if 'retrieval' in target:
        met = s['retrieval_rate'] >= target['retrieval']
        parts.append(f'retrieval >= {_pct(target["retrieval"])}: {_verdict(met)}')
    if 'ratio_before' in target:
        met = s['recon_over_random'] <= target['ratio_before'] and s['retrieval_rate'] >= target['retrieval_before']
        parts.append(
            f'no worse than the first seed-nano ({target["ratio_before"]:.3f}, {_pct(target["retrieval_before"])}): '
            + _verdict(met)
        )
    return '; '.join(parts)


def _measure_rows(sets, codebook_size):
    rows = [
        ('images', lambda s: str(s['images'])),
        ('reconstruction error, decode(encode(x)) vs x', lambda s: f'{s["recon_rmse"]:.4f}'),
        ('error of random-code decodes', lambda s: f'{s["random_codes_rmse"]:.4f}'),
        ("error of decodes of another image's codes", lambda s: f'{s["other_image_codes_rmse"]:.4f}'),
        ('**ratio reconstruction / random codes**', lambda s: f'**{s["recon_over_random"]:.3f}**'),
        ("ratio reconstruction / another image's codes", lambda s: f'{s["recon_over_other"]:.3f}'),
        ('autoencoder alone (upper bound of the decoder)', lambda s: f'{s["autoencoder_rmse"]:.4f}'),
        ('**retrieval**: own source is the nearest input of the set to the reconstruction',
         lambda s: f'**{_pct(s["retrieval_rate"])}**'),
        ('retrieval by random-code decodes (chance)',
         lambda s: f'{_pct(s["retrieval_rate_random_codes"])} ({_pct(s["retrieval_chance"])})'),
        (f'codebook entries used (of {codebook_size}; perplexity)',
         lambda s: f'{s["code_usage"]["used"]} ({s["code_usage"]["perplexity"]:.0f})'),
        ('distinct code sequences', lambda s: _pct(s['distinct_sequences'])),
        ('codes surviving a round trip (encode the reconstruction again; leading run)',
         lambda s: f'{_pct(s["roundtrip_codes_kept"])} ({s["roundtrip_prefix_kept"]:.1f})'),
    ]
    header = '| measure | ' + ' | '.join(label for name, label, _, _ in SETS if name in sets) + ' |'
    lines = [header, '| --- |' + ' --- |' * len([1 for name, *_ in SETS if name in sets])]
    for title, cell in rows:
        lines.append(f'| {title} | ' + ' | '.join(cell(sets[name]) for name, *_ in SETS if name in sets) + ' |')
    return lines


def _compared_lines(m):
    """The previous model on the same sets (present when the eval stage ran with --compare-with)."""
    compared = m.get('compared')
    if not compared:
        return []
    lines = [
        '',
        f'The model before this one (encoder.onnx sha256 {compared["encoder_sha256"][:12]}, guidance '
        f'{compared["guidance"]}) on the same sets:',
        '',
        '| set | ratio before | ratio now | retrieval before | retrieval now |',
        '| --- | --- | --- | --- | --- |',
    ]
    for name, label, _, _ in SETS:
        if name in compared['sets'] and name in m['sets']:
            before, now = compared['sets'][name], m['sets'][name]
            lines.append(
                f'| {label} | {before["recon_over_random"]:.3f} | {now["recon_over_random"]:.3f} | '
                f'{_pct(before["retrieval_rate"])} | {_pct(now["retrieval_rate"])} |'
            )
    return lines + ['']


def _resolution_lines(cost, tr):
    """What 64x64 would cost, from step_cost.py's timings (absent: the card says how to measure it)."""
    if cost is None:
        return ['Not measured in this run: `recipe/step_cost.py` times it.']
    seed_minutes = tr.get('seconds', 0) / 60
    steps = tr.get('steps_done', 0)
    return [
        'The same architecture at 64x64 (16x16 patches, a 4x16x16 latent) was timed against 32x32 in one process by',
        f'`recipe/step_cost.py` ({cost["rounds"]} rounds each, alternating, {cost["threads"]} threads, median):',
        '',
        '| | 32x32 | 64x64 | ratio |',
        '| --- | --- | --- | --- |',
        f'| SEED training step, batch 32 | {cost["32"]["train_step"]:.2f} s | {cost["64"]["train_step"]:.2f} s | '
        f'{cost["train_step_ratio"]:.1f}x |',
        f'| decode of one image (PLMS 25 steps, guidance) | {cost["32"]["decode"]:.2f} s | '
        f'{cost["64"]["decode"]:.2f} s | '
        f'{cost["decode_ratio"]:.1f}x |',
        '',
        f'This run\'s {steps} SEED steps took {seed_minutes:.0f} minutes; the same steps at 64x64 would take about '
        f'{seed_minutes * cost["train_step_ratio"] / 60:.0f} hours on this machine, so 64x64 was not trained here. '
        'Self-attention over 256 patches in the ViT and over the 16x16 latent in the UNet is most of the',
        'difference; on a GPU it is a matter of minutes.',
    ]


def write(path, m, manifest, sizes, preview_rmse, step_cost=None):
    cfg, tr, hp, params = m['config'], m['training'], m['training'].get('hp', {}), m['parameters']
    sets = m['sets']
    minutes = (tr.get('seconds', 0) + tr.get('ae_seconds', 0)) / 60
    d = manifest['diffusion']
    train_sources = m['train_sources']
    emoji_test, icon_test = sets['emoji']['images'], sets['icons']['images']
    lines = [
        '# seed-nano',
        '',
        'A miniature SEED v1 image tokenizer and decoder, really trained, that ships with jupyterlab-seed so the',
        'product, tests and demo run without downloading the multi-gigabyte release. It has the same stages as SEED',
        '(ViT, causal Q-Former, quantiser, de-tokenizer, diffusion UNet on a VAE latent) at toy scale, trained at',
        f'{cfg["image_size"]}x{cfg["image_size"]} on {train_sources["emoji"]} colour emoji and {train_sources["icon"]} '
        f'desktop icons ({emoji_test} and {icon_test} more held out), each shown on a random background, at a random',
        'scale and position: expect colour, layout and rough shape to survive tokenization, not fine detail.',
        '',
        '*This card is written by `recipe/export.py` from `recipe/evaluate.py`\'s measurements '
        f'({time.strftime("%Y-%m-%d")}); do not edit it by hand, re-run the recipe.*',
        '',
        '![contact sheet](contact-sheet.png)',
        '',
        'Contact sheets: the first 16 images of a held-out set; under each, its reconstruction decode(encode(x)),',
        "the decode of its left neighbour's codes, and the decode of 32 random codes",
        f'({m["sampler"].upper()}, {m["steps"]} steps, guidance {m["guidance"]}, noise seed 42, shown at 2x).',
        'Above: set (a). The others:',
        '',
    ]
    for name, label, _, _ in SETS[1:]:
        if name in sets:
            lines += [f'{label}: ![{label}]({CONTACT_SHEETS[name]})', '']
    lines += [
        '## Held-out evaluation',
        '',
        'Held-out sets, never trained on (fixed-seed random splits of each kind of source):',
        '',
    ]
    lines += [f'- {label}: {what}.' for name, label, what, _ in SETS if name in sets]
    lines += [
        '',
        f'Errors are RMSE in [0, 1] RGB at {cfg["image_size"]}x{cfg["image_size"]}, averaged over images; decodes use the '
        'manifest defaults. Every set is compared with the same decodes of random codes; the decode of another',
        "image's codes is the left neighbour's reconstruction.",
        (
            f'Guidance was chosen among {sorted(float(g) for g in m["guidance_validation_rmse"])} on '
            f'{m["validation_images"]} *training* sources in the training presentation mix.'
            if m['guidance_validation_rmse']
            else f'Guidance {m["guidance"]} was given (`--guidance`), not swept, in this run.'
        ),
        '',
    ]
    lines += _measure_rows(sets, m['codebook_size'])
    lines += ['', '| set | targets (issue 13) |', '| --- | --- |']
    lines += [f'| {label} | {_targets(sets[name], target)} |' for name, label, _, target in SETS if name in sets]
    lines += [
        '',
        f'Training codes ({m["train_images"]} training sources, one presentation each): '
        f'{m["train_code_usage"]["used"]} of {m["codebook_size"]} codebook entries used (perplexity '
        f'{m["train_code_usage"]["perplexity"]:.0f}), {_pct(m["train_distinct_sequences"])} distinct sequences.',
    ]
    lines += _compared_lines(m)
    lines += [
        (
            'Validation RMSE by guidance scale: '
            + ', '.join(f'{float(g):g}: {e:.4f}' for g, e in m['guidance_validation_rmse'].items())
            + '.'
            if m['guidance_validation_rmse']
            else ''
        ),
        '',
        '## Architecture',
        '',
        '| stage | seed-nano | SEED v1 |',
        '| --- | --- | --- |',
        f'| input | {cfg["image_size"]}x{cfg["image_size"]} RGB (transparency on white), bicubic, mean/std 0.5 | '
        '224x224, CLIP mean/std |',
        f'| ViT | patch {cfg["patch_size"]}, width {cfg["vit_width"]}, {cfg["vit_depth"]} pre-norm blocks, '
        f'{cfg["vit_heads"]} heads, cls token, absolute pos-embed, no final norm, then ln_vision | EVA ViT-g/14, 39 blocks |',
        f'| causal Q-Former | {cfg["num_queries"]} learned queries, width {cfg["qformer_width"]}, {cfg["qformer_layers"]} '
        'post-norm BERT layers, causal self-attention, cross-attention to the patch features in every layer | '
        '12 layers, cross-attention every 2nd |',
        f'| encode_task_layer | Linear-Tanh-Linear to {cfg["code_dim"]} | same, to 32 |',
        f'| quantiser | {cfg["codebook_size"]}x{cfg["code_dim"]} codebook, cosine (l2-normalised) | 8192x32, plain L2 |',
        f'| de-tokenizer | decode_task_layer, pos_embed_text, {cfg["detok_blocks"]} ViT blocks, bidirectional reverse '
        f'Q-Former ({cfg["reverse_layers"]} layers, {cfg["gen_tokens"]} queries), distill_text_proj -> '
        f'{cfg["gen_tokens"]}x{cfg["gen_dim"]} | 4 blocks, 4 layers, 77 queries -> 77x768 |',
        f'| UNet | {cfg["unet_channels"]}/{2 * cfg["unet_channels"]} channels at 8x8/4x4, spatial transformers with '
        f'cross-attention to the generation embedding at both resolutions and in the middle; v-prediction, cosine '
        f'schedule, 1000 steps | SD v1.4, epsilon, scaled-linear |',
        f'| autoencoder | convolutional, 3x32x32 <-> {cfg["latent_channels"]}x{cfg["latent_size"]}x{cfg["latent_size"]}, '
        f'trained (plain MSE), vaeScale {d["vaeScale"]} | SD VAE, 4x64x64, 0.18215 |',
        '',
        'Parameters: ' + ', '.join(f'{k} {v / 1e6:.2f} M' for k, v in params.items()) + '.',
        'The architecture is the first seed-nano\'s: encode and decode cost the same as before.',
        '',
        '## Training',
        '',
        '- Emoji: every fully-qualified emoji of `emoji-test.txt` (Debian `unicode-data`) that Noto Color Emoji',
        '  (Debian `fonts-noto-color-emoji`) draws as one glyph, duplicates removed, captions = Unicode names; the',
        '  held-out emoji are those the first seed-nano held out.',
        '- Icons: the PNG icons of the oxygen and Adwaita themes (Debian `oxygen-icon-theme`, `adwaita-icon-theme`),',
        '  largest size of at least 48 px, symbolic ones left out, links and near-duplicates (same 8x8 colour',
        '  thumbnail) removed, cropped to their visible box; captions from the file names.',
        '- Presentation, drawn afresh for every batch (`recipe/augment.py`): '
        f'{_pct(hp.get("plain_fraction", 0))} of each batch full frame on',
        '  white; the rest on a plain colour, a two-colour gradient, smooth colour noise or stripes, scaled to a third',
        '  to all of the frame, placed anywhere it fits, rotated up to 15 degrees, mirrored left-right half the time.',
        '  The target of every reconstruction is the presented image, background included.',
        f'- Autoencoder: {hp.get("ae_steps")} steps at batch {hp.get("ae_batch")}, MSE; RMSE on other presentations of '
        f'training sources {tr.get("ae_test_rmse", 0):.4f}.',
        f'- SEED stage: {tr.get("steps_done")} steps at batch {hp.get("seed_batch")}, AdamW lr {hp.get("seed_lr")} '
        '(warm-up, cosine decay), loss = v-prediction MSE + latent-prediction MSE of the generation embedding '
        f'(weight {hp.get("aux_weight")}, an auxiliary linear head, not exported) + VQ codebook/commitment loss; '
        f'{_pct(hp.get("cond_dropout", 0))} condition dropout to the learned null embedding (`unconditional.f32`).',
        f'- Against codebook collapse: the first {_pct(hp.get("continuous_fraction", 0))} of the schedule without '
        'quantisation (normalised vectors straight to the de-tokenizer), then a spherical k-means of the encoder '
        f'outputs initialises the codebook, then codes unused for {hp.get("restart_every")} steps are re-seeded from '
        'recent encoder outputs.',
        f'- Time: {minutes:.0f} minutes of training on {tr.get("device")} with {tr.get("threads")} threads '
        f'(PyTorch {tr.get("torch")}, machine shared with other jobs), seed {tr.get("seed")}.',
    ]
    if tr.get('init_from'):
        lines += [
            '- Fine-tuned: the SEED stage started from the tokenizer, codebook, de-tokenizer, UNet and null embedding of',
            f'  an earlier seed-nano (`--init-from`, its encoder.onnx sha256 {tr["init_from"]["encoder_sha256"][:12]}), with',
            '  this run\'s autoencoder and quantisation from the first step (the codebook was already trained).',
        ]
    if tr.get('seed_minutes'):
        # The stage ends at the time limit or at the recipe's step count, whichever comes first.
        if tr.get('steps_done') == hp.get('seed_steps'):
            ending = (
                f'  reached all {hp.get("seed_steps")} steps of the recipe after {tr.get("seconds", 0) / 60:.0f} minutes, '
                'before the time was up.'
            )
        else:
            ending = (
                f'  stopped when the time was up, at step {tr.get("steps_done")} of at most {hp.get("seed_steps")} '
                '(the machine was shared with other jobs).'
            )
        lines += [
            f'- The SEED stage ran with `--seed-minutes {tr["seed_minutes"]:g}`: its schedule followed the clock; it',
            ending,
        ]
    lines += [
        '',
        f'Reproduce (`--all` runs the {hp.get("seed_steps")} SEED steps of the recipe, about 80 minutes on 2 idle CPU',
        'cores; `--seed-minutes M` bounds the SEED stage by time instead; `--device cuda` for a GPU):',
        '',
        '```sh',
        'OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 models/seed-nano/recipe/train.py --all',
        '```',
        '',
        '## 64x64',
        '',
    ]
    lines += _resolution_lines(step_cost, tr)
    lines += [
        '',
        '## Files',
        '',
        '| file | bytes |',
        '| --- | --- |',
    ]
    lines += [f'| `{name}` | {_bytes(size)} |' for name, size in sizes.items()]
    lines += [
        f'| total | {_bytes(sum(sizes.values()))} |',
        '',
        'ONNX opset 14, float32, dynamic batch. UNet `timestep` is int64 [B]; the UNet predicts v. The manifest\'s',
        '`diffusion.preview` is a least-squares linear map from the UNet-space latent to RGB in [-1, 1] at 8x8',
        f'(fit RMSE {preview_rmse:.3f}). Parity of every ONNX file with PyTorch: `recipe/parity/` and',
        '`node --test models/seed-nano/recipe/parity.test.mjs`.',
        '',
        '## Limits',
        '',
        '- 32x32 pictures of single objects (emoji, icons); photographs are out of domain (set (d) above shows how far).',
        '- The codes are not SEED v1 codes: another codebook, another training set; they only share the layout.',
        f'- Trained for {minutes:.0f} minutes on a CPU: the numbers above are those of a small, honest baseline.',
        '',
        '## With a GPU',
        '',
        'Training steps are the lever measured so far: the first seed-nano gave a reconstruction / random-code ratio',
        'of 0.597 with 1600 SEED steps and 0.373 with 6400 (retrieval 39.5% and 83.5%), on plain emoji. On a GPU:',
        '',
        '- 20 to 50 times more SEED steps at batch 256 (a step of this model takes milliseconds there), with an',
        '  exponential moving average of the weights for export;',
        '- 64x64 images (a 4x16x16 latent), a wider ViT and a deeper Q-Former (SEED v1 has 12 layers), more UNet',
        '  channels, so that fine detail, not only colour and layout, survives the 32 codes;',
        '- a perceptual or adversarial loss for the autoencoder once the diffusion decoder comes close to its bound;',
        '- the guidance and step sweep of the evaluation over the whole held-out split.',
        '',
    ]
    with open(path, 'w') as f:
        f.write('\n'.join(lines))
