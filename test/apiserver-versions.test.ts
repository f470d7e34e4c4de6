// API versions kube-apiserver v1.33 no longer serves: a finding naming the replacement, not "no schema".
import { checkSchema } from '../src/checks/schema';
import { base } from './apiserver-support';

const cases: Array<[kind: string, apiVersion: string, replacement: RegExp]> = [
  ['Deployment', 'extensions/v1beta1', /use apps\/v1/],
  ['Deployment', 'apps/v1beta1', /use apps\/v1/],
  ['DaemonSet', 'apps/v1beta2', /use apps\/v1/],
  ['CronJob', 'batch/v1beta1', /use batch\/v1/],
  ['NetworkPolicy', 'extensions/v1beta1', /use networking\.k8s\.io\/v1/],
  ['PodDisruptionBudget', 'policy/v1beta1', /use policy\/v1/],
  ['Role', 'rbac.authorization.k8s.io/v1beta1', /use rbac\.authorization\.k8s\.io\/v1/],
  ['RoleBinding', 'rbac.authorization.k8s.io/v1alpha1', /use rbac\.authorization\.k8s\.io\/v1/],
];

describe('removed API versions', () => {
  test.each(cases)('%s %s names its replacement', (kind, apiVersion, replacement) => {
    const found = checkSchema({ ...base(kind), apiVersion });
    expect(found.map((f) => [f.rule, f.field])).toEqual([['schema/removed-api-version', 'apiVersion']]);
    expect(found[0].message).toMatch(replacement);
  });

  test('kinds removed from a version that still serves others, and kinds with no replacement', () => {
    const obj = (apiVersion: string, kind: string) => ({ apiVersion, kind, metadata: { name: 'x' } });
    expect(checkSchema(obj('networking.k8s.io/v1beta1', 'Ingress'))[0].message).toMatch(/use networking\.k8s\.io\/v1/);
    expect(checkSchema(obj('autoscaling/v2beta2', 'HorizontalPodAutoscaler'))[0].message).toMatch(
      /use autoscaling\/v2/,
    );
    expect(checkSchema(obj('flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema'))[0].message).toMatch(
      /use flowcontrol\.apiserver\.k8s\.io\/v1/,
    );
    expect(checkSchema(obj('storage.k8s.io/v1beta1', 'StorageClass'))[0].message).toMatch(/use storage\.k8s\.io\/v1/);
    expect(checkSchema(obj('policy/v1beta1', 'PodSecurityPolicy'))[0].message).toMatch(/Pod Security Admission/);
    // Still served: not a removed version.
    expect(checkSchema({ ...base('Deployment') }).map((f) => f.rule)).not.toContain('schema/removed-api-version');
    expect(checkSchema(obj('networking.k8s.io/v1beta1', 'IPAddress')).map((f) => f.rule)).not.toContain(
      'schema/removed-api-version',
    );
  });
});
