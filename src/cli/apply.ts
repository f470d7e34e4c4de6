import {
  ClusterCommandOptions,
  clusterCommand,
  runClusterCommand,
  secretFromEnvOption,
  skipChecksOption,
  waitOptions,
} from './options';
import { RegisterCommand } from './context';

interface ApplyOptions extends ClusterCommandOptions {
  readonly dryRun?: boolean;
  readonly forceConflicts?: boolean;
  readonly force?: boolean;
  readonly skipChecks?: boolean;
  readonly prune?: boolean;
  readonly allowEmptyPrune?: boolean;
  readonly wait?: boolean;
  readonly timeout: number;
  readonly waitForLoadBalancers?: boolean;
}

/** `workshop-stacks apply`: check everything, server-side apply in stages (one write per object), wait, prune. */
export const registerApply: RegisterCommand = (program, ctx) => {
  const cmd = clusterCommand(
    program,
    'apply',
    'validate every document, then server-side apply them in stages, wait until ready, and prune',
  );
  waitOptions(skipChecksOption(secretFromEnvOption(cmd)), 'wait until every object is ready')
    .option('--dry-run', 'run the same plan as a server-side dry run: nothing is changed')
    .option(
      '--force-conflicts',
      'take ownership of fields other field managers own, and of objects of other apply sets',
    )
    .option(
      '--force',
      "delete and create again an object whose change touches a field that cannot change (a selector, a Service's cluster IP, a Job's template); reported as replaced",
    )
    .option(
      '--prune',
      'delete the members of the apply set that are no longer in the manifests (after everything is ready)',
    )
    .option('--allow-empty-prune', 'let --prune run when the manifests hold no object, deleting the whole set')
    .option('--wait-for-load-balancers', 'also wait for LoadBalancer Services to get an external address')
    .action((sources: string[], opts: ApplyOptions) =>
      runClusterCommand(ctx, 'apply', sources, opts, (run) =>
        run.engine.apply({
          documents: run.documents,
          applySet: run.applySet,
          envSecrets: run.envSecrets,
          env: ctx.io.env,
          dryRun: opts.dryRun,
          forceConflicts: opts.forceConflicts,
          force: opts.force,
          skipChecks: opts.skipChecks,
          prune: opts.prune,
          allowEmptyPrune: opts.allowEmptyPrune,
          wait: opts.wait ?? true,
          timeoutMs: opts.timeout,
          waitForLoadBalancer: opts.waitForLoadBalancers,
        }),
      ),
    );
};
