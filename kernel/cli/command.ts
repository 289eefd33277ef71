/** The contract every `jupyterlab-seed <command>` module fulfils. */
export interface CliCommand {
  /** The word after `jupyterlab-seed`. */
  name: string;
  /** One line for `jupyterlab-seed --help`. */
  summary: string;
  /** Full usage text, printed for `--help` and after a usage error. */
  usage: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

/** A mistake in how the command was called; the CLI prints the message and the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
