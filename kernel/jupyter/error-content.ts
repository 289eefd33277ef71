import * as path from 'node:path';
import { SeedError } from '../runtime';
import { MagicUsageError } from './magics/magic-parser';
import { CompileError, InterruptedError } from './typescript-executor';

/** The `ename`, `evalue` and `traceback` of error replies and iopub `error` messages. */
export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

const KERNEL_SOURCE_DIR = __dirname + path.sep;

/** Stack lines of the kernel itself say nothing to the user; keep the cell's own frames. */
function userStack(error: Error): string[] {
  const lines = (error.stack ?? `${error.name}: ${error.message}`).split('\n');
  return lines.filter(
    (line, index) => index === 0 || !(line.includes(KERNEL_SOURCE_DIR) || line.includes('node:internal'))
  );
}

export function describeError(error: unknown): ErrorContent {
  if (error instanceof CompileError) {
    return { ename: error.name, evalue: error.message, traceback: error.lines };
  }
  if (error instanceof InterruptedError || error instanceof SeedError) {
    // The message says what to do; the kernel's stack frames would only hide it.
    return { ename: error.name, evalue: error.message, traceback: [`${error.name}: ${error.message}`] };
  }
  if (error instanceof MagicUsageError) {
    return {
      ename: error.name,
      evalue: error.message,
      traceback: [`${error.name}: ${error.message}`, '', error.usage]
    };
  }
  if (error instanceof Error) {
    return { ename: error.name, evalue: error.message, traceback: userStack(error) };
  }
  return { ename: 'Error', evalue: String(error), traceback: [`Thrown value: ${String(error)}`] };
}
