/**
 * The JSON Schema files and the other declarations of the shared words must agree with the protocol:
 * the committed schema files, JupyterLab's settings schema and the model manifest's schema.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { PROTOCOL_SCHEMA_FILES, schemaFileText } from './json-schemas';
import { SeedKernelSettingsSchema } from './settings';
import { DECODE_LIMITS, EXECUTION_PROVIDER_NAMES, FAMILY_NAMES, SAMPLER_NAMES } from './vocabulary';

// dist/protocol -> the checkout's root.
const ROOT = path.resolve(__dirname, '..', '..');
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));

test('the committed protocol schema files are what the TypeBox schemas say (npm run schemas writes them)', () => {
  for (const name of Object.keys(PROTOCOL_SCHEMA_FILES)) {
    const committed = fs.readFileSync(path.join(ROOT, 'kernel', 'protocol', name), 'utf8');
    assert.equal(committed, schemaFileText(name), `kernel/protocol/${name} is stale: run npm run schemas`);
  }
});

test("JupyterLab's settings schema declares the kernel settings with the protocol's names and limits", () => {
  const plugin = readJson('schema/plugin.json');
  const kernelSettings = SeedKernelSettingsSchema.properties as Record<string, Record<string, unknown>>;
  for (const [name, schema] of Object.entries(kernelSettings)) {
    const declared = plugin.properties[name];
    assert.ok(declared, `schema/plugin.json has no setting '${name}'`);
    for (const keyword of ['type', 'minimum', 'maximum', 'enum']) {
      if (keyword in schema) {
        assert.deepEqual(declared[keyword], schema[keyword], `schema/plugin.json: ${name}.${keyword}`);
      }
    }
    assert.ok(
      declared.title && declared.description && 'default' in declared,
      `setting '${name}' needs title, description, default`
    );
  }
  assert.deepEqual(plugin.properties.executionProviders.items.enum, [...EXECUTION_PROVIDER_NAMES]);
  assert.equal(plugin.additionalProperties, false);
});

/** Every `enum` list in a JSON Schema file. */
function enumsOf(file: string): string[][] {
  const enums: string[][] = [];
  JSON.parse(JSON.stringify(readJson(file)), (_key, value) => {
    if (value && typeof value === 'object' && Array.isArray(value.enum)) {
      enums.push(value.enum);
    }
    return value;
  });
  return enums;
}

test("the dataset shard manifest's schema names the protocol's families", () => {
  const enums = enumsOf('kernel/runtime/dataset/schemas/shard-manifest.schema.json');
  assert.ok(enums.some((values) => JSON.stringify(values) === JSON.stringify(FAMILY_NAMES)));
});

test("the model manifest's schema names the protocol's families and samplers", () => {
  const enums = enumsOf('models/seed-model.schema.json');
  assert.ok(
    enums.some((values) => JSON.stringify(values) === JSON.stringify(FAMILY_NAMES)),
    'the manifest schema lists the families'
  );
  assert.ok(
    enums.some((values) => JSON.stringify(values) === JSON.stringify(SAMPLER_NAMES)),
    'the manifest schema lists the samplers'
  );
});

test('the decode limits are sane ranges', () => {
  for (const [name, limit] of Object.entries(DECODE_LIMITS)) {
    assert.ok(limit.min < limit.max, name);
  }
});
