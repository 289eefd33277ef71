"""Installs the `seed` kernelspec of this checkout into a temporary JUPYTER_PATH for the tests.

The kernel.json is the one `jupyterlab-seed install` writes (kernel/cli/install.ts): node runs
dist/jupyter/main.js with the connection file, and interrupts are messages on the control channel.
"""

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
KERNEL_ENTRY = REPO / "dist" / "jupyter" / "main.js"
KERNEL_NAME = "seed"
BUNDLED_KERNEL_NAME = "seed-bundled"
FIXTURES = REPO / "kernel" / "runtime" / "fixtures"
# The runtime's few-KB random-weight model: real ONNX graphs, so magics run end to end in seconds.
TEST_MODEL = FIXTURES / "tiny-model"
# The model users get: the welcome notebook runs on it.
BUNDLED_MODEL = REPO / "models" / "seed-nano"

_installed = None


def install_seed_kernelspec():
    """Writes kernels/seed/kernel.json (on the test model) and kernels/seed-bundled/kernel.json (on the
    bundled seed-nano) under a fresh folder put first on JUPYTER_PATH (once per process)."""
    global _installed
    if _installed is not None:
        return _installed
    if not KERNEL_ENTRY.exists():
        raise RuntimeError(f"{KERNEL_ENTRY} is missing: build the kernel first with `npx tsc -p kernel`.")
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH; the SEED kernel runs on Node 20.")
    data_dir = Path(tempfile.mkdtemp(prefix="seed-kernelspec-"))
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    for name, model in ((KERNEL_NAME, TEST_MODEL), (BUNDLED_KERNEL_NAME, BUNDLED_MODEL)):
        spec_dir = data_dir / "kernels" / name
        spec_dir.mkdir(parents=True)
        spec = {
            "argv": [node, str(KERNEL_ENTRY), "{connection_file}"],
            "display_name": "SEED (TypeScript)",
            "language": "typescript",
            "interrupt_mode": "message",
            # A kernelspec's env wins over the client's, so each model needs a kernelspec of its own.
            "env": {"SEED_MODEL": str(model)},
            "metadata": {"debugger": False},
        }
        (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=2))
    os.environ["JUPYTER_PATH"] = os.pathsep.join([str(data_dir), os.environ.get("JUPYTER_PATH", "")]).rstrip(os.pathsep)
    _installed = data_dir
    return data_dir
