import { createHash } from 'crypto';
import * as path from 'path';
import { App, Chart, Duration } from 'cdk8s';
import { parse } from 'yaml';
import { ConsoleHub, ConsoleHubProps } from '../constructs/consolehub';
import { WebConsoleJob } from '../constructs/webconsole-job';
import { formatFinding, validateObjects } from '../src/checks';
import { checkPodSecurityRestricted } from '../src/checks/pss';
import { checkSchema } from '../src/checks/schema';
import { checkServiceWiring } from '../src/checks/wiring';
import { selects } from '../src/manifest/selector';
import { KubeObject } from '../src/manifest';
import { PROFILES, expectInvalidProp, findObject, podSpec, synthStack } from './helpers';

const HUB_NS = 'hub';
const synth = (props: ConsoleHubProps = {}, chartProps = {}) =>
  synthStack((chart) => new ConsoleHub(chart, 'hub', props), { namespace: HUB_NS, ...chartProps });
const workshopHub = (props: ConsoleHubProps = {}, chartProps = {}) => synth({ hub: 'workshop', ...props }, chartProps);
const hubPod = (objects: KubeObject[]) => podSpec(findObject(objects, 'Deployment', 'consolehub'));

/** Reads `job-template.yaml` the way the hub does: through its mount, from its working directory. */
function mountedTemplate(objects: KubeObject[]): any {
  const spec = hubPod(objects);
  const container = spec.containers[0];
  const opened = path.posix.resolve(container.workingDir, 'job-template.yaml');
  const mount = container.volumeMounts.find((m: any) => m.mountPath === opened);
  expect(mount).toBeDefined();
  const volume = spec.volumes.find((v: any) => v.name === mount.name);
  const configMap = findObject(objects, 'ConfigMap', volume.configMap.name, HUB_NS);
  return parse((configMap.data as any)[mount.subPath]);
}

/** What the hub does before it creates the Job (`POST /api/<uname>/start/`). */
function asTheHubStartsIt(template: any, uname: string): KubeObject {
  const job = structuredClone(template);
  job.metadata = { name: `webconsole-${uname}` };
  job.spec.template.metadata = { labels: { uname: uname, 'managed-by': 'provisioner' } };
  return job;
}

describe("ConsoleHub with the workshop's hub image (hub: workshop, opt-in)", () => {
  test('a Deployment and a Service named consolehub on 5000 (api), NodePort locally, LoadBalancer in the cloud', () => {
    const objects = workshopHub();
    expect(hubPod(objects).containers[0].ports).toEqual([{ name: 'api', containerPort: 5000, protocol: 'TCP' }]);
    const svc = findObject(objects, 'Service', 'consolehub', HUB_NS).spec as any;
    expect(svc.ports).toEqual([{ name: 'api', port: 5000, targetPort: 'api', protocol: 'TCP' }]);
    expect(svc.type).toBe('NodePort');
    expect((findObject(workshopHub({}, { profile: 'cloud' }), 'Service', 'consolehub').spec as any).type).toBe(
      'LoadBalancer',
    );
    expect(checkServiceWiring(objects)).toEqual([]);
  });

  test.each(PROFILES)(
    '%s: every object passes the schema and every pod, the users’ included, PSS restricted',
    (profile) => {
      const objects = workshopHub({}, { profile });
      const template = mountedTemplate(objects);
      const findings = [...objects, template, asTheHubStartsIt(template, 'alice')].flatMap((o) => [
        ...checkSchema(o),
        ...checkPodSecurityRestricted(o),
      ]);
      expect(findings.map(formatFinding)).toEqual([]);
    },
  );

  test.each(PROFILES)(
    "%s: runs the workshop's consolehub:v1 and this project's console, both built locally and never pulled",
    (profile) => {
      const objects = workshopHub({}, { profile });
      expect(hubPod(objects).containers[0]).toMatchObject({ image: 'consolehub:v1', imagePullPolicy: 'Never' });
      expect(mountedTemplate(objects).spec.template.spec.containers[0]).toMatchObject({
        image: 'workshop-stacks/webconsole:v1',
        imagePullPolicy: 'Never',
      });
    },
  );

  test('registry applies to both images unless job.registry overrides it', () => {
    const image = (props: ConsoleHubProps) => {
      const objects = workshopHub(props);
      return [hubPod(objects).containers[0].image, mountedTemplate(objects).spec.template.spec.containers[0].image];
    };
    expect(image({ registry: 'reg.example.com/class', tag: 'v2' })).toEqual([
      'reg.example.com/class/consolehub:v2',
      'reg.example.com/class/webconsole:v1',
    ]);
    expect(image({ registry: 'a.example.com', job: { registry: 'b.example.com', tag: 'v3' } })).toEqual([
      'a.example.com/consolehub:v1',
      'b.example.com/webconsole:v3',
    ]);
  });

  describe('the job template the hub opens', () => {
    const objects = workshopHub();
    const template = mountedTemplate(objects);
    const pod = template.spec.template.spec;

    test('is mounted as the single file /job-template.yaml, the image’s own files in / staying visible', () => {
      const container = hubPod(objects).containers[0];
      expect(container.workingDir).toBe('/');
      expect(container.volumeMounts).toContainEqual(
        expect.objectContaining({ mountPath: '/job-template.yaml', subPath: 'job-template.yaml', readOnly: true }),
      );
      expect(container.volumeMounts.map((m: any) => m.mountPath)).not.toContain('/');
    });

    test('is a batch/v1 Job with no name, no namespace and no uname: the hub sets the first and the third', () => {
      expect([template.apiVersion, template.kind]).toEqual(['batch/v1', 'Job']);
      expect(template.metadata?.name).toBeUndefined();
      expect(template.metadata?.namespace).toBeUndefined();
      expect(template.spec.template.metadata.labels).toEqual({ 'managed-by': 'provisioner' });
    });

    test('after the hub sets name and labels, it validates and its pod is what `uname=<uname>` selects', () => {
      const job = asTheHubStartsIt(template, 'alice');
      expect(checkSchema(job)).toEqual([]);
      const labels = (job.spec as any).template.metadata.labels;
      expect(selects({ uname: 'alice' }, labels)).toBe(true);
      expect(selects({ uname: 'bob' }, labels)).toBe(false);
    });

    test('is a sandbox: no restart, no retry, a deadline, a TTL, no token, no Service links', () => {
      expect(template.spec).toMatchObject({
        backoffLimit: 0,
        activeDeadlineSeconds: 3600,
        ttlSecondsAfterFinished: 60,
      });
      expect(pod).toMatchObject({
        restartPolicy: 'Never',
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        activeDeadlineSeconds: 3600,
      });
      expect(pod.runtimeClassName).toBeUndefined();
    });

    test('has a read-only root, a size-limited /tmp and CPU, memory and ephemeral-storage limits', () => {
      const container = pod.containers[0];
      expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
      const tmp = container.volumeMounts.find((m: any) => m.mountPath === '/tmp');
      expect(pod.volumes.find((v: any) => v.name === tmp.name).emptyDir).toEqual({ sizeLimit: '32Mi' });
      expect(container.ports).toEqual([{ name: 'api', containerPort: 5000, protocol: 'TCP' }]);
    });

    test('follows the job props', () => {
      const custom = mountedTemplate(
        workshopHub({
          job: {
            activeDeadline: Duration.minutes(10),
            ttlAfterFinished: Duration.seconds(0),
            runtimeClassName: 'gvisor',
            tmpSizeLimit: '8Mi',
          },
        }),
      );
      expect(custom.spec).toMatchObject({ activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 0 });
      expect(custom.spec.template.spec).toMatchObject({ activeDeadlineSeconds: 600, runtimeClassName: 'gvisor' });
      expect(custom.spec.template.spec.volumes[0].emptyDir.sizeLimit).toBe('8Mi');
    });

    test('its hash is on the hub’s pod template, so a changed template rolls new hub pods', () => {
      const annotation = (o: KubeObject[]) =>
        (findObject(o, 'Deployment', 'consolehub').spec as any).template.metadata.annotations['checksum/job-template'];
      const data = (findObject(objects, 'ConfigMap', 'consolehub-job-template').data as any)['job-template.yaml'];
      expect(annotation(objects)).toBe(createHash('sha256').update(data).digest('hex'));
      expect(annotation(workshopHub({ job: { activeDeadline: Duration.minutes(10) } }))).not.toBe(annotation(objects));
    });
  });

  test('the hub has its own ServiceAccount, and its token mounted: it calls the API', () => {
    const objects = workshopHub();
    const sa = findObject(objects, 'ServiceAccount', 'consolehub', HUB_NS);
    expect(hubPod(objects)).toMatchObject({ serviceAccountName: sa.metadata.name, automountServiceAccountToken: true });
  });

  describe('RBAC', () => {
    const objects = workshopHub();

    test('one namespaced Role in the jobs namespace with exactly the hub’s calls, no wildcard, no ClusterRole', () => {
      expect(objects.filter((o) => /^Cluster/.test(o.kind))).toEqual([]);
      const role = findObject(objects, 'Role', 'consolehub', 'default') as any;
      expect(role.rules).toEqual([
        { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      ]);
      expect(JSON.stringify(role.rules)).not.toContain('*');
      expect(objects.filter((o) => o.kind === 'Role')).toHaveLength(1);
    });

    test('bound to the hub’s ServiceAccount, with the hub’s namespace on the subject', () => {
      const binding = findObject(objects, 'RoleBinding', 'consolehub', 'default') as any;
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'consolehub' });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'consolehub', namespace: HUB_NS }]);
    });
  });

  describe('the jobs namespace', () => {
    test('defaults to default, as the image hard-codes, and is not created or relabelled', () => {
      const objects = workshopHub();
      expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual([HUB_NS]);
      for (const kind of ['Role', 'RoleBinding', 'ResourceQuota', 'LimitRange']) {
        expect([kind, objects.filter((o) => o.kind === kind).every((o) => o.metadata.namespace === 'default')]).toEqual(
          [kind, true],
        );
      }
    });

    test('a dedicated one is created, enforcing PSS restricted, and takes the Role, guard rails and users’ policy', () => {
      const objects = workshopHub({ jobsNamespace: 'sessions' });
      const ns = findObject(objects, 'Namespace', 'sessions');
      expect(ns.metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('restricted');
      expect(ns.metadata.namespace).toBeUndefined();
      for (const [kind, name] of [
        ['Role', 'consolehub'],
        ['RoleBinding', 'consolehub'],
        ['ResourceQuota', 'consolehub-jobs'],
        ['ResourceQuota', 'consolehub-sessions'],
        ['LimitRange', 'consolehub-sessions'],
        ['NetworkPolicy', 'webconsole-sessions'],
      ]) {
        expect(findObject(objects, kind, name).metadata.namespace).toBe('sessions');
      }
      expect((findObject(objects, 'RoleBinding', 'consolehub') as any).subjects[0].namespace).toBe(HUB_NS);
      expect(findObject(objects, 'ConfigMap', 'consolehub-job-template').metadata.namespace).toBe(HUB_NS);
    });

    test('the hub’s own namespace is not created twice', () => {
      const objects = workshopHub({ jobsNamespace: HUB_NS });
      expect(objects.filter((o) => o.kind === 'Namespace')).toHaveLength(1);
    });
  });

  describe('guard rails', () => {
    test.each(PROFILES)(
      '%s: quotas bound Jobs, pods, CPU and memory; the LimitRange caps containers at the sandbox',
      (profile) => {
        const objects = workshopHub({ maxSessions: 5 }, { profile });
        const limits = mountedTemplate(objects).spec.template.spec.containers[0].resources;
        expect((findObject(objects, 'ResourceQuota', 'consolehub-jobs').spec as any).hard).toEqual({
          'count/jobs.batch': 5,
        });
        const sessions = findObject(objects, 'ResourceQuota', 'consolehub-sessions').spec as any;
        expect(Object.keys(sessions.hard).sort()).toEqual([
          'limits.cpu',
          'limits.memory',
          'pods',
          'requests.cpu',
          'requests.memory',
        ]);
        expect(sessions.hard.pods).toBe(5);
        const scale = profile === 'cloud' ? 2 : 1;
        expect(sessions.hard['limits.memory']).toBe(`${5 * 256 * scale}Mi`);
        expect(limits.limits.memory).toBe(`${256 * scale}Mi`);
        const [range] = (findObject(objects, 'LimitRange', 'consolehub-sessions').spec as any).limits;
        expect(range).toEqual({
          type: 'Container',
          max: limits.limits,
          default: limits.limits,
          defaultRequest: limits.requests,
        });
      },
    );

    test('the pod quota is scoped to pods with a deadline, which the users’ pods have', () => {
      const objects = workshopHub();
      expect((findObject(objects, 'ResourceQuota', 'consolehub-sessions').spec as any).scopes).toEqual(['Terminating']);
      expect(mountedTemplate(objects).spec.template.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    });

    test('can be turned off', () => {
      const objects = workshopHub({ guardRails: false });
      expect(objects.filter((o) => ['ResourceQuota', 'LimitRange'].includes(o.kind))).toEqual([]);
    });
  });

  describe('NetworkPolicies', () => {
    const objects = workshopHub();
    const policy = (name: string, o = objects) => findObject(o, 'NetworkPolicy', name).spec as any;
    const hubLabels = (findObject(objects, 'Deployment', 'consolehub').spec as any).template.metadata.labels;
    const api = [443, 6443, 8443].map((port) => ({ port, protocol: 'TCP' }));

    test('users’ pods are selected by the labels the template sets and by those the hub puts in their place', () => {
      const selector = policy('webconsole-sessions').podSelector.matchLabels;
      const template = mountedTemplate(objects);
      expect(selects(selector, template.spec.template.metadata.labels)).toBe(true);
      expect(selects(selector, (asTheHubStartsIt(template, 'alice').spec as any).template.metadata.labels)).toBe(true);
      expect(findObject(objects, 'NetworkPolicy', 'webconsole-sessions').metadata.namespace).toBe('default');
    });

    test('users’ pods accept only the hub’s pods, from the hub’s namespace, on 5000, and dial nothing', () => {
      const sessions = policy('webconsole-sessions');
      expect(sessions.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(sessions.egress).toEqual([]);
      expect(sessions.ingress).toHaveLength(1);
      const [rule] = sessions.ingress;
      expect(rule.ports).toEqual([{ port: 5000, protocol: 'TCP' }]);
      expect(rule.from).toHaveLength(1);
      expect(rule.from[0].namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': HUB_NS } });
      expect(selects(rule.from[0].podSelector.matchLabels, hubLabels)).toBe(true);
    });

    test('the hub accepts anyone on 5000 and dials only DNS, the users’ pods on 5000 and the API server’s ports', () => {
      const hub = policy('consolehub');
      expect(selects(hub.podSelector.matchLabels, hubLabels)).toBe(true);
      expect(hub.ingress).toEqual([{ ports: [{ port: 5000, protocol: 'TCP' }] }]);
      const [dns, users, apiServer, ...rest] = hub.egress;
      expect(dns.ports.map((p: any) => p.port)).toEqual([53, 53]);
      expect(users).toEqual({
        to: [
          {
            podSelector: { matchLabels: { 'managed-by': 'provisioner' } },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'default' } },
          },
        ],
        ports: [{ port: 5000, protocol: 'TCP' }],
      });
      expect(apiServer).toEqual({ ports: api });
      expect(rest).toEqual([]);
    });

    test('apiServerCidrs and apiServerPorts narrow the hub’s way to the API server', () => {
      const hub = policy('consolehub', workshopHub({ apiServerCidrs: ['192.168.49.2/32'], apiServerPorts: [8443] }));
      expect(hub.egress[2]).toEqual({
        to: [{ ipBlock: { cidr: '192.168.49.2/32' } }],
        ports: [{ port: 8443, protocol: 'TCP' }],
      });
    });

    test('with hub and Jobs in one namespace, the peers need no namespace selector', () => {
      const same = workshopHub({ jobsNamespace: HUB_NS });
      expect(policy('webconsole-sessions', same).ingress[0].from[0].namespaceSelector).toBeUndefined();
      expect(policy('consolehub', same).egress[1].to[0].namespaceSelector).toBeUndefined();
    });

    test('the users’ policy is the only exception: its pods come from the template at run time, not from the manifests', () => {
      const { findings, exceptions } = validateObjects(objects);
      expect(findings.map(formatFinding)).toEqual([]);
      expect(exceptions.map((e) => [e.object, e.rule])).toEqual([
        ['NetworkPolicy default/webconsole-sessions', 'wiring/network-policy-selects-pods'],
      ]);
    });

    test('once the hub has created a user’s Job, every check passes without that exception', () => {
      const job = asTheHubStartsIt(mountedTemplate(objects), 'alice');
      job.metadata.namespace = 'default';
      const { findings, exceptions } = validateObjects([...objects, job]);
      expect(findings.map(formatFinding)).toEqual([]);
      expect(exceptions).toEqual([]);
    });

    test('can be turned off', () => {
      expect(workshopHub({ networkPolicies: false }).some((o) => o.kind === 'NetworkPolicy')).toBe(false);
    });
  });

  test('invalid props fail at synth time, naming the construct and the field', () => {
    const build = (props: ConsoleHubProps) => () => new ConsoleHub(new Chart(new App(), 'chart'), 'hub', props);
    const hub = "ConsoleHub 'chart/hub'";
    expectInvalidProp(build({ jobsNamespace: 'Users' }), hub, 'jobsNamespace', /DNS-1123/);
    expectInvalidProp(build({ jobsNamespace: 'kube-system' }), hub, 'jobsNamespace', /system namespace/);
    expectInvalidProp(build({ maxSessions: 0 }), hub, 'maxSessions', /integer from 1/);
    expectInvalidProp(build({ replicas: 1.5 }), hub, 'replicas', /non-negative integer/);
    expectInvalidProp(build({ apiServerCidrs: [] }), hub, 'apiServerCidrs', /at least one/);
    for (const bad of ['10.0.0.1', '10.0.0.1/33', 'api/32', '10.0.0.0/8/1', 'fd00::/129']) {
      expectInvalidProp(build({ apiServerCidrs: ['10.0.0.0/8', bad] }), hub, 'apiServerCidrs[1]', /CIDR/);
    }
    expect(build({ apiServerCidrs: ['10.0.0.0/8', 'fd00::/64'] })).not.toThrow();
    expectInvalidProp(build({ apiServerPorts: [] }), hub, 'apiServerPorts', /at least one/);
    expectInvalidProp(build({ apiServerPorts: [443, 70000] }), hub, 'apiServerPorts[1]', /port/);

    const job = "WebConsoleJob 'chart/hub/job'";
    expectInvalidProp(
      build({ job: { activeDeadline: Duration.seconds(0) } }),
      job,
      'activeDeadline',
      /at least 1 minute/,
    );
    expectInvalidProp(
      build({ job: { activeDeadline: Duration.millis(61500) } }),
      job,
      'activeDeadline',
      /whole seconds/,
    );
    expectInvalidProp(
      build({ job: { ttlAfterFinished: Duration.days(8) } }),
      job,
      'ttlAfterFinished',
      /at most 7 days/,
    );
    expectInvalidProp(build({ job: { runtimeClassName: 'gVisor' } }), job, 'runtimeClassName', /DNS-1123 subdomain/);
    expectInvalidProp(build({ job: { tmpSizeLimit: 'lots' } }), job, 'tmpSizeLimit', /quantity/);
    expectInvalidProp(
      build({ job: { resources: { cpu: { request: '1', limit: '2' }, memory: { request: '1Gi', limit: '2Gi' } } } }),
      job,
      'resources.ephemeralStorage',
      /required/,
    );
    expectInvalidProp(
      build({
        job: {
          resources: {
            cpu: { request: '1', limit: 'two' },
            memory: { request: '1Gi', limit: '2Gi' },
            ephemeralStorage: { request: '1Gi', limit: '1Gi' },
          },
        },
      }),
      job,
      'resources.cpu.limit',
      /quantity/,
    );
  });
});

describe("ConsoleHub with this project's hub image (hub: workshop-stacks, the default)", () => {
  const objects = synth();

  test('is the default: what the README builds and dist/ ships', () => {
    expect(objects).toEqual(synth({ hub: 'workshop-stacks' }));
  });

  test.each(PROFILES)('%s: both images are built locally and never pulled; a registry makes them pulled', (profile) => {
    const local = synth({}, { profile });
    const template = (objs: KubeObject[]) =>
      JSON.parse((findObject(objs, 'ConfigMap', 'consolehub-job-template').data as any)['job-template.yaml']);
    expect(hubPod(local).containers[0]).toMatchObject({
      image: 'workshop-stacks/consolehub:v1',
      imagePullPolicy: 'Never',
    });
    expect(template(local).spec.template.spec.containers[0]).toMatchObject({
      image: 'workshop-stacks/webconsole:v1',
      imagePullPolicy: 'Never',
    });
    const pulled = synth({ registry: 'registry.example.com/class' }, { profile });
    expect(hubPod(pulled).containers[0]).toMatchObject({
      image: 'registry.example.com/class/consolehub:v1',
      imagePullPolicy: 'IfNotPresent',
    });
    expect(template(pulled).spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
  });

  test("runs workshop-stacks/consolehub:v1, and its users' consoles run workshop-stacks/webconsole:v1", () => {
    expect(hubPod(objects).containers[0].image).toBe('workshop-stacks/consolehub:v1');
    const data = (findObject(objects, 'ConfigMap', 'consolehub-job-template').data as any)['job-template.yaml'];
    expect(parse(data).spec.template.spec.containers[0].image).toBe('workshop-stacks/webconsole:v1');
    // This hub has Python's standard library only: the template is JSON (which is also YAML).
    expect(JSON.parse(data)).toEqual(parse(data));
  });

  test('tells the hub its namespace (downward API) and where the template is mounted', () => {
    const container = hubPod(objects).containers[0];
    expect(container.env).toEqual([
      { name: 'HUB_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'JOB_TEMPLATE', value: '/etc/consolehub/job-template.yaml' },
    ]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'api' });
    const mount = container.volumeMounts.find((m: any) => m.mountPath === '/etc/consolehub');
    expect(mount).toMatchObject({ readOnly: true });
    expect(mount.subPath).toBeUndefined();
    const volume = hubPod(objects).volumes.find((v: any) => v.name === mount.name);
    expect(findObject(objects, 'ConfigMap', volume.configMap.name, HUB_NS).data).toHaveProperty(['job-template.yaml']);
  });

  test("the Role, quotas, LimitRange and policies live in the hub's own namespace; nothing in default", () => {
    for (const kind of ['Role', 'RoleBinding', 'ResourceQuota', 'LimitRange', 'NetworkPolicy']) {
      const ofKind = objects.filter((o) => o.kind === kind);
      expect([kind, ofKind.length > 0, ofKind.every((o) => o.metadata.namespace === HUB_NS)]).toEqual([
        kind,
        true,
        true,
      ]);
    }
    expect(objects.filter((o) => o.metadata.namespace === 'default')).toEqual([]);
    expect(validateObjects(objects).findings.map(formatFinding)).toEqual([]);
  });

  test('jobsNamespace cannot send its Jobs elsewhere; the hub flavour is checked', () => {
    const build = (props: ConsoleHubProps) => () => synth(props);
    expectInvalidProp(
      build({ hub: 'workshop-stacks', jobsNamespace: 'other' }),
      "ConsoleHub 'test/hub'",
      'jobsNamespace',
      /must be unset/,
    );
    expectInvalidProp(
      build({ jobsNamespace: 'other' }),
      "ConsoleHub 'test/hub'",
      'jobsNamespace',
      /the default.*it is for hub 'workshop'/,
    );
    expectInvalidProp(
      build({ hub: 'other' as any }),
      "ConsoleHub 'test/hub'",
      'hub',
      /one of workshop, workshop-stacks/,
    );
    const small = {
      cpu: { request: '50m', limit: '250m' },
      memory: { request: '64Mi', limit: '128Mi' },
      ephemeralStorage: { request: '32Mi', limit: '128Mi' },
    };
    expectInvalidProp(
      build({ hub: 'workshop-stacks', job: { resources: small } }),
      "ConsoleHub 'test/hub'",
      'job.resources.cpu.limit',
      /hub's own cpu limit \(500m\)/,
    );
    expect(build({ hub: 'workshop-stacks', job: { resources: small }, guardRails: false })).not.toThrow();
  });
});

describe('WebConsoleJob', () => {
  test('alone, it renders the template and adds no object to the chart', () => {
    const chart = new Chart(new App(), 'chart');
    const job = new WebConsoleJob(chart, 'job', { namespace: 'sessions' });
    expect(chart.toJson()).toEqual([]);
    expect(parse(job.yaml)).toEqual(job.manifest);
    expect(job).toMatchObject({ namespace: 'sessions', selector: { 'managed-by': 'provisioner' } });
  });
});
