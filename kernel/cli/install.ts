import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CliCommand, UsageError } from './command';
import { KERNEL_ENTRY, KERNELSPEC_RESOURCES, LABEXTENSION_DIR, userJupyterDataDir } from './paths';

/** The kernelspec name users pick in JupyterLab's launcher and notebooks record in their metadata. */
export const KERNEL_NAME = 'seed';
export const KERNEL_DISPLAY_NAME = 'SEED (TypeScript)';
/** JupyterLab looks up a prebuilt extension by the folder name, which must equal the npm package name. */
export const LABEXTENSION_NAME = 'jupyterlab-seed';

export interface InstallOptions {
  /** Model folder the kernel loads by default; recorded in kernel.json's env as SEED_MODEL. */
  model?: string;
  /** Symlink the labextension instead of copying it, so a rebuild shows up without reinstalling. */
  link?: boolean;
}

export interface InstalledPaths {
  labextension: string;
  kernelspec: string;
}

/** The kernel.json Jupyter starts the SEED kernel from. */
export function kernelSpec(options: InstallOptions = {}): Record<string, unknown> {
  const env: Record<string, string> = {};
  if (options.model) {
    env.SEED_MODEL = path.resolve(options.model);
  }
  return {
    argv: [process.execPath, KERNEL_ENTRY, '{connection_file}'],
    display_name: KERNEL_DISPLAY_NAME,
    language: 'typescript',
    // The kernel handles interrupt_request on the control channel, so interrupts also work
    // where signals cannot be delivered (remote kernels, Windows).
    interrupt_mode: 'message',
    env,
    metadata: { debugger: false }
  };
}

/**
 * Writes the labextension and the kernelspec into a Jupyter data folder
 * (`<dataDir>/labextensions/jupyterlab-seed/`, `<dataDir>/kernels/seed/`).
 */
export function installInto(dataDir: string, options: InstallOptions = {}): InstalledPaths {
  if (!fs.existsSync(path.join(LABEXTENSION_DIR, 'package.json'))) {
    throw new Error(
      `The prebuilt labextension is missing at ${LABEXTENSION_DIR}. Run 'npm run build' in the jupyterlab-seed checkout first.`
    );
  }
  if (!fs.existsSync(KERNEL_ENTRY)) {
    throw new Error(`The kernel is not built (${KERNEL_ENTRY} is missing). Run 'npm run build' first.`);
  }
  const labextension = path.join(dataDir, 'labextensions', LABEXTENSION_NAME);
  fs.mkdirSync(path.dirname(labextension), { recursive: true });
  fs.rmSync(labextension, { recursive: true, force: true });
  if (options.link) {
    fs.symlinkSync(LABEXTENSION_DIR, labextension, 'dir');
  } else {
    fs.cpSync(LABEXTENSION_DIR, labextension, { recursive: true });
  }

  const kernelspec = path.join(dataDir, 'kernels', KERNEL_NAME);
  fs.rmSync(kernelspec, { recursive: true, force: true });
  fs.mkdirSync(kernelspec, { recursive: true });
  if (fs.existsSync(KERNELSPEC_RESOURCES)) {
    fs.cpSync(KERNELSPEC_RESOURCES, kernelspec, { recursive: true });
  }
  fs.writeFileSync(path.join(kernelspec, 'kernel.json'), JSON.stringify(kernelSpec(options), null, 2) + '\n');
  return { labextension, kernelspec };
}

const USAGE = `Usage: jupyterlab-seed install [--prefix DIR | --user] [--model DIR] [--link]

Installs the SEED labextension and the 'seed' kernelspec into an existing Jupyter (JupyterLab >= 4),
so no rebuild of JupyterLab is needed.

Options:
  --prefix DIR   install under DIR/share/jupyter (for example a conda or virtualenv prefix: sys.prefix)
  --user         install into your user Jupyter data folder (jupyter --data-dir); the default
  --model DIR    model folder the kernel loads by default (else the bundled seed-nano)
  --link         symlink the labextension to this package instead of copying it (for development)`;

export const installCommand: CliCommand = {
  name: 'install',
  summary: 'install the labextension and the SEED kernelspec into your own JupyterLab',
  usage: USAGE,
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: {
          prefix: { type: 'string' },
          user: { type: 'boolean' },
          model: { type: 'string' },
          link: { type: 'boolean' }
        },
        strict: true,
        allowPositionals: false
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { prefix, user, model, link } = parsed.values;
    if (prefix !== undefined && user) {
      throw new UsageError('--prefix and --user cannot be used together; pick one.');
    }
    if (model !== undefined && !fs.existsSync(path.join(model, 'seed-model.json'))) {
      throw new UsageError(`--model ${model}: no seed-model.json there. Point it at a SEED model folder.`);
    }
    const dataDir = prefix !== undefined ? path.join(path.resolve(prefix), 'share', 'jupyter') : userJupyterDataDir();
    const installed = installInto(dataDir, { model, link });
    console.log(`Installed the labextension: ${installed.labextension}`);
    console.log(`Installed the kernelspec '${KERNEL_NAME}': ${installed.kernelspec}`);
    console.log('Restart JupyterLab to load the extension; pick "SEED (TypeScript)" as a notebook\'s kernel.');
    return 0;
  }
};
