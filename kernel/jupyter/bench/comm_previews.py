"""Benchmark of decode previews over the `seed` comm (not a test: measured here, never asserted).

A client opens the comm and decodes with a preview after every step and without previews, and
records the bytes of each `progress` message on the wire (the JSON content plus any binary buffers)
and what previews add to the decode's time, seen from the client. Run it against this checkout's kernel, and with `--kernel-dist` against another
build (for example the commit before images moved to binary buffers, which sent previews as base64
inside the JSON) to compare the two in the same session.

Usage: /usr/bin/python3 kernel/jupyter/bench/comm_previews.py [--model DIR] [--steps N] [--kernel-dist DIR]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import start_new_kernel

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]


def kernelspec(dist, model):
    """A kernelspec folder running `dist/jupyter/main.js` on `model`; returns its JUPYTER_PATH."""
    root = Path(tempfile.mkdtemp(prefix="seed-bench-spec-"))
    spec = root / "kernels" / "seed-bench"
    spec.mkdir(parents=True)
    spec.joinpath("kernel.json").write_text(
        json.dumps(
            {
                "argv": ["node", str(Path(dist) / "jupyter" / "main.js"), "{connection_file}"],
                "display_name": "SEED (bench)",
                "language": "typescript",
                "interrupt_mode": "message",
                "env": {"SEED_MODEL": str(model)},
            }
        )
    )
    return str(root)


def progress_messages(kc, msg_id, timeout=300):
    """The comm_msg replies to one request, with their arrival time, up to its idle status."""
    found = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = kc.get_iopub_msg(timeout=deadline - time.monotonic())
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return found
        if msg["msg_type"] == "comm_msg":
            found.append((time.monotonic(), msg))
    raise TimeoutError("the decode did not finish")


def measure(dist, model, steps, rounds):
    """Median bytes per progress message with a preview, and what a preview adds to a decode (ms): the
    decode's time with a preview after every step minus its time without, over the number of previews."""
    os.environ["JUPYTER_PATH"] = kernelspec(dist, model)
    km, kc = start_new_kernel(kernel_name="seed-bench", startup_timeout=120)
    try:
        kc.shell_channel.send(kc.session.msg("comm_open", {"comm_id": "bench", "target_name": "seed", "data": {}}))

        def request(data):
            msg = kc.session.msg("comm_msg", {"comm_id": "bench", "data": data})
            started = time.monotonic()
            kc.shell_channel.send(msg)
            replies = progress_messages(kc, msg["header"]["msg_id"])
            return replies[-1][0] - started, [m for _, m in replies]

        def decode(index, preview_every):
            # Both protocol versions take previewEvery in configure.
            request({"type": "configure", "id": f"c{index}", "settings": {"previewEvery": preview_every}})
            return request({"type": "decode", "id": f"d{index}", "codes": [5] * 32, "params": {"steps": steps}})

        decode(0, 1)  # warm-up: loads the model and builds the sessions
        sizes, with_previews, without = [], [], []
        for index in range(1, rounds + 1):
            seconds, replies = decode(index, 1)
            with_previews.append(seconds)
            for m in replies:
                if m["content"]["data"].get("type") == "progress" and "preview" in m["content"]["data"]:
                    sizes.append(len(json.dumps(m["content"])) + sum(len(bytes(b)) for b in m.get("buffers", [])))
            without.append(decode(-index, 0)[0])
        per_preview_ms = (statistics.median(with_previews) - statistics.median(without)) / steps * 1000
        return statistics.median(sizes), per_preview_ms, statistics.median(without) * 1000
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(REPO / "models" / "seed-nano"))
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kernel-dist", help="another kernel build to compare with (its dist/ folder)")
    args = parser.parse_args()
    builds = [("this checkout", REPO / "dist")] + ([("--kernel-dist", Path(args.kernel_dist))] if args.kernel_dist else [])
    results = {}
    for name, dist in builds:
        size, per_preview, plain = measure(dist, Path(args.model).resolve(), args.steps, args.rounds)
        results[name] = (size, per_preview)
        print(
            f"{name}: median {size:.0f} bytes per progress message with a preview; a preview adds {per_preview:.2f} ms "
            f"to a {args.steps}-step decode of {plain:.0f} ms"
        )
    if len(results) == 2:
        (new_size, _), (old_size, _) = results.values()
        print(f"bytes per preview, this checkout / the other build: {new_size / old_size:.2f}")


if __name__ == "__main__":
    sys.exit(main())
