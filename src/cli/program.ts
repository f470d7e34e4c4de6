import { Command, CommanderError } from 'commander';
import { types } from 'util';
import { TOOL_VERSION } from '../apply/applyset';
import { registerApply } from './apply';
import { ImageReferenceError } from '../manifest/image-reference';
import { InputError } from '../manifest/load';
import { QuantityError } from '../manifest/quantity';
import { ProfileError } from '../profile';
import { PropsValidationError } from '../props-error';
import { CliContext, CliIO, EXIT_USAGE, RegisterCommand, UserError } from './context';
import { registerDelete } from './delete';
import { registerDiff } from './diff';
import { registerInit } from './init';
import { registerKubeconfig } from './kubeconfig';
import { registerSynth } from './synth';
import { registerTraffic } from './traffic';
import { registerValidate } from './validate';

/** Every command of the CLI; a new command is a module in src/cli/ and one entry here. */
export const COMMANDS: readonly RegisterCommand[] = [
  registerInit,
  registerSynth,
  registerValidate,
  registerTraffic,
  registerApply,
  registerDiff,
  registerDelete,
  registerKubeconfig,
];

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

/** Errors of input, options or props: the person can act on the message, and a stack would not help. */
const USER_ERRORS = [UserError, InputError, ProfileError, PropsValidationError, QuantityError, ImageReferenceError];

/**
 * Runs the CLI on `argv` (as process.argv: node, script, args...) and returns the exit status. This is
 * the one place errors end a command, so commands just throw: a user error prints `error: <message>`,
 * a bug its stack as well; both exit 2, since 1 means findings or differences.
 */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  let exitCode = 0;
  const program = buildProgram({
    io,
    setExitCode: (code) => {
      exitCode = code;
    },
  });
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    // Help and --version end the same way; everything else commander rejects is a usage error (it printed it).
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    if (isUserError(error)) io.stderr.write(`error: ${error.message}\n`);
    else
      io.stderr.write(
        `error: ${(error as Error)?.stack ?? String(error)}\n(this is a bug in workshop-stacks; please report it with the command you ran)\n`,
      );
    return EXIT_USAGE;
  }
  return exitCode;
}

function isUserError(error: unknown): error is Error {
  // cdk8s reports failed construct validations (node.addValidation) as a plain Error with this message.
  return (
    USER_ERRORS.some((type) => error instanceof type) ||
    (error instanceof Error && error.message.startsWith('Validation failed with the following errors')) ||
    isFileSystemError(error)
  );
}

/**
 * An error of the system about a path (`ENOTDIR: not a directory, mkdir 'x/y'`, `EACCES`, `ENOSPC`): the
 * paths are the person's (a directory to write, a file to read), and the message names the path.
 */
function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  const e = error as NodeJS.ErrnoException;
  // isNativeError, not instanceof: the system's errors may come from another realm (a VM context, Jest).
  return (
    types.isNativeError(error) &&
    typeof e.code === 'string' &&
    typeof e.syscall === 'string' &&
    typeof e.path === 'string'
  );
}

function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
