import { App } from 'cdk8s';
import { Dockercoins } from '../constructs/dockercoins';
import { Profile } from '../src/profile';
import { StackChart } from '../src/stack-chart';

/** The workshop's end state: worker scaled to 10, rng one per node. */
export function dockercoinsApp(app: App, profile: Profile): void {
  const chart = new StackChart(app, 'dockercoins', { profile });
  new Dockercoins(chart, 'dockercoins', { workerReplicas: 10, rngPerNode: true });
}
