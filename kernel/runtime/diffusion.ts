/**
 * The denoising loop: seeded noise, the sampler, classifier-free guidance as one UNet batch of two
 * (unconditional first, as Stable Diffusion's scripts do), v-prediction converted to epsilon, progress
 * with previews, and cancellation checked before every UNet call.
 */
import { SeedCancelledError, SeedModelError } from './errors';
import { assertFinite } from './finite';
import type { LinearPreview } from './manifest';
import type { EpsilonModel, Sampler } from './samplers';
import type { Graph } from './sessions';

export interface UnetCall {
  unet: Graph;
  /** Images decoded together. */
  count: number;
  /** Conditional generation embeddings [count, tokens, dim], and the unconditional one [tokens, dim]. */
  condition: Float32Array;
  unconditional: Float32Array;
  tokens: number;
  dim: number;
  latentShape: [number, number, number];
  guidance: number;
  prediction: 'epsilon' | 'v';
  alphasCumprod: Float64Array;
  /**
   * unCLIP (seed-v2): the UNet's class-label input, [count, width] for each half of guidance; the
   * unconditional half is used only when guidance is on.
   */
  classLabels?: { input: string; width: number; conditional: Float32Array; unconditional: Float32Array };
  signal?: AbortSignal;
}

/** Throws SeedCancelledError if the signal has fired. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) {
    throw new SeedCancelledError(undefined, { cause: signal.reason });
  }
}

/** eps = sqrt(a) v + sqrt(1 - a) x (Salimans & Ho 2022), for UNets trained to predict v. */
export function epsilonFromV(v: Float32Array, x: Float32Array, alpha: number): Float32Array {
  const a = Math.sqrt(alpha);
  const b = Math.sqrt(1 - alpha);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    out[i] = a * v[i] + b * x[i];
  }
  return out;
}

/** The timestep tensor's shape: the graph's declared rank, batch-sized when its dimension is symbolic. */
function timestepDims(unet: Graph, batch: number): number[] {
  const shape = unet.inputShape('timestep');
  if (shape.length === 0) {
    return [];
  }
  return [typeof shape[0] === 'number' ? shape[0] : batch];
}

/**
 * An EpsilonModel over the UNet for `count` images stacked in x, with guidance: one UNet batch of
 * [unconditional x count, conditional x count], or only the conditional half when guidance is 1.
 * Counts UNet calls.
 */
export function guidedUnet(call: UnetCall): { model: EpsilonModel; evaluations: () => number } {
  const { unet, guidance, tokens, dim, latentShape, count } = call;
  const [c, h, w] = latentShape;
  const size = count * c * h * w;
  const paired = guidance !== 1;
  const batch = paired ? 2 * count : count;
  const embedding = tokens * dim;
  const context = new Float32Array(batch * embedding);
  if (paired) {
    for (let i = 0; i < count; i++) {
      context.set(call.unconditional, i * embedding);
    }
    context.set(call.condition, count * embedding);
  } else {
    context.set(call.condition, 0);
  }
  const contextTensor = unet.tensor('encoder_hidden_states', context, [batch, tokens, dim]);
  const labels: Record<string, ReturnType<Graph['tensor']>> = {};
  if (call.classLabels) {
    const { input, width, conditional, unconditional } = call.classLabels;
    const values = paired ? new Float32Array(batch * width) : conditional;
    if (paired) {
      values.set(unconditional, 0);
      values.set(conditional, count * width);
    }
    labels[input] = unet.tensor(input, values, [batch, width]);
  }
  const tDims = timestepDims(unet, batch);
  let evaluations = 0;
  const model: EpsilonModel = async (x, t) => {
    throwIfAborted(call.signal);
    const sample = new Float32Array(paired ? 2 * size : size);
    sample.set(x, 0);
    if (paired) {
      sample.set(x, size);
    }
    const { out_sample: out } = await unet.run(
      {
        sample: unet.tensor('sample', sample, [batch, c, h, w]),
        timestep: unet.tensor('timestep', new Array<number>(tDims.length ? tDims[0] : 1).fill(t), tDims),
        encoder_hidden_states: contextTensor,
        ...labels
      },
      ['out_sample']
    );
    evaluations++;
    if (out.data.length !== sample.length) {
      throw new SeedModelError(
        `${unet.file.path}: 'out_sample' has shape [${out.dims.join(', ')}]; [${batch}, ${c}, ${h}, ${w}] expected, ` +
          'like its input sample (diffusion.latentShape in the manifest).'
      );
    }
    let prediction: Float32Array;
    if (paired) {
      const uncond = out.data.subarray(0, size);
      const cond = out.data.subarray(size, 2 * size);
      prediction = new Float32Array(size);
      for (let i = 0; i < size; i++) {
        prediction[i] = uncond[i] + guidance * (cond[i] - uncond[i]);
      }
    } else {
      prediction = out.data.slice(0, size);
    }
    return call.prediction === 'v' ? epsilonFromV(prediction, x, call.alphasCumprod[t]) : prediction;
  };
  return { model, evaluations: () => evaluations };
}

export interface LoopHooks {
  signal?: AbortSignal;
  /** Called after each step with the current x0 estimate. */
  afterStep?: (step: number, total: number, x0: Float32Array) => Promise<void>;
}

/**
 * Runs the sampler from unit noise to the clean latent. A step whose state holds NaN or infinity stops
 * the run (SeedNumericError): sampling never recovers from one, and its image would only look black.
 */
export async function runSampler(
  sampler: Sampler,
  noise: Float32Array,
  model: EpsilonModel,
  hooks: LoopHooks = {}
): Promise<Float32Array> {
  let x = sampler.initialState(noise);
  const total = sampler.timesteps.length;
  for (let i = 0; i < total; i++) {
    throwIfAborted(hooks.signal);
    const result = await sampler.step(i, x, model);
    assertFinite(
      result.x,
      (bad, all) =>
        `Sampling diverged at step ${i + 1} of ${total} (${sampler.name}, timestep ${sampler.timesteps[i]}): ` +
        `${bad} of ${all} latent values are NaN or infinite, so no image was made. Try fewer steps or a lower ` +
        'guidance scale; if every setting fails, the UNet itself returns NaN (damaged weights, or an fp16 graph ' +
        'that overflows: try its fp32 export).'
    );
    x = result.x;
    await hooks.afterStep?.(i + 1, total, result.x0);
  }
  return x;
}

/** Linear latent -> RGB preview: CHW latent -> CHW RGB in [-1, 1] at latent resolution. */
export function linearPreview(
  preview: LinearPreview,
  latent: Float32Array,
  latentShape: [number, number, number]
): Float32Array {
  const [c, h, w] = latentShape;
  const plane = h * w;
  const out = new Float32Array(3 * plane);
  for (let k = 0; k < 3; k++) {
    for (let p = 0; p < plane; p++) {
      let v = preview.bias[k];
      for (let ch = 0; ch < c; ch++) {
        v += latent[ch * plane + p] * preview.matrix[ch][k];
      }
      out[k * plane + p] = v;
    }
  }
  return out;
}
