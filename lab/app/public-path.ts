import { pageConfigString } from './page-config';

// The server decides where static files live (it depends on base_url), so webpack learns the public path
// from the page at run time. This module is the first entry, so it runs before any chunk is requested.
declare let __webpack_public_path__: string;
__webpack_public_path__ = `${pageConfigString('fullStaticUrl')}/`;
