// One kernel start's first encode, in a fresh process, for `npm run bench -- --model DIR --checkpoints DIR`:
// load the model folder and encode one PNG, timing the whole (hashing, session build or graph-cache load,
// encode). SEED_CACHE_DIR chooses the cache: empty for a cold start, the same again for a warm one.
// Prints one JSON object: { seconds, sessions: [{ field, source, loadSeconds }] }.
//
// Usage: SEED_CACHE_DIR=DIR node scripts/first-encode.mjs MODEL_DIR IMAGE.png THREADS
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './setup.mjs';

const require = createRequire(import.meta.url);
const { SeedModel } = require(join(ROOT, 'dist', 'runtime', 'index.js'));
const [modelDir, image, threads] = process.argv.slice(2);
const start = process.hrtime.bigint();
const model = await SeedModel.load(modelDir, { executionProviders: ['cpu'], threads: Number(threads) });
await model.encode([image]);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ seconds, sessions: model.sessionInfo() }));
await model.release();
