import { Argument, Option } from 'commander';
import { formatProblem, validateDocuments } from '../checks/documents';
import { KubeObject, SourceDocument } from '../manifest';
import { PROFILES } from '../profile';
import {
  Connection,
  DIFF_FORMATS,
  ExposureReport,
  TRAFFIC_FORMATS,
  TrafficFormat,
  diffConnections,
  exposureOf,
  focusFilter,
  focusedWorkloads,
  formatConnectionParts,
  formatDiff,
  formatExposureParts,
  TrafficModel,
  trafficConnections,
} from '../traffic';
import { RegisterCommand, UserError } from './context';
import { DEFAULT_SOURCES, InputsCommandOptions, loadInputs } from './options';

interface TrafficCommandOptions extends Pick<InputsCommandOptions, 'profile' | 'allowEmpty'> {
  readonly output: TrafficFormat;
  readonly focus?: string;
  readonly diff: string[];
  readonly exposure?: boolean;
}

/**
 * `workshop-stacks traffic`: which workloads may open connections to which, on which ports, by the
 * NetworkPolicies of the manifests (netpol-analyzer's connectivity list); with `--diff`, what changed
 * against other manifests. Exit 0, or 2 on bad input.
 */
export const registerTraffic: RegisterCommand = (program, ctx) => {
  program
    .command('traffic')
    .description(
      'list the connections the NetworkPolicies allow, one per line (src => dst : conn), or what changed against --diff',
    )
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
    .addOption(new Option('-o, --output <format>', 'output format').choices(TRAFFIC_FORMATS).default('txt'))
    .option('--allow-empty', 'accept an input with no manifest in it (by default that is an error)')
    .option(
      '--focus <workload>',
      'only the connections of this workload (name, namespace/name or namespace/name[Kind])',
    )
    .option(
      '--exposure',
      'after the list, the exposure analysis: what each workload may reach, or be reached from, outside the inputs (the entire cluster, addresses, pods by selector)',
    )
    .option(
      '--diff <source>',
      'base manifests to compare with: list the connections added, removed and changed (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .action((sources: string[], opts: TrafficCommandOptions) => {
      // loadInputs reads how to read the inputs, not the output format.
      const load = (inputs: string[]) =>
        loadInputs(inputs, { profile: opts.profile, allowEmpty: opts.allowEmpty, output: 'text' }, ctx.io);
      // One model for the list and the exposure analysis.
      const model = new TrafficModel(objectsOf(load(sources)));
      const after = connectionsOf(model, opts.focus);
      if (opts.exposure) {
        if (opts.diff.length > 0) throw new UserError('--exposure and --diff cannot be used together');
        writeInChunks(ctx.io.stdout, formatExposureParts(after, exposureIn(model, opts.focus), opts.output));
      } else if (opts.diff.length === 0) {
        writeInChunks(ctx.io.stdout, formatConnectionParts(after, opts.output));
      } else {
        if (!DIFF_FORMATS.includes(opts.output))
          throw new UserError(`--diff prints ${DIFF_FORMATS.join(', ')}, not ${opts.output}`);
        const before = connectionsOf(new TrafficModel(objectsOf(load(opts.diff))), opts.focus, true);
        ctx.io.stdout.write(formatDiff(diffConnections([...before], [...after]), opts.output));
      }
      ctx.setExitCode(0);
    });
};

/**
 * The connections of the inputs, of the focused workload only if one is named, one at a time: the list
 * may be quadratic in the workloads, and is written as it comes.
 */
function connectionsOf(model: TrafficModel, focus: string | undefined, base = false): Iterable<Connection> {
  if (focus === undefined) return trafficConnections(model);
  let keep: (c: Connection) => boolean;
  try {
    keep = focusFilter(model.workloads, focus);
  } catch (error) {
    // A workload the base lacks has no connections there: that is what the diff shows.
    if (base) return [];
    throw new UserError((error as Error).message);
  }
  return (function* () {
    for (const c of trafficConnections(model)) if (keep(c)) yield c;
  })();
}

/** The exposure analysis of the inputs, of the focused workload only if one is named (its lines, and it if unprotected). */
function exposureIn(model: TrafficModel, focus: string | undefined): ExposureReport {
  const report = exposureOf(model);
  if (focus === undefined) return report;
  // The focus name was checked by the connection list. The ingress controller has no exposure lines.
  const ids = focusedWorkloads(model.workloads, focus) ?? new Set();
  const mine = (workload: string) => ids.has(workload);
  return {
    egress: report.egress.filter((l) => mine(l.workload)),
    ingress: report.ingress.filter((l) => mine(l.workload)),
    unprotected: report.unprotected.filter((u) => mine(u.workload)),
  };
}

/** Writes text parts in chunks of about 64 KiB: one write per line would cost more than the lines. */
function writeInChunks(out: { write(text: string): unknown }, parts: Iterable<string>): void {
  let buffer = '';
  for (const part of parts) {
    buffer += part;
    if (buffer.length >= 65536) {
      out.write(buffer);
      buffer = '';
    }
  }
  if (buffer.length > 0) out.write(buffer);
}

/** Documents that are not Kubernetes objects (or name one twice) cannot be analysed: a usage error naming the first. */
function objectsOf(documents: readonly SourceDocument[]): KubeObject[] {
  // No checks: only what makes a document an object of its own.
  const { objects, problems } = validateDocuments(documents, { checks: [] });
  if (problems.length > 0) throw new UserError(formatProblem(problems[0]));
  return objects.map((d) => d.object);
}
