import { EngineReport } from '../apply/engine';
import { EXIT_USAGE, RegisterCommand } from './context';
import {
  ClusterCommandOptions,
  clusterCommand,
  runClusterCommand,
  secretFromEnvOption,
  skipChecksOption,
  timeoutOption,
} from './options';

interface DiffOptions extends ClusterCommandOptions {
  readonly forceConflicts?: boolean;
  readonly skipChecks?: boolean;
  readonly prune?: boolean;
  readonly timeout: number;
}

/**
 * Exit status as `kubectl diff` and diff(1): 0 no differences, 1 differences, 2 an error. A diff the
 * timeout cut short compared only part of the objects: an error, not "no differences".
 */
function diffExitCode(report: EngineReport): number {
  if (report.timedOut) return EXIT_USAGE;
  return report.diffs.some((d) => d.diff !== '') ? 1 : 0;
}

/** `workshop-stacks diff`: each object live against the server-side dry-run result, Secrets masked. */
export const registerDiff: RegisterCommand = (program, ctx) => {
  timeoutOption(
    skipChecksOption(
      secretFromEnvOption(
        clusterCommand(
          program,
          'diff',
          'show what apply would change: each live object against the server-side dry-run result, Secret data masked (exit 0: no differences, 1: differences, 2: error)',
        ),
      ),
    ),
  )
    .option('--force-conflicts', 'diff as if conflicting fields were taken over')
    .option('--prune', 'also show the members of the apply set that apply --prune would delete')
    .action((sources: string[], opts: DiffOptions) =>
      runClusterCommand(
        ctx,
        'diff',
        sources,
        opts,
        (run) =>
          run.engine.diff({
            documents: run.documents,
            applySet: run.applySet,
            envSecrets: run.envSecrets,
            env: ctx.io.env,
            forceConflicts: opts.forceConflicts,
            skipChecks: opts.skipChecks,
            prune: opts.prune,
            timeoutMs: opts.timeout,
          }),
        diffExitCode,
      ),
    );
};
