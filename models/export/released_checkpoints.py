"""Reading the released SEED checkpoint files and matching their keys to the model, key by key.

SEED v1 is three files: `eva_vit_g.pth` (a flat state dict of the ViT), `causal_qformer.pth` and
`seed_tokenizer.pth` (each `{"model": state_dict}`). SEED-2 (SEED-LLaMA) is `eva_vit_g.pth` and
`seed_quantizer.pt` (a flat state dict of the whole tokenizer). A file may also hold parameters that SEED
never runs, because they come from BLIP-2's training (the Q-Former's text embeddings and text FFN, its
language-model head, the stage-1 contrastive heads) or from SEED's own training-only branches; those are
accepted and listed as ignored. Any other extra key, any missing key and any shape mismatch is an error.

Load order is the release's: it builds the ViT from `eva_vit_g.pth`, then loads each SEED file into the whole
model with non-strict `load_state_dict`, one after another. So a tensor that a later file also holds (a copy
of the ViT inside a Q-Former checkpoint, say) replaces the earlier one. We do the same, compare each such
copy with the tensor it replaces, and log how many were identical and how far the others differ.
"""

from __future__ import annotations

import pickle
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import torch

from torch import nn

QFORMER_UNUSED = (
    (r'\.bert\.embeddings\.(word_embeddings|position_embeddings)\.weight$', 'text token/position embeddings'),
    (r'\.bert\.embeddings\.position_ids$', 'text position ids'),
    (r'\.bert\.encoder\.layer\.\d+\.(intermediate|output)\.', 'text-side FFN (queries use *_query)'),
    (r'\.cls\.', 'BERT language-model head'),
)


@dataclass(frozen=True)
class CheckpointPart:
    """One released file: which top-level modules of the model it fills, and how it is laid out."""

    filename: str
    description: str
    option: str
    roots: tuple[str, ...]
    # Prefix the file's keys lack relative to the model (the ViT file has no `visual_encoder.`).
    prefix: str = ''
    known_unused: tuple[tuple[str, str], ...] = ()

    def model_key(self, file_key: str) -> str:
        return self.prefix + file_key

    def expected_shapes(self, model: nn.Module) -> dict[str, torch.Size]:
        return {
            key[len(self.prefix) :]: tensor.shape
            for key, tensor in model.state_dict().items()
            if key.split('.', 1)[0] in self.roots
        }

    def unused_reason(self, file_key: str) -> str | None:
        for pattern, reason in self.known_unused:
            if re.search(pattern, file_key):
                return reason
        return None


EVA_VIT = CheckpointPart(
    filename='eva_vit_g.pth',
    description='EVA ViT-g/14 vision encoder (BLIP-2/LAVIS)',
    option='--eva-vit',
    roots=('visual_encoder',),
    prefix='visual_encoder.',
    known_unused=(
        (r'^(norm|fc_norm|head)\.', 'EVA-CLIP final norm / classification head (BLIP-2 uses no final norm)'),
    ),
)

CAUSAL_QFORMER = CheckpointPart(
    filename='causal_qformer.pth',
    description='SEED v1 causal Q-Former with ln_vision and query tokens',
    option='--causal-qformer',
    roots=('ln_vision', 'query_tokens', 'Qformer'),
    known_unused=tuple((r'^Qformer' + pattern, reason) for pattern, reason in QFORMER_UNUSED)
    + (
        (r'^(vision_proj|text_proj|itm_head)\.|^temp$', 'BLIP-2 stage-1 contrastive/matching heads'),
    ),
)

SEED_TOKENIZER = CheckpointPart(
    filename='seed_tokenizer.pth',
    description='SEED v1 tokenizer heads: task layers, codebook, de-tokenizer',
    option='--seed-tokenizer',
    roots=(
        'encode_task_layer',
        'quantize',
        'decode_task_layer',
        'pos_embed_text',
        'blocks_text',
        'reverse_tokens',
        'Reverse_Qformer',
        'distill_text_proj',
    ),
    known_unused=tuple((r'^Reverse_Qformer' + pattern, reason) for pattern, reason in QFORMER_UNUSED)
    + (
        (r'^pos_embed_image$|^blocks_image\.\d+\.|^distill_image_proj\.', 'training-only image distillation branch'),
    ),
)


SEED_QUANTIZER = CheckpointPart(
    filename='seed_quantizer.pt',
    description='SEED-2 (SEED-LLaMA) tokenizer: ln_vision, causal Q-Former, codebook, image de-tokenizer',
    option='--seed-quantizer',
    roots=(
        'ln_vision',
        'query_tokens',
        'Qformer',
        'encode_task_layer',
        'quantize',
        'decode_task_layer',
        'pos_embed_image',
        'blocks_image',
        'image_down',
        'distill_image_proj',
    ),
    known_unused=tuple((r'^Qformer' + pattern, reason) for pattern, reason in QFORMER_UNUSED)
    + (
        (r'^(vision_proj|text_proj|itm_head)\.|^temp$', 'BLIP-2 stage-1 contrastive/matching heads'),
        # recon_s=True builds `pos_embed` + `blocks` (a reconstruction branch get_codebook_entry never runs).
        (r'^pos_embed$|^blocks\.\d+\.', 'training-only reconstruction branch (pos_embed, blocks)'),
        # use_qformer_image=True builds a one-query reverse Q-Former; from_pretrained never sets it.
        (r'^Reverse_Qformer\.|^reverse_tokens$', 'one-query reverse Q-Former the release does not build'),
        (r'^(visual_encoder\.)?(norm|fc_norm|head)\.', 'EVA-CLIP final norm / classification head'),
    ),
)


@dataclass(frozen=True)
class Release:
    """One tokenizer release: its files in the order the release loads them, and files of other models that
    people may pass instead, recognised by key patterns that must all occur."""

    name: str
    converter: str
    parts: tuple[CheckpointPart, ...]
    # Parts whose file may be left out when later files hold all of its tensors.
    optional: tuple[CheckpointPart, ...] = ()
    foreign: tuple[tuple[tuple[str, ...], str], ...] = ()


COMMON_FOREIGN = (
    (
        (r'^model\.diffusion_model\.|^first_stage_model\.|^cond_stage_model\.',),
        'a Stable Diffusion checkpoint (like sd-v1-4.ckpt)',
    ),
    ((r'^(conv_in|down_blocks|up_blocks|mid_block)\.',), 'a diffusers UNet or VAE'),
    ((r'^text_model\.|^vision_model\.',), 'a Hugging Face CLIP model'),
)
SEED2_SIGNATURE = (
    (r'^quantize\.', r'^image_down\.', r'^distill_image_proj\.'),
    'the SEED-2 (SEED-LLaMA) tokenizer, seed_quantizer.pt; convert it with convert_seed2.py',
)
SEED_V1_TOKENIZER_SIGNATURE = (
    (r'^Reverse_Qformer\.', r'^distill_text_proj\.'),
    'the SEED v1 de-tokenizer, seed_tokenizer.pth; convert SEED v1 with convert.py',
)
SEED_V1_QFORMER_SIGNATURE = (
    (r'^Qformer\.', r'^ln_vision\.'),
    'the SEED v1 causal Q-Former, causal_qformer.pth (it has no codebook); convert SEED v1 with convert.py',
)

SEED_V1 = Release(
    name='SEED v1',
    converter='convert.py',
    parts=(EVA_VIT, CAUSAL_QFORMER, SEED_TOKENIZER),
    foreign=COMMON_FOREIGN + (SEED2_SIGNATURE,),
)
SEED_V2 = Release(
    name='SEED-2',
    converter='convert_seed2.py',
    parts=(EVA_VIT, SEED_QUANTIZER),
    optional=(EVA_VIT,),
    foreign=COMMON_FOREIGN + (SEED_V1_TOKENIZER_SIGNATURE, SEED_V1_QFORMER_SIGNATURE),
)
PARTS = SEED_V1.parts

LISTED_KEYS = 40


class CheckpointError(Exception):
    """A checkpoint file is missing, unreadable or does not hold the expected model."""


@dataclass(frozen=True)
class Replacement:
    """A tensor loaded from an earlier file and replaced by a later file's copy, as the release does."""

    key: str
    earlier: str
    max_abs_diff: float


@dataclass
class KeyReport:
    part: CheckpointPart
    path: Path
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    mismatched: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = field(default_factory=list)
    ignored: dict[str, list[str]] = field(default_factory=dict)
    resemblance: str = ''
    # Keys of other files' modules that this file holds too, and what loading them replaced.
    copies: list[str] = field(default_factory=list)
    replaced: list[Replacement] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.mismatched)

    def ignored_summary(self) -> str:
        return '; '.join(f'{len(keys)} x {reason}' for reason, keys in self.ignored.items())

    def replaced_summary(self) -> str:
        """Says how many tensors of earlier files this file replaced and whether the copies differed."""
        if not self.replaced:
            return ''
        differing = [r for r in self.replaced if r.max_abs_diff != 0]
        earlier = ', '.join(sorted({r.earlier for r in self.replaced}))
        text = f'replaced {len(self.replaced)} tensors of {earlier} (the release loads this file later): '
        if not differing:
            return text + 'all identical'
        worst = max(differing, key=lambda r: r.max_abs_diff)
        return text + (
            f'{len(differing)} differ (largest: {worst.key}, by {worst.max_abs_diff:.3g}); '
            f'{len(self.replaced) - len(differing)} identical'
        )

    def describe(self) -> str:
        lines = [
            f'{self.part.filename} (given as {self.part.option} {self.path}): {len(self.missing)} missing, '
            f'{len(self.unexpected)} unexpected, {len(self.mismatched)} with the wrong shape.'
        ]
        # A file of another model mismatches everywhere; a few keys show it, the count says the rest.
        limit = 5 if 'looks like' in self.resemblance else LISTED_KEYS
        if self.resemblance:
            lines.append(f'  {self.resemblance}')
        lines += _listing('missing', self.missing, limit)
        lines += _listing('unexpected', self.unexpected, limit)
        lines += _listing(
            'wrong shape',
            [f'{key}: file {list(got)}, expected {list(want)}' for key, got, want in self.mismatched],
            limit,
        )
        return '\n'.join(lines)


def _listing(label: str, items: list[str], limit: int) -> list[str]:
    lines = [f'  {label}: {item}' for item in items[:limit]]
    if len(items) > limit:
        lines.append(f'  ... and {len(items) - limit} more {label}')
    return lines


def read_state_dict(path: Path, part: CheckpointPart) -> dict[str, torch.Tensor]:
    """Loads a checkpoint file (tensors only) and returns its flat state dict."""
    if not path.is_file():
        raise CheckpointError(
            f'{part.filename} not found: {path} ({part.option}). Download {part.filename} '
            f'({part.description}) and pass its path; see models/export/README.md.'
        )
    try:
        loaded = torch.load(str(path), map_location='cpu', weights_only=True)
    except pickle.UnpicklingError as error:
        # torch's safe unpickler reports both foreign objects ("Unsupported class ...") and damaged data this way.
        if 'Unsupported' not in str(error):
            raise _damaged(path, part, error) from error
        raise CheckpointError(
            f'{path} ({part.option}) holds Python objects other than tensors and plain containers, which this '
            f'converter does not unpickle: {error}. Pass the released {part.filename}.'
        ) from error
    except Exception as error:  # torch reports a damaged archive with several exception types
        raise _damaged(path, part, error) from error
    return _unwrap(loaded, path, part)


def _damaged(path: Path, part: CheckpointPart, error: Exception) -> CheckpointError:
    size = path.stat().st_size
    return CheckpointError(
        f'Cannot read {path} ({part.option}, {size} bytes): {error}. The file is damaged or incomplete, '
        f'most likely an interrupted download; download {part.filename} again.'
    )


def _unwrap(loaded: object, path: Path, part: CheckpointPart) -> dict[str, torch.Tensor]:
    node = loaded
    # The SEED files keep the weights under "model"; other tools use "state_dict" or "module".
    while isinstance(node, dict) and not any(isinstance(v, torch.Tensor) for v in node.values()):
        inner = next((node[k] for k in ('model', 'state_dict', 'module') if isinstance(node.get(k), dict)), None)
        if inner is None:
            break
        node = inner
    if not isinstance(node, dict) or not node:
        keys = list(loaded)[:10] if isinstance(loaded, dict) else type(loaded).__name__
        raise CheckpointError(
            f'{path} ({part.option}) does not hold a state dict (found {keys}). Pass the released {part.filename}.'
        )
    tensors = {k: v for k, v in node.items() if isinstance(v, torch.Tensor)}
    if tensors and all(k.startswith('module.') for k in tensors):
        tensors = {k[len('module.') :]: v for k, v in tensors.items()}
    return tensors


UNKNOWN_ALLOWED = 'unknown keys allowed by --ignore-unexpected-keys'


def owner(release: Release, model_key: str) -> CheckpointPart | None:
    root = model_key.split('.', 1)[0]
    return next((part for part in release.parts if root in part.roots), None)


def match_keys(
    part: CheckpointPart,
    path: Path,
    state: dict[str, torch.Tensor],
    model: nn.Module,
    ignore_unexpected: bool = False,
    release: Release = SEED_V1,
) -> KeyReport:
    """Sorts the file's keys into its own, copies of other files' tensors, known-unused and unexpected ones,
    and lists its own keys that it lacks and shapes that differ from the model's."""
    targets = model.state_dict()
    expected = part.expected_shapes(model)
    report = KeyReport(part, path)
    ignored: dict[str, list[str]] = defaultdict(list)
    for key, tensor in state.items():
        model_key = part.model_key(key)
        if model_key in targets and owner(release, model_key) is not None:
            if tuple(tensor.shape) != tuple(targets[model_key].shape):
                report.mismatched.append((key, tuple(tensor.shape), tuple(targets[model_key].shape)))
            elif key not in expected:
                report.copies.append(key)
        elif (reason := part.unused_reason(key)) is not None:
            ignored[reason].append(key)
        elif ignore_unexpected:
            ignored[UNKNOWN_ALLOWED].append(key)
        else:
            report.unexpected.append(key)
    report.missing = [key for key in expected if key not in state]
    report.ignored = dict(ignored)
    if not report.ok:
        report.resemblance = resemblance(part, state, model, release)
    return report


def resemblance(part: CheckpointPart, state: dict[str, torch.Tensor], model: nn.Module, release: Release) -> str:
    """A sentence saying which model the file's keys look like, to catch swapped or wrong files."""
    keys = list(state)
    for patterns, name in release.foreign:
        if all(any(re.search(pattern, key) for key in keys) for pattern in patterns):
            return f'This file looks like {name}.'
    scores = []
    for other in release.parts:
        names = set(other.expected_shapes(model))
        known = sum(1 for key in keys if key in names or other.unused_reason(key) is not None)
        scores.append((known / max(len(keys), 1), other))
    best_score, best = max(scores, key=lambda pair: pair[0])
    if best is not part and best_score >= 0.5:
        return (
            f'This file looks like {best.filename} ({best.description}): {best_score:.0%} of its keys are that '
            f'file\'s. Check which file you passed to {part.option} and {best.option}.'
        )
    if best is part:
        return (
            f'This file has the names of {part.filename} ({best_score:.0%} of its keys), so it is probably a '
            'different version or size of that model.'
        )
    return (
        f'This file does not look like any {release.name} checkpoint '
        f'({best_score:.0%} of its keys match the closest).'
    )


def load_released_checkpoints(
    model: nn.Module,
    paths: dict[CheckpointPart, Path | None],
    ignore_unexpected: bool = False,
    log=print,
    release: Release = SEED_V1,
) -> list[KeyReport]:
    """Checks every file's keys and copies the weights into `model` in the release's load order, a later
    file's copy of a tensor replacing the earlier one. Raises one CheckpointError that describes every
    mismatching file if any does not match. A part in `release.optional` may be given as None when later
    files hold all of its tensors."""
    reports: list[KeyReport] = []
    targets = model.state_dict()
    # Which file each model tensor was last loaded from (the release's non-strict loads: the last one wins).
    loaded_from: dict[str, str] = {}
    for part in release.parts:
        path = paths.get(part)
        if path is None:
            if part not in release.optional:
                raise CheckpointError(f'{part.filename} ({part.description}) is needed: pass it as {part.option}.')
            continue
        state = read_state_dict(path, part)
        report = match_keys(part, path, state, model, ignore_unexpected, release)
        reports.append(report)
        if not (report.unexpected or report.mismatched):
            own = [key for key in part.expected_shapes(model) if key in state]
            with torch.no_grad():
                for key in own + report.copies:
                    model_key, value = part.model_key(key), state[key]
                    if model_key in loaded_from:
                        difference = (targets[model_key].float() - value.float()).abs().max().item()
                        report.replaced.append(Replacement(model_key, loaded_from[model_key], difference))
                    targets[model_key].copy_(value)
                    loaded_from[model_key] = part.filename
            notes = [note for note in (report.replaced_summary(), report.ignored_summary()) if note]
            extra = f'; {"; ".join(notes)}' if notes else ''
            copies = f' ({len(report.copies)} of them copies of other files\' tensors)' if report.copies else ''
            log(f'{part.filename}: {len(own) + len(report.copies)} tensors loaded{copies}{extra}')
        del state
    # An optional file left out is fine only when later files held every tensor it would have given.
    for part in release.optional:
        if paths.get(part) is None:
            absent = [key for key in part.expected_shapes(model) if part.model_key(key) not in loaded_from]
            if absent and not any(report.unexpected or report.mismatched for report in reports):
                raise CheckpointError(
                    f'{part.filename} ({part.description}) was not given and the other files do not hold its '
                    f'{len(absent)} tensors (e.g. {part.model_key(absent[0])}); pass it as {part.option}.'
                )
    bad = [report for report in reports if not report.ok]
    if bad:
        hint = ''
        if all(not (report.missing or report.mismatched) for report in bad):
            hint = (
                '\nEvery expected weight is present. If these extra keys are known to be unused, '
                'pass --ignore-unexpected-keys to convert anyway.'
            )
        raise CheckpointError(
            f'The checkpoints do not match {release.name}:\n' + '\n'.join(report.describe() for report in bad) + hint
        )
    return reports
