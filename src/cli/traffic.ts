import { Argument, Option } from 'commander';
import { formatProblem, validateDocuments } from '../checks/documents';
import { KubeObject, SourceDocument } from '../manifest';
import { PROFILES } from '../profile';
import {
  Connection, DIFF_FORMATS, TRAFFIC_FORMATS, TrafficFormat, analyzeTraffic, diffConnections, focusOn, formatConnections, formatDiff, workloadsOf,
} from '../traffic';
import { RegisterCommand, UserError } from './context';
import { DEFAULT_SOURCES, InputsCommandOptions, loadInputs } from './options';

interface TrafficCommandOptions extends Pick<InputsCommandOptions, 'profile' | 'allowEmpty'> {
  readonly output: TrafficFormat;
  readonly focus?: string;
  readonly diff: string[];
}

/**
 * `workshop-stacks traffic`: which workloads may open connections to which, on which ports, by the
 * NetworkPolicies of the manifests (netpol-analyzer's connectivity list); with `--diff`, what changed
 * against other manifests. Exit 0, or 2 on bad input.
 */
export const registerTraffic: RegisterCommand = (program, ctx) => {
  program.command('traffic')
    .description('list the connections the NetworkPolicies allow, one per line (src => dst : conn), or what changed against --diff')
    .addArgument(new Argument('[sources...]', 'manifest files, directories (their .yaml/.yml/.json files) or app names').default(DEFAULT_SOURCES, 'dist/'))
    .addOption(new Option('--profile <profile>', 'profile for app names (default: $WORKSHOP_PROFILE, else local)').choices(PROFILES))
    .addOption(new Option('-o, --output <format>', 'output format').choices(TRAFFIC_FORMATS).default('txt'))
    .option('--allow-empty', 'accept an input with no manifest in it (by default that is an error)')
    .option('--focus <workload>', 'only the connections of this workload (name, namespace/name or namespace/name[Kind])')
    .option('--diff <source>', 'base manifests to compare with: list the connections added, removed and changed (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .action((sources: string[], opts: TrafficCommandOptions) => {
      // loadInputs reads how to read the inputs, not the output format.
      const load = (inputs: string[]) => loadInputs(inputs, { profile: opts.profile, allowEmpty: opts.allowEmpty, output: 'text' }, ctx.io);
      const after = connectionsOf(load(sources), opts.focus);
      if (opts.diff.length === 0) {
        ctx.io.stdout.write(formatConnections(after, opts.output));
      } else {
        if (!DIFF_FORMATS.includes(opts.output)) throw new UserError(`--diff prints ${DIFF_FORMATS.join(', ')}, not ${opts.output}`);
        const before = connectionsOf(load(opts.diff), opts.focus, true);
        ctx.io.stdout.write(formatDiff(diffConnections(before, after), opts.output));
      }
      ctx.setExitCode(0);
    });
};

/** The connections of the inputs, of the focused workload only if one is named. */
function connectionsOf(documents: readonly SourceDocument[], focus: string | undefined, base = false): Connection[] {
  const objects = objectsOf(documents);
  const all = analyzeTraffic(objects);
  if (focus === undefined) return all;
  try {
    return focusOn(all, workloadsOf(objects), focus);
  } catch (error) {
    // A workload the base lacks has no connections there: that is what the diff shows.
    if (base) return [];
    throw new UserError((error as Error).message);
  }
}

/** Documents that are not Kubernetes objects (or name one twice) cannot be analysed: a usage error naming the first. */
function objectsOf(documents: readonly SourceDocument[]): KubeObject[] {
  // No checks: only what makes a document an object of its own.
  const { objects, problems } = validateDocuments(documents, { checks: [] });
  if (problems.length > 0) throw new UserError(formatProblem(problems[0]));
  return objects.map((d) => d.object);
}
