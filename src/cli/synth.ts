import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Option } from 'commander';
import { parse } from 'yaml';
import { EXAMPLE_APPS, exampleApps } from '../../apps/names';
import { MANIFEST_SUFFIX } from '../manifest';
import { PROFILES, PROFILE_ENV, Profile, profileFromEnv } from '../profile';
import { CliIO, RegisterCommand, UserError } from './context';
import { printJson } from './output';

interface SynthOptions {
  readonly app?: string;
  readonly outdir?: string;
  readonly profile?: Profile;
  readonly output: 'text' | 'json';
}

/** What `synth` reads from `cdk8s.yaml`, as `cdk8s synth` does. */
interface Cdk8sConfig {
  readonly app?: string;
  readonly output?: string;
}

const CONFIG_FILE = 'cdk8s.yaml';

/**
 * `workshop-stacks synth`: synthesizes the user's cdk8s app, as `cdk8s synth` does (the `app` command
 * of `cdk8s.yaml`, or `--app`, run with `CDK8S_OUTDIR`), or the library's example apps by name. The app
 * writes into a fresh directory, and only what it wrote is copied to the output directory: no file
 * already there is removed, and only files of the same name are replaced.
 */
export const registerSynth: RegisterCommand = (program, ctx) => {
  program
    .command('synth')
    .description(
      `synthesize the cdk8s app of ${CONFIG_FILE} (or --app) into its output directory, as cdk8s synth does; or, by name, the library's example apps into <outdir>/<app>${MANIFEST_SUFFIX}. Files already in the output directory are never removed`,
    )
    .argument('[apps...]', `example apps to synthesize instead of the project's app (${EXAMPLE_APPS.join(', ')})`)
    .option(
      '--app <command>',
      `command that runs the cdk8s app, writing to $CDK8S_OUTDIR (default: "app" of ./${CONFIG_FILE})`,
    )
    .option('--outdir <dir>', `output directory (default: "output" of ./${CONFIG_FILE}, else dist)`)
    .addOption(
      new Option(
        '--profile <profile>',
        `profile (default: $${PROFILE_ENV}, else local); the project's app gets it as $${PROFILE_ENV} and reads it with profileFromEnv(), as init's main.ts does`,
      ).choices(PROFILES),
    )
    // -o/--output is the report's format in every command; cdk8s's output directory is --outdir here.
    .addOption(
      new Option('-o, --output <format>', 'output format (the output directory is --outdir)')
        .choices(['text', 'json'])
        .default('text'),
    )
    .action((apps: string[], opts: SynthOptions) => {
      const config = readConfig(ctx.io.cwd);
      const outdir = path.resolve(ctx.io.cwd, opts.outdir ?? config.output ?? 'dist');
      const profile = opts.profile ?? profileFromEnv(ctx.io.env);
      let files: string[];
      if (apps.length > 0) {
        if (opts.app) throw new UserError('give either --app or example app names, not both');
        const unknown = apps.filter((a) => !(EXAMPLE_APPS as readonly string[]).includes(a));
        if (unknown.length > 0)
          throw new UserError(`unknown app(s) ${unknown.join(', ')}; apps: ${EXAMPLE_APPS.join(', ')}`);
        files = exampleApps().synthAll(outdir, profile, apps);
      } else {
        const command = opts.app ?? config.app;
        if (!command) {
          throw new UserError(
            `no app to synthesize: no ${CONFIG_FILE} with an "app" here and no --app; or name example apps (${EXAMPLE_APPS.join(', ')})`,
          );
        }
        files = runApp(command, outdir, profile, ctx.io);
      }
      if (opts.output === 'json') printJson({ command: 'synth', ok: true, profile, files }, ctx.io.stdout);
      else for (const file of files) ctx.io.stdout.write(`${path.relative(ctx.io.cwd, file) || file}\n`);
    });
};

function readConfig(cwd: string): Cdk8sConfig {
  const file = path.join(cwd, CONFIG_FILE);
  if (!fs.existsSync(file)) return {};
  let config: unknown;
  try {
    config = parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${CONFIG_FILE}: ${(error as Error).message.split('\n')[0]}`);
  }
  const { app, output } = (config ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries({ app, output })) {
    if (value !== undefined && typeof value !== 'string')
      throw new UserError(`${CONFIG_FILE}: "${key}" must be a string`);
  }
  return { app: app as string | undefined, output: output as string | undefined };
}

/**
 * Runs the app command with `CDK8S_OUTDIR` set to a fresh directory, then copies what it wrote to
 * `outdir`; returns the files copied. The app's own output is shown (on stderr) only when it fails.
 */
function runApp(command: string, outdir: string, profile: Profile, io: CliIO): string[] {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'workshop-stacks-synth-'));
  try {
    const run = spawnSync(command, {
      shell: true,
      cwd: io.cwd,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: { ...io.env, CDK8S_OUTDIR: scratch, [PROFILE_ENV]: profile },
    });
    if (run.error) throw new UserError(`could not run the app "${command}": ${run.error.message}`);
    if (run.status !== 0) {
      io.stderr.write(`${run.stdout ?? ''}${run.stderr ?? ''}`);
      throw new UserError(
        `the app "${command}" failed (exit ${run.status ?? run.signal}); nothing was written to ${outdir}`,
      );
    }
    const written = filesUnder(scratch);
    if (written.length === 0) throw new UserError(`the app "${command}" wrote nothing to $CDK8S_OUTDIR`);
    return written.map((relative) => {
      const target = path.join(outdir, relative);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(path.join(scratch, relative), target);
      return target;
    });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function filesUnder(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const relative = path.join(prefix, entry.name);
      return entry.isDirectory() ? filesUnder(path.join(dir, entry.name), relative) : [relative];
    });
}
