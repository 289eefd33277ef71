/** Where the runtime keeps what it can rebuild: recorded file hashes and optimized ONNX graphs. */
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * `SEED_CACHE_DIR`, else `$XDG_CACHE_HOME/jupyterlab-seed`, else `~/.cache/jupyterlab-seed`. A user cache
 * directory rather than the model folder: model folders are often read-only or shared between users,
 * and an optimized graph is specific to this machine's CPU and ONNX Runtime build.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SEED_CACHE_DIR) {
    return path.resolve(env.SEED_CACHE_DIR);
  }
  const base = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache');
  return path.join(base, 'jupyterlab-seed');
}
