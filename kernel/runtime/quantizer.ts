/**
 * The vector quantiser, run in the runtime (not inside the encoder graph) so that codes, distances and
 * top-k alternatives all come from one place. SEED v1 takes the argmin of the plain squared L2 distance
 * ||z||^2 + ||e||^2 - 2 z.e; `cosine` models compare l2-normalised vectors the same way.
 * Ties go to the lower index, as torch.argmin does.
 */
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
  /** The codebook as compared (normalised for cosine), [codebookSize, codeDim]. */
  private readonly codebook: Float32Array;
  private readonly squaredNorms: Float64Array;

  constructor(
    codebook: Float32Array,
    readonly settings: QuantizerSettings
  ) {
    const { codebookSize, codeDim } = settings;
    if (codebook.length !== codebookSize * codeDim) {
      throw new RangeError(
        `The codebook holds ${codebook.length} values; ${codebookSize} x ${codeDim} = ${codebookSize * codeDim} expected.`
      );
    }
    this.codebook =
      settings.distance === 'cosine' && !settings.normalized ? normalizeRows(codebook, codeDim) : codebook;
    this.squaredNorms = new Float64Array(codebookSize);
    for (let k = 0; k < codebookSize; k++) {
      let sum = 0;
      for (let d = 0; d < codeDim; d++) {
        const v = this.codebook[k * codeDim + d];
        sum += v * v;
      }
      this.squaredNorms[k] = sum;
    }
  }

  /** Quantises row-major vectors [n, codeDim]; `topK` candidates per vector, nearest first. */
  quantize(vectors: Float32Array, topK: number): Quantized {
    const { codebookSize, codeDim } = this.settings;
    const k = Math.max(1, Math.min(topK, codebookSize));
    const z = this.settings.distance === 'cosine' ? normalizeRows(vectors, codeDim) : vectors;
    const n = z.length / codeDim;
    const codes: number[] = [];
    const candidates: CodeCandidate[][] = [];
    const distances = new Float64Array(codebookSize);
    for (let i = 0; i < n; i++) {
      const offset = i * codeDim;
      let zNorm = 0;
      for (let d = 0; d < codeDim; d++) {
        zNorm += z[offset + d] * z[offset + d];
      }
      for (let c = 0; c < codebookSize; c++) {
        let dot = 0;
        const base = c * codeDim;
        for (let d = 0; d < codeDim; d++) {
          dot += z[offset + d] * this.codebook[base + d];
        }
        distances[c] = zNorm + this.squaredNorms[c] - 2 * dot;
      }
      const best = smallest(distances, k);
      codes.push(best[0].code);
      candidates.push(best);
    }
    return { codes, topK: candidates };
  }

  /** The codebook rows for `codes` as the decoder takes them, [codes.length, codeDim]. */
  lookup(codes: readonly number[]): Float32Array {
    const { codeDim } = this.settings;
    const out = new Float32Array(codes.length * codeDim);
    codes.forEach((code, i) => out.set(this.codebook.subarray(code * codeDim, (code + 1) * codeDim), i * codeDim));
    return out;
  }
}

/** The k smallest entries, ascending, ties to the lower index (a sorted insertion list: k is small). */
function smallest(values: Float64Array, k: number): CodeCandidate[] {
  const best: CodeCandidate[] = [];
  for (let c = 0; c < values.length; c++) {
    const distance = values[c];
    if (best.length === k && distance >= best[k - 1].distance) {
      continue;
    }
    let at = best.length;
    while (at > 0 && best[at - 1].distance > distance) {
      at--;
    }
    best.splice(at, 0, { code: c, distance });
    if (best.length > k) {
      best.pop();
    }
  }
  return best;
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
