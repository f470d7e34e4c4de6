import { Command } from 'commander';

/** Where a command writes, and what it reads from the process; tests pass their own. */
export interface CliIO {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export interface Output {
  write(text: string): unknown;
  /** A terminal gets one updating line per object while waiting; anything else (CI, a pipe) plain lines. */
  readonly isTTY?: boolean;
}

/** What a command module gets to register itself on the program. */
export interface CliContext {
  readonly io: CliIO;
  /** Sets the process's exit status: 0 only when all is well. */
  setExitCode(code: number): void;
}

/** A command module: `src/cli/<command>.ts` exports one, and `program.ts` lists it. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Exit status of every error (bad options, inputs or props, and bugs), as most CLIs; 1 is findings or differences. */
export const EXIT_USAGE = 2;

/** An error the person running the command can act on: printed as `error: <message>`, exit 2, no stack. */
export class UserError extends Error {}
