import { App } from 'cdk8s';
import { WebConsole } from '../constructs/webconsole';
import { Profile } from '../src/profile';
import { StackChart } from '../src/stack-chart';

/** The workshop's end state: scaled to 4, so each client is pinned to one pod (session affinity). */
export function webconsoleApp(app: App, profile: Profile): void {
  const chart = new StackChart(app, 'webconsole', { profile });
  new WebConsole(chart, 'webconsole', { replicas: 4 });
}
