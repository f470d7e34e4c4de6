import { KubeObject } from '../../src/manifest';
import { applySetId } from '../../src/apply/applyset';
import { configMap, deployment, docs, namespace, service } from './cluster';
import { FakeApiServer } from './fake-apiserver';

/** The apply set of the engine tests. */
export const SET = { name: 'workshop-stacks-test', namespace: 'default' };
export const ID = applySetId(SET);

/** Lets the fake's controllers, which write a few milliseconds after the request that caused them, finish. */
export const controllersDone = () => new Promise((resolve) => setTimeout(resolve, 50));

/** Non-dry-run server-side applies, as `Kind/name`, in the order the server got them. */
export function appliedInOrder(server: FakeApiServer): string[] {
  return server
    .writes()
    .filter((r) => r.method === 'PATCH' && r.query.dryRun === undefined)
    .map((r) => JSON.parse(r.body) as KubeObject)
    .map((o) => `${o.kind}/${o.metadata.name}`);
}

/** A small app in namespace shop with one object of each stage. */
export const app = (...extra: KubeObject[]) =>
  docs(
    'app.yaml',
    deployment('web', 'shop'),
    service('web', 'shop'),
    configMap('settings', 'shop'),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'shop' } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny', namespace: 'shop' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [] },
    namespace('shop'),
    ...extra,
  );
