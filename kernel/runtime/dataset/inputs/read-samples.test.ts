import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar-stream';
import { readSamples } from './read-samples';
import type { RawSample } from '../types';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-samples-'));
test.after(() => fs.rmSync(root, { recursive: true, force: true }));

async function makeTar(file: string, entries: [string, string][]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  entries.forEach(([name, body]) => pack.entry({ name }, body));
  pack.finalize();
  await ended;
  const bytes = Buffer.concat(chunks);
  fs.writeFileSync(file, bytes);
  return bytes;
}

async function all(source: AsyncIterable<RawSample>): Promise<RawSample[]> {
  const out: RawSample[] = [];
  for await (const sample of source) {
    out.push(sample);
  }
  return out;
}

test('a webdataset tar streams samples grouped by key, with captions from .txt or .json', async () => {
  const file = path.join(root, 'a.tar');
  await makeTar(file, [
    ['dir/s1.png', 'PNG1'],
    ['dir/s1.txt', ' a cat \n'],
    ['s2.json', '{"caption": "a dog"}'],
    ['s2.jpg', 'JPG2'],
    ['s3.txt', 'no image here'],
    ['s4.seg.png', 'PNG4'],
    ['s4.cls', '7']
  ]);
  const samples = await all(readSamples({ index: 0, kind: 'tar', path: file }));
  assert.deepEqual(
    samples.map((s) => [s.key, s.bytes?.toString(), s.caption, s.error !== undefined]),
    [
      ['dir/s1', 'PNG1', 'a cat', false],
      ['s2', 'JPG2', 'a dog', false],
      ['s3', undefined, 'no image here', true],
      ['s4', undefined, undefined, true]
    ]
  );
  assert.equal(samples[0].source, `${file}:dir/s1.png`);
  assert.match(samples[2].error ?? '', /no image/);
});

test('a truncated tar keeps what was read and reports the damage as one error', async () => {
  const file = path.join(root, 'cut.tar');
  const bytes = await makeTar(file, [
    ['s1.png', 'A'.repeat(600)],
    ['s2.png', 'B'.repeat(600)]
  ]);
  fs.writeFileSync(file, bytes.subarray(0, 1024 + 700));
  const samples = await all(readSamples({ index: 0, kind: 'tar', path: file }));
  assert.equal(samples[0].key, 's1');
  assert.equal(samples[0].bytes?.length, 600);
  assert.match(samples[samples.length - 1].error ?? '', /the tar is damaged/);
});

test('image files are read one by one; a missing file is an error sample', async () => {
  const present = path.join(root, 'x.png');
  fs.writeFileSync(present, 'bytes');
  const samples = await all(
    readSamples({
      index: 0,
      kind: 'files',
      samples: [
        { key: 'x', path: present, caption: 'hi' },
        { key: 'gone', path: path.join(root, 'gone.png') }
      ]
    })
  );
  assert.deepEqual(samples[0], { key: 'x', source: present, caption: 'hi', bytes: Buffer.from('bytes') });
  assert.match(samples[1].error ?? '', /cannot read the file: ENOENT/);
});
