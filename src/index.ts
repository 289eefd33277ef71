/**
 * jupyterlab-seed: the SEED image tokenizer in JupyterLab.
 *
 * The plugins of the extension; each lives with the feature it provides.
 */
import { sidebarPlugin } from './sidebar/plugin';

export default [sidebarPlugin];
