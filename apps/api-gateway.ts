import { App } from 'cdk8s';
import { ApiGateway } from '../constructs/api-gateway';
import { TrendingRepos } from '../constructs/trending-repos';
import { ownerLabels } from '../src/manifest/labels';
import { NetworkTraffic } from '../src/network-traffic';
import { Profile } from '../src/profile';
import { StackChart } from '../src/stack-chart';

/** The workshop's gateway in front of tgr: `/` -> `tgr:5000`, on port 80 of the `api-gateway` Service. */
export function apiGatewayApp(app: App, profile: Profile, namespaceSuffix = ''): void {
  const chart = new StackChart(app, `api-gateway${namespaceSuffix}`, { profile, partOf: 'api-gateway' });
  // The namespace belongs to the app, not to either construct; each construct isolates its own pods.
  new NetworkTraffic(chart, 'namespace-policy', { labels: ownerLabels(chart.partOf) }).denyAllIn(chart.namespace!);
  const tgr = new TrendingRepos(chart, 'tgr');
  const gateway = new ApiGateway(chart, 'gateway');
  gateway.addRoute(tgr.route);
}
