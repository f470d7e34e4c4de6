import { App } from 'cdk8s';
import { Dockercoins } from '../constructs/dockercoins';
import { Profile } from '../src/profile';
import { StackChart } from '../src/stack-chart';

/**
 * The workshop's end state: worker scaled to 10, rng one per node. `namespaceSuffix` places another
 * copy of the stack beside this one (see apps/workshop.ts); '' is the copy in `dist/`.
 */
export function dockercoinsApp(app: App, profile: Profile, namespaceSuffix = ''): void {
  const chart = new StackChart(app, `dockercoins${namespaceSuffix}`, { profile, partOf: 'dockercoins' });
  new Dockercoins(chart, 'dockercoins', { workerReplicas: 10, rngPerNode: true });
}
