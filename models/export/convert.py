"""Converts the released SEED v1 tokenizer weights into a jupyterlab-seed model folder.

    /usr/bin/python3 models/export/convert.py \\
        --eva-vit eva_vit_g.pth --causal-qformer causal_qformer.pth --seed-tokenizer seed_tokenizer.pth \\
        --sd-onnx stable-diffusion-v1-4-onnx --out seed-v1 [--dtype fp16 | --fp16-out seed-v1-fp16] [--check]

Writes (see models/README.md for the contract):
    seed-model.json          manifest with sha256 of every file
    tokenizer/encoder.onnx   pixel_values [N,3,224,224] -> prequant [N,32,32] (+ encoder.onnx.data past 2 GB)
    tokenizer/decoder.onnx   code_vectors [N,32,32] -> generation_embedding [N,77,768]
    tokenizer/codebook.f32   the quantiser's 8192x32 codebook; the runtime quantises (plain squared L2)
    unconditional.f32        SD v1.4's text-encoder output for the empty prompt, [1,77,768]
The Stable Diffusion part is not copied: the manifest points at the diffusers-layout ONNX export given by
--sd-onnx (absolute paths), or reuses the diffusion part of another model folder (--diffusion-from).
fp16 graphs keep float32 inputs and outputs, so the runtime feeds both precisions the same way.
With --check, the ONNX files are run in onnxruntime-node and compared with the PyTorch modules.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from released_checkpoints import (  # noqa: E402
    CAUSAL_QFORMER,
    EVA_VIT,
    SEED_TOKENIZER,
    CheckpointError,
    load_released_checkpoints,
)
from onnx_export_files import external_data_files, finish_onnx, sha256_of, trace_to_onnx  # noqa: E402
from seed_v1_modules import DecoderGraph, EncoderGraph, SeedV1Config, SeedV1Tokenizer  # noqa: E402

PACKAGE_ROOT = HERE.parent.parent
SCHEMA = PACKAGE_ROOT / 'models' / 'seed-model.schema.json'
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]

# Stable Diffusion v1.4 as SEED v1 samples it (seed-reference.md).
SD_V14_DIFFUSION = {
    'latentShape': [4, 64, 64],
    'vaeScale': 0.18215,
    'outputSize': [512, 512],
    'prediction': 'epsilon',
    'schedule': {'kind': 'scaled_linear', 'trainSteps': 1000, 'betaStart': 0.00085, 'betaEnd': 0.012},
    'defaults': {'sampler': 'plms', 'steps': 50, 'guidance': 7.5, 'seed': 42},
}
SD_LAYOUT = {
    'unet': 'unet/model.onnx',
    'vaeDecoder': 'vae_decoder/model.onnx',
    'textEncoder': 'text_encoder/model.onnx',
}
SD_INPUTS = {
    'unet': {'sample', 'timestep', 'encoder_hidden_states'},
    'vaeDecoder': {'latent_sample'},
    'textEncoder': {'input_ids'},
}
CHECK_BATCH = 2


class ConversionError(Exception):
    """Bad input to the converter; the message says what to do."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for part, source in ((EVA_VIT, 'BLIP-2/LAVIS'), (CAUSAL_QFORMER, 'SEED v1'), (SEED_TOKENIZER, 'SEED v1')):
        dest = part.option.lstrip('-').replace('-', '_')
        parser.add_argument(part.option, dest=dest, type=Path, required=True, help=f'{part.filename} ({source})')
    parser.add_argument('--out', type=Path, required=True, help='model folder to write')
    diffusion = parser.add_mutually_exclusive_group(required=True)
    diffusion.add_argument('--sd-onnx', type=Path, help='diffusers-layout ONNX export of Stable Diffusion v1.4')
    diffusion.add_argument('--diffusion-from', type=Path, help='seed-model.json whose diffusion part to reuse')
    parser.add_argument('--unconditional', type=Path, help='precomputed float32 [1,77,768] empty-prompt embedding')
    parser.add_argument('--dtype', choices=('fp32', 'fp16'), default='fp32', help='weights of the ONNX graphs')
    parser.add_argument(
        '--fp16-out', type=Path, help='with --dtype fp32: also write an fp16 folder here, from the same trace'
    )
    parser.add_argument('--config', type=Path, help='sizes as JSON (make_random_checkpoints.py); default: the release')
    parser.add_argument('--id', default='seed-v1', help='model id in the manifest')
    parser.add_argument(
        '--ignore-unexpected-keys', action='store_true', help='convert although files hold unknown keys'
    )
    parser.add_argument('--check', action='store_true', help='compare the ONNX files with PyTorch in onnxruntime-node')
    parser.add_argument(
        '--tolerance', type=float, help='max abs difference --check accepts (default: 1e-3 for fp32, none for fp16)'
    )
    parser.add_argument('--report', type=Path, help='write timings, sizes and --check results here as JSON')
    return parser.parse_args(argv)


def run_node(script: str, *args: str) -> dict:
    command = ['node', str(HERE / script), *args]
    try:
        # ONNX Runtime 1.29+ reports usage to Microsoft unless told not to (see kernel/runtime/onnxruntime.ts)
        env = {'ORT_DISABLE_TELEMETRY': '1', **os.environ}
        result = subprocess.run(command, cwd=PACKAGE_ROOT, capture_output=True, text=True, env=env)
    except FileNotFoundError as error:
        raise ConversionError(
            'node is not on PATH; the unconditional embedding and --check run in onnxruntime-node. Install Node 20 '
            'and run `npm install` in the package, or pass --unconditional FILE and leave out --check.'
        ) from error
    if result.returncode != 0:
        raise ConversionError(f'{" ".join(command)} failed:\n{result.stderr.strip()}')
    return json.loads(result.stdout.strip().splitlines()[-1])


def write_f32(path: Path, array: np.ndarray) -> None:
    np.ascontiguousarray(array, dtype='<f4').tofile(path)


@functools.lru_cache(maxsize=None)
def cached_sha256(path: str, size: int, mtime_ns: int) -> str:
    """Hashes each file once per run: --fp16-out refers to the same multi-GB SD export again."""
    return sha256_of(Path(path))


def file_ref(path: Path, out: Path) -> dict:
    """A manifest file entry: relative inside the model folder, absolute outside it."""
    resolved = path.resolve()
    try:
        shown = resolved.relative_to(out.resolve()).as_posix()
    except ValueError:
        shown = str(resolved)
    stat = resolved.stat()
    return {'path': shown, 'sha256': cached_sha256(str(resolved), stat.st_size, stat.st_mtime_ns)}


def onnx_ref(path: Path, out: Path) -> dict:
    ref = file_ref(path, out)
    extra = external_data_files(path)
    for data in extra:
        if not data.is_file():
            raise ConversionError(f'{path} refers to external weights {data}, which is missing; copy the whole export.')
    if extra:
        ref['externalData'] = [file_ref(data, out) for data in extra]
    return ref


def sd_onnx_diffusion(sd_dir: Path, out: Path) -> dict:
    missing = [layout for layout in SD_LAYOUT.values() if not (sd_dir / layout).is_file()]
    if missing:
        raise ConversionError(
            f'--sd-onnx {sd_dir} is not a diffusers-layout ONNX export of Stable Diffusion v1.4: missing '
            f'{", ".join(missing)}. Export SD v1.4 with the diffusers or optimum ONNX exporter and pass its folder.'
        )
    refs = {}
    for key, layout in SD_LAYOUT.items():
        path = sd_dir / layout
        try:
            names = {value.name for value in onnx.load(str(path), load_external_data=False).graph.input}
        except Exception as error:  # onnx reports a damaged protobuf with several exception types
            message = f'Cannot read {path} as an ONNX graph ({error}); export or download it again.'
            raise ConversionError(message) from error
        if not SD_INPUTS[key] <= names:
            raise ConversionError(
                f'{path} takes {sorted(names)}, but a diffusers {key} takes {sorted(SD_INPUTS[key])}; '
                'pass a diffusers-layout ONNX export of Stable Diffusion v1.4.'
            )
        refs[key] = onnx_ref(path, out)
    return refs


def diffusion_from_manifest(manifest_path: Path, tokens: int, dim: int) -> dict:
    try:
        other = json.loads(manifest_path.read_text())
        diffusion, embedding = other['diffusion'], other['generationEmbedding']
    except (OSError, ValueError, KeyError) as error:
        raise ConversionError(f'--diffusion-from {manifest_path}: not a readable seed-model.json ({error}).') from error
    if [embedding['tokens'], embedding['dim']] != [tokens, dim]:
        raise ConversionError(
            f'The diffusion part of {manifest_path} takes a {embedding["tokens"]}x{embedding["dim"]} generation '
            f'embedding, but this tokenizer makes {tokens}x{dim}; pick a model folder whose sizes match.'
        )
    base = manifest_path.resolve().parent

    def absolute(ref: dict) -> dict:
        moved = dict(ref, path=str((base / ref['path']).resolve()))
        if 'externalData' in ref:
            moved['externalData'] = [
                str((base / entry).resolve()) if isinstance(entry, str) else absolute(entry)
                for entry in ref['externalData']
            ]
        return moved

    return {
        key: absolute(value) if isinstance(value, dict) and 'path' in value else value
        for key, value in diffusion.items()
    }


def write_unconditional(args: argparse.Namespace, out: Path, tokens: int, dim: int) -> Path:
    target = out / 'unconditional.f32'
    expected = tokens * dim * 4
    if args.unconditional is not None:
        if not args.unconditional.is_file():
            raise ConversionError(f'--unconditional {args.unconditional} not found.')
        if args.unconditional.stat().st_size != expected:
            raise ConversionError(
                f'--unconditional {args.unconditional} has {args.unconditional.stat().st_size} bytes; a float32 '
                f'[1,{tokens},{dim}] embedding has {expected}.'
            )
        shutil.copyfile(args.unconditional, target)
    else:
        text_encoder = args.sd_onnx / SD_LAYOUT['textEncoder']
        result = run_node('unconditional_embedding.mjs', str(text_encoder), str(target), str(tokens))
        if result['dims'] != [1, tokens, dim]:
            raise ConversionError(
                f'{text_encoder} returned {result["dims"]} for the empty prompt; SEED v1 needs [1,{tokens},{dim}] '
                '(the CLIP ViT-L/14 text encoder of Stable Diffusion v1.x).'
            )
    return target


def build_manifest(
    model_id: str, dtype: str, out: Path, config: SeedV1Config, tokenizer_files: dict[str, list[Path]], diffusion: dict
) -> dict:
    tokens, dim = config.reverse_qformer.queries, config.generation_dim

    def graph(name: str) -> dict:
        paths = tokenizer_files[name]
        ref = file_ref(paths[0], out)
        if len(paths) > 1:
            ref['externalData'] = [file_ref(path, out) for path in paths[1:]]
        return ref

    return {
        '$schema': os.path.relpath(SCHEMA, out.resolve()),
        'formatVersion': 1,
        'id': model_id,
        'family': 'seed-v1',
        'description': f'SEED v1 tokenizer converted from the released weights ({dtype}), '
        'decoding with Stable Diffusion v1.4.',
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
            'encoder': {
                **graph('encoder'),
                'inputs': {'image': 'pixel_values'},
                'outputs': {'features': 'prequant'},
            },
            'decoder': {
                **graph('decoder'),
                'inputs': {'codeVectors': 'code_vectors'},
                'outputs': {'embedding': 'generation_embedding'},
            },
        },
        'generationEmbedding': {'tokens': tokens, 'dim': dim},
        'diffusion': diffusion,
    }


def reference_cases(model: SeedV1Tokenizer, work: Path) -> dict:
    """Inputs for --check and PyTorch's outputs on them, written as raw float32 files."""
    generator = torch.Generator().manual_seed(0)
    config = model.config
    size = config.vision.image_size
    pixels = torch.randn(CHECK_BATCH, 3, size, size, generator=generator)
    codes = torch.randint(0, config.codebook_size, (CHECK_BATCH, config.qformer.queries), generator=generator)
    code_vectors = model.quantize.embedding.weight.detach()[codes].float()
    cases = {}
    with torch.no_grad():
        for name, graph, input_name, output_name, value in (
            ('encoder', EncoderGraph(model), 'pixel_values', 'prequant', pixels),
            ('decoder', DecoderGraph(model), 'code_vectors', 'generation_embedding', code_vectors),
        ):
            start = time.perf_counter()
            expected = graph(value)
            seconds = time.perf_counter() - start
            write_f32(work / f'{name}.input.f32', value.numpy())
            write_f32(work / f'{name}.expected.f32', expected.numpy())
            cases[name] = {
                'input': input_name,
                'output': output_name,
                'dims': list(value.shape),
                'outputDims': list(expected.shape),
                'torchSeconds': seconds,
            }
    return cases


def compare_with_onnx(out: Path, work: Path, cases: dict, codebook: np.ndarray) -> dict:
    results = {}
    for name, case in cases.items():
        spec = {
            'model': str(out / 'tokenizer' / f'{name}.onnx'),
            'inputs': {case['input']: {'file': str(work / f'{name}.input.f32'), 'dims': case['dims']}},
            'outputs': {case['output']: str(work / f'{name}.onnx.f32')},
        }
        (work / f'{name}.spec.json').write_text(json.dumps(spec))
        timing = run_node('run_onnx.mjs', str(work / f'{name}.spec.json'))
        expected = np.fromfile(work / f'{name}.expected.f32', dtype='<f4').reshape(case['outputDims'])
        actual = np.fromfile(work / f'{name}.onnx.f32', dtype='<f4').reshape(case['outputDims'])
        result = {
            'maxAbsDiff': float(np.abs(actual - expected).max()),
            'maxAbsExpected': float(np.abs(expected).max()),
            'ortLoadSeconds': timing['loadSeconds'],
            'ortRunSeconds': timing['runSeconds'][0],
            'torchSeconds': case['torchSeconds'],
            'ortPeakMemoryMB': timing['peakMemoryMB'],
            'batch': case['dims'][0],
        }
        if name == 'encoder':
            result['codesAgreeing'] = int((nearest_codes(actual, codebook) == nearest_codes(expected, codebook)).sum())
            result['codes'] = int(np.prod(case['outputDims'][:-1]))
        results[name] = result
    return results


def nearest_codes(vectors: np.ndarray, codebook: np.ndarray) -> np.ndarray:
    flat = vectors.reshape(-1, codebook.shape[1]).astype(np.float64)
    distances = (flat**2).sum(1, keepdims=True) + (codebook.astype(np.float64) ** 2).sum(1) - 2 * flat @ codebook.T
    return distances.argmin(1)


def convert(args: argparse.Namespace) -> dict:
    """Writes the model folder(s) and returns the report: per dtype, timings, file sizes and --check results."""
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 2)
        print(f'  {name}: {timings[name]:.1f} s', flush=True)
        return now

    torch.set_num_threads(2)
    config = SeedV1Config.load(args.config) if args.config else SeedV1Config()
    tokens, dim = config.reverse_qformer.queries, config.generation_dim
    # One trace serves both precisions: --fp16-out writes a second folder without exporting again.
    targets = {args.dtype: args.out}
    if args.fp16_out is not None:
        if args.dtype == 'fp16':
            raise ConversionError('--fp16-out goes with --dtype fp32 (the --out folder is already fp16).')
        targets['fp16'] = args.fp16_out

    # Settle the diffusion side first: it fails fast on a bad folder, before minutes of export.
    diffusions = {}
    for dtype, out in targets.items():
        (out / 'tokenizer').mkdir(parents=True, exist_ok=True)
        if args.sd_onnx is not None:
            diffusion = {**sd_onnx_diffusion(args.sd_onnx, out), **SD_V14_DIFFUSION}
        else:
            diffusion = diffusion_from_manifest(args.diffusion_from, tokens, dim)
        if args.sd_onnx is not None or args.unconditional is not None:
            unconditional = write_unconditional(args, out, tokens, dim)
            diffusion['unconditional'] = {**file_ref(unconditional, out), 'dtype': 'float32'}
        diffusions[dtype] = diffusion
    now = lap('diffusion part', started)

    model = SeedV1Tokenizer(config).eval()
    paths = {EVA_VIT: args.eva_vit, CAUSAL_QFORMER: args.causal_qformer, SEED_TOKENIZER: args.seed_tokenizer}
    load_released_checkpoints(model, paths, ignore_unexpected=args.ignore_unexpected_keys)
    now = lap('load checkpoints', now)

    codebook = model.quantize.embedding.weight.detach().float().numpy().copy()
    for out in targets.values():
        write_f32(out / 'tokenizer' / 'codebook.f32', codebook)

    work_dir = tempfile.TemporaryDirectory(prefix='seed-export-')
    work = Path(work_dir.name)
    cases = reference_cases(model, work) if args.check else None
    if cases:
        now = lap('pytorch reference', now)

    traced, now = trace_tokenizer_graphs(model, config, codebook, work, lap, now)
    # The PyTorch weights are no longer needed; free them before ONNX loads its copy (4 GB at full size).
    del model
    gc.collect()

    report: dict = {'targets': {}}
    for dtype, out in targets.items():
        tokenizer_files = {}
        for name in ('decoder', 'encoder'):
            tokenizer_files[name] = finish_onnx(traced[name], out / 'tokenizer' / f'{name}.onnx', dtype)
            now = lap(f'write {name} ({dtype})', now)
        manifest = build_manifest(args.id, dtype, out, config, tokenizer_files, diffusions[dtype])
        (out / 'seed-model.json').write_text(json.dumps(manifest, indent=2) + '\n')
        now = lap(f'manifest and hashes ({dtype})', now)
        report['targets'][dtype] = {
            'out': str(out),
            'sizes': {
                path.relative_to(out).as_posix(): path.stat().st_size
                for files in tokenizer_files.values()
                for path in files
            },
        }
    for name in traced:
        shutil.rmtree(traced[name].parent)
    if cases:
        for dtype, out in targets.items():
            report['targets'][dtype]['check'] = compare_with_onnx(out, work, cases, codebook)
            now = lap(f'onnxruntime check ({dtype})', now)
    work_dir.cleanup()
    report['timings'] = timings
    report['totalSeconds'] = round(time.perf_counter() - started, 2)
    # ru_maxrss is in KiB on Linux. The onnxruntime-node runs report their own peak in each check result.
    report['pythonPeakMemoryMB'] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return report


def trace_tokenizer_graphs(model, config, codebook: np.ndarray, work: Path, lap, now: float) -> tuple[dict, float]:
    """Traces the tokenizer's decoder and encoder graphs (SEED v1 and SEED-2 alike) into `work`, on example
    inputs of CHECK_BATCH images; returns the traced files and the time of the last lap."""
    examples = {
        'decoder': torch.from_numpy(codebook[: config.qformer.queries * CHECK_BATCH]).reshape(
            CHECK_BATCH, config.qformer.queries, config.code_dim
        ),
        'encoder': torch.zeros(CHECK_BATCH, 3, config.vision.image_size, config.vision.image_size),
    }
    traced = {
        'decoder': trace_to_onnx(
            DecoderGraph(model), examples['decoder'], work / 'decoder', 'code_vectors', 'generation_embedding'
        )
    }
    now = lap('trace decoder', now)
    traced['encoder'] = trace_to_onnx(
        EncoderGraph(model), examples['encoder'], work / 'encoder', 'pixel_values', 'prequant'
    )
    now = lap('trace encoder', now)
    return traced, now


def default_tolerance(tolerance: float | None, dtype: str) -> float | None:
    """The largest ONNX-vs-PyTorch difference accepted: the one asked for, else 1e-3 for fp32 (fp16 is reported only)."""
    return tolerance if tolerance is not None else (1e-3 if dtype == 'fp32' else None)


def print_target(target: dict, dtype: str, tolerance: float | None, label: str) -> bool:
    """Prints what was written for one target and its parity check; False when a graph is over `tolerance`.
    `label` prefixes a failing graph's name in the error."""
    print(f'wrote {target["out"]}/seed-model.json ({dtype})')
    for path, size in target['sizes'].items():
        print(f'  {path}: {size / 1e6:.1f} MB')
    ok = True
    for name, result in target.get('check', {}).items():
        line = f'  {name}: max abs diff {result["maxAbsDiff"]:.3g} (outputs up to {result["maxAbsExpected"]:.3g})'
        if 'codes' in result:
            line += f', {result["codesAgreeing"]}/{result["codes"]} codes agree'
        print(line + f'; ONNX Runtime {result["ortRunSeconds"]:.2f} s, PyTorch {result["torchSeconds"]:.2f} s')
        if tolerance is not None and result['maxAbsDiff'] > tolerance:
            print(f'error: {label}{name} differs from PyTorch by {result["maxAbsDiff"]:.3g} > {tolerance:g}', file=sys.stderr)
            ok = False
    return ok


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        report = convert(args)
    except (CheckpointError, ConversionError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    status = 0
    for dtype, target in report['targets'].items():
        tolerance = default_tolerance(args.tolerance, dtype)
        if not print_target(target, dtype, tolerance, f'{dtype} '):
            status = 1
        target['tolerance'] = tolerance
    print(f'done in {report["totalSeconds"]:.1f} s')
    if args.report:
        args.report.write_text(json.dumps(report, indent=2) + '\n')
    return status


if __name__ == '__main__':
    sys.exit(main())
