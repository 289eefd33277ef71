import * as path from 'node:path';

/**
 * Where the installed `jupyterlab-seed` package keeps what the runtime, the kernel and the CLI all
 * find from it. Compiled to dist/runtime/, two levels below the package root, like every module of
 * the kernel's build.
 */

/** The root of the installed `jupyterlab-seed` package (the folder holding its package.json). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

/** The models shipped with the package, one folder each. */
export const MODELS_DIR = path.join(PACKAGE_ROOT, 'models');

/** The small trained model shipped with the package, used when no other model is chosen. */
export const BUNDLED_MODEL_DIR = path.join(MODELS_DIR, 'seed-nano');
