/**
 * The kernel's own diagnostics go to the process's real stderr, which Jupyter writes to the server
 * log. Cells' stdout and stderr are redirected to iopub (see cell-output.ts), so the original
 * write function is kept here before that happens.
 */
const writeToProcessStderr = process.stderr.write.bind(process.stderr);

export function kernelLog(message: string): void {
  writeToProcessStderr(`[SEED kernel] ${message}\n`);
}
