/**
 * jupyterlab-seed: the SEED image tokenizer in JupyterLab.
 *
 * The plugins of the extension; each lives with the feature it provides.
 */
import { corePlugin } from './core-plugin';
import { outputPlugin } from './output/plugin';
import { sidebarPlugin } from './sidebar/plugin';

export default [corePlugin, outputPlugin, sidebarPlugin];
