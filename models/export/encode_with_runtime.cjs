// Encodes images with a converted model folder through the project's own runtime (dist/runtime, built by
// `npx tsc -p kernel`), on CPU, and reports the time of each stage. convert_full_random.sh uses it to
// show that the runtime runs the full-size encoder end to end.
//
//   node models/export/encode_with_runtime.cjs MODEL_DIR IMAGE.png [RUNTIME_DIR=dist/runtime]
//
// Prints JSON: load and hash-check time, first encode (creates the ONNX session), second encode, codes.
const path = require('node:path');
const { performance } = require('node:perf_hooks');

async function main() {
  const [modelDir, image, runtimeDir] = process.argv.slice(2);
  if (!modelDir || !image) {
    throw new Error('Usage: node encode_with_runtime.cjs MODEL_DIR IMAGE.png [RUNTIME_DIR]');
  }
  const runtime = path.resolve(runtimeDir ?? path.join(__dirname, '..', '..', 'dist', 'runtime'));
  const { SeedModel } = require(runtime);
  const seconds = (start) => Number(((performance.now() - start) / 1000).toFixed(2));

  let start = performance.now();
  const model = await SeedModel.load(modelDir, { executionProviders: ['cpu'] });
  const loadSeconds = seconds(start);
  start = performance.now();
  const [first] = await model.encode([image]);
  const firstEncodeSeconds = seconds(start);
  start = performance.now();
  const [second] = await model.encode([image]);
  const secondEncodeSeconds = seconds(start);
  await model.release();
  const same = first.codes.every((code, i) => code === second.codes[i]);
  console.log(
    JSON.stringify({
      executionProvider: model.executionProvider.name,
      loadSeconds,
      firstEncodeSeconds,
      secondEncodeSeconds,
      codes: first.codes,
      repeatable: same
    })
  );
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
