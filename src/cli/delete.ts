import { RegisterCommand } from './context';
import { ClusterCommandOptions, clusterCommand, runClusterCommand, waitOptions } from './options';

interface DeleteOptions extends ClusterCommandOptions {
  readonly dryRun?: boolean;
  readonly wait?: boolean;
  readonly timeout: number;
}

/** `workshop-stacks delete`: every member of the apply set, in reverse order, then its parent. */
export const registerDelete: RegisterCommand = (program, ctx) => {
  waitOptions(
    clusterCommand(
      program,
      'delete',
      'delete every member of the apply set in reverse order (workloads first, namespaces last), then the set itself',
    ),
    'wait until the objects of each stage are gone before the next',
  )
    .option('--dry-run', 'show what would be deleted: nothing is changed')
    .action((sources: string[], opts: DeleteOptions) =>
      runClusterCommand(ctx, 'delete', sources, opts, (run) =>
        run.engine.delete({
          documents: run.documents,
          applySet: run.applySet,
          dryRun: opts.dryRun,
          wait: opts.wait ?? true,
          timeoutMs: opts.timeout,
        }),
      ),
    );
};
