import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { checkPodSecurityRestricted } from '../src/checks/pss';
import { checkSchema } from '../src/checks/schema';
import { checkServiceWiring } from '../src/checks/wiring';
import { imagePolicyCases } from './fixtures';
import { pullPolicyFor } from '../src/image';
import { KubeObject } from '../src/manifest';
import { profileFromEnv } from '../src/profile';
import { scaleQuantity } from '../src/resources';
import { StackChart, resolveStackContext } from '../src/stack-chart';
import { PropsValidator } from '../src/props-validator';
import { AppWorkload } from '../src/workload';
import { ConsoleHub } from '../constructs/consolehub';
import { TrendingRepos } from '../constructs/trending-repos';
import { WebConsoleJob } from '../constructs/webconsole-job';
import { ownerLabels, standardLabels } from '../src/manifest/labels';
import { DNS_1123_LABEL, slugify } from '../src/manifest/names';

describe('StackChart', () => {
  test('creates its namespace labelled to enforce, audit and warn on PSS restricted, without a namespace of its own', () => {
    const chart = new StackChart(new App(), 'stack', { namespace: 'team-a' });
    const [ns] = chart.toJson();
    expect(ns.kind).toBe('Namespace');
    expect(ns.metadata.name).toBe('team-a');
    expect(ns.metadata.namespace).toBeUndefined();
    for (const mode of ['enforce', 'audit', 'warn'])
      expect(ns.metadata.labels[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
  });

  test('constructs inherit namespace and profile from the nearest StackChart, and props override them', () => {
    const chart = new StackChart(new App(), 'stack', { profile: 'cloud' });
    const check = new PropsValidator(chart);
    expect(resolveStackContext(chart, {}, check, 'x')).toMatchObject({
      namespace: 'stack',
      profile: 'cloud',
      partOf: 'stack',
    });
    expect(resolveStackContext(chart, { namespace: 'other', profile: 'local' }, check, 'x')).toMatchObject({
      namespace: 'other',
      profile: 'local',
    });
    const plain = new Chart(new App(), 'plain');
    expect(resolveStackContext(plain, {}, new PropsValidator(plain), 'x')).toMatchObject({
      namespace: 'default',
      profile: 'local',
      partOf: 'x',
    });
  });

  test('object names carry no hash', () => {
    const chart = new StackChart(new App(), 'stack');
    new k8s.KubeConfigMap(chart, 'config');
    expect(chart.toJson()[1].metadata.name).toBe('stack-config');
  });
});

describe('profile', () => {
  test('WORKSHOP_PROFILE selects it; unset is local; anything else is an error', () => {
    expect(profileFromEnv({})).toBe('local');
    expect(profileFromEnv({ WORKSHOP_PROFILE: 'cloud' })).toBe('cloud');
    expect(() => profileFromEnv({ WORKSHOP_PROFILE: 'prod' })).toThrow(
      'WORKSHOP_PROFILE must be one of local, cloud, got "prod"',
    );
  });

  test.each(imagePolicyCases)('pull policy of %s in %s is %s', (image, profile, policy) => {
    expect(pullPolicyFor(image, profile)).toBe(policy);
  });

  test('cloud doubles requests and limits', () => {
    expect(scaleQuantity('50m', 2)).toBe('100m');
    expect(scaleQuantity('64Mi', 2)).toBe('128Mi');
    expect(scaleQuantity('0.5', 2)).toBe('1');
    expect(() => scaleQuantity('lots', 2)).toThrow(/quantity/);
  });
});

describe('AppWorkload', () => {
  test('a DaemonSet and its Service wire up like a Deployment', () => {
    const chart = new StackChart(new App(), 'stack');
    const ctx = resolveStackContext(chart, {}, new PropsValidator(chart), 'x');
    const w = new AppWorkload(chart, 'api', ctx, {
      name: 'api',
      component: 'api',
      image: 'api:1',
      kind: 'DaemonSet',
      runAs: { user: 1000, group: 1000 },
      resources: { cpu: { request: '10m', limit: '20m' }, memory: { request: '8Mi', limit: '16Mi' } },
      port: { name: 'http', containerPort: 8080 },
      service: { port: 80 },
    });
    const objects = chart.toJson() as KubeObject[];
    expect(objects.map((o) => o.kind)).toEqual(['Namespace', 'DaemonSet', 'Service']);
    expect(checkServiceWiring(objects)).toEqual([]);
    expect(objects.flatMap(checkPodSecurityRestricted)).toEqual([]);
    expect(w.endpoint).toEqual({
      name: 'api',
      namespace: 'stack',
      port: 80,
      targetPort: 'http',
      containerPort: 8080,
      selector: w.selector,
    });
  });
});

describe('the checks catch what they claim to', () => {
  const pod = (spec: any, labels = { app: 'a' }): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'n' },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec } },
  });
  const hardened = {
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'c',
        image: 'i:1',
        ports: [{ name: 'http', containerPort: 80 }],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
  };

  test('PSS restricted: a hardened pod passes, each weakening fails with its rule', () => {
    expect(checkPodSecurityRestricted(pod(hardened))).toEqual([]);
    const rules = (spec: any) => checkPodSecurityRestricted(pod(spec)).map((f) => f.rule);
    const container = (sc: any) => ({
      ...hardened,
      containers: [
        { ...hardened.containers[0], securityContext: { ...hardened.containers[0].securityContext, ...sc } },
      ],
    });
    expect(rules(container({ allowPrivilegeEscalation: true }))).toEqual(['pss-restricted/allow-privilege-escalation']);
    expect(rules(container({ capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } }))).toEqual([
      'pss-restricted/capabilities',
    ]);
    expect(rules(container({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }))).toEqual([]);
    expect(rules(container({ capabilities: {} }))).toEqual(['pss-restricted/capabilities']);
    expect(rules(container({ runAsUser: 0 }))).toEqual(['pss-restricted/run-as-user']);
    expect(rules(container({ privileged: true }))).toEqual(['pss-restricted/privileged']);
    expect(
      rules({ ...hardened, securityContext: { runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } } }),
    ).toEqual(['pss-restricted/run-as-non-root']);
    expect(rules({ ...hardened, securityContext: { runAsNonRoot: true } })).toEqual(['pss-restricted/seccomp']);
    expect(rules({ ...hardened, hostNetwork: true })).toEqual(['pss-restricted/host-namespaces']);
    expect(rules({ ...hardened, volumes: [{ name: 'h', hostPath: { path: '/' } }] })).toEqual([
      'pss-restricted/volume-types',
    ]);
    expect(
      rules({
        ...hardened,
        securityContext: { ...hardened.securityContext, sysctls: [{ name: 'kernel.msgmax', value: '1' }] },
      }),
    ).toEqual(['pss-restricted/sysctls']);
  });

  test('schema: a wrong type and an unknown kind are findings; a declared external kind is not', () => {
    const bad = pod({ containers: [{ name: 'c', image: 'i:1', ports: [{ containerPort: 'eighty' }] }] });
    expect(checkSchema(bad)).toEqual([
      expect.objectContaining({
        object: 'Deployment n/d',
        field: 'spec.template.spec.containers[0].ports[0].containerPort',
        rule: 'schema/invalid',
      }),
    ]);
    expect(checkSchema(pod(hardened))).toEqual([]);
    const crd: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    expect(checkSchema(crd).map((f) => f.rule)).toEqual(['schema/unknown-kind']);
    expect(checkSchema(crd, new Set(['example.com/v1/Widget']))).toEqual([]);
    const route = (port: unknown): KubeObject => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: { rules: [{ backendRefs: [{ name: 'tgr', port }] }] },
    });
    expect(checkSchema(route(5000))).toEqual([]);
    expect(checkSchema(route('5000')).map((f) => f.field)).toEqual(['spec.rules[0].backendRefs[0].port']);
  });

  test('wiring: a Service that selects nothing, or targets a missing port, is reported', () => {
    const svc = (selector: any, targetPort: any): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'n' },
      spec: { selector, ports: [{ port: 80, targetPort }] },
    });
    expect(checkServiceWiring([pod(hardened), svc({ app: 'a' }, 'http')])).toEqual([]);
    expect(checkServiceWiring([pod(hardened), svc({ app: 'a' }, 80)])).toEqual([]);
    expect(checkServiceWiring([pod(hardened), svc({ app: 'b' }, 'http')]).map((f) => f.rule)).toEqual([
      'wiring/service-selects-pods',
    ]);
    expect(checkServiceWiring([pod(hardened), svc({ app: 'a' }, 'grpc')]).map((f) => f.rule)).toEqual([
      'wiring/service-target-port',
    ]);
  });
});

describe('names', () => {
  test.each([
    ['Zoë Martin', {}, 'zoe-martin'],
    ['--My  App_v2--', {}, 'my-app-v2'],
    ['api.example.com', { keepDots: true }, 'api.example.com'],
    ['api.example.com', {}, 'api-example-com'],
    ['/etc/envoy/', {}, 'etc-envoy'],
    ['ab-cd', { maxLength: 3 }, 'ab'],
    ['!!!', {}, ''],
  ] as const)('slugify(%j, %j) is %j', (text, options, slug) => {
    expect(slugify(text, options)).toBe(slug);
  });

  test('a slug is a DNS-1123 label, whatever the input', () => {
    for (const text of ['ÄÖÜ', 'a'.repeat(100), 'x_-_y', ' 9lives ']) {
      const slug = slugify(text);
      expect(slug.length).toBeLessThanOrEqual(63);
      expect(slug).toMatch(DNS_1123_LABEL);
    }
  });
});

describe('stack constructs', () => {
  test("part-of: the enclosing stack's, else the construct's own app (no other app's name as a fallback)", () => {
    const plain = new Chart(new App(), 'plain');
    expect(new TrendingRepos(plain, 'tgr').partOf).toBe('tgr');
    expect(new WebConsoleJob(plain, 'job').partOf).toBe('webconsole');
    // Inside a ConsoleHub, its Job template is part of the hub's stack.
    expect(new ConsoleHub(plain, 'hub').job.partOf).toBe('consolehub');
    const stack = new StackChart(new App(), 'stack', { partOf: 'class' });
    expect(new TrendingRepos(stack, 'tgr').partOf).toBe('class');
  });

  test('owner labels and standard labels come from one place', () => {
    expect(ownerLabels('dockercoins')).toEqual({
      'app.kubernetes.io/part-of': 'dockercoins',
      'app.kubernetes.io/managed-by': 'workshop-stacks',
    });
    const chart = new Chart(new App(), 'coins');
    const ctx = resolveStackContext(chart, {}, new PropsValidator(chart, 'Test'), 'dockercoins');
    expect(standardLabels(ctx, 'redis', 'cache')).toMatchObject(ownerLabels('dockercoins'));
  });
});
