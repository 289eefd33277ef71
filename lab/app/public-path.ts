import { pageConfigString } from './page-config';

// The server decides where static files live (it depends on base_url), so webpack learns the public path
// from the page at run time. This module is the first entry, so it runs before any chunk is requested.
declare let __webpack_public_path__: string;
// webpack reads this free variable; to ESLint it looks like a local that is written and never read.
// eslint-disable-next-line prefer-const, @typescript-eslint/no-unused-vars
__webpack_public_path__ = `${pageConfigString('fullStaticUrl')}/`;
