import { FederatedExtension, loadContainer } from './federation';
import { readPageConfig, pageConfigString } from './page-config';

/**
 * All prebuilt extensions must join the shared scope before any shared module is used, so they are
 * loaded first and the application (which imports the shared packages) only after that.
 */
async function bootstrap(): Promise<void> {
  const listed = (readPageConfig().federated_extensions ?? []) as FederatedExtension[];
  const labextensionsUrl = pageConfigString('fullLabextensionsUrl');
  const results = await Promise.allSettled(listed.map((extension) => loadContainer(extension, labextensionsUrl)));
  const loaded: FederatedExtension[] = [];
  results.forEach((result, index) => {
    if (result.status === 'fulfilled') {
      loaded.push(listed[index]);
    } else {
      console.error(`The prebuilt extension ${listed[index].name} could not be loaded:`, result.reason);
    }
  });
  const { main } = await import('./index');
  await main(loaded);
}

void bootstrap();
