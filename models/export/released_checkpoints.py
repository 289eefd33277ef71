"""Reading the released SEED v1 checkpoint files and matching their keys to `SeedV1Tokenizer`, key by key.

Three files make the tokenizer: `eva_vit_g.pth` (a flat state dict of the ViT), `causal_qformer.pth` and
`seed_tokenizer.pth` (each `{"model": state_dict}`). A file may also hold parameters that SEED never runs,
because they come from BLIP-2's training (the Q-Former's text embeddings and text FFN, its language-model
head, the stage-1 contrastive heads) or from SEED's own training-only branches; those are accepted and
listed as ignored. Any other extra key, any missing key and any shape mismatch is an error.
"""

from __future__ import annotations

import pickle
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import torch

from seed_v1_modules import SeedV1Tokenizer

QFORMER_UNUSED = (
    (r'\.bert\.embeddings\.(word_embeddings|position_embeddings)\.weight$', 'text token/position embeddings'),
    (r'\.bert\.embeddings\.position_ids$', 'text position ids'),
    (r'\.bert\.encoder\.layer\.\d+\.(intermediate|output)\.', 'text-side FFN (queries use *_query)'),
    (r'\.cls\.', 'BERT language-model head'),
)


@dataclass(frozen=True)
class CheckpointPart:
    """One released file: which top-level modules of `SeedV1Tokenizer` it fills, and how it is laid out."""

    filename: str
    description: str
    option: str
    roots: tuple[str, ...]
    # Prefix the file's keys lack relative to SeedV1Tokenizer (the ViT file has no `visual_encoder.`).
    prefix: str = ''
    known_unused: tuple[tuple[str, str], ...] = ()

    def model_key(self, file_key: str) -> str:
        return self.prefix + file_key

    def expected_shapes(self, model: SeedV1Tokenizer) -> dict[str, torch.Size]:
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
        (r'^visual_encoder\.', 'a copy of the ViT (the ViT is read from eva_vit_g.pth)'),
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

PARTS = (EVA_VIT, CAUSAL_QFORMER, SEED_TOKENIZER)

# Files people may confuse with the SEED v1 ones, recognised by key patterns that must all occur,
# so the error can name them.
FOREIGN_SIGNATURES = (
    (
        (r'^model\.diffusion_model\.|^first_stage_model\.|^cond_stage_model\.',),
        'a Stable Diffusion checkpoint (like sd-v1-4.ckpt)',
    ),
    ((r'^(conv_in|down_blocks|up_blocks|mid_block)\.',), 'a diffusers UNet or VAE'),
    ((r'^text_model\.|^vision_model\.',), 'a Hugging Face CLIP model'),
    (
        (r'^Qformer\.', r'^Reverse_Qformer\.', r'^distill_image_proj\.'),
        'the SEED-2 (SEED-LLaMA) tokenizer, seed_quantizer.pt, which this converter does not read',
    ),
)

LISTED_KEYS = 40


class CheckpointError(Exception):
    """A checkpoint file is missing, unreadable or does not hold the expected model."""


@dataclass
class KeyReport:
    part: CheckpointPart
    path: Path
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    mismatched: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = field(default_factory=list)
    ignored: dict[str, list[str]] = field(default_factory=dict)
    resemblance: str = ''

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.mismatched)

    def ignored_summary(self) -> str:
        return '; '.join(f'{len(keys)} x {reason}' for reason, keys in self.ignored.items())

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


def match_keys(
    part: CheckpointPart,
    path: Path,
    state: dict[str, torch.Tensor],
    model: SeedV1Tokenizer,
    ignore_unexpected: bool = False,
) -> KeyReport:
    expected = part.expected_shapes(model)
    report = KeyReport(part, path)
    ignored: dict[str, list[str]] = defaultdict(list)
    for key, tensor in state.items():
        if key in expected:
            if tuple(tensor.shape) != tuple(expected[key]):
                report.mismatched.append((key, tuple(tensor.shape), tuple(expected[key])))
        elif (reason := part.unused_reason(key)) is not None:
            ignored[reason].append(key)
        elif ignore_unexpected:
            ignored[UNKNOWN_ALLOWED].append(key)
        else:
            report.unexpected.append(key)
    report.missing = [key for key in expected if key not in state]
    report.ignored = dict(ignored)
    if not report.ok:
        report.resemblance = resemblance(part, state, model)
    return report


def resemblance(part: CheckpointPart, state: dict[str, torch.Tensor], model: SeedV1Tokenizer) -> str:
    """A sentence saying which model the file's keys look like, to catch swapped or wrong files."""
    keys = list(state)
    for patterns, name in FOREIGN_SIGNATURES:
        if all(any(re.search(pattern, key) for key in keys) for pattern in patterns):
            return f'This file looks like {name}.'
    scores = []
    for other in PARTS:
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
    return f'This file does not look like any SEED v1 checkpoint ({best_score:.0%} of its keys match the closest).'


def load_released_checkpoints(
    model: SeedV1Tokenizer, paths: dict[CheckpointPart, Path], ignore_unexpected: bool = False, log=print
) -> list[KeyReport]:
    """Checks every file's keys, copies the weights of the files that match into `model`, and raises
    one CheckpointError that describes every mismatching file if any does not match."""
    reports = []
    targets = model.state_dict()
    for part in PARTS:
        state = read_state_dict(paths[part], part)
        report = match_keys(part, paths[part], state, model, ignore_unexpected)
        reports.append(report)
        if report.ok:
            expected = part.expected_shapes(model)
            with torch.no_grad():
                for key in expected:
                    targets[part.model_key(key)].copy_(state[key])
            loaded = len(expected)
            extra = f'; ignored {report.ignored_summary()}' if report.ignored else ''
            log(f'{part.filename}: {loaded} tensors loaded{extra}')
        del state
    bad = [report for report in reports if not report.ok]
    if bad:
        hint = ''
        if all(not (report.missing or report.mismatched) for report in bad):
            hint = (
                '\nEvery expected weight is present. If these extra keys are known to be unused, '
                'pass --ignore-unexpected-keys to convert anyway.'
            )
        raise CheckpointError(
            'The checkpoints do not match SEED v1:\n' + '\n'.join(report.describe() for report in bad) + hint
        )
    return reports
