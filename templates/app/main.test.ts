import { Testing } from 'cdk8s';
import { KubeObject, validateObjects } from 'workshop-stacks/checks';
import { ClassChart } from './main';

const objects: KubeObject[] = Testing.synth(new ClassChart(Testing.app(), 'my-class'));

test('the gateway sends / to the dockercoins web UI', () => {
  const envoy = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name?.endsWith('-envoy'));
  expect(JSON.stringify(envoy?.data)).toContain('webui.my-class.svc.cluster.local');
});

test('every object passes the workshop-stacks checks (schema, wiring, policy)', () => {
  expect(validateObjects(objects).findings).toEqual([]);
});

// After an intended change: `npm test -- -u`, and review the snapshot's diff.
test('the manifests are those of the snapshot', () => {
  expect(objects).toMatchSnapshot();
});
