/**
 * The protocol's JSON Schema files, made from its TypeBox schemas: `seed-mime.schema.json` (the
 * payload) and `seed-comm.schema.json` (requests and replies). They are for readers outside
 * TypeScript (the Python tests, editors, other frontends); `npm run schemas` writes them and
 * json-schemas.test.ts fails when a committed file differs from what the types say.
 */
import { SeedCommReplySchema, SeedCommRequestSchema } from './seed-comm';
import { SEED_MIME_TYPE, SeedPayloadSchema } from './seed-mime';

const DRAFT = 'http://json-schema.org/draft-07/schema#';

/** A plain JSON copy (TypeBox's schema objects also carry symbol keys of their own). */
function plain(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

export const PROTOCOL_SCHEMA_FILES: Record<string, Record<string, unknown>> = {
  'seed-mime.schema.json': {
    $schema: DRAFT,
    $id: 'seed-mime.schema.json',
    title: SEED_MIME_TYPE,
    ...plain(SeedPayloadSchema)
  },
  'seed-comm.schema.json': {
    $schema: DRAFT,
    $id: 'seed-comm.schema.json',
    title: 'seed comm messages',
    description:
      'The data of comm_msg messages on the `seed` comm target: requests (frontend to kernel) and replies ' +
      '(kernel to frontend). Images travel in the message buffers.',
    definitions: { request: plain(SeedCommRequestSchema), reply: plain(SeedCommReplySchema) },
    oneOf: [{ $ref: '#/definitions/request' }, { $ref: '#/definitions/reply' }]
  }
};

/** A schema file's text as committed: two-space JSON and a final newline. */
export function schemaFileText(name: string): string {
  return `${JSON.stringify(PROTOCOL_SCHEMA_FILES[name], null, 2)}\n`;
}
