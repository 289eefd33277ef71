/**
 * What the component test pages run: the SEED elements, and the frontend tests' fixed sample data
 * (src/testing/samples.ts: a source image drawn on a canvas, codes and top-k alternatives), so each test
 * starts from known values.
 * Bundled by esbuild in fixture.ts; nothing here talks to a kernel.
 */
import '../../src/components/seed-output/seed-output';
import '../../src/components/token-inspector/token-inspector';
import '../../src/components/decode-progress/decode-progress';
import '../../src/sidebar/seed-panel';
import { sampleImage, sampleResult } from '../../src/testing/samples';

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
