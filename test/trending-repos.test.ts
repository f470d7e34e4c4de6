import { App, Chart } from 'cdk8s';
import { APPS, synthApp } from '../apps/registry';
import { TrendingRepos, TrendingReposProps } from '../constructs/trending-repos';
import { EXTERNAL_REFS_ANNOTATION } from '../src/checks';
import { checkPodSecurityRestricted } from '../src/checks/pss';
import { checkServiceWiring } from '../src/checks/wiring';
import { KubeObject, containersOf, parseManifests, podTemplateOf } from '../src/manifest';
import { PropsValidationError } from '../src/props-error';
import { PROFILES, findObject, podSpec, synthStack } from './helpers';

const synth = (props: TrendingReposProps = {}, chartProps = {}) =>
  synthStack((chart) => new TrendingRepos(chart, 'tgr', props), chartProps);
const container = (objects: KubeObject[]) => podSpec(findObject(objects, 'Deployment', 'tgr')).containers[0];
const env = (objects: KubeObject[]) =>
  Object.fromEntries(container(objects).env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

const CREDENTIAL_NAME = /^CLIENT_(ID|SECRET)$|TOKEN|PASSWORD|SECRET/i;

describe('TrendingRepos', () => {
  test("Deployment and Service tgr on port 5000 with the workshop's image and settings", () => {
    const objects = synth();
    expect(findObject(objects, 'Service', 'tgr').spec).toMatchObject({
      type: 'ClusterIP',
      ports: [{ port: 5000, targetPort: 'http' }],
    });
    expect(checkServiceWiring(objects)).toEqual([]);
    const c = container(objects);
    expect(c.image).toBe('eon01/tgr:1');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 5000, protocol: 'TCP' }]);
    expect(env(objects)).toMatchObject({ ENV: 'prod', DEBUG: 'False', HOST: '0.0.0.0', PORT: '5000' });
    expect(env(objects).GUNICORN_CMD_ARGS).toBe('--bind=0.0.0.0:5000 --workers=2 --threads=4');
    expect(c.resources).toEqual({
      requests: { cpu: '50m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
    expect(c.readinessProbe.tcpSocket).toEqual({ port: 'http' });
  });

  test('the GitHub credentials come from the named Secret, which the construct never creates', () => {
    expect(env(synth())).toMatchObject({
      CLIENT_ID: { secretKeyRef: { name: 'tgr-github', key: 'CLIENT_ID' } },
      CLIENT_SECRET: { secretKeyRef: { name: 'tgr-github', key: 'CLIENT_SECRET' } },
    });
    const custom = synth({ credentialsSecret: 'github-oauth' });
    expect(env(custom).CLIENT_SECRET).toEqual({ secretKeyRef: { name: 'github-oauth', key: 'CLIENT_SECRET' } });
    expect(custom.some((o) => o.kind === 'Secret')).toBe(false);
    // Declared as created elsewhere, so that the reference checks accept its absence.
    expect(findObject(custom, 'Deployment', 'tgr').metadata.annotations?.[EXTERNAL_REFS_ANNOTATION]).toBe(
      'Secret/github-oauth',
    );
  });

  test.each(Object.keys(APPS).flatMap((app) => PROFILES.map((profile) => [app, profile])))(
    'app %s (%s): no Secret with data, no credential as an env literal',
    (app, profile) => {
      const objects = parseManifests(synthApp(app, profile as never));
      for (const secret of objects.filter((o) => o.kind === 'Secret')) {
        expect([secret.metadata.name, secret.data ?? {}, secret.stringData ?? {}]).toEqual([
          secret.metadata.name,
          {},
          {},
        ]);
      }
      const literals = objects.flatMap((o) => {
        const template = podTemplateOf(o);
        return template
          ? containersOf(template.spec, template.path).flatMap(({ container: c }) =>
              (c.env ?? [])
                .filter((e: any) => e.value !== undefined && CREDENTIAL_NAME.test(e.name))
                .map((e: any) => `${o.metadata.name}: ${e.name}`),
            )
          : [];
      });
      expect(literals).toEqual([]);
    },
  );

  test("the credential check catches a pasted credential (as the workshop's YAML had)", () => {
    for (const name of ['CLIENT_ID', 'CLIENT_SECRET', 'GITHUB_TOKEN', 'DB_PASSWORD', 'APP_SECRET_KEY'])
      expect(CREDENTIAL_NAME.test(name)).toBe(true);
    for (const name of ['ENV', 'DEBUG', 'HOST', 'PORT', 'GUNICORN_CMD_ARGS'])
      expect(CREDENTIAL_NAME.test(name)).toBe(false);
  });

  test("passes PSS restricted with a numeric uid for the image's named user, and a writable /tmp for gunicorn", () => {
    const objects = synth();
    expect(objects.flatMap(checkPodSecurityRestricted)).toEqual([]);
    const spec = podSpec(findObject(objects, 'Deployment', 'tgr'));
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 });
    expect(container(objects).securityContext.readOnlyRootFilesystem).toBe(true);
    const tmp = container(objects).volumeMounts.find((m: any) => m.mountPath === '/tmp');
    expect(spec.volumes.find((v: any) => v.name === tmp.name).emptyDir).toBeDefined();
    expect(
      podSpec(findObject(synth({ runAs: { user: 2000, group: 3000 } }), 'Deployment', 'tgr')).securityContext,
    ).toMatchObject({ runAsUser: 2000, runAsGroup: 3000, fsGroup: 3000 });
  });

  describe('RBAC: least privilege', () => {
    const objects = synth({}, { namespace: 'apis' });

    test('its own ServiceAccount, with the token mounted in its pods only', () => {
      const spec = podSpec(findObject(objects, 'Deployment', 'tgr'));
      expect(spec.serviceAccountName).toBe('tgr');
      expect(spec.automountServiceAccountToken).toBe(true);
      expect(findObject(objects, 'ServiceAccount', 'tgr', 'apis')).toMatchObject({
        automountServiceAccountToken: false,
      });
    });

    test('a namespaced Role that lists pods and nothing else, bound to that ServiceAccount in its namespace', () => {
      expect(objects.filter((o) => ['ClusterRole', 'ClusterRoleBinding'].includes(o.kind))).toEqual([]);
      expect((findObject(objects, 'Role', 'tgr', 'apis') as any).rules).toEqual([
        { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      ]);
      const binding = findObject(objects, 'RoleBinding', 'tgr', 'apis') as any;
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tgr' });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'tgr', namespace: 'apis' }]);
    });

    test("in the app, no ServiceAccount but tgr's has a binding and only tgr gets a token", () => {
      const app = parseManifests(synthApp('api-gateway', 'local'));
      const subjects = app
        .filter((o) => o.kind.endsWith('RoleBinding'))
        .flatMap((o: any) => o.subjects.map((s: any) => s.name));
      expect(subjects).toEqual(['tgr']);
      const pods = app.filter((o) => podTemplateOf(o) !== undefined);
      expect(pods.map((o) => o.metadata.name).sort()).toEqual(['api-gateway', 'tgr']);
      expect(
        pods.filter((o) => podTemplateOf(o)!.spec.automountServiceAccountToken !== false).map((o) => o.metadata.name),
      ).toEqual(['tgr']);
    });
  });

  test('NetworkPolicy: egress to DNS, GitHub and the API server; ingress only from what others admit', () => {
    const policy = findObject(synth(), 'NetworkPolicy', 'tgr').spec as any;
    expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.ingress).toEqual([]);
    expect(policy.egress.map((r: any) => r.ports.map((p: any) => p.port))).toEqual([
      [53, 53],
      [443, 6443, 8443],
    ]);
    const custom = findObject(synth({ apiServerPorts: [6443] }), 'NetworkPolicy', 'tgr').spec as any;
    expect(custom.egress[1].ports.map((p: any) => p.port)).toEqual([443, 6443]);
    expect(synth({ networkPolicies: false }).some((o) => o.kind === 'NetworkPolicy')).toBe(false);
  });

  test('props validation names the construct and the field', () => {
    const build = (props: TrendingReposProps) => () => new TrendingRepos(new Chart(new App(), 'chart'), 'tgr', props);
    const cases: Array<[TrendingReposProps, string, RegExp]> = [
      [{ credentialsSecret: 'GitHub' }, 'credentialsSecret', /DNS-1123 subdomain/],
      [{ runAs: { user: 0, group: 0 } }, 'runAs.user', /non-root uid/],
      [{ workers: 0 }, 'workers', /1 to 32/],
      [{ apiServerPorts: [70000] }, 'apiServerPorts[0]', /1 to 65535/],
      [{ image: 'eon01/tgr: 1' }, 'image', /white space/],
      [{ replicas: -1 }, 'replicas', /non-negative/],
    ];
    for (const [props, field, reason] of cases) {
      expect(build(props)).toThrow(PropsValidationError);
      expect(build(props)).toThrow(`TrendingRepos 'chart/tgr': invalid prop '${field}'`);
      expect(build(props)).toThrow(reason);
    }
  });
});
