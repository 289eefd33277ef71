"""Tracing modules to ONNX and writing the final files: one `.onnx`, plus one `.onnx.data` external-data
file when the weights do not fit protobuf's 2 GiB limit (the EVA ViT-g alone is 4 GB in fp32)."""

from __future__ import annotations

import hashlib
import inspect
from pathlib import Path

import onnx
import torch
from torch import nn

from onnx_float16 import convert_to_float16

# Opset 17 has LayerNormalization, so the fp16 rewrite can keep each LayerNorm in fp32 as one node.
OPSET = 17
# Protobuf refuses messages of 2 GiB; the graph itself needs a little room besides the weights.
INLINE_WEIGHTS_LIMIT = 2**31 - 64 * 2**20


def torchscript_exporter_options() -> dict:
    """PyTorch 2.9+ defaults to the dynamo exporter; the TorchScript one gives the same graph on every version
    we support. Older versions (Debian's 1.13) do not know the argument."""
    if 'dynamo' in inspect.signature(torch.onnx.export).parameters:
        return {'dynamo': False}
    return {}


def trace_to_onnx(module: nn.Module, example: torch.Tensor, folder: Path, input_name: str, output_name: str) -> Path:
    """Exports `module` (TorchScript exporter, dynamic batch) into `folder`, which may end up holding one
    external file per weight when the exporter passes 2 GiB; `finish_onnx` gathers them."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / 'model.onnx'
    options = dict(
        input_names=[input_name],
        output_names=[output_name],
        dynamic_axes={input_name: {0: 'batch'}, output_name: {0: 'batch'}},
        opset_version=OPSET,
        do_constant_folding=True,
        **torchscript_exporter_options(),
    )
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, (example,), str(path), **options)
    return path


def finish_onnx(traced: Path, target: Path, dtype: str) -> list[Path]:
    """Loads a traced graph, converts it to `dtype` ('fp32' or 'fp16'), and writes `target` (and
    `target`.data when needed). Returns the files written, the graph first."""
    model = onnx.load(str(traced))
    if dtype == 'fp16':
        convert_to_float16(model)
    elif dtype != 'fp32':
        raise ValueError(f'Unknown dtype {dtype!r}; use fp32 or fp16.')
    return save_onnx(model, target)


def save_onnx(model: onnx.ModelProto, target: Path) -> list[Path]:
    """Writes `target`, plus `target`.data when the weights pass protobuf's limit, and checks the result.
    Returns the files written, the graph first."""
    data = target.with_name(target.name + '.data')
    target.parent.mkdir(parents=True, exist_ok=True)
    # ONNX appends to an existing external-data file, so start from nothing.
    for stale in (target, data):
        stale.unlink(missing_ok=True)
    weight_bytes = sum(tensor.ByteSize() for tensor in model.graph.initializer)
    if weight_bytes < INLINE_WEIGHTS_LIMIT:
        onnx.save_model(model, str(target))
        written = [target]
    else:
        onnx.save_model(
            model,
            str(target),
            save_as_external_data=True,
            all_tensors_to_one_file=True,
            location=data.name,
            size_threshold=1024,
        )
        # Tensors under 1 KiB stay inline, so a graph of small tensors may still need no data file.
        written = [target, data] if data.is_file() else [target]
    del model
    onnx.checker.check_model(str(target))
    return written


def external_data_files(path: Path) -> list[Path]:
    """The external-data files an ONNX graph refers to, read without loading the weights."""
    model = onnx.load(str(path), load_external_data=False)
    locations = []
    for tensor in model.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == 'location' and entry.value not in locations:
                locations.append(entry.value)
    return [path.parent / location for location in locations]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open('rb') as stream:
        for chunk in iter(lambda: stream.read(16 * 2**20), b''):
            digest.update(chunk)
    return digest.hexdigest()
