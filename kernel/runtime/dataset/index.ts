/**
 * The dataset tokenizer (no Jupyter in it): inputs -> shards -> decode/resize overlapped with the encoder
 * -> records -> Parquet or webdataset shards with manifests. The CLI (`jupyterlab-seed tokenize`) and the
 * kernel use it through this module.
 */
export { prepareTokenize, DEFAULT_BATCH_SIZE, DEFAULT_SHARD_SIZE } from './tokenize';
export type { TokenizeOptions, TokenizeProgress, TokenizeSummary, TokenizeJob } from './tokenize';
export { tokenizeStatus, rerunCommands } from './status';
export type { TokenizeStatus } from './status';
export { resolveInputs } from './inputs/resolve';
export { resolveWorker, shardsOfWorker, shardName } from './plan/assign';
export type { WorkerSlot } from './plan/assign';
export { PLAN_FILE } from './plan/plan-file';
export { OUTPUT_FORMATS } from './types';
export type { OutputFormat, TokenRecord, SampleError, ShardManifest, TokenizePlan, InputShard } from './types';
