import { CliCommand, UsageError } from './command';
import { decodeCommand } from './decode';
import { encodeCommand } from './encode';
import { installCommand } from './install';
import { labCommand } from './lab';
import { tokenizeCommand } from './tokenize';

/**
 * Every command of the CLI. Each lives in its own module; this list is the table of contents.
 */
const COMMANDS: CliCommand[] = [installCommand, labCommand, encodeCommand, decodeCommand, tokenizeCommand];

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    'Usage: jupyterlab-seed <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'jupyterlab-seed <command> --help' for a command's options."
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    console.error(`jupyterlab-seed: unknown command '${name}'.\n\n${overview()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`jupyterlab-seed ${command.name}: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    throw error;
  }
}
