import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { defaultApplySetName } from '../apply/applyset';
import { ApplyEngine, DEFAULT_CONCURRENCY, EngineEvent, EngineReport } from '../apply/engine';
import { createKubeClient } from '../apply/http-kube-client';
import { EnvSecretSpec, parseEnvSecretSpec } from '../apply/secrets';
import { appInputs } from '../../apps/names';
import { loadSources, sourcesLabel } from '../manifest/load';
import { SourceDocument } from '../manifest';
import { PROFILES, Profile, profileFromEnv } from '../profile';
import { isDnsLabel } from '../manifest/names';
import { CliContext, CliIO, EXIT_USAGE, Output, UserError } from './context';
import { printJson, printSummary, progressEvents, progressOptions, textEvents } from './output';

/** Inputs when none are given: the synthesized manifests. */
export const DEFAULT_SOURCES = ['dist'];

/** The options of every command that reads inputs and talks to a cluster. */
export interface InputsCommandOptions {
  readonly profile?: Profile;
  readonly output: 'text' | 'json';
  readonly allowEmpty?: boolean;
}

/** The options of commands that read inputs and reach a cluster. */
export interface SourcesCommandOptions extends InputsCommandOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
}

/** The options every apply-set command shares. */
export interface ClusterCommandOptions extends SourcesCommandOptions {
  readonly namespace?: string;
  readonly applyset?: string;
  readonly concurrency: number;
  readonly secretFromEnv?: EnvSecretSpec[];
  readonly verbose?: boolean;
}

/** Adds the inputs argument and the options of how to read them and reach the cluster. */
export function sourcesCommand(program: Command, name: string, description: string): Command {
  return inputsCommand(program, name, description)
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: its current-context)');
}

/** Adds the inputs argument, `--profile` and `-o`: everything a command that needs no cluster takes. */
export function inputsCommand(program: Command, name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .addArgument(
      new Argument('[sources...]', 'manifest files, directories (their .yaml/.yml/.json files) or app names').default(
        DEFAULT_SOURCES,
        'dist/',
      ),
    )
    .addOption(
      new Option('--profile <profile>', 'profile for app names (default: $WORKSHOP_PROFILE, else local)').choices(
        PROFILES,
      ),
    )
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--allow-empty', 'accept an input with no manifest in it (by default that is an error)');
}

/** Adds the inputs argument and the options of every command that works on an apply set. */
export function clusterCommand(program: Command, name: string, description: string): Command {
  return sourcesCommand(program, name, description)
    .option(
      '-n, --namespace <namespace>',
      'namespace of objects that name none, and of the apply set parent (default: the context\'s, else "default")',
      namespaceName,
    )
    .option(
      '--applyset <name>',
      'name of the apply set parent Secret (default: workshop-stacks-<app, file or directory name>)',
    )
    .option('--concurrency <n>', 'requests in flight at once', positiveInteger, DEFAULT_CONCURRENCY)
    .option(
      '-v, --verbose',
      'also say which server-populated fields (status, managedFields, ...) were dropped from the input',
    );
}

/** Adds `--skip-checks`. */
export function skipChecksOption(cmd: Command): Command {
  return cmd.option('--skip-checks', 'do not run the checks `validate` runs before any request (the output says so)');
}

/** Adds `--secret-from-env`, repeatable. */
export function secretFromEnvOption(cmd: Command): Command {
  return cmd.option(
    '--secret-from-env <spec>',
    'create or update a Secret from environment variables: [NAMESPACE/]NAME=KEY[:ENV_VAR][,...]; values never reach disk or output (repeatable)',
    (value: string, previous: EnvSecretSpec[] = []) => {
      try {
        return [...previous, parseEnvSecretSpec(value)];
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message);
      }
    },
  );
}

/** Adds `--wait`/`--no-wait` and `--timeout`. */
export function waitOptions(cmd: Command, what: string): Command {
  return timeoutOption(cmd.option('--wait', `${what} (the default)`).option('--no-wait', `do not wait`));
}

/** Adds `--timeout`: the time budget of the whole command. */
export function timeoutOption(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      '--timeout <duration>',
      'time for the whole command, requests and waits, from start to end, e.g. 90s, 5m, 1h (a bare number is seconds)',
    )
      .argParser(positiveDuration)
      .default(300_000, '5m'),
  );
}

function positiveDuration(text: string): number {
  const ms = parseDuration(text);
  if (ms <= 0) throw new InvalidArgumentError(`"${text}" must be longer than 0`);
  return ms;
}

function namespaceName(text: string): string {
  if (!isDnsLabel(text)) {
    throw new InvalidArgumentError(
      `"${text}" is not a namespace name (a DNS-1123 label: lowercase letters, digits and '-', at most 63 characters)`,
    );
  }
  return text;
}

/** `90s`, `5m`, `1h`, `1m30s`, or a number of seconds, in milliseconds. */
export function parseDuration(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new InvalidArgumentError(`"${text}" is not a duration such as 90s, 5m or 1h`);
  }
  return parts.reduce((ms, [, n, unit]) => ms + Number(n) * units[unit], 0);
}

function positiveInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${text}" is not a positive integer`);
  return n;
}

/**
 * Reads the inputs' objects, as every command reads them; an input that is neither a file, a directory
 * nor an app is a usage error. A file of a directory that is not a manifest is skipped with a note on stderr.
 */
export function loadInputs(sources: readonly string[], opts: InputsCommandOptions, io: CliIO): SourceDocument[] {
  return loadSources(sources, {
    cwd: io.cwd,
    named: appInputs(opts.profile ?? profileFromEnv(io.env)),
    allowEmpty: opts.allowEmpty,
    onNote: (message) => io.stderr.write(`note: ${message}\n`),
  });
}

/**
 * Reads the inputs, then connects (reading the kubeconfig sends no request): everything a cluster
 * command needs. Input errors are usage errors, found before the kubeconfig is even read.
 */
export async function prepareRun(
  sources: string[],
  opts: ClusterCommandOptions,
  io: CliIO,
  onEvent: (e: EngineEvent) => void,
) {
  const applySetLabel =
    opts.applyset ?? (sourcesLabel(sources, io.cwd) && defaultApplySetName(sourcesLabel(sources, io.cwd)!));
  if (!applySetLabel) throw new UserError('several inputs form one apply set: name it with --applyset');
  const documents = loadInputs(sources, opts, io);
  const client = await createKubeClient({
    kubeconfig: opts.kubeconfig,
    context: opts.context,
    maxConnections: opts.concurrency,
  });
  const namespace = opts.namespace ?? client.contextNamespace ?? 'default';
  const engine = new ApplyEngine({ client, defaultNamespace: namespace, concurrency: opts.concurrency, onEvent });
  return { engine, documents, applySet: { name: applySetLabel, namespace }, envSecrets: opts.secretFromEnv ?? [] };
}

/**
 * Runs a cluster command and reports it: the report (text or JSON), and the exit status. Every error
 * (bad input, a problem found before any change, a cluster that cannot be reached or refuses, an object
 * that failed) exits 2; `exitFor` decides between 0 and 1 for a report without errors (by default 1
 * when objects did not become ready).
 */
export async function runClusterCommand(
  ctx: CliContext,
  command: EngineReport['command'],
  sources: string[],
  opts: ClusterCommandOptions,
  body: (run: Awaited<ReturnType<typeof prepareRun>>) => Promise<EngineReport>,
  exitFor: (report: EngineReport) => number = (r) => (r.ok ? 0 : 1),
): Promise<void> {
  const { stdout, stderr } = ctx.io;
  const json = opts.output === 'json';
  try {
    // diff's stdout is the diff alone, as kubectl's, so it can be piped into a pager or a file.
    const quiet = json || command === 'diff';
    const progress = progressOptions(ctx.io.env);
    const events = withNotes(
      quiet ? progressEvents(stderr, progress) : textEvents(stdout, stderr, progress),
      quiet ? stderr : stdout,
      stderr,
      opts.verbose ?? false,
    );
    const run = await prepareRun(sources, opts, ctx.io, events);
    const report = await body(run);
    if (json) printJson(report, stdout);
    else if (command === 'diff') printDiffs(report, stdout);
    if (!json) printSummary(report, command === 'diff' ? stderr : stdout, stderr);
    ctx.setExitCode(isError(report) ? EXIT_USAGE : exitFor(report));
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (json) printJson({ command, ok: false, error: message }, stdout);
    else stderr.write(`error: ${message}\n`);
    ctx.setExitCode(EXIT_USAGE);
  }
}

/**
 * Whether a report holds an error, as opposed to objects that are not ready (yet) or a command that
 * stopped at its timeout (where writes in flight have an unknown result).
 */
function isError(report: EngineReport): boolean {
  return (
    report.error !== undefined ||
    report.problems.length > 0 ||
    [...report.objects, ...report.pruned].some(
      (o) => o.action === 'failed' || (o.action === 'unknown' && !report.timedOut),
    )
  );
}

/** Adds the engine's notes (always) and the dropped fields (with `--verbose`) to an event printer. */
function withNotes(
  print: (e: EngineEvent) => void,
  notes: Output,
  stderr: Output,
  verbose: boolean,
): (e: EngineEvent) => void {
  return (e) => {
    if (e.type === 'note') notes.write(`note: ${e.message}\n`);
    else if (e.type === 'normalized') {
      if (verbose) stderr.write(`${e.source} document ${e.index} (${e.object}): dropped ${e.dropped.join(', ')}\n`);
    } else print(e);
  };
}

function printDiffs(report: EngineReport, stdout: Output): void {
  for (const d of report.diffs.filter((x) => x.diff !== ''))
    stdout.write(d.diff.endsWith('\n') ? d.diff : `${d.diff}\n`);
}
