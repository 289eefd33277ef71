import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { PACKAGE_ROOT } from '../runtime/package-paths';

/** The prebuilt labextension that `npm run build` writes. */
export const LABEXTENSION_DIR = path.join(PACKAGE_ROOT, 'labextension');

/** The kernel's entry point, compiled from kernel/jupyter/main.ts. */
export const KERNEL_ENTRY = path.join(PACKAGE_ROOT, 'dist', 'jupyter', 'main.js');

/** The kernelspec's static resources (logos). */
export const KERNELSPEC_RESOURCES = path.join(PACKAGE_ROOT, 'kernel', 'kernelspec');

/** Debian's Python, which carries jupyter_server; the first `python3` on PATH may be another one. */
export const SYSTEM_PYTHON = process.env.SEED_PYTHON ?? '/usr/bin/python3';

/**
 * The user's Jupyter data folder, as `jupyter --data-dir` reports it. When no `jupyter` command
 * is on PATH we apply the same rules jupyter_core does, so `--user` works before Jupyter is set up.
 */
export function userJupyterDataDir(): string {
  try {
    const out = execFileSync('jupyter', ['--data-dir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const dir = out.trim();
    if (dir) {
      return dir;
    }
  } catch {
    // No jupyter on PATH: fall through to jupyter_core's documented defaults.
  }
  if (process.env.JUPYTER_DATA_DIR) {
    return process.env.JUPYTER_DATA_DIR;
  }
  const home = os.homedir();
  if (process.platform === 'darwin') {
    return path.join(home, 'Library', 'Jupyter');
  }
  if (process.platform === 'win32') {
    return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'jupyter');
  }
  const xdg = process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share');
  return path.join(xdg, 'jupyter');
}
