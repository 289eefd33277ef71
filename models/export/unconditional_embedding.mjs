// Computes Stable Diffusion's unconditional embedding once: the CLIP text encoder's last hidden state for
// the empty prompt, i.e. the start token 49406 followed by the end token 49407 up to the full length.
// convert.py calls it with the text_encoder/model.onnx of a diffusers-layout ONNX export.
//
//   node models/export/unconditional_embedding.mjs TEXT_ENCODER.onnx OUT.f32 [TOKENS=77]
//
// Writes raw little-endian float32 [1, TOKENS, dim] and prints {"dims": [...], "inputType": ...} as JSON.
import { writeFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const START_TOKEN = 49406;

const END_TOKEN = 49407;

// onnxruntime-node hands fp16 tensors over as raw IEEE half bits (Node 20 has no Float16Array).
function halfBitsToFloat32(bits) {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = Number(bits[i]);
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) {
      out[i] = sign * 2 ** -14 * (fraction / 1024);
    } else if (exponent === 0x1f) {
      out[i] = fraction ? NaN : sign * Infinity;
    } else {
      out[i] = sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
    }
  }
  return out;
}

const [modelPath, outPath, tokensArg] = process.argv.slice(2);
if (!modelPath || !outPath) {
  throw new Error('Usage: node unconditional_embedding.mjs TEXT_ENCODER.onnx OUT.f32 [TOKENS]');
}
const tokens = Number(tokensArg ?? 77);

const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], intraOpNumThreads: 2 });
if (session.inputNames.length !== 1) {
  throw new Error(
    `${modelPath} takes ${session.inputNames.join(', ')}; a diffusers text encoder takes only input_ids. ` +
      'Pass text_encoder/model.onnx of a diffusers-layout export, or give --unconditional FILE to convert.py.'
  );
}
const inputName = session.inputNames[0];
const metadata = session.inputMetadata.find((entry) => entry.name === inputName);
const inputType = metadata && metadata.isTensor ? metadata.type : 'int32';

const ids = [START_TOKEN, ...Array(tokens - 1).fill(END_TOKEN)];
let data;
if (inputType === 'int64') {
  data = BigInt64Array.from(ids, BigInt);
} else if (inputType === 'int32') {
  data = Int32Array.from(ids);
} else {
  throw new Error(`${modelPath}: input ${inputName} is ${inputType}; expected int32 or int64 token ids.`);
}

const results = await session.run({ [inputName]: new ort.Tensor(inputType, data, [1, tokens]) });
const outputName = session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : session.outputNames[0];
const hidden = results[outputName];
if (hidden.type !== 'float32' && hidden.type !== 'float16') {
  throw new Error(`${modelPath}: output ${outputName} is ${hidden.type}; expected a float tensor.`);
}
const values = hidden.type === 'float32' ? hidden.data : halfBitsToFloat32(hidden.data);
writeFileSync(outPath, Buffer.from(values.buffer, values.byteOffset, values.byteLength));
await session.release();
console.log(JSON.stringify({ dims: hidden.dims, inputType, output: outputName }));
