/**
 * Fixed sample data for the frontend's tests (the unit tests beside the modules and the component pages of
 * the UI tests): a deterministic encoding and small images drawn on a canvas, so every test starts from known
 * values and no test needs a model.
 */
import type { ImageView, SeedResultView } from '../model/seed-result';

/** The code at `position` of the sample encoding that starts at `start`. */
export function sampleCode(start: number, position: number): number {
  return (start + 257 * position) % 8192;
}

/** A sample encoding of 32 codes; each position's five alternatives start with its own code. */
export function sampleResult(label: string, start: number, modelSha256 = 'a'.repeat(64)): SeedResultView {
  const codes = Array.from({ length: 32 }, (_, position) => sampleCode(start, position));
  const topK = codes.map((code, position) =>
    Array.from({ length: 5 }, (_, rank) => ({
      code: rank === 0 ? code : (code + 1000 * rank + position) % 8192,
      distance: 0.05 * (rank + 1) + position / 1000
    }))
  );
  return {
    kind: 'encoding',
    label,
    model: { id: 'seed-nano', sha256: modelSha256, family: 'seed-v1', codebookSize: 8192 },
    codes,
    topK,
    source: sampleImage(start)
  };
}

/** A 64x64 PNG: a coloured disc on white whose hue depends on `seed`. */
export function sampleImage(seed: number): ImageView {
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 64;
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, 64, 64);
  context.fillStyle = `hsl(${seed % 360}, 70%, 50%)`;
  context.beginPath();
  context.arc(32, 32, 24, 0, 2 * Math.PI);
  context.fill();
  return { src: canvas.toDataURL('image/png'), width: 64, height: 64 };
}
