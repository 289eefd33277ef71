// Encodes images with a converted model folder through the project's own runtime (dist/runtime, built by
// `npx tsc -p kernel`), on CPU, and reports the time of each stage. convert_full_random.sh uses it to
// show that the runtime runs the full-size encoder end to end; quantize_encoder.py --image to compare the
// codes of two folders.
//
//   node models/export/encode_with_runtime.cjs MODEL_DIR IMAGE... [--runtime DIR (default dist/runtime)]
//
// Prints JSON: load and hash-check time, first encode (creates the ONNX session), second encode of the
// first image, and the codes of every image (one array per image).
const path = require('node:path');
const { performance } = require('node:perf_hooks');

async function main() {
  const args = process.argv.slice(2);
  const runtimeAt = args.indexOf('--runtime');
  const runtimeDir = runtimeAt >= 0 ? args.splice(runtimeAt, 2)[1] : undefined;
  const [modelDir, ...images] = args;
  if (!modelDir || images.length === 0) {
    throw new Error('Usage: node encode_with_runtime.cjs MODEL_DIR IMAGE... [--runtime DIR]');
  }
  const runtime = path.resolve(runtimeDir ?? path.join(__dirname, '..', '..', 'dist', 'runtime'));
  const { SeedModel } = require(runtime);
  const seconds = (start) => Number(((performance.now() - start) / 1000).toFixed(2));

  let start = performance.now();
  const model = await SeedModel.load(modelDir, { executionProviders: ['cpu'] });
  const loadSeconds = seconds(start);
  start = performance.now();
  const [first] = await model.encode([images[0]]);
  const firstEncodeSeconds = seconds(start);
  start = performance.now();
  const [second] = await model.encode([images[0]]);
  const secondEncodeSeconds = seconds(start);
  const codes = [first.codes];
  for (const image of images.slice(1)) {
    const [encoded] = await model.encode([image]);
    codes.push(encoded.codes);
  }
  await model.release();
  const same = first.codes.every((code, i) => code === second.codes[i]);
  console.log(
    JSON.stringify({
      executionProvider: model.executionProvider.name,
      loadSeconds,
      firstEncodeSeconds,
      secondEncodeSeconds,
      codes,
      repeatable: same
    })
  );
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
