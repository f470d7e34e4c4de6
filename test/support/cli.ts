import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { CliIO } from '../../src/cli/context';
import { main } from '../../src/cli/program';
import { KubeObject } from '../../src/manifest';

/** What one run of the CLI printed, and its exit status. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock time of the run, in ms. */
  readonly ms: number;
}

/** Runs the CLI in-process in `dir` with `args` as given (`workshop-stacks ...args`). */
export async function runCliIn(
  dir: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; tty?: boolean } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: {
      write: (s: string) => {
        stdout += s;
      },
      isTTY: options.tty,
    },
    stderr: {
      write: (s: string) => {
        stderr += s;
      },
      isTTY: options.tty,
    },
    env: options.env ?? {},
    cwd: dir,
  };
  const started = Date.now();
  const code = await main(['node', 'workshop-stacks', ...args], io);
  return { code, stdout, stderr, ms: Date.now() - started };
}

/** Runs the CLI in-process in `dir`, against `kubeconfig` (added for every command but synth). */
export async function runCli(
  dir: string,
  kubeconfig: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; tty?: boolean } = {},
): Promise<CliRun> {
  return runCliIn(dir, [...args, ...(args[0] === 'synth' ? [] : ['--kubeconfig', kubeconfig])], options);
}

/** Writes the objects as one YAML file in `dir`; returns its name. */
export function writeManifest(dir: string, name: string, ...objects: KubeObject[]): string {
  fs.writeFileSync(path.join(dir, name), objects.map((o) => stringify(o)).join('---\n'));
  return name;
}
