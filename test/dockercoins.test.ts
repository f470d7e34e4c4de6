import { Dockercoins } from '../constructs/dockercoins';
import { checkPodSecurityRestricted } from '../src/checks/pss';
import { checkServiceWiring } from '../src/checks/wiring';
import { selects } from '../src/manifest/selector';
import { UNPRIVILEGED_PORT_SYSCTL } from '../src/security';
import { findObject, podSpec, synthStack } from './helpers';

const synth = (props = {}, chartProps = {}) =>
  synthStack((chart) => new Dockercoins(chart, 'coins', props), chartProps);

describe('Dockercoins', () => {
  test('the Services the apps dial have exactly the names and ports they dial', () => {
    const objects = synth();
    const ports = (name: string) => (findObject(objects, 'Service', name).spec as any).ports.map((p: any) => p.port);
    expect(ports('redis')).toEqual([6379]);
    expect(ports('rng')).toEqual([80]);
    expect(ports('hasher')).toEqual([80]);
    expect(ports('webui')).toEqual([80]);
    expect(
      objects
        .filter((o) => o.kind === 'Service')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['hasher', 'redis', 'rng', 'webui']);
  });

  test('every Service selects its own pods and targets a port they expose', () => {
    const objects = synth();
    expect(checkServiceWiring(objects)).toEqual([]);
    for (const name of ['redis', 'rng', 'hasher', 'webui']) {
      const selector = (findObject(objects, 'Service', name).spec as any).selector;
      const workloads = objects.filter((o) => ['Deployment', 'DaemonSet'].includes(o.kind));
      const selected = workloads.filter((w) => selects(selector, (w.spec as any).template.metadata.labels));
      expect(selected.map((w) => w.metadata.name)).toEqual([name]);
    }
  });

  test('all objects share the stack namespace, and the Services the workers and webui', () => {
    const objects = synth({}, { namespace: 'coins-ns' });
    const namespaced = objects.filter((o) => o.kind !== 'Namespace');
    expect(new Set(namespaced.map((o) => o.metadata.namespace))).toEqual(new Set(['coins-ns']));
  });

  test('webui is NodePort 30001 locally and a LoadBalancer in the cloud', () => {
    const local = findObject(synth(), 'Service', 'webui').spec as any;
    expect(local.type).toBe('NodePort');
    expect(local.ports[0].nodePort).toBe(30001);
    const cloud = findObject(synth({}, { profile: 'cloud' }), 'Service', 'webui').spec as any;
    expect(cloud.type).toBe('LoadBalancer');
    expect(cloud.ports[0].nodePort).toBeUndefined();
    expect(findObject(synth({ webuiNodePort: 30555 }), 'Service', 'webui').spec).toMatchObject({
      ports: [{ nodePort: 30555 }],
    });
    const assigned = findObject(synth({ webuiNodePort: 'auto' }), 'Service', 'webui').spec as any;
    expect([assigned.type, assigned.ports[0].nodePort]).toEqual(['NodePort', undefined]);
  });

  test('the worker has no Service, scales by prop and rolls out at full capacity', () => {
    const objects = synth({ workerReplicas: 10, workerMaxSurge: 3 });
    expect(objects.some((o) => o.kind === 'Service' && o.metadata.name === 'worker')).toBe(false);
    const spec = findObject(objects, 'Deployment', 'worker').spec as any;
    expect(spec.replicas).toBe(10);
    expect(spec.minReadySeconds).toBe(10);
    expect(spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 3 });
  });

  test('rng is a Deployment by default and a DaemonSet per node by prop', () => {
    expect(findObject(synth(), 'Deployment', 'rng')).toBeDefined();
    const objects = synth({ rngPerNode: true });
    expect(findObject(objects, 'DaemonSet', 'rng')).toBeDefined();
    expect(objects.some((o) => o.kind === 'Deployment' && o.metadata.name === 'rng')).toBe(false);
    expect(checkServiceWiring(objects)).toEqual([]);
  });

  test('images default to the workshop builds and follow registry, tag and redisImage', () => {
    const image = (objects: any[], name: string) =>
      podSpec(findObject(objects, 'Deployment', name)).containers[0].image;
    const defaults = synth();
    expect(['rng', 'hasher', 'worker', 'webui'].map((n) => image(defaults, n))).toEqual([
      'dockercoins/rng:v0.1',
      'dockercoins/hasher:v0.1',
      'dockercoins/worker:v0.1',
      'dockercoins/webui:v0.1',
    ]);
    expect(image(defaults, 'redis')).toMatch(/^redis:\d+\.\d+\.\d+$/);
    const custom = synth({ registry: 'registry.example.com/class/', tag: 'v2', redisImage: 'mirror/redis:7.2.5' });
    expect(image(custom, 'hasher')).toBe('registry.example.com/class/hasher:v2');
    expect(image(custom, 'redis')).toBe('mirror/redis:7.2.5');
  });

  test('pull policies: never pull a present image locally; pinned tags pull once in the cloud', () => {
    const policy = (objects: any[]) =>
      podSpec(findObject(objects, 'Deployment', 'webui')).containers[0].imagePullPolicy;
    expect(policy(synth())).toBe('IfNotPresent');
    expect(policy(synth({}, { profile: 'cloud' }))).toBe('IfNotPresent');
    expect(policy(synth({ tag: 'latest' }, { profile: 'cloud' }))).toBe('Always');
  });

  test('every pod passes PSS restricted; redis runs as 999 with /data, the apps bind 80 through the sysctl', () => {
    const objects = synth({ rngPerNode: true });
    expect(objects.flatMap(checkPodSecurityRestricted)).toEqual([]);
    const redis = podSpec(findObject(objects, 'Deployment', 'redis'));
    expect(redis.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999, runAsNonRoot: true });
    const data = redis.volumes.find(
      (v: any) =>
        v.emptyDir && redis.containers[0].volumeMounts.some((m: any) => m.name === v.name && m.mountPath === '/data'),
    );
    expect(data).toBeDefined();
    for (const [kind, name] of [
      ['DaemonSet', 'rng'],
      ['Deployment', 'hasher'],
      ['Deployment', 'webui'],
    ]) {
      const spec = podSpec(findObject(objects, kind, name));
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      expect(spec.securityContext.sysctls).toEqual([{ name: UNPRIVILEGED_PORT_SYSCTL, value: '0' }]);
      expect(spec.containers[0].ports[0].containerPort).toBe(80);
    }
    // redis and the worker bind nothing below 1024: no sysctl for them.
    expect(redis.securityContext.sysctls).toBeUndefined();
    expect(podSpec(findObject(objects, 'Deployment', 'worker')).securityContext.sysctls).toBeUndefined();
  });

  test('probes fit each app: TCP for redis, HTTP for the web apps, none for the worker', () => {
    const objects = synth();
    const container = (name: string) => podSpec(findObject(objects, 'Deployment', name)).containers[0];
    expect(container('redis').readinessProbe.tcpSocket.port).toBe('redis');
    expect(container('rng').readinessProbe.httpGet).toEqual({ path: '/', port: 'http' });
    expect(container('webui').livenessProbe.httpGet.path).toBe('/index.html');
    expect(container('worker').readinessProbe).toBeUndefined();
    for (const name of ['redis', 'rng', 'hasher', 'worker', 'webui']) {
      expect(Object.keys(container(name).resources.limits).sort()).toEqual(['cpu', 'memory']);
    }
  });

  describe('NetworkPolicies', () => {
    const objects = synth();
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const policy = (name: string) => findObject(policies, 'NetworkPolicy', name).spec as any;
    const sources = (name: string) =>
      policy(name).ingress.map((r: any) => r.from?.[0]?.podSelector?.matchLabels?.app ?? 'anyone');

    test('a namespace-wide default deny of ingress and egress', () => {
      expect(policy('default-deny')).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    });

    test('redis accepts only worker and webui; rng and hasher only worker; webui anyone', () => {
      expect(sources('redis').sort()).toEqual(['webui', 'worker']);
      expect(sources('rng')).toEqual(['worker']);
      expect(sources('hasher')).toEqual(['worker']);
      expect(sources('webui')).toEqual(['anyone']);
      expect(policy('redis').ingress.every((r: any) => r.ports[0].port === 6379)).toBe(true);
    });

    test('egress: DNS plus each app’s own dependencies, nothing for the servers', () => {
      const targets = (name: string) =>
        policy(name).egress.map(
          (r: any) => r.to[0].podSelector.matchLabels.app ?? r.to[0].podSelector.matchLabels['k8s-app'],
        );
      expect(targets('worker')).toEqual(['kube-dns', 'redis', 'rng', 'hasher']);
      expect(targets('webui')).toEqual(['kube-dns', 'redis']);
      for (const name of ['redis', 'rng', 'hasher']) expect(policy(name).egress).toEqual([]);
    });

    test('each policy selects the pods of its app', () => {
      for (const name of ['redis', 'rng', 'hasher', 'worker', 'webui']) {
        const selector = policy(name).podSelector.matchLabels;
        const template = (findObject(objects, 'Deployment', name).spec as any).template.metadata.labels;
        expect(selects(selector, template)).toBe(true);
      }
    });

    test('can be turned off', () => {
      expect(synth({ networkPolicies: false }).some((o) => o.kind === 'NetworkPolicy')).toBe(false);
    });
  });
});
