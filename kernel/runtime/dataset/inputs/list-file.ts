/**
 * List files: one image per line (plain text), or JSONL / CSV rows with a `path` column and optional
 * `caption` and `key` columns. Relative paths are read from the list file's folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { SeedInputError } from '../../errors';
import type { FileSample } from '../types';

export const LIST_EXTENSIONS = ['.txt', '.lst', '.jsonl', '.csv'];

export function isListFile(file: string): boolean {
  return LIST_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

/** The samples a list file names, in its order. Throws SeedInputError naming the line that is wrong. */
export function readListFile(file: string): FileSample[] {
  const text = fs.readFileSync(file, 'utf8');
  const folder = path.dirname(file);
  const extension = path.extname(file).toLowerCase();
  const rows =
    extension === '.jsonl' ? jsonlRows(file, text) : extension === '.csv' ? csvRows(file, text) : plainRows(text);
  return rows.map(({ row, line }) => {
    if (typeof row.path !== 'string' || row.path === '') {
      throw new SeedInputError(`${file}, line ${line}: no 'path'. Each row needs the image path in a 'path' column.`);
    }
    const resolved = path.isAbsolute(row.path) ? row.path : path.join(folder, row.path);
    const key = row.key === undefined || row.key === '' ? stripExtension(row.path) : String(row.key);
    const caption = row.caption === undefined || row.caption === '' ? undefined : String(row.caption);
    return { key, path: resolved, ...(caption === undefined ? {} : { caption }) };
  });
}

type Row = { path?: unknown; key?: unknown; caption?: unknown };

function plainRows(text: string): { row: Row; line: number }[] {
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ row: { path: line.trim() }, line: i + 1 }))
    .filter(({ row }) => row.path !== '' && !row.path.startsWith('#'));
}

function jsonlRows(file: string, text: string): { row: Row; line: number }[] {
  return text.split(/\r?\n/).flatMap((line, i) => {
    if (line.trim() === '') {
      return [];
    }
    try {
      const row = JSON.parse(line) as Row;
      return [{ row: typeof row === 'object' && row !== null ? row : {}, line: i + 1 }];
    } catch (error) {
      throw new SeedInputError(
        `${file}, line ${i + 1}: not JSON (${(error as Error).message}). Write one object per line.`
      );
    }
  });
}

function csvRows(file: string, text: string): { row: Row; line: number }[] {
  try {
    const rows = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true }) as Row[];
    // Line numbers count the header as line 1.
    return rows.map((row, i) => ({ row, line: i + 2 }));
  } catch (error) {
    throw new SeedInputError(`${file}: not a CSV file with a header row (${(error as Error).message}).`);
  }
}

/** `a/b/cat.png` -> `a/b/cat`: keys are paths without the image extension. */
export function stripExtension(file: string): string {
  const extension = path.extname(file);
  return extension ? file.slice(0, -extension.length) : file;
}
