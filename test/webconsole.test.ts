import { App, Chart } from 'cdk8s';
import { PROJECT_IMAGES } from '../constructs/images';
import { WebConsole, WebConsoleProps } from '../constructs/webconsole';
import { checkPodSecurityRestricted } from '../src/checks/pss';
import { checkSchema } from '../src/checks/schema';
import { checkServiceWiring } from '../src/checks/wiring';
import { selects } from '../src/manifest/selector';
import { PROFILES, expectInvalidProp, findObject, podSpec, synthStack } from './helpers';

const synth = (props: WebConsoleProps = {}, chartProps = {}) =>
  synthStack((chart) => new WebConsole(chart, 'web', props), chartProps);
const service = (objects: ReturnType<typeof synth>) => findObject(objects, 'Service', 'webconsole').spec as any;
const container = (objects: ReturnType<typeof synth>) =>
  podSpec(findObject(objects, 'Deployment', 'webconsole')).containers[0];

describe('WebConsole', () => {
  test('a Deployment and a Service named webconsole, on port 5000 named api', () => {
    const objects = synth();
    expect(container(objects).ports).toEqual([{ name: 'api', containerPort: 5000, protocol: 'TCP' }]);
    expect(service(objects).ports).toEqual([{ name: 'api', port: 5000, targetPort: 'api', protocol: 'TCP' }]);
    expect(checkServiceWiring(objects)).toEqual([]);
    expect(objects.flatMap((o) => checkSchema(o))).toEqual([]);
  });

  test('the Service is a NodePort locally and a LoadBalancer in the cloud', () => {
    expect(service(synth()).type).toBe('NodePort');
    expect(service(synth({ nodePort: 30500 })).ports[0].nodePort).toBe(30500);
    const cloud = service(synth({ nodePort: 30500 }, { profile: 'cloud' }));
    expect(cloud.type).toBe('LoadBalancer');
    expect(cloud.ports[0].nodePort).toBeUndefined();
  });

  test.each(PROFILES)(
    "%s: runs this project's image, built locally and never pulled (a pull would fetch docker.io/workshop-stacks/...)",
    (profile) => {
      expect(container(synth({}, { profile }))).toMatchObject({
        image: PROJECT_IMAGES.webconsole,
        imagePullPolicy: 'Never',
      });
    },
  );

  test('an image from a registry is pulled as the profile says', () => {
    expect(container(synth({ registry: 'registry.example.com/class' }))).toMatchObject({
      image: 'registry.example.com/class/webconsole:v1',
      imagePullPolicy: 'IfNotPresent',
    });
  });

  test('registry and tag choose the image', () => {
    expect(container(synth({ registry: 'registry.example.com/class', tag: 'v2' })).image).toBe(
      'registry.example.com/class/webconsole:v2',
    );
  });

  test('the root image runs as a numeric non-root uid on a read-only root with a writable /tmp, and passes PSS restricted', () => {
    const objects = synth();
    expect(objects.flatMap(checkPodSecurityRestricted)).toEqual([]);
    const spec = podSpec(findObject(objects, 'Deployment', 'webconsole'));
    expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
    expect(spec.securityContext.runAsNonRoot).toBe(true);
    // Port 5000 needs no privileged-port sysctl.
    expect(spec.securityContext.sysctls).toBeUndefined();
    expect(spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    const tmp = spec.containers[0].volumeMounts.find((m: any) => m.mountPath === '/tmp');
    expect(spec.volumes.find((v: any) => v.name === tmp.name).emptyDir.sizeLimit).toBeDefined();
    expect(spec.automountServiceAccountToken).toBe(false);
  });

  test('with no health route, startup, readiness and liveness are TCP checks on the api port (a crash is noticed)', () => {
    const c = container(synth());
    for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
      expect(probe.tcpSocket).toEqual({ port: 'api' });
      expect(probe.httpGet).toBeUndefined();
    }
  });

  test('replicas roll over without dropping below the desired count', () => {
    const spec = findObject(synth({ replicas: 4 }), 'Deployment', 'webconsole').spec as any;
    expect(spec.replicas).toBe(4);
    expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  test('session affinity: ClientIP by default with several replicas, off with one, overridable either way', () => {
    expect(service(synth()).sessionAffinity).toBe('None');
    expect(service(synth({ replicas: 4 })).sessionAffinity).toBe('ClientIP');
    expect(service(synth({ replicas: 4, sessionAffinity: false })).sessionAffinity).toBe('None');
    expect(service(synth({ sessionAffinity: true })).sessionAffinity).toBe('ClientIP');
  });

  describe('NetworkPolicies', () => {
    const objects = synth();
    const policy = (name: string) => findObject(objects, 'NetworkPolicy', name).spec as any;

    test('a default deny, and the console open to anyone on 5000 only, with no egress at all (it runs users’ code)', () => {
      expect(policy('default-deny')).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      expect(policy('webconsole').ingress).toEqual([{ ports: [{ port: 5000, protocol: 'TCP' }] }]);
      expect(policy('webconsole').egress).toEqual([]);
      expect(policy('webconsole').policyTypes).toEqual(['Ingress', 'Egress']);
    });

    test('the policy selects the console pods', () => {
      const labels = (findObject(objects, 'Deployment', 'webconsole').spec as any).template.metadata.labels;
      expect(selects(policy('webconsole').podSelector.matchLabels, labels)).toBe(true);
    });

    test('can be turned off', () => {
      expect(synth({ networkPolicies: false }).some((o) => o.kind === 'NetworkPolicy')).toBe(false);
    });
  });

  test('invalid props fail at synth time, naming the construct and the field', () => {
    const build = (props: WebConsoleProps) => () => new WebConsole(new Chart(new App(), 'chart'), 'web', props);
    const name = "WebConsole 'chart/web'";
    expectInvalidProp(build({ replicas: -1 }), name, 'replicas', /non-negative integer/);
    expectInvalidProp(build({ nodePort: 5000 }), name, 'nodePort', /30000 to 32767/);
    expectInvalidProp(build({ tag: 'v 1' }), name, 'tag', /white space/);
    expectInvalidProp(build({ registry: '' }), name, 'registry', /non-empty/);
    expectInvalidProp(build({ namespace: 'Web' }), name, 'namespace', /DNS-1123/);
  });
});
