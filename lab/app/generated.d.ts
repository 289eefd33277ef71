// Modules that webpack.config.js writes into build/generated/ from the dependency list in package.json.

declare module 'seed-lab-generated/plugin-modules' {
  /** Loaders of the core packages that export JupyterLab plugins, by package name. */
  export const extensions: Record<string, () => Promise<unknown>>;
  /** Loaders of the core packages that export mime renderer extensions, by package name. */
  export const mimeExtensions: Record<string, () => Promise<unknown>>;
}

declare module 'seed-lab-generated/style' {}
