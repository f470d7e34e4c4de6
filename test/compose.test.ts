import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { ApiGateway } from '../constructs/api-gateway';
import { ConsoleHub } from '../constructs/consolehub';
import { Dockercoins } from '../constructs/dockercoins';
import { TrendingRepos } from '../constructs/trending-repos';
import { WebConsole } from '../constructs/webconsole';
import { formatFinding, validateObjects } from '../src/checks';
import { matchesSelector } from '../src/manifest/selector';
import { KubeObject } from '../src/manifest';
import { synthYaml } from '../src/synth';
import { parseManifests } from '../src/manifest';

/** Every stack in a namespace of the user's choosing, in a plain cdk8s Chart, behind one gateway. */
function composed(): KubeObject[] {
  const app = new App();
  const chart = new Chart(app, 'platform');
  for (const ns of ['coins', 'console', 'hub', 'trending', 'edge'])
    new k8s.KubeNamespace(chart, `ns-${ns}`, { metadata: { name: ns } });
  const coins = new Dockercoins(chart, 'coins', { namespace: 'coins' });
  const console = new WebConsole(chart, 'console', { namespace: 'console' });
  // The workshop's hub (an image changed to create its Jobs elsewhere), its users' Jobs in a namespace of their own.
  const hub = new ConsoleHub(chart, 'hub', { namespace: 'hub', hub: 'workshop', jobsNamespace: 'hub-sessions' });
  const tgr = new TrendingRepos(chart, 'tgr', { namespace: 'trending' });
  const gateway = new ApiGateway(chart, 'gateway', { namespace: 'edge' });
  gateway.addRoute({ pathPrefix: '/coins', service: coins.webui, prefixRewrite: '/' });
  gateway.addRoute({ pathPrefix: '/console', service: console.endpoint, prefixRewrite: '/' });
  gateway.addRoute({ pathPrefix: '/hub', service: hub.endpoint, prefixRewrite: '/' });
  gateway.addRoute({ pathPrefix: '/', service: tgr.endpoint });
  return parseManifests(synthYaml(app));
}

describe('constructs compose', () => {
  const objects = composed();

  test('each stack lands in the namespace it was given', () => {
    const namespaceOf = (kind: string, name: string) =>
      objects.find((o) => o.kind === kind && o.metadata.name === name)?.metadata.namespace;
    expect(namespaceOf('Service', 'redis')).toBe('coins');
    expect(namespaceOf('Service', 'webconsole')).toBe('console');
    expect(namespaceOf('Service', 'consolehub')).toBe('hub');
    expect(namespaceOf('Role', 'consolehub')).toBe('hub-sessions');
    expect(namespaceOf('Service', 'tgr')).toBe('trending');
    expect(namespaceOf('Service', 'api-gateway')).toBe('edge');
  });

  test('the whole platform passes every schema, wiring and policy check', () => {
    expect(validateObjects(objects).findings.map(formatFinding)).toEqual([]);
  });

  test('the gateway reaches every routed Service across namespaces, and each admits the gateway', () => {
    const envoy = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.namespace === 'edge')!;
    const config = Object.values(envoy.data as Record<string, string>)[0];
    for (const host of ['webui.coins', 'webconsole.console', 'consolehub.hub', 'tgr.trending']) {
      expect(config).toContain(`${host}.svc.cluster.local`);
    }
    const gatewayPods = (objects.find((o) => o.kind === 'Deployment' && o.metadata.namespace === 'edge')!.spec as any)
      .template.metadata.labels;
    for (const [ns, app] of [
      ['coins', 'webui'],
      ['console', 'webconsole'],
      ['hub', 'consolehub'],
      ['trending', 'tgr'],
    ]) {
      const podLabels = (objects.find((o) => o.kind === 'Deployment' && o.metadata.name === app)!.spec as any).template
        .metadata.labels;
      const admits = objects
        .filter(
          (o) =>
            o.kind === 'NetworkPolicy' &&
            o.metadata.namespace === ns &&
            matchesSelector((o.spec as any).podSelector, podLabels),
        )
        .some((p) =>
          ((p.spec as any).ingress ?? []).some(
            (rule: any) =>
              !rule.from ||
              rule.from.some(
                (peer: any) =>
                  matchesSelector(peer.podSelector, gatewayPods) &&
                  (!peer.namespaceSelector ||
                    matchesSelector(peer.namespaceSelector, { 'kubernetes.io/metadata.name': 'edge' })),
              ),
          ),
        );
      expect([ns, admits]).toEqual([ns, true]);
    }
  });
});
