// `npm run schemas`: writes kernel/protocol/*.schema.json from the protocol's TypeBox schemas
// (compiled to dist/protocol by `npm run build:kernel`, which the npm script runs first).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './setup.mjs';

const require = createRequire(import.meta.url);
const { PROTOCOL_SCHEMA_FILES, schemaFileText } = require(join(ROOT, 'dist', 'protocol', 'json-schemas.js'));
for (const name of Object.keys(PROTOCOL_SCHEMA_FILES)) {
  writeFileSync(join(ROOT, 'kernel', 'protocol', name), schemaFileText(name));
  console.log(`wrote kernel/protocol/${name}`);
}
