/**
 * What the component test pages run: the SEED elements, and sample data built in the page (a source
 * image drawn on a canvas, codes and top-k alternatives) so each test starts from known values.
 * Bundled by esbuild in fixture.ts; nothing here talks to a kernel.
 */
import '../../src/components/seed-output/seed-output';
import '../../src/components/token-inspector/token-inspector';
import '../../src/components/decode-progress/decode-progress';
import '../../src/sidebar/seed-panel';
import type { SeedResultView } from '../../src/model/seed-result';

/** A deterministic sample encoding: code i is (start + 257 i) mod 8192; alternatives follow it. */
function sampleResult(label: string, start: number, modelSha256 = 'a'.repeat(64)): SeedResultView {
  const codes = Array.from({ length: 32 }, (_, position) => (start + 257 * position) % 8192);
  const topK = codes.map((code, position) =>
    Array.from({ length: 5 }, (_, rank) => ({
      code: rank === 0 ? code : (code + 1000 * rank + position) % 8192,
      distance: 0.05 * (rank + 1) + position / 1000
    }))
  );
  return {
    kind: 'encoding',
    label,
    model: { id: 'seed-nano', sha256: modelSha256, codebookSize: 8192 },
    codes,
    topK,
    source: sampleImage(start)
  };
}

/** A 64x64 PNG: a coloured disc whose hue depends on `seed`. */
function sampleImage(seed: number): { src: string; width: number; height: number } {
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

/** Every SEED event that reaches the document, in order, for the tests to read. */
const events: { type: string; detail: unknown }[] = [];
const EVENT_NAMES = [
  'seed-new-notebook',
  'seed-token-select',
  'seed-token-edit',
  'seed-decode-request',
  'seed-decode-cancel',
  'seed-copy',
  'seed-gallery-select',
  'seed-model-change',
  'seed-refresh',
  'seed-image-drop'
];
for (const name of EVENT_NAMES) {
  document.addEventListener(name, (event) => {
    const detail = (event as CustomEvent).detail;
    // A dropped File does not survive serialisation; keep what the tests check.
    const image = (detail as { image?: { kind: string; file?: File } } | undefined)?.image;
    events.push({
      type: name,
      detail: image?.file ? { image: { kind: image.kind, name: image.file.name, size: image.file.size } } : detail
    });
  });
}

declare global {
  interface Window {
    seedTest: {
      sampleResult: typeof sampleResult;
      sampleImage: typeof sampleImage;
      events: typeof events;
    };
  }
}

window.seedTest = { sampleResult, sampleImage, events };
