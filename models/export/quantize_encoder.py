"""Writes an int8 copy of a converted SEED model folder: the image encoder's ViT multiplies in int8.

The EVA ViT-g is where encoding spends its time (about 0.5 TFLOP per image). Its weight matrix products
become ONNX Runtime's dynamically quantized ones (see onnx_int8.py); the Q-Former, the codebook, the
decoder and Stable Diffusion are unchanged, so the copy decodes exactly as the original. Codes may differ
from the fp32 model's where two codebook entries are nearly equidistant: `--check` measures how often.

  python3 models/export/quantize_encoder.py --from seed-v1 --out seed-v1-int8 --check [--image PHOTO ...]

Works on fp32 folders written by convert.py (SEED v1) and convert_seed2.py (SEED-2). The other files are
hard-linked into the new folder when both are on one file system (copied otherwise).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx

from convert import ConversionError, PACKAGE_ROOT, file_ref, nearest_codes, onnx_ref, run_node, write_f32
from onnx_export_files import external_data_files, save_onnx
from onnx_int8 import quantize_matmuls

# The exporters name the image encoder's modules visual_encoder (as the released checkpoints do).
VIT_PREFIX = '/visual_encoder/'
CHECK_BATCH = 4


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--from', dest='source', type=Path, required=True, help='fp32 model folder to start from')
    parser.add_argument('--out', type=Path, required=True, help='model folder to write')
    parser.add_argument(
        '--weight-bits',
        type=int,
        choices=(7, 8),
        help='8 for CPUs with VNNI (AVX512-VNNI or AVX-VNNI); 7 for x86 CPUs without it, whose int8 products '
        'can saturate with full-range weights. Default: 8 when this CPU has VNNI (or is not x86), else 7',
    )
    parser.add_argument('--check', action='store_true', help='compare the int8 encoder with the fp32 one')
    parser.add_argument(
        '--image', type=Path, action='append', default=[], help='also encode this image with both folders (--check)'
    )
    parser.add_argument('--report', type=Path, help='write sizes, timings and --check results here as JSON')
    return parser.parse_args(argv)


def default_weight_bits(cpuinfo: Path = Path('/proc/cpuinfo')) -> tuple[int, str]:
    """7-bit weights on an x86 CPU without VNNI (ONNX Runtime's AVX2 int8 kernel adds uint8 x int8 products
    in pairs into 16 bits, which full-range weights can overflow), else 8; with the reason in words."""
    try:
        flags = next(
            (line.split(':', 1)[1].split() for line in cpuinfo.read_text().splitlines() if line.startswith('flags')),
            [],
        )
    except OSError:
        return 8, f'8-bit weights ({cpuinfo} unreadable; pass --weight-bits 7 for an x86 CPU without VNNI)'
    if 'avx512_vnni' in flags or 'avx_vnni' in flags:
        return 8, '8-bit weights: this CPU has VNNI'
    if 'avx2' in flags:
        return 7, '7-bit weights: this x86 CPU has no VNNI (8-bit weights could saturate its int8 products)'
    return 8, '8-bit weights'


def link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def read_manifest(folder: Path) -> dict:
    path = folder / 'seed-model.json'
    if not path.is_file():
        raise ConversionError(f'{folder} is not a model folder (no seed-model.json); pass the folder convert.py wrote.')
    return json.loads(path.read_text())


def quantize_folder(args: argparse.Namespace) -> dict:
    source, out = args.source, args.out
    if out.resolve() == source.resolve():
        raise ConversionError('--out must be a new folder: the int8 copy cannot replace the fp32 model it comes from.')
    manifest = read_manifest(source)
    encoder_ref = manifest['tokenizer']['encoder']
    encoder_path = source / encoder_ref['path']
    if not encoder_path.is_file():
        raise ConversionError(f'{encoder_path} is missing: the folder is incomplete; convert again or copy it whole.')
    started = time.perf_counter()
    weight_bits = args.weight_bits
    if weight_bits is None:
        weight_bits, why = default_weight_bits()
        print(why)

    # Quantize before writing anything, so a folder that cannot be quantized leaves no half-made copy.
    try:
        model = onnx.load(str(encoder_path))
    except Exception as error:  # protobuf's DecodeError, a missing external-data file, ...
        raise ConversionError(
            f'Cannot read {encoder_path} ({type(error).__name__}: {error}); the file is damaged or incomplete: '
            'convert again or copy the folder whole.'
        ) from error
    replaced = quantize_matmuls(model, VIT_PREFIX, weight_bits)
    if replaced == 0:
        raise ConversionError(
            f'{encoder_path} has no weight MatMul under {VIT_PREFIX}: quantize a folder written by convert.py or '
            'convert_seed2.py.'
        )
    encoder_files = {encoder_path.resolve(), *(path.resolve() for path in external_data_files(encoder_path))}
    for path in sorted(source.rglob('*')):
        if path.is_file() and path.resolve() not in encoder_files and path.name != 'seed-model.json':
            link_or_copy(path, out / path.relative_to(source))
    target = out / encoder_ref['path']
    written = save_onnx(model, target)
    del model
    gc.collect()

    manifest['tokenizer']['encoder'] = {
        **onnx_ref(target, out),
        'inputs': encoder_ref['inputs'],
        'outputs': encoder_ref['outputs'],
    }
    manifest['id'] = f'{manifest["id"]}-int8'
    manifest['description'] = (
        f'{manifest.get("description", "").strip()} Image encoder quantized to int8 by quantize_encoder.py: '
        f'{replaced} ViT matrix products with {weight_bits}-bit weights, activations quantized per call.'
    ).strip()
    (out / 'seed-model.json').write_text(json.dumps(manifest, indent=2) + '\n')
    return {
        'out': str(out),
        'quantizedMatMuls': replaced,
        'weightBits': weight_bits,
        'sizes': {path.relative_to(out).as_posix(): path.stat().st_size for path in written},
        'seconds': round(time.perf_counter() - started, 2),
    }


def compare_encoders(source: Path, out: Path, images: list[Path]) -> dict:
    """Both encoders on the same random pixels (and on `images` through the runtime): feature error, codes."""
    manifest = read_manifest(source)
    tokenizer = manifest['tokenizer']
    codebook = np.fromfile(source / tokenizer['codebook']['path'], dtype='<f4').reshape(-1, tokenizer['codeDim'])
    width, height = manifest['image']['size']
    names = tokenizer['encoder']
    input_name, output_name = names['inputs']['image'], names['outputs']['features']
    pixels = np.random.default_rng(0).standard_normal((CHECK_BATCH, 3, height, width)).astype(np.float32)
    features = {}
    seconds = {}
    with tempfile.TemporaryDirectory(prefix='seed-int8-check-') as work_dir:
        work = Path(work_dir)
        write_f32(work / 'pixels.f32', pixels)
        for label, folder in (('fp32', source), ('int8', out)):
            spec = {
                'model': str(folder / tokenizer['encoder']['path']),
                'inputs': {input_name: {'file': str(work / 'pixels.f32'), 'dims': list(pixels.shape)}},
                'outputs': {output_name: str(work / f'{label}.f32')},
                'repeat': 2,
            }
            (work / f'{label}.json').write_text(json.dumps(spec))
            timing = run_node('run_onnx.mjs', str(work / f'{label}.json'))
            seconds[label] = min(timing['runSeconds'])
            features[label] = np.fromfile(work / f'{label}.f32', dtype='<f4')
    expected, actual = features['fp32'], features['int8']
    result = {
        'batch': CHECK_BATCH,
        'maxAbsDiff': float(np.abs(actual - expected).max()),
        'relativeError': float(np.linalg.norm(actual - expected) / np.linalg.norm(expected)),
        'codesAgreeing': int((nearest_codes(actual, codebook) == nearest_codes(expected, codebook)).sum()),
        'codes': int(actual.size // tokenizer['codeDim']),
        'fp32Seconds': seconds['fp32'],
        'int8Seconds': seconds['int8'],
    }
    if images:
        runtime = PACKAGE_ROOT / 'dist' / 'runtime'
        if not (runtime / 'index.js').is_file():
            raise ConversionError(
                f'--image encodes through the runtime, which is not built ({runtime}): run `npx tsc -p kernel`.'
            )
        paths = [str(path) for path in images]
        codes = {
            label: run_node('encode_with_runtime.cjs', str(folder), *paths)['codes']
            for label, folder in (('fp32', source), ('int8', out))
        }
        result['images'] = [
            {'image': path, 'codesAgreeing': sum(a == b for a, b in zip(fp32, int8)), 'codes': len(fp32)}
            for path, fp32, int8 in zip(paths, codes['fp32'], codes['int8'])
        ]
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        report = quantize_folder(args)
        print(
            f'wrote {report["out"]}/seed-model.json: {report["quantizedMatMuls"]} ViT products in int8 '
            f'({report["seconds"]:.0f} s)'
        )
        for path, size in report['sizes'].items():
            print(f'  {path}: {size / 1e6:.1f} MB')
        if args.check:
            check = report['check'] = compare_encoders(args.source, args.out, args.image)
            print(
                f'  random pixels: {check["codesAgreeing"]}/{check["codes"]} codes agree with fp32, feature error '
                f'{check["relativeError"]:.3%} (max abs {check["maxAbsDiff"]:.3g}); encoder batch {check["batch"]}: '
                f'{check["fp32Seconds"]:.2f} s fp32, {check["int8Seconds"]:.2f} s int8'
            )
            for image in check.get('images', []):
                print(f'  {image["image"]}: {image["codesAgreeing"]}/{image["codes"]} codes agree with fp32')
    except (ConversionError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    if args.report:
        args.report.write_text(json.dumps(report, indent=2) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
