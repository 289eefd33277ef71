/**
 * Parquet output, written with hyparquet-writer: one row per image. The schema is spelled out rather than
 * inferred so every shard has the same types whatever its data (an all-null caption column stays a string),
 * and `codes` is a standard 3-level LIST of INT16 that DuckDB, pyarrow and Spark read as a list of ints.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { TokenRecord } from '../types';

const SCHEMA = [
  { name: 'root', num_children: 8 },
  { name: 'key', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'codes', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'INT32', converted_type: 'INT_16', repetition_type: 'REQUIRED' },
  { name: 'tokens', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'caption', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'source', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'width', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'height', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'sha256', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' }
] as const;

/** The Parquet file of a shard's records (deterministic: the same records give the same bytes). */
export function parquetBytes(records: TokenRecord[]): Buffer {
  const column = <K extends keyof TokenRecord>(name: K) => ({ name, data: records.map((record) => record[name]) });
  const buffer = parquetWriteBuffer({
    columnData: [
      column('key'),
      column('codes'),
      column('tokens'),
      column('caption'),
      column('source'),
      column('width'),
      column('height'),
      column('sha256')
    ],
    schema: SCHEMA.map((element) => ({ ...element })),
    createdBy: 'jupyterlab-seed tokenize (hyparquet-writer)'
  });
  return Buffer.from(buffer);
}
