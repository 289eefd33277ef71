/**
 * The vector quantiser, run in the runtime (not inside the encoder graph) so that codes, distances and
 * top-k alternatives all come from one place. SEED v1 takes the argmin of the plain squared L2 distance
 * ||z||^2 + ||e||^2 - 2 z.e in float32, as torch computes it; `cosine` models compare l2-normalised
 * vectors the same way. The distances and the top-k run in ONNX Runtime (graphs/nearest-codes-graph.ts):
 * a JavaScript loop over an 8192-entry codebook took most of an encode. Ties go to the lower index, as
 * torch.argmin does.
 */
import { ort } from './onnxruntime';
import { NEAREST_CODES_GRAPH_BASE64 } from './graphs/nearest-codes-graph';
import { cpuSessionOptions } from './sessions';
import type { SessionThreads } from './threads';
import type { CodeCandidate } from './types';

export interface QuantizerSettings {
  codebookSize: number;
  codeDim: number;
  distance: 'l2' | 'cosine';
  /** Whether the codebook is already l2-normalised (cosine only). */
  normalized: boolean;
}

export interface Quantized {
  codes: number[];
  topK: CodeCandidate[][];
}

export class Quantizer {
  private constructor(
    readonly settings: QuantizerSettings,
    /** The codebook as compared (normalised for cosine), [codebookSize, codeDim]. */
    private readonly codebook: Float32Array,
    private readonly session: ort.InferenceSession,
    private readonly codebookTensor: ort.Tensor,
    private readonly normsTensor: ort.Tensor
  ) {}

  static async create(
    codebook: Float32Array,
    settings: QuantizerSettings,
    threads: SessionThreads = { count: 1, spin: false }
  ): Promise<Quantizer> {
    const { codebookSize, codeDim } = settings;
    if (codebook.length !== codebookSize * codeDim) {
      throw new RangeError(
        `The codebook holds ${codebook.length} values; ${codebookSize} x ${codeDim} = ${codebookSize * codeDim} expected.`
      );
    }
    const compared =
      settings.distance === 'cosine' && !settings.normalized ? normalizeRows(codebook, codeDim) : codebook;
    const norms = new Float32Array(codebookSize);
    for (let c = 0; c < codebookSize; c++) {
      let sum = 0;
      for (let d = 0; d < codeDim; d++) {
        sum += compared[c * codeDim + d] ** 2;
      }
      norms[c] = sum;
    }
    const session = await ort.InferenceSession.create(Buffer.from(NEAREST_CODES_GRAPH_BASE64, 'base64'), {
      ...cpuSessionOptions(threads),
      executionProviders: ['cpu']
    });
    return new Quantizer(
      settings,
      compared,
      session,
      new ort.Tensor('float32', compared, [codebookSize, codeDim]),
      new ort.Tensor('float32', norms, [codebookSize])
    );
  }

  /** Quantises row-major vectors [n, codeDim]; `topK` candidates per vector, nearest first. */
  async quantize(vectors: Float32Array, topK: number): Promise<Quantized> {
    const { codebookSize, codeDim } = this.settings;
    const k = Math.max(1, Math.min(topK, codebookSize));
    const z = this.settings.distance === 'cosine' ? normalizeRows(vectors, codeDim) : vectors;
    const n = z.length / codeDim;
    const out = await this.session.run({
      vectors: new ort.Tensor('float32', z, [n, codeDim]),
      codebook: this.codebookTensor,
      codebook_norms: this.normsTensor,
      k: new ort.Tensor('int64', BigInt64Array.from([BigInt(k)]), [1])
    });
    const distances = out.distances.data as Float32Array;
    const indices = out.codes.data as BigInt64Array;
    const candidates: CodeCandidate[][] = [];
    for (let i = 0; i < n; i++) {
      const row: CodeCandidate[] = [];
      for (let j = 0; j < k; j++) {
        row.push({ code: Number(indices[i * k + j]), distance: distances[i * k + j] });
      }
      candidates.push(row);
    }
    return { codes: candidates.map((row) => row[0].code), topK: candidates };
  }

  /** The codebook rows for `codes` as the decoder takes them, [codes.length, codeDim]. */
  lookup(codes: readonly number[]): Float32Array {
    const { codeDim } = this.settings;
    const out = new Float32Array(codes.length * codeDim);
    codes.forEach((code, i) => out.set(this.codebook.subarray(code * codeDim, (code + 1) * codeDim), i * codeDim));
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function normalizeRows(values: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let offset = 0; offset < values.length; offset += dim) {
    let sum = 0;
    for (let d = 0; d < dim; d++) {
      sum += values[offset + d] * values[offset + d];
    }
    // F.normalize's epsilon: a zero vector stays zero instead of becoming NaN.
    const scale = 1 / Math.max(Math.sqrt(sum), 1e-12);
    for (let d = 0; d < dim; d++) {
      out[offset + d] = values[offset + d] * scale;
    }
  }
  return out;
}
