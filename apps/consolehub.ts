import { App } from 'cdk8s';
import { ConsoleHub } from '../constructs/consolehub';
import { Profile } from '../src/profile';
import { StackChart } from '../src/stack-chart';

/** The hub in its own namespace; the users' Jobs in `default`, where the workshop image creates them. */
export function consolehubApp(app: App, profile: Profile): void {
  const chart = new StackChart(app, 'consolehub', { profile });
  new ConsoleHub(chart, 'consolehub');
}
