/**
 * Reads the page config the server writes into the page (`<script id="jupyter-config-data">`).
 *
 * `@jupyterlab/coreutils` has `PageConfig` for this, but the code that sets the public path and loads
 * the prebuilt extensions runs before any shared module may be loaded, so it cannot import it.
 */
let cached: Record<string, unknown> | undefined;

export function readPageConfig(): Record<string, unknown> {
  if (cached === undefined) {
    const element = document.getElementById('jupyter-config-data');
    cached = element?.textContent ? (JSON.parse(element.textContent) as Record<string, unknown>) : {};
  }
  return cached;
}

/** One string option of the page config, or '' when it is missing. */
export function pageConfigString(name: string): string {
  const value = readPageConfig()[name];
  return typeof value === 'string' ? value : '';
}
