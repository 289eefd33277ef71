"""Converts the released SEED-2 (SEED-LLaMA) tokenizer weights into a jupyterlab-seed model folder.

    /usr/bin/python3 models/export/convert_seed2.py \\
        --seed-quantizer seed_quantizer.pt [--eva-vit eva_vit_g.pth] \\
        --unclip-onnx sd-2-1-unclip-onnx --out seed-v2 [--dtype fp16] [--check]

The release (`Blip2QformerQuantizer.from_pretrained`) builds the EVA ViT-g from BLIP-2's `eva_vit_g.pth`, then
loads `seed_quantizer.pt` into the whole model, non-strict. So `--eva-vit` is needed unless
`seed_quantizer.pt` holds every ViT tensor itself; where both hold one, the seed_quantizer.pt copy is used,
as in the release, and the log says whether the two differed.

Writes (see models/README.md for the contract):
    seed-model.json          manifest (family seed-v2) with sha256 of every file
    tokenizer/encoder.onnx   pixel_values [N,3,224,224] -> prequant [N,32,32] (+ encoder.onnx.data past 2 GB)
    tokenizer/decoder.onnx   code_vectors [N,32,32] -> generation_embedding [N,1,1024], the unCLIP image embedding
    tokenizer/codebook.f32   the 8192x32 codebook; the runtime quantises (plain squared L2)
The Stable Diffusion 2.1 unCLIP part is not copied: the manifest points at the folder that
`export_sd21_unclip_onnx.py` wrote (absolute paths), or reuses another seed-v2 folder's (--diffusion-from).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import onnx  # noqa: E402
import torch  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from convert import (  # noqa: E402
    CLIP_MEAN,
    CLIP_STD,
    SCHEMA,
    ConversionError,
    compare_with_onnx,
    default_tolerance,
    diffusion_from_manifest,
    file_ref,
    onnx_ref,
    print_target,
    reference_cases,
    trace_tokenizer_graphs,
    write_f32,
)
from onnx_export_files import finish_onnx  # noqa: E402
from released_checkpoints import (  # noqa: E402
    EVA_VIT,
    SEED_QUANTIZER,
    SEED_V2,
    CheckpointError,
    load_released_checkpoints,
)
from seed_v2_modules import SeedV2Config, SeedV2Tokenizer  # noqa: E402

# What export_sd21_unclip_onnx.py writes, and the inputs each graph must take.
UNCLIP_LAYOUT = {
    'unet': 'unet/model.onnx',
    'vaeDecoder': 'vae_decoder/model.onnx',
}
UNCLIP_INPUTS = {
    'unet': {'sample', 'timestep', 'encoder_hidden_states', 'class_labels'},
    'vaeDecoder': {'latent_sample'},
}
UNCLIP_SETTINGS = 'unclip.json'
PROMPT_EMBEDDING = 'prompt_embedding.f32'
IMAGE_NORMALIZER = 'image_normalizer.f32'

# diffusers scheduler classes -> the runtime's sampler names. PNDM with skip_prk_steps is the pseudo linear
# multistep method the runtime's `plms` sampler implements.
SAMPLER_OF_SCHEDULER = {
    'PNDMScheduler': 'plms',
    'DDIMScheduler': 'ddim',
    'EulerDiscreteScheduler': 'euler',
    'DPMSolverMultistepScheduler': 'dpmpp',
}
# The release decodes with guidance 10, 20 steps, noise level 0 (seed_llama_tokenizer.py); it draws its
# latents without a seed, so the seed is ours, for repeatable decodes.
SEED2_DEFAULTS = {'steps': 20, 'guidance': 10, 'seed': 42}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--seed-quantizer', type=Path, required=True, help='seed_quantizer.pt (SEED-2 release)')
    parser.add_argument('--eva-vit', type=Path, help='eva_vit_g.pth (BLIP-2/LAVIS), loaded first as the release does')
    parser.add_argument('--out', type=Path, required=True, help='model folder to write')
    diffusion = parser.add_mutually_exclusive_group(required=True)
    diffusion.add_argument('--unclip-onnx', type=Path, help='folder written by export_sd21_unclip_onnx.py')
    diffusion.add_argument('--diffusion-from', type=Path, help='seed-v2 seed-model.json whose diffusion part to reuse')
    parser.add_argument('--dtype', choices=('fp32', 'fp16'), default='fp32', help='weights of the ONNX graphs')
    parser.add_argument('--config', type=Path, help='sizes as JSON (make_random_checkpoints.py); default: the release')
    parser.add_argument('--id', default='seed-v2', help='model id in the manifest')
    parser.add_argument(
        '--ignore-unexpected-keys', action='store_true', help='convert although files hold unknown keys'
    )
    parser.add_argument('--check', action='store_true', help='compare the ONNX files with PyTorch in onnxruntime-node')
    parser.add_argument(
        '--tolerance', type=float, help='max abs difference --check accepts (default: 1e-3 for fp32, none for fp16)'
    )
    parser.add_argument('--report', type=Path, help='write timings, sizes and --check results here as JSON')
    return parser.parse_args(argv)


def read_onnx_inputs(path: Path) -> set[str]:
    try:
        return {value.name for value in onnx.load(str(path), load_external_data=False).graph.input}
    except Exception as error:  # onnx reports a damaged protobuf with several exception types
        raise ConversionError(f'Cannot read {path} as an ONNX graph ({error}); export it again.') from error


def unclip_diffusion(folder: Path, out: Path, embedding_dim: int) -> dict:
    """The manifest's diffusion part for an export_sd21_unclip_onnx.py folder, checked file by file."""
    needed = [*UNCLIP_LAYOUT.values(), UNCLIP_SETTINGS, PROMPT_EMBEDDING, IMAGE_NORMALIZER]
    missing = [name for name in needed if not (folder / name).is_file()]
    if missing:
        raise ConversionError(
            f'--unclip-onnx {folder} is not an SD 2.1 unCLIP export: missing {", ".join(missing)}. Run '
            'models/export/export_sd21_unclip_onnx.py on a machine with diffusers and pass the folder it writes.'
        )
    refs = {}
    for key, layout in UNCLIP_LAYOUT.items():
        names = read_onnx_inputs(folder / layout)
        if not UNCLIP_INPUTS[key] <= names:
            raise ConversionError(
                f'{folder / layout} takes {sorted(names)}, but the unCLIP {key} takes {sorted(UNCLIP_INPUTS[key])}; '
                'export it with export_sd21_unclip_onnx.py (the UNet needs its class_labels input).'
            )
        refs[key] = onnx_ref(folder / layout, out)
    try:
        settings = json.loads((folder / UNCLIP_SETTINGS).read_text())
        scheduler, noising = settings['scheduler'], settings['imageNoisingScheduler']
        text_tokens, text_dim = settings['promptEmbedding']
        prediction = {'v_prediction': 'v', 'epsilon': 'epsilon'}[scheduler['prediction_type']]
        schedule = {
            'kind': scheduler['beta_schedule'],
            'trainSteps': scheduler['num_train_timesteps'],
            'betaStart': scheduler['beta_start'],
            'betaEnd': scheduler['beta_end'],
        }
        sizes = {key: settings[key] for key in ('latentShape', 'vaeScale', 'outputSize')}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConversionError(
            f'{folder / UNCLIP_SETTINGS} is not readable or lacks a setting ({error!r}); export the folder again.'
        ) from error
    if schedule['kind'] not in ('scaled_linear', 'linear'):
        raise ConversionError(
            f'The export\'s scheduler uses beta_schedule {schedule["kind"]}; the runtime has scaled_linear and linear.'
        )
    sampler = SAMPLER_OF_SCHEDULER.get(scheduler['class'])
    if sampler is None:
        raise ConversionError(
            f'The export uses {scheduler["class"]}, which the runtime has no sampler for '
            f'(it has {", ".join(SAMPLER_OF_SCHEDULER)}).'
        )
    if noising.get('beta_schedule') != 'squaredcos_cap_v2':
        raise ConversionError(
            f'The image-noising scheduler uses {noising.get("beta_schedule")}; SD 2.1 unCLIP uses squaredcos_cap_v2.'
        )
    for name, count in ((PROMPT_EMBEDDING, text_tokens * text_dim), (IMAGE_NORMALIZER, 2 * embedding_dim)):
        size = (folder / name).stat().st_size
        if size != count * 4:
            raise ConversionError(f'{folder / name} has {size} bytes; float32 data of this export needs {count * 4}.')
    return {
        **refs,
        'unconditional': {**file_ref(folder / PROMPT_EMBEDDING, out), 'dtype': 'float32'},
        **sizes,
        'prediction': prediction,
        'schedule': schedule,
        'defaults': {'sampler': sampler, **SEED2_DEFAULTS},
        'unclip': {
            'classLabels': 'class_labels',
            'textEmbedding': [text_tokens, text_dim],
            'imageNormalizer': {**file_ref(folder / IMAGE_NORMALIZER, out), 'dtype': 'float32'},
            'noiseSchedule': {'kind': 'cosine', 'trainSteps': noising['num_train_timesteps']},
            'noiseLevel': 0,
            'scheduler': scheduler['class'],
        },
    }


def build_manifest(model_id: str, dtype: str, out: Path, config: SeedV2Config, files: dict, diffusion: dict) -> dict:
    def graph(name: str) -> dict:
        paths = files[name]
        ref = file_ref(paths[0], out)
        if len(paths) > 1:
            ref['externalData'] = [file_ref(path, out) for path in paths[1:]]
        return ref

    return {
        '$schema': os.path.relpath(SCHEMA, out.resolve()),
        'formatVersion': 1,
        'id': model_id,
        'family': 'seed-v2',
        'description': f'SEED-2 (SEED-LLaMA) tokenizer converted from the released weights ({dtype}), '
        'decoding with Stable Diffusion 2.1 unCLIP.',
        'image': {
            'size': [config.vision.image_size, config.vision.image_size],
            'resample': 'bicubic',
            'mean': CLIP_MEAN,
            'std': CLIP_STD,
            'background': [255, 255, 255],
        },
        'tokenizer': {
            'numCodes': config.qformer.queries,
            'codebookSize': config.codebook_size,
            'codeDim': config.code_dim,
            'distance': 'l2',
            'normalize': False,
            'codebook': {**file_ref(out / 'tokenizer' / 'codebook.f32', out), 'dtype': 'float32'},
            'encoder': {**graph('encoder'), 'inputs': {'image': 'pixel_values'}, 'outputs': {'features': 'prequant'}},
            'decoder': {
                **graph('decoder'),
                'inputs': {'codeVectors': 'code_vectors'},
                'outputs': {'embedding': 'generation_embedding'},
            },
        },
        'generationEmbedding': {'tokens': 1, 'dim': config.image_embedding_dim},
        'diffusion': diffusion,
    }


def seed2_diffusion_from(manifest_path: Path, dim: int) -> dict:
    try:
        family = json.loads(manifest_path.read_text()).get('family')
    except (OSError, ValueError) as error:
        raise ConversionError(f'--diffusion-from {manifest_path}: not a readable seed-model.json ({error}).') from error
    if family != 'seed-v2':
        raise ConversionError(
            f'--diffusion-from {manifest_path} is a {family} model; SEED-2 decodes with SD 2.1 unCLIP, so pass '
            'a seed-v2 model folder.'
        )
    return diffusion_from_manifest(manifest_path, 1, dim)


def convert(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 2)
        print(f'  {name}: {timings[name]:.1f} s', flush=True)
        return now

    torch.set_num_threads(2)
    config = SeedV2Config.load(args.config) if args.config else SeedV2Config()
    out = args.out
    (out / 'tokenizer').mkdir(parents=True, exist_ok=True)
    # Settle the diffusion side first: it fails fast on a bad folder, before minutes of export.
    if args.unclip_onnx is not None:
        diffusion = unclip_diffusion(args.unclip_onnx, out, config.image_embedding_dim)
    else:
        diffusion = seed2_diffusion_from(args.diffusion_from, config.image_embedding_dim)
    now = lap('diffusion part', started)

    model = SeedV2Tokenizer(config).eval()
    paths = {EVA_VIT: args.eva_vit, SEED_QUANTIZER: args.seed_quantizer}
    reports = load_released_checkpoints(
        model, paths, ignore_unexpected=args.ignore_unexpected_keys, release=SEED_V2
    )
    now = lap('load checkpoints', now)

    codebook = model.quantize.embedding.weight.detach().float().numpy().copy()
    write_f32(out / 'tokenizer' / 'codebook.f32', codebook)
    work_dir = tempfile.TemporaryDirectory(prefix='seed2-export-')
    work = Path(work_dir.name)
    cases = reference_cases(model, work) if args.check else None
    if cases:
        now = lap('pytorch reference', now)
    traced, now = trace_tokenizer_graphs(model, config, codebook, work, lap, now)
    del model
    gc.collect()

    files = {}
    for name in ('decoder', 'encoder'):
        files[name] = finish_onnx(traced[name], out / 'tokenizer' / f'{name}.onnx', args.dtype)
        shutil.rmtree(traced[name].parent)
        now = lap(f'write {name} ({args.dtype})', now)
    manifest = build_manifest(args.id, args.dtype, out, config, files, diffusion)
    (out / 'seed-model.json').write_text(json.dumps(manifest, indent=2) + '\n')
    now = lap('manifest and hashes', now)
    report: dict = {
        'out': str(out),
        'dtype': args.dtype,
        'sizes': {path.relative_to(out).as_posix(): path.stat().st_size for paths in files.values() for path in paths},
        'replaced': {
            r.part.filename: {'count': len(r.replaced), 'differing': sum(1 for x in r.replaced if x.max_abs_diff != 0)}
            for r in reports
            if r.replaced
        },
    }
    if cases:
        report['check'] = compare_with_onnx(out, work, cases, codebook)
        lap('onnxruntime check', now)
    work_dir.cleanup()
    report['timings'] = timings
    report['totalSeconds'] = round(time.perf_counter() - started, 2)
    # ru_maxrss is in KiB on Linux. The onnxruntime-node runs report their own peak in each check result.
    report['pythonPeakMemoryMB'] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return report


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        report = convert(args)
    except (CheckpointError, ConversionError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    tolerance = default_tolerance(args.tolerance, args.dtype)
    status = 0 if print_target(report, args.dtype, tolerance, '') else 1
    report['tolerance'] = tolerance
    print(f'done in {report["totalSeconds"]:.1f} s')
    if args.report:
        args.report.write_text(json.dumps(report, indent=2) + '\n')
    return status


if __name__ == '__main__':
    sys.exit(main())
