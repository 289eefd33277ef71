import { JupyterFrontEndPlugin, JupyterLab } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { IConnectionStatus, IServiceManager } from '@jupyterlab/services';
import { PluginRegistry } from '@lumino/coreutils';
import { extensions, mimeExtensions } from 'seed-lab-generated/plugin-modules';
import 'seed-lab-generated/style';
import { createModule, FederatedExtension } from './federation';
import { hostPlugins } from './host-plugins';

type AnyPlugin = JupyterFrontEndPlugin<unknown>;

/** A loaded extension module: an ES module with a default export, or a CommonJS export of plugins. */
interface ExtensionModule {
  __esModule?: boolean;
  default?: AnyPlugin | AnyPlugin[];
}

/** Collects plugins and applies the page config's disabled/deferred lists, as JupyterLab's own entry does. */
class PluginCollector {
  readonly disabled: string[] = [];
  readonly deferred: string[] = [];
  readonly available: JupyterLab.IPluginInfo[] = [];

  collect(module: unknown, extensionName: string): AnyPlugin[] {
    const loaded = module as ExtensionModule;
    const exported = Object.prototype.hasOwnProperty.call(loaded, '__esModule') ? loaded.default : module;
    const plugins = (Array.isArray(exported) ? exported : [exported]) as AnyPlugin[];
    const active: AnyPlugin[] = [];
    for (const plugin of plugins) {
      const isDisabled = PageConfig.Extension.isDisabled(plugin.id);
      this.available.push({
        id: plugin.id,
        description: plugin.description,
        requires: plugin.requires ?? [],
        optional: plugin.optional ?? [],
        provides: plugin.provides ?? null,
        autoStart: plugin.autoStart,
        enabled: !isDisabled,
        extension: extensionName
      });
      if (isDisabled) {
        this.disabled.push(plugin.id);
        continue;
      }
      if (PageConfig.Extension.isDeferred(plugin.id)) {
        this.deferred.push(plugin.id);
      }
      active.push(plugin);
    }
    return active;
  }
}

async function loadAll(
  builtIn: Record<string, () => Promise<unknown>>,
  federated: Array<[string, string | undefined]>,
  collector: PluginCollector
): Promise<AnyPlugin[]> {
  // A prebuilt extension with the same package name as a core one replaces it, as in JupyterLab.
  const overridden = new Set(federated.filter(([, module]) => module).map(([name]) => name));
  const sources: Array<[string, Promise<unknown>]> = [
    ...Object.entries(builtIn)
      .filter(([name]) => !overridden.has(name))
      .map(([name, load]): [string, Promise<unknown>] => [name, load()]),
    ...federated
      .filter(([, module]) => module)
      .map(([name, module]): [string, Promise<unknown>] => [name, createModule(name, module as string)])
  ];
  const plugins: AnyPlugin[] = [];
  for (const [name, pending] of sources) {
    try {
      plugins.push(...collector.collect(await pending, name));
    } catch (error) {
      console.error(`The extension ${name} could not be loaded:`, error);
    }
  }
  return plugins;
}

/** Starts JupyterLab with the core plugins, this host's plugins and the prebuilt extensions. */
export async function main(federated: FederatedExtension[]): Promise<void> {
  const collector = new PluginCollector();
  const mime = await loadAll(
    mimeExtensions,
    federated.map((extension) => [extension.name, extension.mimeExtension]),
    collector
  );
  const plugins = await loadAll(
    extensions,
    federated.map((extension) => [extension.name, extension.extension]),
    collector
  );
  plugins.push(...collector.collect({ __esModule: true, default: hostPlugins }, 'seed-lab-host'));

  const styles = federated
    .filter((extension) => extension.style && !PageConfig.Extension.isDisabled(extension.name))
    .map((extension) => createModule(extension.name, extension.style as string));
  for (const result of await Promise.allSettled(styles)) {
    if (result.status === 'rejected') {
      console.error('The style of a prebuilt extension could not be loaded:', result.reason);
    }
  }

  const pluginRegistry = new PluginRegistry();
  pluginRegistry.registerPlugins(plugins);
  const lab = new JupyterLab({
    pluginRegistry,
    serviceManager: (await pluginRegistry.resolveOptionalService(IServiceManager)) ?? undefined,
    connectionStatus: (await pluginRegistry.resolveOptionalService(IConnectionStatus)) ?? undefined,
    // Each entry is one mime extension rather than a module; JupyterLab accepts both (as in its own entry).
    mimeExtensions: mime as unknown as IRenderMime.IExtensionModule[],
    disabled: { matches: collector.disabled, patterns: PageConfig.Extension.disabled },
    deferred: { matches: collector.deferred, patterns: PageConfig.Extension.deferred },
    availablePlugins: collector.available
  });
  await lab.start({ ignorePlugins: collector.deferred, bubblingKeydown: true });

  // Tests and debugging reach the application through `window.jupyterapp`, as in JupyterLab's dev mode.
  if (PageConfig.getOption('exposeAppInBrowser').toLowerCase() === 'true') {
    (window as unknown as { jupyterapp: JupyterLab }).jupyterapp = lab;
  }
}
