import { App } from 'cdk8s';
import { ConsoleHub } from '../constructs/consolehub';
import { Profile } from '../src/profile';
import { StackChart } from '../src/stack-chart';

/**
 * This project's hub (the images the README builds), with everything, the users' Jobs included, in its
 * own namespace: copies with a `namespaceSuffix` share nothing, not even `default`.
 */
export function consolehubApp(app: App, profile: Profile, namespaceSuffix = ''): void {
  const chart = new StackChart(app, `consolehub${namespaceSuffix}`, { profile, partOf: 'consolehub' });
  new ConsoleHub(chart, 'consolehub');
}
