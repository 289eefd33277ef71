/**
 * Batches through ONNX graphs: stacking per-image arrays, and running a one-input, one-output graph over
 * `count` stacked items whether its batch dimension is dynamic or fixed (exports of the full-size models
 * sometimes fix it at 1).
 */
import { throwIfAborted } from './diffusion';
import { SeedModelError } from './errors';
import type { Graph } from './sessions';

/** The arrays one after another, in one new Float32Array. */
export function concatFloat32(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** What runBatched feeds and expects: `count` items of `itemDims` in, `outputPerItem` values each out. */
export interface BatchedRun {
  input: string;
  output: string;
  data: Float32Array;
  itemDims: readonly number[];
  count: number;
  outputPerItem: number;
  /** The output shape in words, for the error when the graph returns another (names the manifest's fields). */
  expectedShape: string;
  signal?: AbortSignal;
}

/**
 * Runs the graph over the items stacked in `data` ([count, ...itemDims]): all at once, or in chunks of the
 * batch size the graph fixes. Checks that each item gives `outputPerItem` values.
 */
export async function runBatched(graph: Graph, run: BatchedRun): Promise<Float32Array> {
  const { input, output, data, itemDims, count, outputPerItem } = run;
  const fixed = graph.inputShape(input)[0];
  const chunk = typeof fixed === 'number' && fixed > 0 ? fixed : count;
  const inputPerItem = itemDims.reduce((a, b) => a * b, 1);
  const out = new Float32Array(count * outputPerItem);
  for (let start = 0; start < count; start += chunk) {
    throwIfAborted(run.signal);
    const n = Math.min(chunk, count - start);
    const slice = data.subarray(start * inputPerItem, (start + n) * inputPerItem);
    const result = (await graph.run({ [input]: graph.tensor(input, slice, [n, ...itemDims]) }, [output]))[output];
    if (result.data.length !== n * outputPerItem) {
      throw new SeedModelError(
        `${graph.file.path}: output '${output}' has shape [${result.dims.join(', ')}]; ${run.expectedShape} expected.`
      );
    }
    out.set(result.data, start * outputPerItem);
  }
  return out;
}
