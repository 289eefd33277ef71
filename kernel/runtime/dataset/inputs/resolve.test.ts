import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveInputs } from './resolve';
import { readListFile } from './list-file';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-inputs-'));
test.after(() => fs.rmSync(root, { recursive: true, force: true }));

function touch(relative: string, content = 'x'): string {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

['b.png', 'a.jpg', 'sub/c.webp', 'sub/notes.md', 'wds/00000.tar', 'wds/00001.tar', 'wds/00002.tar'].forEach((f) =>
  touch(f)
);

test('a folder gives its images sorted by path, cut into fixed-size shards, keys relative to the folder', () => {
  const shards = resolveInputs([root], 2).filter((shard) => shard.kind === 'files');
  assert.deepEqual(
    shards.map((shard) => (shard.kind === 'files' ? shard.samples.map((s) => s.key) : [])),
    [['a', 'b'], ['sub/c']]
  );
});

test('tars come first, one shard each, in path order; shard indices are plan positions', () => {
  const shards = resolveInputs([path.join(root, 'wds/{00002,00000}.tar'), path.join(root, 'a.jpg')], 10);
  assert.deepEqual(
    shards.map((s) => [s.index, s.kind === 'tar' ? path.basename(s.path) : s.samples.length]),
    [
      [0, '00000.tar'],
      [1, '00002.tar'],
      [2, 1]
    ]
  );
});

test('brace ranges expand with zero padding, and a missing member is an error', () => {
  const shards = resolveInputs([path.join(root, 'wds/{00000..00002}.tar')], 10);
  assert.equal(shards.length, 3);
  assert.throws(
    () => resolveInputs([path.join(root, 'wds/{00000..00003}.tar')], 10),
    /00003\.tar \(from a brace pattern\) does not exist/
  );
});

test('globs match images and tars, keys are relative to the glob base', () => {
  const shards = resolveInputs([path.join(root, '**/*.{png,webp}')], 10);
  assert.equal(shards.length, 1);
  assert.deepEqual(shards[0].kind === 'files' && shards[0].samples.map((s) => s.key), ['b', 'sub/c']);
});

test('list files: plain, JSONL and CSV, paths relative to the list, optional key and caption', () => {
  touch('lists/plain.txt', '# comment\n../a.jpg\n\n../b.png\n');
  touch('lists/rows.jsonl', '{"path": "../a.jpg", "caption": "an a", "key": "first"}\n{"path": "../b.png"}\n');
  touch('lists/rows.csv', 'path,caption\n../a.jpg,"a, quoted"\n../sub/c.webp,\n');
  assert.deepEqual(
    readListFile(path.join(root, 'lists/plain.txt')).map((s) => s.key),
    ['../a', '../b']
  );
  assert.deepEqual(readListFile(path.join(root, 'lists/rows.jsonl')), [
    { key: 'first', path: path.join(root, 'a.jpg'), caption: 'an a' },
    { key: '../b', path: path.join(root, 'b.png') }
  ]);
  assert.deepEqual(
    readListFile(path.join(root, 'lists/rows.csv')).map((s) => [s.path, s.caption]),
    [
      [path.join(root, 'a.jpg'), 'a, quoted'],
      [path.join(root, 'sub/c.webp'), undefined]
    ]
  );
  touch('lists/broken.jsonl', '{"path": "a.jpg"}\nnot json\n');
  assert.throws(() => readListFile(path.join(root, 'lists/broken.jsonl')), /broken\.jsonl, line 2: not JSON/);
  touch('lists/nopath.jsonl', '{"file": "a.jpg"}\n');
  assert.throws(() => readListFile(path.join(root, 'lists/nopath.jsonl')), /line 1: no 'path'/);
});

test('nothing matched, a missing path and duplicate keys are clear errors', () => {
  assert.throws(() => resolveInputs([path.join(root, '**/*.gif')], 10), /No input matched .*Quote globs/);
  assert.throws(() => resolveInputs([path.join(root, 'nope')], 10), /nope does not exist/);
  touch('dup/x.png');
  touch('dup/x.jpg');
  assert.throws(() => resolveInputs([path.join(root, 'dup')], 10), /Two images have the key 'x'/);
  assert.throws(() => resolveInputs([root], 0), /shard size must be a whole number/);
});
