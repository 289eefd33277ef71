/**
 * Reads `seed-model.json`, validates it against models/seed-model.schema.json (ajv) plus the checks a
 * schema cannot express, resolves its file paths and checks that every file is there. Hashes are checked
 * lazily, right before a file is first read, so encoding never hashes the UNet.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { ErrorObject } from 'ajv';
import { SeedModelError } from './errors';
import type { ModelFileRef, OnnxFileRef, SeedModelManifest } from './manifest';

export const MANIFEST_FILE = 'seed-model.json';

/** The schema ships in the package at models/seed-model.schema.json (dist/runtime -> ../../models). */
export const MANIFEST_SCHEMA_PATH = path.resolve(__dirname, '..', '..', 'models', 'seed-model.schema.json');

let validator: ReturnType<Ajv['compile']> | undefined;

function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    const schema = JSON.parse(fs.readFileSync(MANIFEST_SCHEMA_PATH, 'utf8'));
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

/** `/tokenizer/encoder/path` -> `tokenizer.encoder.path`; `/image/size/0` -> `image.size[0]`. */
function fieldName(pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1);
  if (extra !== undefined) {
    parts.push(extra);
  }
  let out = '';
  for (const part of parts) {
    out += /^\d+$/.test(part) ? `[${part}]` : out ? `.${part}` : part;
  }
  return out || '(the top level)';
}

/** One readable line per schema error; oneOf/allOf bookkeeping errors are left out when a concrete one exists. */
function describeErrors(errors: ErrorObject[]): string[] {
  const concrete = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'allOf' && e.keyword !== 'if');
  const lines = (concrete.length ? concrete : errors).map((error) => {
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'additionalProperties':
        return `unknown field '${fieldName(error.instancePath, String(params.additionalProperty))}': remove it or fix its spelling`;
      case 'required':
        return `missing field '${fieldName(error.instancePath, String(params.missingProperty))}'`;
      case 'enum':
        return `'${fieldName(error.instancePath)}' must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      case 'const':
        return `'${fieldName(error.instancePath)}' must be ${JSON.stringify(params.allowedValue)}`;
      default:
        return `'${fieldName(error.instancePath)}' ${error.message}`;
    }
  });
  return [...new Set(lines)];
}

/** A file the model needs, resolved. */
export interface ModelFile {
  /** The manifest field naming it, e.g. `tokenizer.encoder.path`. */
  field: string;
  /** Absolute path. */
  path: string;
  /** Expected sha256, when the manifest gives one. */
  sha256?: string;
}

/** Resolves a manifest path against the model folder (absolute paths stay as they are). */
export function resolveModelPath(dir: string, file: string): string {
  return path.isAbsolute(file) ? file : path.resolve(dir, file);
}

/** Every file the manifest names, with the field that names it. */
export function modelFiles(manifest: SeedModelManifest, dir: string): ModelFile[] {
  const files: ModelFile[] = [];
  const add = (field: string, ref: ModelFileRef) =>
    files.push({ field: `${field}.path`, path: resolveModelPath(dir, ref.path), sha256: ref.sha256 });
  const addOnnx = (field: string, ref: OnnxFileRef) => {
    add(field, ref);
    (ref.externalData ?? []).forEach((entry, i) => {
      const external = typeof entry === 'string' ? { path: entry } : entry;
      files.push({
        field: `${field}.externalData[${i}]`,
        path: resolveModelPath(dir, external.path),
        sha256: 'sha256' in external ? external.sha256 : undefined
      });
    });
  };
  const { tokenizer, diffusion } = manifest;
  add('tokenizer.codebook', tokenizer.codebook);
  addOnnx('tokenizer.encoder', tokenizer.encoder);
  addOnnx('tokenizer.decoder', tokenizer.decoder);
  addOnnx('diffusion.unet', diffusion.unet);
  addOnnx('diffusion.vaeDecoder', diffusion.vaeDecoder);
  if (diffusion.textEncoder) {
    addOnnx('diffusion.textEncoder', diffusion.textEncoder);
  }
  add('diffusion.unconditional', diffusion.unconditional);
  if (diffusion.unclip) {
    add('diffusion.unclip.imageNormalizer', diffusion.unclip.imageNormalizer);
  }
  return files;
}

/** Checks a parsed manifest; returns the problems, one line each (empty when valid). */
export function manifestProblems(data: unknown): string[] {
  const schemaProblems = describeErrors(validate(data));
  if (schemaProblems.length) {
    return schemaProblems;
  }
  const manifest = data as SeedModelManifest;
  const problems: string[] = [];
  const unclip = manifest.diffusion.unclip;
  if (manifest.family === 'seed-v2') {
    if (!unclip) {
      problems.push(
        "family 'seed-v2' needs 'diffusion.unclip' (SD 2.1 unCLIP conditioning); convert_seed2.py writes it"
      );
    } else if (unclip.noiseLevel >= unclip.noiseSchedule.trainSteps) {
      problems.push(
        `'diffusion.unclip.noiseLevel' must be below noiseSchedule.trainSteps (${unclip.noiseSchedule.trainSteps})`
      );
    }
    if (manifest.generationEmbedding.tokens !== 1) {
      problems.push("family 'seed-v2' makes one image embedding: 'generationEmbedding.tokens' must be 1");
    }
  } else if (unclip) {
    problems.push(`'diffusion.unclip' belongs to family 'seed-v2'; remove it or set the family`);
  }
  const schedule = manifest.diffusion.schedule;
  const maxSteps = Math.floor(schedule.trainSteps / 2);
  if (manifest.diffusion.defaults.steps > maxSteps) {
    problems.push(`'diffusion.defaults.steps' must be at most ${maxSteps} (half of schedule.trainSteps)`);
  }
  const channels = manifest.diffusion.latentShape[0];
  if (manifest.diffusion.preview && manifest.diffusion.preview.matrix.length !== channels) {
    problems.push(
      `'diffusion.preview.matrix' has ${manifest.diffusion.preview.matrix.length} rows; it needs one per latent channel (${channels})`
    );
  }
  return problems;
}

/**
 * Reads and validates `<dir>/seed-model.json` and checks that every file it names exists.
 * Throws SeedModelError listing every problem found.
 */
export function loadManifest(dir: string): SeedModelManifest {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(file)) {
    throw new SeedModelError(
      `${dir} is not a SEED model folder: it has no ${MANIFEST_FILE}. Point --model or SEED_MODEL at a folder ` +
        'laid out as models/README.md describes (for example models/seed-nano).'
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SeedModelError(`${file} is not valid JSON: ${(error as Error).message}. Fix the file.`, { cause: error });
  }
  const problems = manifestProblems(data);
  if (problems.length) {
    throw new SeedModelError(
      `${file} does not follow models/seed-model.schema.json:\n  - ${problems.join('\n  - ')}\nFix the manifest.`
    );
  }
  const manifest = data as SeedModelManifest;
  const missing = modelFiles(manifest, dir).filter((f) => !fs.existsSync(f.path));
  if (missing.length) {
    throw new SeedModelError(
      `The model folder ${dir} is incomplete; missing:\n  - ${missing.map((f) => `${f.path} (${f.field})`).join('\n  - ')}\n` +
        'Copy or re-export the missing files, or fix the paths in the manifest.'
    );
  }
  return manifest;
}

/** sha256 of a file, streamed (model files can be gigabytes). */
export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 22 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** Checks a file's sha256 against the manifest's; throws SeedModelError naming the file on mismatch. */
export async function verifyFile(file: ModelFile): Promise<void> {
  if (file.sha256) {
    checkSha256(file, await sha256File(file.path));
  }
}

/** Throws SeedModelError naming the file unless `actual` is the manifest's sha256 (or it gives none). */
export function checkSha256(file: ModelFile, actual: string): void {
  if (file.sha256 && actual !== file.sha256) {
    throw new SeedModelError(
      `${file.path} (${file.field}) has sha256 ${actual}, but the manifest says ${file.sha256}. ` +
        'The file is damaged or from another export: copy it again, or update the manifest if you changed it on purpose.'
    );
  }
}
