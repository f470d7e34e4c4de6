import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { ApiGateway } from '../constructs/api-gateway';
import { ConsoleHub } from '../constructs/consolehub';
import { Dockercoins } from '../constructs/dockercoins';
import { TrendingRepos } from '../constructs/trending-repos';
import { WebConsole } from '../constructs/webconsole';
import { checkPodSecurityRestricted } from '../src/checks/pss';
import { matchesSelector } from '../src/manifest/selector';
import { KubeObject, parseManifests } from '../src/manifest';
import { StackChart } from '../src/stack-chart';
import { synthYaml } from '../src/synth';
import { restrictKplusWorkload } from '../src/workload';

/**
 * A consumer project: the stacks in StackCharts, the user's own cdk8s-plus objects in a plain chart of
 * their own (namespace `shop`), composed through cdk8s-plus's APIs only.
 */
function consumer() {
  const app = new App();
  const coins = new Dockercoins(new StackChart(app, 'coins'), 'coins');
  const console = new WebConsole(new StackChart(app, 'console'), 'console');
  const hub = new ConsoleHub(new StackChart(app, 'hub'), 'hub');
  const apiChart = new StackChart(app, 'api');
  const tgr = new TrendingRepos(apiChart, 'tgr');
  const gateway = new ApiGateway(apiChart, 'gateway', { routes: [tgr.route] });

  const mine = new Chart(app, 'mine', { namespace: 'shop' });
  const shop = new kplus.Deployment(mine, 'shop', {
    containers: [{ image: 'example/shop:1', portNumber: 8080, securityContext: { user: 10001, group: 10001 } }],
  });
  // An Ingress in front of every stack's Service, each in its Service's namespace: an Ingress reaches
  // only the Services of its own namespace.
  const routes: Array<[string, kplus.Service]> = [
    ['/coins', coins.services.webui],
    ['/console', console.service],
    ['/hub', hub.service],
    ['/tgr', tgr.service],
    ['/', gateway.service!],
  ];
  routes.forEach(([path, service], i) =>
    new kplus.Ingress(Chart.of(service), `ingress-${i}`).addRule(path, kplus.IngressBackend.fromService(service)),
  );
  // The user's pods reach redis; the worker reaches the user's pods; a policy of the user's own names rng.
  shop.connections.allowTo(coins.workloads.redis, { ports: [kplus.NetworkPolicyPort.tcp(6379)] });
  shop.connections.allowFrom(coins.workloads.worker, { ports: [kplus.NetworkPolicyPort.tcp(8080)] });
  new kplus.NetworkPolicy(mine, 'shop-to-rng', {
    selector: shop,
    egress: { rules: [{ peer: coins.workloads.rng, ports: [kplus.NetworkPolicyPort.tcp(80)] }] },
  });
  return { app, coins, console, hub, tgr, gateway, shop };
}

const podLabels = (objects: KubeObject[], ns: string, name: string): Record<string, string> =>
  (
    objects.find((o) => o.kind === 'Deployment' && o.metadata.namespace === ns && o.metadata.name?.startsWith(name))!
      .spec as any
  ).template.metadata.labels;

/** Whether the NetworkPolicies of `to`'s namespace let pods `from` (in `fromNs`) open a connection to `to`'s pods on `port`. */
function admits(
  objects: KubeObject[],
  direction: 'ingress' | 'egress',
  policyNs: string,
  selected: Record<string, string>,
  peerNs: string,
  peer: Record<string, string>,
  port: number,
): boolean {
  return objects
    .filter(
      (o) =>
        o.kind === 'NetworkPolicy' &&
        o.metadata.namespace === policyNs &&
        matchesSelector((o.spec as any).podSelector, selected),
    )
    .some((p) =>
      ((p.spec as any)[direction] ?? []).some((rule: any) => {
        const peers = direction === 'ingress' ? rule.from : rule.to;
        const portOk = !rule.ports || rule.ports.some((q: any) => q.port === port);
        const peerOk =
          !peers ||
          peers.some(
            (x: any) =>
              x.podSelector &&
              matchesSelector(x.podSelector, peer) &&
              (x.namespaceSelector
                ? matchesSelector(x.namespaceSelector, { 'kubernetes.io/metadata.name': peerNs })
                : peerNs === policyNs),
          );
        return portOk && peerOk;
      }),
    );
}

describe('the stacks compose with cdk8s-plus-27', () => {
  const built = consumer();
  const objects = parseManifests(synthYaml(built.app));

  test("a kplus.Ingress in a stack's chart takes its Service (IngressBackend.fromService), in the Service's namespace", () => {
    const backends = objects
      .filter((o) => o.kind === 'Ingress')
      .flatMap((ingress) =>
        (ingress.spec as any).rules[0].http.paths.map((p: any) => [
          p.path,
          ingress.metadata.namespace,
          p.backend.service.name,
          p.backend.service.port.number,
        ]),
      );
    expect(backends).toEqual(
      expect.arrayContaining([
        ['/coins', 'coins', 'webui', 80],
        ['/console', 'console', 'webconsole', 5000],
        ['/hub', 'hub', 'consolehub', 5000],
        ['/tgr', 'api', 'tgr', 5000],
        ['/', 'api', 'api-gateway', 80],
      ]),
    );
    expect(backends).toHaveLength(5);
  });

  test("the stacks' Services are unchanged by being cdk8s-plus Services: named target ports, no empty fields", () => {
    const webui = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'webui')!;
    expect((webui.spec as any).ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', nodePort: 30001 },
    ]);
    expect(webui.spec).not.toHaveProperty('externalIPs');
  });

  test("connections.allowTo a stack workload admits the user's pods through the stack's own deny-all policies", () => {
    const shopPods = podLabels(objects, 'shop', 'mine-shop');
    const redisPods = podLabels(objects, 'coins', 'redis');
    expect(admits(objects, 'ingress', 'coins', redisPods, 'shop', shopPods, 6379)).toBe(true);
    expect(admits(objects, 'egress', 'shop', shopPods, 'coins', redisPods, 6379)).toBe(true);
    // Without the user's call nothing of theirs gets in: the admission is the one cdk8s-plus added.
    const alone = new App();
    new Dockercoins(new StackChart(alone, 'coins'), 'coins');
    expect(admits(parseManifests(synthYaml(alone)), 'ingress', 'coins', redisPods, 'shop', shopPods, 6379)).toBe(false);
  });

  test("connections.allowFrom a stack workload lets the stack's pods out to the user's", () => {
    const shopPods = podLabels(objects, 'shop', 'mine-shop');
    const workerPods = podLabels(objects, 'coins', 'worker');
    expect(admits(objects, 'egress', 'coins', workerPods, 'shop', shopPods, 8080)).toBe(true);
    expect(admits(objects, 'ingress', 'shop', shopPods, 'coins', workerPods, 8080)).toBe(true);
  });

  test('a kplus.NetworkPolicy takes a stack workload as its peer', () => {
    const shopPods = podLabels(objects, 'shop', 'mine-shop');
    expect(admits(objects, 'egress', 'shop', shopPods, 'coins', podLabels(objects, 'coins', 'rng'), 80)).toBe(true);
  });

  test('ApiObject.of reaches every object a construct creates, and patches show in the output', () => {
    const { app, coins, console, hub, tgr, gateway } = consumer();
    expect(ApiObject.of(coins.workloads.worker).kind).toBe('Deployment');
    expect(ApiObject.of(console).kind).toBe('Deployment');
    expect(ApiObject.of(hub).kind).toBe('Deployment');
    expect(ApiObject.of(tgr).kind).toBe('Deployment');
    expect(ApiObject.of(gateway).kind).toBe('Deployment');
    expect(ApiObject.of(console.service).kind).toBe('Service');
    ApiObject.of(coins.workloads.worker).addJsonPatch(JsonPatch.replace('/spec/replicas', 3));
    // Every object of every stack, by its construct: patch them all.
    const stacks: IConstruct[] = [coins, console, hub, tgr, gateway];
    const all = stacks.flatMap((s) => s.node.findAll()).filter((c) => ApiObject.isApiObject(c) || c.node.defaultChild);
    for (const c of all) ApiObject.of(c).addJsonPatch(JsonPatch.add('/metadata/labels/team', 'shop'));
    // The stacks' objects (the chart's Namespace and the user's cdk8s-plus policies are not theirs).
    const patched = parseManifests(synthYaml(app)).filter(
      (o) => o.kind !== 'Namespace' && o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'workshop-stacks',
    );
    expect(patched.length).toBeGreaterThan(40);
    expect(
      patched.filter((o) => o.metadata.labels?.team !== 'shop').map((o) => `${o.kind}/${o.metadata.name}`),
    ).toEqual([]);
    expect((patched.find((o) => o.kind === 'Deployment' && o.metadata.name === 'worker')!.spec as any).replicas).toBe(
      3,
    );
  });

  test('props take times as cdk8s Durations, never as numbers of seconds', () => {
    const sources = ['src', 'constructs'].flatMap((dir) =>
      fs
        .readdirSync(path.join(__dirname, '..', dir))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => fs.readFileSync(path.join(__dirname, '..', dir, f), 'utf8')),
    );
    // Every exported interface users fill in (the resolved route, internal to the gateway, counts in ms).
    const numericTimes = sources.flatMap((text) =>
      text
        .split(/^export interface /m)
        .slice(1)
        .filter((block) => !block.startsWith('ResolvedRoute '))
        .flatMap((block) => [...block.matchAll(/readonly (\w*(?:Seconds|Millis|Ms))\??: number/g)].map((m) => m[1])),
    );
    expect(numericTimes).toEqual([]);
    const app = new App();
    const chart = new StackChart(app, 'hub');
    new ConsoleHub(chart, 'hub', {
      job: { activeDeadline: Duration.minutes(30), ttlAfterFinished: Duration.minutes(2) },
    });
    const template = parseManifests(synthYaml(app)).find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === 'consolehub-job-template',
    )!;
    const job = JSON.parse((template.data as any)['job-template.yaml']);
    expect(job.spec).toMatchObject({ activeDeadlineSeconds: 1800, ttlSecondsAfterFinished: 120 });
  });

  test("an ApiGateway routes to any kplus.Service: a stack's (whose pods then admit Envoy) or the user's own", () => {
    const app = new App();
    const coins = new Dockercoins(new StackChart(app, 'coins'), 'coins');
    const mine = new Chart(app, 'mine', { namespace: 'shop' });
    const shop = new kplus.Deployment(mine, 'shop', { containers: [{ image: 'example/shop:1', portNumber: 8080 }] });
    const shopService = shop.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
    const gateway = new ApiGateway(new StackChart(app, 'edge'), 'gateway');
    gateway.addRoute({ pathPrefix: '/coins', service: coins.services.webui });
    gateway.addRoute({ pathPrefix: '/shop', service: shopService });
    const out = parseManifests(synthYaml(app));
    const config = JSON.parse(
      (out.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'api-gateway-envoy')!.data as any)['envoy.json'],
    );
    const addresses = config.static_resources.clusters.map(
      (c: any) => c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address,
    );
    expect(addresses).toEqual(
      expect.arrayContaining([
        { address: 'webui.coins.svc.cluster.local', port_value: 80 },
        { address: `${shopService.name}.shop.svc.cluster.local`, port_value: 80 },
      ]),
    );
    const envoyPods = podLabels(out, 'edge', 'api-gateway');
    expect(admits(out, 'ingress', 'coins', podLabels(out, 'coins', 'webui'), 'edge', envoyPods, 80)).toBe(true);
    expect(admits(out, 'egress', 'edge', envoyPods, 'shop', { any: 'pod' }, 8080)).toBe(true);
  });

  test('no export of the library has the name of a cdk8s-plus export (of another shape)', () => {
    const exported = (file: string) =>
      [
        ...fs
          .readFileSync(file, 'utf8')
          .matchAll(/^export (?:declare )?(?:abstract )?(?:interface|type|class|const|function|enum) (\w+)/gm),
      ].map((m) => m[1]);
    const kplusDir = path.join(path.dirname(require.resolve('cdk8s-plus-27')), '.');
    const theirs = new Set(
      fs
        .readdirSync(kplusDir)
        .filter((f) => f.endsWith('.d.ts'))
        .flatMap((f) => exported(path.join(kplusDir, f))),
    );
    const root = path.join(__dirname, '..');
    // Everything src/index.ts exports comes from src/ and constructs/: the engine and the checks as well as the constructs.
    const constructSide = ['src', 'constructs'].flatMap((dir) =>
      fs
        .readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => path.join(root, dir, f)),
    );
    expect(theirs.size).toBeGreaterThan(100);
    expect(constructSide.flatMap(exported).filter((name) => theirs.has(name))).toEqual([]);
  });
});

describe('restrictKplusWorkload', () => {
  const deployment = (restrict: boolean) => {
    const app = new App();
    const chart = new Chart(app, 'mine', { namespace: 'shop' });
    const web = new kplus.Deployment(chart, 'web', {
      containers: [{ image: 'example/web:1', portNumber: 8080 }, { image: 'example/sidecar:1' }],
    });
    if (restrict) restrictKplusWorkload(web);
    return parseManifests(synthYaml(app)).find((o) => o.kind === 'Deployment')!;
  };

  test('makes every container of a cdk8s-plus workload pass PSS restricted, which cdk8s-plus alone does not', () => {
    expect(checkPodSecurityRestricted(deployment(false)).length).toBeGreaterThan(0);
    expect(checkPodSecurityRestricted(deployment(true))).toEqual([]);
    const spec = (deployment(true).spec as any).template.spec;
    expect(spec.securityContext).toMatchObject({
      runAsUser: 10001,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec.containers.map((c: any) => c.securityContext.capabilities)).toEqual([
      { drop: ['ALL'] },
      { drop: ['ALL'] },
    ]);
  });
});
