/**
 * `tokenize-plan.json`: the first worker writes it, every later one checks that it plans the same work
 * (inputs, shard boundaries, format, preprocessing, model, worker count), so two different runs never
 * mix their shards in one folder, and `status` knows the whole plan without the inputs.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InputIdentity, InputShard, TokenizePlan } from '../types';

export const PLAN_FILE = 'tokenize-plan.json';

export function identityOf(shard: InputShard): InputIdentity {
  if (shard.kind === 'tar') {
    return { kind: 'tar', path: shard.path };
  }
  const hash = crypto.createHash('sha256');
  shard.samples.forEach((sample) => hash.update(`${sample.key}\0${sample.path}\0${sample.caption ?? ''}\n`));
  return {
    kind: 'files',
    first: shard.samples[0].path,
    last: shard.samples[shard.samples.length - 1].path,
    count: shard.samples.length,
    listSha256: hash.digest('hex')
  };
}

export function readPlan(out: string): TokenizePlan | undefined {
  const file = path.join(out, PLAN_FILE);
  if (!fs.existsSync(file)) {
    return undefined;
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TokenizePlan;
}

/** Undefined when the two plans describe the same work, else what differs, in words. */
export function samePlan(a: TokenizePlan, b: TokenizePlan): string | undefined {
  const checks: [string, unknown, unknown][] = [
    ['output format', a.format, b.format],
    ['preprocessing', a.preprocess, b.preprocess],
    ['worker count (--num-shards)', a.numShards, b.numShards],
    ['model', a.model, b.model],
    ['shard size', a.shardSize, b.shardSize],
    ['input shards', a.shards, b.shards]
  ];
  const differ = checks.find(([, x, y]) => JSON.stringify(x) !== JSON.stringify(y));
  return differ ? `its ${differ[0]} differs` : undefined;
}
