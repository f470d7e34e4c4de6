import { App } from 'cdk8s';
import { ConsoleHub } from '../constructs/consolehub';
import { Profile } from '../src/profile';
import { StackChart } from '../src/stack-chart';

/**
 * The hub in its own namespace; the users' Jobs in `default`, where the workshop image creates them.
 * Further copies (a `namespaceSuffix`) cannot share `default` with it, so they run this project's hub
 * (`hub: 'workshop-stacks'`), which creates its users' Jobs in its own namespace.
 */
export function consolehubApp(app: App, profile: Profile, namespaceSuffix = ''): void {
  const chart = new StackChart(app, `consolehub${namespaceSuffix}`, { profile, partOf: 'consolehub' });
  new ConsoleHub(chart, 'consolehub', namespaceSuffix ? { hub: 'workshop-stacks' } : {});
}
