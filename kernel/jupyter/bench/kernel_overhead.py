"""Benchmark of the SEED kernel itself (not a test: speed is measured here, never asserted).

1. `%seed encode IMAGE` round trip, seen from a Jupyter client (execute_request -> execute_reply),
   next to the runtime's own encode() time measured inside the same kernel: the difference is
   what the kernel adds (protocol, magic parsing, MIME bundle with base64 PNG and top-k).
2. Interrupt latency: interrupt_request on control -> the interrupted cell's execute_reply, for an
   awaiting cell, a synchronous loop, and a `%seed decode` in the middle of sampling.

Usage: /usr/bin/python3 kernel/jupyter/bench/kernel_overhead.py [--model DIR] [--image PNG] [--repeats N]
(default: the runtime's tiny test model and image; pass --model models/seed-nano for the real one).
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from seed_kernelspec import FIXTURES, install_seed_kernelspec  # noqa: E402

install_seed_kernelspec()

from kernel_client import SeedKernelSession, text_of  # noqa: E402


def median_ms(values):
    return statistics.median(values) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(FIXTURES / "tiny-model"))
    parser.add_argument("--image", default=str(FIXTURES / "tiny-image.png"))
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    model, image = Path(args.model).resolve(), Path(args.image).resolve()

    kernel = SeedKernelSession()
    try:
        reply, _ = kernel.run(f"%seed model use {json.dumps(str(model))}")
        assert reply["status"] == "ok", reply
        kernel.run(f"%seed encode {json.dumps(str(image))}")  # warm-up: loads the encoder session

        trivial = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            kernel.run("1")
            trivial.append(time.perf_counter() - started)

        magic = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            reply, _ = kernel.run(f"%seed encode {json.dumps(str(image))}")
            magic.append(time.perf_counter() - started)
            assert reply["status"] == "ok", reply

        inside = (
            "const timings: number[] = [];\n"
            "const m = await seed.model();\n"
            f"for (let i = 0; i < {args.repeats}; i++) {{\n"
            "  const t0 = performance.now();\n"
            f"  await m.encode([{json.dumps(str(image))}]);\n"
            "  timings.push(performance.now() - t0);\n"
            "}\n"
            "timings.sort((a, b) => a - b)[Math.floor(timings.length / 2)]"
        )
        reply, outputs = kernel.run(inside)
        assert reply["status"] == "ok", reply
        runtime_ms = float(text_of(outputs, "execute_result"))

        latencies = {}
        cells = {
            "awaiting cell": "await new Promise((resolve) => setTimeout(resolve, 60000));",
            "synchronous loop": "let spins = 0;\nwhile (true) { spins++; }",
            # 20 decodes of 500 steps (the runtime's maximum): still sampling when the interrupt lands.
            "%seed decode (sampling)": "\n".join([f"%seed decode {' '.join(['1'] * 32)} --steps 500"] * 20),
        }
        for name, code in cells.items():
            samples = []
            for _ in range(5):
                msg_id = kernel.kc.execute(code)
                kernel.wait_until_busy(msg_id)
                time.sleep(1.0)
                started = time.perf_counter()
                kernel.control_request("interrupt_request")
                reply = kernel.wait_for_reply(msg_id)
                samples.append(time.perf_counter() - started)
                assert reply["content"]["ename"] in ("InterruptedError", "SeedCancelledError"), reply["content"]
                kernel.drain_iopub()
            latencies[name] = samples
    finally:
        kernel.close()

    magic_ms = median_ms(magic)
    print(f"model {model.name}, image {image.name}, {args.repeats} repeats (medians)")
    print(f"  trivial cell round trip            {median_ms(trivial):8.1f} ms")
    print(f"  runtime encode() inside the kernel {runtime_ms:8.1f} ms")
    print(f"  %seed encode round trip            {magic_ms:8.1f} ms")
    print(f"  kernel overhead of %seed encode    {magic_ms - runtime_ms:8.1f} ms")
    for name, samples in latencies.items():
        print(f"  interrupt latency, {name:<24} {median_ms(samples):6.1f} ms (max {max(samples) * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
