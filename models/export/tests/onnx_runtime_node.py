"""Runs an ONNX graph through onnxruntime-node (models/export/run_onnx.mjs): Debian has no Python onnxruntime."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np

EXPORT_DIR = Path(__file__).resolve().parent.parent
PACKAGE_ROOT = EXPORT_DIR.parent.parent


def run_onnx(model: Path, inputs: dict[str, np.ndarray], outputs: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec = {'model': str(model), 'inputs': {}, 'outputs': {}}
        for name, array in inputs.items():
            np.ascontiguousarray(array, dtype='<f4').tofile(folder / f'{name}.in')
            spec['inputs'][name] = {'file': str(folder / f'{name}.in'), 'dims': list(array.shape)}
        for name in outputs:
            spec['outputs'][name] = str(folder / f'{name}.out')
        (folder / 'spec.json').write_text(json.dumps(spec))
        command = ['node', str(EXPORT_DIR / 'run_onnx.mjs'), str(folder / 'spec.json')]
        subprocess.run(command, cwd=PACKAGE_ROOT, check=True, capture_output=True)
        return {
            name: np.fromfile(folder / f'{name}.out', dtype='<f4').reshape(shape) for name, shape in outputs.items()
        }
