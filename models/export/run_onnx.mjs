// Runs one ONNX graph with onnxruntime-node on CPU, reading raw float32 inputs and writing raw float32
// outputs. The export's Python side (convert.py --check and the tests) uses it because Debian packages
// no Python onnxruntime, and it checks the files with the same runtime the kernel loads them with.
//
//   node models/export/run_onnx.mjs SPEC.json
//
// SPEC: {"model": "enc.onnx", "inputs": {"pixel_values": {"file": "x.f32", "dims": [1, 3, 224, 224]}},
//        "outputs": {"prequant": "y.f32"}, "repeat": 1, "threads": 2}
// Prints {"loadSeconds", "runSeconds": [...], "outputs": {name: dims}, "peakMemoryMB"} as JSON.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';

const specPath = process.argv[2];
if (!specPath) {
  throw new Error('Usage: node run_onnx.mjs SPEC.json (see the comment at the top of this file).');
}
const spec = JSON.parse(readFileSync(specPath, 'utf8'));

const loadStart = performance.now();
const session = await ort.InferenceSession.create(spec.model, {
  executionProviders: ['cpu'],
  intraOpNumThreads: spec.threads ?? 2,
  interOpNumThreads: 1
});
const loadSeconds = (performance.now() - loadStart) / 1000;

const feeds = {};
for (const [name, input] of Object.entries(spec.inputs)) {
  const bytes = readFileSync(input.file);
  // Copy into an aligned buffer: Node pools small reads at arbitrary byte offsets.
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const expected = input.dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw new Error(`${input.file} holds ${data.length} floats, but ${name} has dims ${input.dims} (${expected}).`);
  }
  feeds[name] = new ort.Tensor('float32', data, input.dims);
}

const runSeconds = [];
let results;
for (let i = 0; i < (spec.repeat ?? 1); i++) {
  const start = performance.now();
  results = await session.run(feeds);
  runSeconds.push((performance.now() - start) / 1000);
}

const shapes = {};
for (const [name, file] of Object.entries(spec.outputs)) {
  const tensor = results[name];
  if (!tensor) {
    throw new Error(`${spec.model} has no output ${name}; its outputs are ${session.outputNames.join(', ')}.`);
  }
  if (tensor.type !== 'float32') {
    throw new Error(`Output ${name} of ${spec.model} is ${tensor.type}, expected float32.`);
  }
  writeFileSync(file, Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
  shapes[name] = tensor.dims;
}
await session.release();

// Peak resident memory of this process. Linux's VmHWM, unlike getrusage's maxrss, is not inherited from the
// Python process that forked this one, so it measures onnxruntime alone.
function peakMemoryMB() {
  if (!existsSync('/proc/self/status')) {
    return null;
  }
  const match = readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
  return match ? Math.round(Number(match[1]) / 1024) : null;
}

console.log(JSON.stringify({ loadSeconds, runSeconds, outputs: shapes, peakMemoryMB: peakMemoryMB() }));
