import { ApiObject, App, JsonPatch } from 'cdk8s';
import { Classroom, ClassroomProps, MINIKUBE_POD_NETWORK_CIDR, normalizeAttendeeName } from '../constructs/classroom';
import { ACCOUNT_LABEL, ATTENDEE_LABEL, CLASSROOM_LABEL } from '../src/manifest/labels';
import { Dockercoins } from '../constructs/dockercoins';
import { formatFinding, validateObjects } from '../src/checks';
import { matchesSelector } from '../src/manifest/selector';
import { KubeObject, parseManifests } from '../src/manifest';
import { Profile } from '../src/profile';
import { RESTRICTED_NAMESPACE_LABELS } from '../src/namespace';
import { StackChart } from '../src/stack-chart';
import { synthYaml } from '../src/synth';
import { PROFILES, expectInvalidProp, findObject } from './helpers';

const ALL_STACKS: ClassroomProps['stacks'] = {
  dockercoins: true,
  webconsole: true,
  apiGateway: true,
  consolehub: true,
};

function classroom(props: Partial<ClassroomProps> = {}, profile: Profile = 'local'): KubeObject[] {
  const app = new App();
  new Classroom(app, 'class', { attendees: ['Alice', 'Bob', 'Zoë Martin'], profile, ...props });
  return parseManifests(synthYaml(app));
}

const build = (props: Partial<ClassroomProps>) => () =>
  new Classroom(new App(), 'class', { attendees: ['a'], ...props });
/** Builds and synthesizes: the quota-fit check is a construct validation, run at synth time. */
const synthesize = (props: Partial<ClassroomProps>) => () => {
  const app = new App();
  new Classroom(app, 'class', { attendees: ['a'], ...props });
  return synthYaml(app);
};

const attendeeNamespaces = (objects: readonly KubeObject[]) =>
  objects.filter((o) => o.kind === 'Namespace' && o.metadata.labels?.[ATTENDEE_LABEL]);

// ---- what a NetworkPolicy lets through, read the way the API server reads it ----

type Peer = { podSelector?: any; namespaceSelector?: any; ipBlock?: { cidr: string; except?: string[] } };

function ipv4Range(cidr: string): [number, number] {
  const [address, bits] = cidr.split('/');
  const base = address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(bits));
  return [base - (base % size), base - (base % size) + size - 1];
}

/** Whether an ipBlock may match some address of the pod network (IPv4 only here). */
function blockReachesPods(block: { cidr: string; except?: string[] }, podNetwork: string): boolean {
  if (block.cidr.includes(':')) return false;
  const [lo, hi] = ipv4Range(block.cidr);
  const [podLo, podHi] = ipv4Range(podNetwork);
  if (hi < podLo || lo > podHi) return false;
  return !(block.except ?? []).some((e) => {
    const [elo, ehi] = ipv4Range(e);
    return elo <= podLo && ehi >= podHi;
  });
}

/** Whether a rule's peers (its `from` or `to`) may include pods of namespace `other`, for a policy in `own`. */
function peersInclude(peers: Peer[] | undefined, own: string, other: KubeObject): boolean {
  if (!peers || peers.length === 0) return true; // no peers: every source or destination
  const labels = { ...other.metadata.labels, 'kubernetes.io/metadata.name': other.metadata.name! };
  return peers.some((p) => {
    if (p.ipBlock) return blockReachesPods(p.ipBlock, MINIKUBE_POD_NETWORK_CIDR);
    if (p.namespaceSelector) return matchesSelector(p.namespaceSelector, labels);
    return own === other.metadata.name;
  });
}

/** `policy-name: ingress from ns` / `egress to ns` for every way a policy opens its namespace to another attendee's. */
function crossings(objects: readonly KubeObject[]): string[] {
  const namespaces = attendeeNamespaces(objects);
  return objects
    .filter((o) => o.kind === 'NetworkPolicy')
    .flatMap((policy) => {
      const own = policy.metadata.namespace!;
      const spec = policy.spec as any;
      return namespaces
        .filter((ns) => ns.metadata.name !== own)
        .flatMap((other) => [
          ...(spec.ingress ?? [])
            .filter((r: any) => peersInclude(r.from, own, other))
            .map(() => `${own}/${policy.metadata.name}: ingress from ${other.metadata.name}`),
          ...(spec.egress ?? [])
            .filter((r: any) => peersInclude(r.to, own, other))
            .map(() => `${own}/${policy.metadata.name}: egress to ${other.metadata.name}`),
        ]);
    });
}

describe('Classroom: one isolated namespace per attendee', () => {
  const objects = classroom({ stacks: ALL_STACKS });
  const namespaces = attendeeNamespaces(objects);

  test('a Namespace per attendee, enforcing PSS restricted, labelled and annotated with the attendee', () => {
    expect(namespaces.map((ns) => ns.metadata.name)).toEqual(['class-alice', 'class-bob', 'class-zoe-martin']);
    for (const ns of namespaces) {
      expect(ns.metadata.labels).toMatchObject({ ...RESTRICTED_NAMESPACE_LABELS, [CLASSROOM_LABEL]: 'class' });
    }
    expect(namespaces[2].metadata.labels![ATTENDEE_LABEL]).toBe('zoe-martin');
    expect(namespaces[2].metadata.annotations).toEqual({ 'workshop-stacks.io/attendee-name': 'Zoë Martin' });
  });

  test('every other object lives in an attendee namespace and carries that attendee’s label; nothing is cluster-wide', () => {
    const byNamespace = new Map(namespaces.map((ns) => [ns.metadata.name, ns.metadata.labels![ATTENDEE_LABEL]]));
    for (const obj of objects.filter((o) => o.kind !== 'Namespace')) {
      expect([obj.kind, obj.metadata.name, obj.metadata.labels?.[ATTENDEE_LABEL]]).toEqual([
        obj.kind,
        obj.metadata.name,
        byNamespace.get(obj.metadata.namespace),
      ]);
    }
    const keys = objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('each attendee’s ServiceAccount is bound to edit by a RoleBinding in their namespace only', () => {
    expect(objects.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'ClusterRole')).toEqual([]);
    for (const ns of namespaces.map((n) => n.metadata.name!)) {
      const accounts = objects.filter(
        (o) => o.kind === 'ServiceAccount' && o.metadata.labels?.[ACCOUNT_LABEL] === 'attendee',
      );
      const account = accounts.find((a) => a.metadata.namespace === ns)!;
      expect(account).toMatchObject({ metadata: { name: 'attendee' }, automountServiceAccountToken: false });
      const bindings = objects.filter(
        (o) => o.kind === 'RoleBinding' && (o.subjects as any[]).some((s) => s.name === 'attendee'),
      );
      const own = bindings.filter((b) => (b.subjects as any[]).some((s) => s.namespace === ns));
      expect(own).toHaveLength(1);
      expect(own[0]).toMatchObject({
        metadata: { namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
        subjects: [{ kind: 'ServiceAccount', name: 'attendee', namespace: ns }],
      });
    }
  });

  test('access: workshop binds a Role of its own with no wildcard, no Secrets and no write on NetworkPolicies or RBAC', () => {
    const narrow = classroom({ access: 'workshop' });
    const role = findObject(narrow, 'Role', 'attendee', 'class-bob');
    expect(findObject(narrow, 'RoleBinding', 'attendee', 'class-bob').roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'attendee',
    });
    const rules = role.rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
    expect(JSON.stringify(rules)).not.toContain('*');
    const writes = (resource: string) =>
      rules.some((r) => r.resources.includes(resource) && r.verbs.some((v) => !['get', 'list', 'watch'].includes(v)));
    for (const resource of [
      'networkpolicies',
      'resourcequotas',
      'limitranges',
      'serviceaccounts',
      'roles',
      'rolebindings',
    ])
      expect([resource, writes(resource)]).toEqual([resource, false]);
    for (const resource of ['deployments', 'services', 'pods', 'jobs'])
      expect([resource, writes(resource)]).toEqual([resource, true]);
    expect(rules.some((r) => r.resources.some((x) => x.startsWith('secrets') || x === 'serviceaccounts/token'))).toBe(
      false,
    );
  });

  test('no NetworkPolicy in an attendee namespace admits, or lets a pod reach, another attendee’s namespace', () => {
    expect(crossings(objects)).toEqual([]);
    // Every attendee namespace has exactly one namespace-wide default deny, both ways.
    for (const ns of namespaces.map((n) => n.metadata.name)) {
      const denies = objects.filter(
        (o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === ns && o.metadata.name === 'default-deny',
      );
      expect(denies.map((d) => d.spec)).toEqual([{ podSelector: {}, policyTypes: ['Ingress', 'Egress'] }]);
    }
  });

  test('the isolation check can fail: stacks deployed side by side without a classroom let each other in', () => {
    const app = new App();
    for (const ns of ['class-alice', 'class-bob']) {
      const chart = new StackChart(app, ns, { labels: { [ATTENDEE_LABEL]: ns } });
      new Dockercoins(chart, 'dockercoins', { webuiNodePort: 'auto' });
    }
    expect(crossings(parseManifests(synthYaml(app)))).toContain('class-alice/webui: ingress from class-bob');
  });

  test('front doors admit the attendee’s namespace and every address outside the pod network', () => {
    const webui = findObject(objects, 'NetworkPolicy', 'webui', 'class-bob').spec as any;
    expect(webui.ingress).toEqual([
      {
        from: [{ ipBlock: { cidr: '0.0.0.0/0', except: [MINIKUBE_POD_NETWORK_CIDR] } }, { podSelector: {} }],
        ports: [{ port: 80, protocol: 'TCP' }],
      },
    ]);
    const custom = classroom({ stacks: { webconsole: true }, podNetworkCidrs: ['10.42.0.0/16', 'fd00:42::/56'] });
    expect((findObject(custom, 'NetworkPolicy', 'webconsole', 'class-alice').spec as any).ingress[0].from).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0', except: ['10.42.0.0/16'] } },
      { ipBlock: { cidr: '::/0', except: ['fd00:42::/56'] } },
      { podSelector: {} },
    ]);
  });

  test('the attendee’s own pods get traffic within the namespace and outside the pod network; the stacks’ pods do not', () => {
    const own = findObject(objects, 'NetworkPolicy', 'attendee-workloads', 'class-alice').spec as any;
    expect(own.podSelector).toEqual({
      matchExpressions: [
        { key: 'app.kubernetes.io/managed-by', operator: 'NotIn', values: ['workshop-stacks'] },
        { key: 'managed-by', operator: 'NotIn', values: ['provisioner'] },
      ],
    });
    const stackPods = objects
      .filter((o) => ['Deployment', 'DaemonSet'].includes(o.kind))
      .map((o) => (o.spec as any).template.metadata.labels);
    expect(stackPods.length).toBeGreaterThan(0);
    for (const labels of [...stackPods, { uname: 'alice', 'managed-by': 'provisioner' }])
      expect(matchesSelector(own.podSelector, labels)).toBe(false);
    expect(matchesSelector(own.podSelector, { app: 'webconsole' })).toBe(true);
    expect(classroom({ ownWorkloadTraffic: false }).some((o) => o.metadata.name === 'attendee-workloads')).toBe(false);
  });

  test('no Service pins a node port: the cluster assigns them, since N attendees cannot share one', () => {
    const services = objects.filter((o) => o.kind === 'Service');
    expect(services.filter((s) => (s.spec as any).type === 'NodePort').length).toBe(3 * 4);
    for (const svc of services)
      expect([svc.metadata.name, (svc.spec as any).ports[0].nodePort]).toEqual([svc.metadata.name, undefined]);
  });

  test('consolehub creates its users’ Jobs in the attendee’s namespace, under the classroom’s quota instead of its own', () => {
    const role = findObject(objects, 'Role', 'consolehub', 'class-alice');
    expect(role.metadata.namespace).toBe('class-alice');
    const inAlice = objects.filter((o) => o.metadata.namespace === 'class-alice');
    expect(
      inAlice
        .filter((o) => o.kind === 'ResourceQuota' || o.kind === 'LimitRange')
        .map((o) => `${o.kind}/${o.metadata.name}`),
    ).toEqual(['ResourceQuota/attendee', 'LimitRange/attendee']);
    expect(objects.some((o) => o.kind === 'Namespace' && o.metadata.name === 'default')).toBe(false);
  });

  test.each(PROFILES)(
    '%s: every object passes the schema, wiring and policy checks, PSS restricted included',
    (profile) => {
      const { findings } = validateObjects(classroom({ stacks: ALL_STACKS, access: 'workshop' }, profile));
      expect(findings.map(formatFinding)).toEqual([]);
    },
  );
});

describe('Classroom quotas', () => {
  test('each attendee has a ResourceQuota on CPU, memory, pods, Services and Jobs, and container defaults', () => {
    const objects = classroom();
    for (const ns of ['class-alice', 'class-bob', 'class-zoe-martin']) {
      expect(findObject(objects, 'ResourceQuota', 'attendee', ns).spec).toEqual({
        hard: {
          'requests.cpu': '1',
          'limits.cpu': '8',
          'requests.memory': '1Gi',
          'limits.memory': '4Gi',
          pods: 25,
          services: 10,
          'count/jobs.batch': 5,
        },
      });
      expect(findObject(objects, 'LimitRange', 'attendee', ns).spec).toEqual({
        limits: [
          {
            type: 'Container',
            default: { cpu: '250m', memory: '256Mi' },
            defaultRequest: { cpu: '50m', memory: '64Mi' },
          },
        ],
      });
    }
  });

  test('quotas and container defaults scale with the profile, as the stacks’ resources do', () => {
    const objects = classroom({ quota: { pods: 40, cpu: { request: '2', limit: '4' } } }, 'cloud');
    expect(findObject(objects, 'ResourceQuota', 'attendee', 'class-bob').spec).toMatchObject({
      hard: { 'requests.cpu': '4', 'limits.cpu': '8', 'limits.memory': '8Gi', pods: 40 },
    });
    expect((findObject(objects, 'LimitRange', 'attendee', 'class-bob').spec as any).limits[0].default).toEqual({
      cpu: '500m',
      memory: '512Mi',
    });
  });

  test('stacks that do not fit in the quota fail at synth time, naming the field and what they need', () => {
    const stacks = { dockercoins: { workerReplicas: 10 } };
    // 14 pods running (redis, rng, hasher, webui and 10 workers) and one more during a rollout.
    expectInvalidProp(
      synthesize({ stacks, quota: { pods: 14 } }),
      "Classroom 'class'",
      'quota.pods',
      /must allow the 15 pods .*got 14/,
    );
    expect(synthesize({ stacks, quota: { pods: 15 } })).not.toThrow();
    // Limits: redis 256Mi and 13 others x 128Mi, plus the dearest rollout's extra pod (redis's): 2176Mi.
    expectInvalidProp(
      synthesize({ stacks, quota: { memory: { request: '1Gi', limit: '2175Mi' } } }),
      "Classroom 'class'",
      'quota.memory.limit',
      /2176Mi of memory limits/,
    );
    expect(synthesize({ stacks, quota: { memory: { request: '1Gi', limit: '2176Mi' } } })).not.toThrow();
    expectInvalidProp(
      synthesize({ stacks, quota: { cpu: { request: '500m', limit: '8' } } }),
      "Classroom 'class'",
      'quota.cpu.request',
      /750m of cpu requests/,
    );
    expectInvalidProp(
      synthesize({ stacks: { dockercoins: true, webconsole: true }, quota: { services: 4 } }),
      "Classroom 'class'",
      'quota.services',
      /5 services/,
    );
    expectInvalidProp(
      synthesize({ stacks: { consolehub: { maxSessions: 6 } } }),
      "Classroom 'class'",
      'quota.jobs',
      /6 jobs .*6 consolehub consoles.*got 5/,
    );
  });
  test('the quota fit is checked at synth time, so changes made after construction count', () => {
    const app = new App();
    const room = new Classroom(app, 'class', {
      attendees: ['a', 'b'],
      stacks: { dockercoins: true },
      quota: { pods: 7 },
    });
    expect(() => synthYaml(app)).not.toThrow();
    // Scaling one attendee's worker by patching its Deployment: ApiObject.of reaches it through the construct.
    ApiObject.of(room.attendees[1].stacks.dockercoins!.workloads.worker).addJsonPatch(
      JsonPatch.replace('/spec/replicas', 3),
    );
    expectInvalidProp(() => synthYaml(app), "Classroom 'class'", 'quota.pods', /must allow the 8 pods/);
  });

  test('invalid quotas and defaults fail naming the field', () => {
    expectInvalidProp(
      build({ quota: { cpu: { request: 'lots', limit: '1' } } }),
      "Classroom 'class'",
      'quota.cpu.request',
      /quantity/,
    );
    expectInvalidProp(
      build({ quota: { memory: { request: '2Gi', limit: '1Gi' } } }),
      "Classroom 'class'",
      'quota.memory.request',
      /must not exceed the limit/,
    );
    expectInvalidProp(
      build({ containerDefaults: { cpu: { request: '1', limit: '500m' }, memory: { request: '1Mi', limit: '1Mi' } } }),
      "Classroom 'class'",
      'containerDefaults.cpu.request',
      /must not exceed/,
    );
    expectInvalidProp(build({ quota: { pods: 0 } }), "Classroom 'class'", 'quota.pods', /integer/);
    expectInvalidProp(build({ podNetworkCidrs: ['10.244.0.0'] }), "Classroom 'class'", 'podNetworkCidrs[0]', /CIDR/);
    expectInvalidProp(
      build({ podNetworkCidrs: ['0.0.0.0/0'] }),
      "Classroom 'class'",
      'podNetworkCidrs[0]',
      /every address/,
    );
    expectInvalidProp(build({ access: 'admin' as any }), "Classroom 'class'", 'access', /edit, workshop/);
  });
});

describe('Classroom attendee names', () => {
  test.each([
    ['Alice', 'alice'],
    ['Zoë Martin', 'zoe-martin'],
    ['  O’Brien, Pat (2nd) ', 'o-brien-pat-2nd'],
    ['ÅSA_ÖBERG', 'asa-oberg'],
    ['---', ''],
    ['日本', ''],
  ])('%j becomes %j', (name, label) => {
    expect(normalizeAttendeeName(name)).toBe(label);
  });

  test('names are capped so that the namespace stays a DNS label, without a trailing dash', () => {
    // 63 characters in all: 57 after `class-`, which would end in the dash between the two words.
    const [attendee] = new Classroom(new App(), 'class', { attendees: [`${'a'.repeat(56)} ${'b'.repeat(20)}`] })
      .attendees;
    expect(attendee.namespace).toBe(`class-${'a'.repeat(56)}`);
    expect(normalizeAttendeeName('ab-cd', 3)).toBe('ab');
  });

  test('names that collide once normalized fail, naming both', () => {
    expectInvalidProp(
      build({ attendees: ['Zoë', 'Bob', 'zoe'] }),
      "Classroom 'class'",
      'attendees[2]',
      /"zoe" and "Zoë" both become "zoe"/,
    );
    const long = 'x'.repeat(70);
    expectInvalidProp(build({ attendees: [long, `${long}y`] }), "Classroom 'class'", 'attendees[1]', /both become/);
  });

  test('names with nothing left, or that would be a system namespace, fail', () => {
    expectInvalidProp(
      build({ attendees: ['Ann', '!!!'] }),
      "Classroom 'class'",
      'attendees[1]',
      /"!!!" has no letter or digit/,
    );
    expectInvalidProp(build({ attendees: [] }), "Classroom 'class'", 'attendees', /at least one/);
    expectInvalidProp(
      build({ attendees: ['Kube System'], namespacePrefix: '' }),
      "Classroom 'class'",
      'attendees[0]',
      /system/,
    );
    expectInvalidProp(build({ namespacePrefix: 'Class_' }), "Classroom 'class'", 'namespacePrefix', /lower-case/);
  });

  test('{ count, prefix } numbers the attendees from 1, zero-padded to sort', () => {
    const names = (attendees: ClassroomProps['attendees']) =>
      new Classroom(new App(), 'c', { attendees }).attendees.map((a) => a.namespace);
    expect(names({ count: 3 })).toEqual(['c-attendee-1', 'c-attendee-2', 'c-attendee-3']);
    expect(names({ count: 12, prefix: 'Team ' }).slice(0, 2)).toEqual(['c-team-01', 'c-team-02']);
    expectInvalidProp(build({ attendees: { count: 0 } }), "Classroom 'class'", 'attendees.count', /integer/);
  });
});
