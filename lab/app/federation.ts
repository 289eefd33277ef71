/** What the server lists about each prebuilt (federated) extension in the page config. */
export interface FederatedExtension {
  name: string;
  /** The remoteEntry script, relative to the extension's folder. */
  load: string;
  extension?: string;
  mimeExtension?: string;
  style?: string;
}

/** A webpack module-federation container, as each prebuilt extension's remoteEntry defines it. */
interface FederationContainer {
  init(shareScope: unknown): Promise<void>;
  get(module: string): Promise<() => unknown>;
}

declare const __webpack_init_sharing__: (scope: string) => Promise<void>;
declare const __webpack_share_scopes__: { default: unknown };

declare global {
  interface Window {
    // Every prebuilt extension's remoteEntry registers its container here, under its package name.
    _JUPYTERLAB: Record<string, FederationContainer>;
  }
}

function loadScript(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`Could not load ${url}`));
    script.async = true;
    script.src = url;
    document.head.appendChild(script);
  });
}

/**
 * Loads one prebuilt extension's container and joins it to the shared-module scope, so that it uses the
 * host's single copy of each shared package (and offers its own to the host).
 */
export async function loadContainer(extension: FederatedExtension, labextensionsUrl: string): Promise<void> {
  await loadScript(`${labextensionsUrl}/${extension.name}/${extension.load}`);
  await __webpack_init_sharing__('default');
  const container = window._JUPYTERLAB[extension.name];
  if (!container) {
    throw new Error(`${extension.name}: its remoteEntry loaded but registered no container under that name.`);
  }
  await container.init(__webpack_share_scopes__.default);
}

/** Instantiates one exposed module (`./extension`, `./mimeExtension`, `./style`) of a loaded container. */
export async function createModule(scope: string, module: string): Promise<unknown> {
  const factory = await window._JUPYTERLAB[scope].get(module);
  return factory();
}
