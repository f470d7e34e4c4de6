import { Command, CommanderError } from 'commander';
import { TOOL_VERSION } from '../apply/applyset';
import { registerApply } from './apply';
import { CliContext, CliIO, EXIT_USAGE, RegisterCommand } from './context';
import { registerDelete } from './delete';
import { registerDiff } from './diff';
import { registerInit } from './init';
import { registerKubeconfig } from './kubeconfig';
import { registerSynth } from './synth';
import { registerValidate } from './validate';

/** Every command of the CLI; a new command is a module in src/cli/ and one entry here. */
export const COMMANDS: readonly RegisterCommand[] = [registerSynth, registerValidate, registerApply, registerDiff, registerDelete, registerKubeconfig, registerInit];

/** The `workshop-stacks` program, writing to `ctx.io`. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('workshop-stacks')
    .description('Synthesize the workshop stacks and apply them to a cluster, safely.')
    .version(TOOL_VERSION)
    // Set before the commands are added, so that they inherit it.
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.stdout.write(s), writeErr: (s) => ctx.io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)');
  for (const register of COMMANDS) register(program, ctx);
  return program;
}

/** Runs the CLI on `argv` (as process.argv: node, script, args...) and returns the exit status. */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  let exitCode = 0;
  const program = buildProgram({ io, setExitCode: (code) => { exitCode = code; } });
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Help and --version end the same way; everything else commander rejects is a usage error.
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  return exitCode;
}

function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
