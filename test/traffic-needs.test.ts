import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import * as os from 'os';
import { stringify } from 'yaml';
import { EXCEPTION_ANNOTATION_PREFIX, formatProblem, validateDocuments, validateObjects } from '../src/checks';
import { WorkshopStacksValidation } from '../src/checks/plugin';
import { KubeObject, parseDocuments, parseManifests } from '../src/manifest';
import {
  DNS_NEEDS,
  NEEDS_ANNOTATION,
  checkAttendeeBoundaries,
  checkNeededFlows,
  declareNeeds,
  parseNeeds,
} from '../src/traffic';

const namespace = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});

const deployment = (
  ns: string,
  name: string,
  needs?: unknown[],
  ports: Array<{ name?: string; containerPort: number }> = [],
): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns, ...(needs ? { annotations: { [NEEDS_ANNOTATION]: JSON.stringify(needs) } } : {}) },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'x:1', ports }] } },
  },
});

const service = (ns: string, name: string, port: number, targetPort: number | string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec: { selector: { app: name }, ports: [{ name: 'web', port, targetPort }] },
});

const policy = (ns: string, name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: ns },
  spec: { podSelector: {}, ...spec },
});

const app = (...more: KubeObject[]) => [
  namespace('n'),
  deployment('n', 'worker', [{ service: 'rng', port: 80 }]),
  deployment('n', 'rng', undefined, [{ name: 'http', containerPort: 8080 }]),
  service('n', 'rng', 80, 'http'),
  policy('n', 'default-deny', { policyTypes: ['Ingress', 'Egress'] }),
  ...more,
];
const workerOut = (port: number) =>
  policy('n', 'worker', {
    podSelector: { matchLabels: { app: 'worker' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ podSelector: { matchLabels: { app: 'rng' } } }], ports: [{ port }] }],
  });
const rngIn = (port: number | string) =>
  policy('n', 'rng', {
    podSelector: { matchLabels: { app: 'rng' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'worker' } } }], ports: [{ port }] }],
  });

describe('needed flows', () => {
  test('a need through a Service holds when both ends allow the target port behind it', () => {
    expect(checkNeededFlows(app(workerOut(8080), rngIn('http')))).toEqual([]);
  });

  test('a blocked need names both ends, the side that blocks and the policies that isolate it', () => {
    const findings = checkNeededFlows(app(workerOut(8080)));
    expect(findings).toEqual([
      {
        object: 'Deployment n/worker',
        field: `metadata.annotations.${NEEDS_ANNOTATION}[0]`,
        rule: 'traffic/needed-flow',
        message:
          'n/worker[Deployment] => n/rng[Deployment] : TCP 8080 is needed but blocked: no ingress rule admits n/worker[Deployment] (NetworkPolicies selecting n/rng[Deployment] for Ingress: n/default-deny): add one',
      },
    ]);
  });

  test('the Service port is checked as the container port it targets, not as itself', () => {
    const [f] = checkNeededFlows(app(workerOut(80), rngIn(80)));
    expect(f.message).toContain(
      'TCP 8080 is needed but blocked: no egress rule allows it (NetworkPolicies selecting n/worker[Deployment] for Egress: n/default-deny, n/worker)',
    );
    expect(f.message).toContain('no ingress rule admits');
  });

  test('validate fails on a blocked need (the check is part of the wiring checks)', () => {
    const { findings } = validateObjects(app(workerOut(8080)), { checks: ['wiring'] });
    expect(findings.map((f) => f.rule)).toContain('traffic/needed-flow');
  });

  test('the cdk8s plugin fails on a blocked need too', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'needs-')), 'app.k8s.yaml');
    fs.writeFileSync(
      file,
      app(workerOut(8080))
        .map((o) => stringify(o))
        .join('---\n'),
    );
    const violations: string[] = [];
    let status = '';
    await new WorkshopStacksValidation({ checks: ['wiring'] }).validate({
      manifests: [file],
      report: {
        addViolation: (v) => {
          violations.push(`${v.ruleName} ${v.violatingResources[0].resourceName}`);
        },
        submit: (s) => {
          status = s;
        },
      },
      logger: { log: () => undefined },
    });
    expect(status).toBe('failure');
    expect(violations).toContain('traffic/needed-flow Deployment n/worker');
  });

  test('needs outside the manifests: a CIDR needs every address, outside some address', () => {
    const hub = (egress: unknown[]) => [
      namespace('n'),
      deployment('n', 'hub', [
        { cidr: '10.0.0.1/32', port: 6443 },
        { outside: true, port: 443 },
      ]),
      policy('n', 'hub', { policyTypes: ['Egress'], egress }),
    ];
    expect(checkNeededFlows(hub([{ ports: [{ port: 443 }, { port: 6443 }] }]))).toEqual([]);
    const blocked = checkNeededFlows(
      hub([
        { to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/24'] } }], ports: [{ port: 443 }, { port: 6443 }] },
      ]),
    );
    expect(blocked.map((f) => f.message)).toEqual([
      expect.stringContaining('n/hub[Deployment] => 10.0.0.1/32 : TCP 6443 is needed but blocked'),
    ]);
  });

  test('pods the manifests do not hold (kube-dns) are needed by namespace and labels', () => {
    const dns = {
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        },
      ],
      ports: [{ port: 53, protocol: 'UDP' }, { port: 53 }],
    };
    const needs = [
      { pods: 'kube-system/k8s-app=kube-dns', port: 53, protocol: 'UDP' },
      { pods: 'kube-system/k8s-app=kube-dns', port: 53 },
    ];
    const objects = (egress: unknown[]) => [
      namespace('n'),
      deployment('n', 'a', needs),
      policy('n', 'a', { policyTypes: ['Egress'], egress }),
    ];
    expect(checkNeededFlows(objects([dns]))).toEqual([]);
    expect(
      checkNeededFlows(objects([{ ...dns, ports: [{ port: 53, protocol: 'UDP' }] }])).map((f) => f.message),
    ).toEqual([
      'n/a[Deployment] => kube-system/[pod with {k8s-app=kube-dns}] : TCP 53 is needed but blocked: no egress rule allows it (NetworkPolicies selecting n/a[Deployment] for Egress: n/a): add one',
    ]);
    const chart = new Chart(new App(), 'c');
    const d = new k8s.KubeDeployment(chart, 'd', { metadata: { name: 'd' }, spec: { selector: {}, template: {} } });
    declareNeeds(d, DNS_NEEDS);
    expect(parseNeeds(d.toJson().metadata.annotations[NEEDS_ANNOTATION])).toEqual(needs);
  });

  test('a need of something not in the manifests, or a malformed annotation, is a finding', () => {
    expect(checkNeededFlows([deployment('n', 'a', [{ service: 'nope', port: 80 }])])[0].message).toBe(
      'needs Service n/nope, which is not in the manifests',
    );
    expect(checkNeededFlows([deployment('n', 'a', [{ workload: 'm/b', port: 80 }])])[0].message).toBe(
      'needs workload m/b, which is not in the manifests',
    );
    expect(
      checkNeededFlows([deployment('n', 'a', [{ service: 'x', cidr: '1.2.3.4/32', port: 80 }])])[0].message,
    ).toMatch(/entry 0: needs exactly one of service, workload, pods, cidr, outside/);
    expect(() => parseNeeds('[{"pods":"kube-system","port":53}]')).toThrow(
      'entry 0: pods must be namespace/key=value[,key=value], got "kube-system"',
    );
    expect(() => parseNeeds('{"service":"x"}')).toThrow('must be a JSON array');
    expect(() => parseNeeds('[{"service":"x","port":0}]')).toThrow('entry 0: port must be 1-65535 or a port name');
  });

  test('declareNeeds writes the annotation in code, adding to what was declared', () => {
    const chart = new Chart(new App(), 'c');
    const d = new k8s.KubeDeployment(chart, 'd', { metadata: { name: 'd' }, spec: { selector: {}, template: {} } });
    declareNeeds(d, [{ to: { service: { name: 'rng', namespace: 'n' } }, port: 80 }]);
    declareNeeds(d, [{ to: { outside: true }, port: 53, protocol: 'UDP' }]);
    expect(parseNeeds(d.toJson().metadata.annotations[NEEDS_ANNOTATION])).toEqual([
      { service: 'n/rng', port: 80 },
      { outside: true, port: 53, protocol: 'UDP' },
    ]);
  });
});

test('an ipBlock that is not a CIDR is a finding, and matches nothing', () => {
  const objects = [
    policy('n', 'p', { ingress: [{ from: [{ ipBlock: { cidr: 'bogus', except: ['10.0.0.0/8', '10.1/16'] } }] }] }),
  ];
  expect(
    validateObjects(objects, { checks: ['wiring'] })
      .findings.filter((f) => f.rule === 'traffic/ip-block')
      .map((f) => `${f.field}: ${f.message}`),
  ).toEqual([
    'spec.ingress[0].from[0].ipBlock.cidr: "bogus" is not a CIDR such as 10.0.0.0/8',
    'spec.ingress[0].from[0].ipBlock.except[1]: "10.1/16" is not a CIDR such as 10.0.0.0/8',
  ]);
});

test('traffic findings are like every other: they name file and document, and an exception on the object excuses them', () => {
  const bad = policy('n', 'p', { ingress: [{ from: [{ ipBlock: { cidr: 'bogus' } }] }] });
  const docs = parseDocuments(stringify(namespace('n')) + '---\n' + stringify(bad), 'policies.yaml');
  expect(validateDocuments(docs, { checks: ['wiring'] }).problems.map(formatProblem)).toEqual([
    'policies.yaml document 1 (NetworkPolicy n/p): spec.ingress[0].from[0].ipBlock.cidr: [traffic/ip-block] "bogus" is not a CIDR such as 10.0.0.0/8',
  ]);
  bad.metadata.annotations = {
    [`${EXCEPTION_ANNOTATION_PREFIX}traffic.ip-block`]: 'a placeholder filled in at apply time',
  };
  const excused = validateObjects([namespace('n'), bad], { checks: ['wiring'] });
  expect([excused.findings, excused.exceptions.map((e) => e.rule)]).toEqual([[], ['traffic/ip-block']]);
});

describe('the needs the constructs declare, over dist/', () => {
  const dist = (app: string) =>
    parseManifests(fs.readFileSync(path.join(__dirname, '..', 'dist', `${app}.k8s.yaml`), 'utf8'));
  const needsOf = (objects: KubeObject[], name: string) =>
    parseNeeds(
      objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!.metadata.annotations![NEEDS_ANNOTATION],
    );

  test("each app declares what it dials, and today's policies allow all of it", () => {
    const dockercoins = dist('dockercoins');
    expect(needsOf(dockercoins, 'worker')).toEqual(
      expect.arrayContaining([
        { service: 'dockercoins/rng', port: 80 },
        { service: 'dockercoins/hasher', port: 80 },
        { service: 'dockercoins/redis', port: 6379 },
      ]),
    );
    expect(needsOf(dockercoins, 'webui')).toEqual(
      expect.arrayContaining([{ service: 'dockercoins/redis', port: 6379 }]),
    );
    expect(needsOf(dist('consolehub'), 'consolehub')).toEqual(
      expect.arrayContaining([
        { workload: 'consolehub/webconsole-*', port: 5000 },
        { outside: true, port: 6443 },
      ]),
    );
    expect(needsOf(dist('api-gateway'), 'api-gateway')).toEqual(
      expect.arrayContaining([{ service: 'api-gateway/tgr', port: 5000 }]),
    );
    for (const app of ['dockercoins', 'webconsole', 'consolehub', 'api-gateway', 'classroom'])
      expect(checkNeededFlows(dist(app))).toEqual([]);
  });

  test('a policy that cuts a needed flow fails validate, naming both ends and the policy', () => {
    // rng's policy loses its ingress rule: the worker can no longer reach it.
    const objects = dist('dockercoins').map((o) =>
      o.kind === 'NetworkPolicy' && o.metadata.name === 'rng'
        ? { ...o, spec: { ...(o.spec as object), ingress: [] } }
        : o,
    );
    expect(
      validateObjects(objects)
        .findings.filter((f) => f.rule === 'traffic/needed-flow')
        .map((f) => `${f.object}: ${f.message}`),
    ).toEqual([
      'Deployment dockercoins/worker: dockercoins/worker[Deployment] => dockercoins/rng[DaemonSet] : TCP 80 is needed but blocked: no ingress rule admits dockercoins/worker[Deployment] (NetworkPolicies selecting dockercoins/rng[DaemonSet] for Ingress: dockercoins/default-deny, dockercoins/rng): add one',
    ]);
  });
});

describe('attendee boundaries', () => {
  const attendee = (name: string) => namespace(name, { 'workshop-stacks.io/attendee': name });
  const deny = (ns: string) => policy(ns, 'default-deny', { policyTypes: ['Ingress', 'Egress'] });

  test('an attendee may name any port of their own pods: a named port admits the whole protocol', () => {
    const findings = checkAttendeeBoundaries([
      attendee('alice'),
      attendee('bob'),
      deny('alice'),
      policy('alice', 'in', { ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 'http' }] }] }),
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'bob/[any pod] => alice/[any pod] : TCP 1-65535 crosses from attendee bob to attendee alice',
    ]);
  });

  test('isolated attendee namespaces: nothing crosses', () => {
    expect(
      checkAttendeeBoundaries([
        attendee('alice'),
        attendee('bob'),
        deployment('alice', 'web'),
        deployment('bob', 'web'),
        deny('alice'),
        deny('bob'),
      ]),
    ).toEqual([]);
  });

  test('a namespace that denies only ingress lets its pods out to an open namespace: a finding per crossing', () => {
    const findings = checkAttendeeBoundaries([
      attendee('alice'),
      attendee('bob'),
      deployment('alice', 'web'),
      deployment('bob', 'web'),
      policy('alice', 'deny-in', { policyTypes: ['Ingress'] }),
    ]);
    expect(findings.map((f) => `${f.object}: ${f.message}`)).toEqual([
      'Deployment alice/web: alice/web[Deployment] => bob/web[Deployment] : All Connections crosses from attendee alice to attendee bob',
      'Deployment alice/web: alice/web[Deployment] => bob/[any pod] : All Connections crosses from attendee alice to attendee bob',
      'Namespace alice: alice/[any pod] => bob/web[Deployment] : All Connections crosses from attendee alice to attendee bob',
      'Namespace alice: alice/[any pod] => bob/[any pod] : All Connections crosses from attendee alice to attendee bob',
    ]);
  });

  test('the pods an attendee creates may carry any labels: a policy for some labels is enough to cross', () => {
    const findings = checkAttendeeBoundaries([
      attendee('alice'),
      attendee('bob'),
      deployment('alice', 'web'),
      deny('alice'),
      deny('bob'),
      policy('bob', 'debug-out', {
        podSelector: { matchLabels: { debug: 'true' } },
        egress: [{ to: [{ namespaceSelector: {} }] }],
      }),
      policy('alice', 'web-in', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 80 }] }],
      }),
    ]);
    expect(findings.map((f) => [f.object, f.rule, f.message])).toEqual([
      [
        'Namespace bob',
        'traffic/attendee-boundary',
        'bob/[any pod] => alice/web[Deployment] : TCP 80 crosses from attendee bob to attendee alice',
      ],
      [
        'Namespace bob',
        'traffic/attendee-boundary',
        'bob/[any pod] => alice/[any pod] : TCP 80 crosses from attendee bob to attendee alice',
      ],
    ]);
  });
});

describe('exposure beyond the declared needs', () => {
  const beyond = (objects: KubeObject[]) =>
    validateObjects(objects, { checks: ['wiring'] })
      .findings.filter((f) => f.rule === 'traffic/exposure-beyond-needs')
      .map((f) => f.message);
  const egress = (to: unknown[] | undefined, ports: unknown[]) =>
    policy('n', 'out', { policyTypes: ['Egress'], egress: [{ ...(to ? { to } : {}), ports }] });
  const dns = {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
    podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
  };
  const dnsNeeds = [{ pods: 'kube-system/k8s-app=kube-dns', port: 53, protocol: 'UDP' }];

  test.each<[string, KubeObject[], string[]]>([
    [
      'egress no policy isolates is not checked (the stacks render no policies when asked not to)',
      [namespace('n'), deployment('n', 'w', dnsNeeds)],
      [],
    ],
    [
      'a rule to the entire cluster is wider than a need of some pods',
      [
        namespace('n'),
        deployment('n', 'w', dnsNeeds),
        egress([{ namespaceSelector: {} }], [{ port: 53, protocol: 'UDP' }]),
      ],
      [
        'n/w[Deployment] => entire-cluster : UDP 53 is allowed but no need declares it: narrow the egress rule that allows it',
      ],
    ],
    [
      'a rule to exactly the pods a need names is not',
      [namespace('n'), deployment('n', 'w', dnsNeeds), egress([dns], [{ port: 53, protocol: 'UDP' }])],
      [],
    ],
    [
      'a port to those pods that no need names is',
      [
        namespace('n'),
        deployment('n', 'w', dnsNeeds),
        egress(
          [dns],
          [
            { port: 53, protocol: 'UDP' },
            { port: 53, protocol: 'TCP' },
          ],
        ),
      ],
      [
        'n/w[Deployment] => kube-system/[pod with {k8s-app=kube-dns}] : TCP 53 is allowed but no need declares it: narrow the egress rule that allows it',
      ],
    ],
    [
      'a need of addresses covers a rule without peers on its port (how unknown addresses are reached)',
      [namespace('n'), deployment('n', 'w', [{ outside: true, port: 443 }]), egress(undefined, [{ port: 443 }])],
      [],
    ],
    ['a workload without declared needs is not checked', [namespace('n'), deployment('n', 'w')], []],
  ])('%s', (_rule, objects, expected) => {
    expect(beyond(objects)).toEqual(expected);
  });

  test('the apps of dist/ are exposed to no more than they declare', () => {
    const dist = path.join(__dirname, '..', 'dist');
    for (const file of fs.readdirSync(dist)) {
      expect({ file, findings: beyond(parseManifests(fs.readFileSync(path.join(dist, file), 'utf8'))) }).toEqual({
        file,
        findings: [],
      });
    }
  });
});
