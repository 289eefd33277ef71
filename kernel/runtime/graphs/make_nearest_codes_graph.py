"""Writes kernel/runtime/graphs/nearest-codes-graph.ts: the ONNX graph the quantiser runs (as base64, so it
ships inside dist/ with the compiled runtime).

    distances = ReduceSumSquare(vectors) + codebookNorms - 2 vectors @ codebook^T     [N, K]
    distances, codes = TopK(distances, k, largest=0, sorted=1)                         [N, k]

This is SEED v1's quantiser formula (||z||^2 + ||e||^2 - 2 z.e, float32, as torch computes it), run by
ONNX Runtime's matrix multiply instead of a JavaScript loop (about 10x faster for 8192 codes). ONNX TopK
puts the lower index first among equal values, as torch.argmin does. Shapes are symbolic, so one graph
serves every model.

Run: /usr/bin/python3 kernel/runtime/graphs/make_nearest_codes_graph.py
"""
import base64
import os

import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))


def graph():
    nodes = [
        helper.make_node("ReduceSumSquare", ["vectors"], ["vector_norms"], axes=[1], keepdims=1),  # [N, 1]
        helper.make_node("Gemm", ["vectors", "codebook"], ["minus_two_dot"], alpha=-2.0, transB=1),  # [N, K]
        helper.make_node("Add", ["vector_norms", "codebook_norms"], ["norms"]),  # [N, K]
        helper.make_node("Add", ["norms", "minus_two_dot"], ["all_distances"]),
        helper.make_node("TopK", ["all_distances", "k"], ["distances", "codes"], axis=1, largest=0, sorted=1),
    ]
    g = helper.make_graph(
        nodes,
        "nearest_codes",
        [
            helper.make_tensor_value_info("vectors", TensorProto.FLOAT, ["n", "dim"]),
            helper.make_tensor_value_info("codebook", TensorProto.FLOAT, ["size", "dim"]),
            helper.make_tensor_value_info("codebook_norms", TensorProto.FLOAT, ["size"]),
            helper.make_tensor_value_info("k", TensorProto.INT64, [1]),
        ],
        [
            helper.make_tensor_value_info("distances", TensorProto.FLOAT, ["n", "top"]),
            helper.make_tensor_value_info("codes", TensorProto.INT64, ["n", "top"]),
        ],
    )
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="jupyterlab-seed")
    onnx.checker.check_model(model)
    return model.SerializeToString()


def main():
    encoded = base64.b64encode(graph()).decode("ascii")
    lines = [encoded[i:i + 100] for i in range(0, len(encoded), 100)]
    body = "\n".join(f"  '{line}'" + (" +" if i < len(lines) - 1 else ";") for i, line in enumerate(lines))
    with open(os.path.join(HERE, "nearest-codes-graph.ts"), "w") as f:
        f.write(
            "// Written by make_nearest_codes_graph.py (see there for what the graph computes); do not edit.\n"
            "export const NEAREST_CODES_GRAPH_BASE64 =\n" + body + "\n"
        )


if __name__ == "__main__":
    main()
