import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  TOOL_VERSION,
  applySetId,
  defaultApplySetName,
  inventoryOf,
  parentObject,
  readParent,
} from '../src/apply/applyset';
import { KubeApiError, KubeClient, ListOptions, ResourceInfo } from '../src/apply/kube-api';
import { makePlan } from '../src/apply/plan';
import { maskSecrets, objectDiff } from '../src/apply/diff';
import { changeOf, ownedValues } from '../src/apply/apply';
import { describeError } from '../src/apply/describe-error';
import { loadSources, sourcesLabel } from '../src/manifest/load';
import { parseDocuments, describeRef, groupOf, identityKey, refOf } from '../src/manifest';
import { applyStages, deleteStages } from '../src/apply/order';
import { staleMembers } from '../src/apply/membership';
import { isRetryable, withRetry } from '../src/apply/retry';
import { parseEnvSecretSpec, secretFromEnv } from '../src/apply/secrets';
import { formatProblem } from '../src/checks/documents';
import { computeStatus, podProblem, waitForReady } from '../src/apply/wait';
import { parseDuration } from '../src/cli/options';
import { KubeObject } from '../src/manifest';

const obj = (kind: string, name: string, extra: Partial<KubeObject> = {}, apiVersion = 'v1'): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(extra.metadata ?? {}) },
  ...extra,
});

describe('apply sets (KEP-3659, as kubectl)', () => {
  test("the id is kubectl's: base64url without padding of sha256(name.namespace.kind.group)", () => {
    // The value kubectl's own apply tests expect for Secret my-set in namespace test.
    expect(applySetId({ name: 'my-set', namespace: 'test' })).toBe(
      'applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1',
    );
  });

  test('the parent records sorted Kind.group entries and only the namespaces other than its own', () => {
    const parent = { name: 'p', namespace: 'default' };
    const inventory = inventoryOf(
      [
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop' },
        { apiVersion: 'v1', kind: 'Secret', namespace: 'default' },
        { apiVersion: 'v1', kind: 'Namespace' },
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'zoo' },
      ],
      parent,
    );
    expect(parentObject(parent, inventory).metadata.annotations).toMatchObject({
      'applyset.kubernetes.io/contains-group-kinds': 'Deployment.apps,Namespace,Secret',
      'applyset.kubernetes.io/additional-namespaces': 'shop,zoo',
    });
  });

  test('a parent of another tool, or with another id, is refused', () => {
    const parent = { name: 'p', namespace: 'default' };
    const ours = parentObject(parent, { groupKinds: ['ConfigMap'], additionalNamespaces: [] });
    expect(readParent(ours, parent)).toEqual({ groupKinds: ['ConfigMap'], additionalNamespaces: [] });
    const kubectls = {
      ...ours,
      metadata: {
        ...ours.metadata,
        annotations: { ...ours.metadata.annotations, 'applyset.kubernetes.io/tooling': 'kubectl/v1.30' },
      },
    };
    expect(() => readParent(kubectls, parent)).toThrow(/managed by "kubectl"/);
    expect(() => readParent(ours, { name: 'other', namespace: 'default' })).toThrow(/expected applyset-/);
  });

  test('TOOL_VERSION follows package.json', () => {
    expect(TOOL_VERSION).toBe(JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version);
  });

  test('default names are valid Secret names', () => {
    expect(defaultApplySetName('dockercoins')).toBe('workshop-stacks-dockercoins');
    expect(defaultApplySetName('My App_v2')).toBe('workshop-stacks-my-app-v2');
    // A label long enough to be cut, where the cut falls just after a '.': the name still ends in a letter.
    const long = defaultApplySetName(`${'a'.repeat(236)}.${'b'.repeat(50)}`);
    expect(long).toBe(`workshop-stacks-${'a'.repeat(236)}`);
    expect(long.length).toBeLessThanOrEqual(253);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
  });

  test('stale members: only labelled with this id, not kept, not already being deleted', () => {
    const member = (name: string, id: string, extra: Record<string, unknown> = {}) =>
      obj('ConfigMap', name, {
        metadata: { name, namespace: 'ns', labels: { 'applyset.kubernetes.io/part-of': id }, ...extra },
      });
    const keep = new Set(['ConfigMap/ns/kept']);
    expect(
      staleMembers(
        [
          member('kept', 'a'),
          member('gone', 'a'),
          member('foreign', 'b'),
          member('dying', 'a', { deletionTimestamp: 'x' }),
          obj('ConfigMap', 'unlabelled', { metadata: { name: 'unlabelled', namespace: 'ns' } }),
        ],
        'a',
        keep,
      ).map((o) => o.metadata.name),
    ).toEqual(['gone']);
  });
});

describe('order', () => {
  const refs = [
    'Deployment',
    'Service',
    'Namespace',
    'ConfigMap',
    'CustomResourceDefinition',
    'ValidatingWebhookConfiguration',
    'Widget',
    'RoleBinding',
    'ServiceAccount',
    'ClusterRole',
    'Secret',
    'LimitRange',
    'NetworkPolicy',
    'Job',
  ].map((kind) => ({ apiVersion: 'v1', kind, name: kind.toLowerCase() }));

  test("stages follow Flux's kind order; unknown kinds with the workloads; webhooks last", () => {
    expect(applyStages(refs, (r) => r).map((s) => `${s.stage}: ${s.items.map((r) => r.kind).join(' ')}`)).toEqual([
      'definitions: CustomResourceDefinition Namespace',
      'cluster: ClusterRole LimitRange',
      'access: ServiceAccount RoleBinding',
      'config: ConfigMap Secret Service NetworkPolicy',
      'workloads: Deployment Job Widget',
      'webhooks: ValidatingWebhookConfiguration',
    ]);
  });

  test('deletion is the exact reverse', () => {
    const forward = applyStages(refs, (r) => r).flatMap((s) => s.items);
    expect(deleteStages(refs, (r) => r).flatMap((s) => s.items)).toEqual([...forward].reverse());
  });

  test('the order does not depend on the input order', () => {
    expect(applyStages([...refs].reverse(), (r) => r)).toEqual(applyStages(refs, (r) => r));
  });
});

describe('load', () => {
  test('a directory: its manifest files in name order, each document with its index (empty ones count)', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-load-'));
    fs.mkdirSync(path.join(root, 'm'));
    fs.writeFileSync(path.join(root, 'm', 'b.yaml'), 'kind: B\n---\n---\nkind: C\n');
    fs.writeFileSync(path.join(root, 'm', 'a.k8s.yaml'), 'kind: A\n');
    fs.writeFileSync(path.join(root, 'm', 'notes.txt'), 'not a manifest');
    const loaded = loadSources(['m'], { cwd: root });
    expect(loaded.map((d) => [d.source, d.index, (d.value as any).kind])).toEqual([
      [path.join('m', 'a.k8s.yaml'), 0, 'A'],
      [path.join('m', 'b.yaml'), 0, 'B'],
      [path.join('m', 'b.yaml'), 2, 'C'],
    ]);
    expect(() => loadSources(['nope'], { cwd: root })).toThrow(/neither a file nor a directory/);
  });

  test('a syntax error stays with its document; the documents after it are still read', () => {
    const docs = parseDocuments('kind: A\n---\nkind: [x\n---\nkind: C\n', 'f.yaml');
    expect(docs.map((d) => [d.index, d.yamlError !== undefined, (d.value as any)?.kind])).toEqual([
      [0, false, 'A'],
      [1, true, undefined],
      [2, false, 'C'],
    ]);
  });

  test('the label that names the apply set', () => {
    expect(sourcesLabel(['dist/dockercoins.k8s.yaml'])).toBe('dockercoins');
    expect(sourcesLabel(['dist'])).toBe('dist');
    expect(sourcesLabel(['dockercoins'])).toBe('dockercoins');
    expect(sourcesLabel(['a.yaml', 'b.yaml'])).toBeUndefined();
  });

  test('problems read as file, document, object, field', () => {
    expect(
      formatProblem({
        source: 'a.yaml',
        index: 2,
        object: 'Deployment ns/web',
        field: 'spec.replicas',
        message: 'bad',
      }),
    ).toBe('a.yaml document 2 (Deployment ns/web): spec.replicas: bad');
    expect(formatProblem({ message: 'refusing' })).toBe('refusing');
  });
});

describe('secrets from the environment', () => {
  test('spec syntax', () => {
    expect(parseEnvSecretSpec('tgr/tgr-github=CLIENT_ID,CLIENT_SECRET:GH_SECRET')).toEqual({
      name: 'tgr-github',
      namespace: 'tgr',
      keys: [
        { key: 'CLIENT_ID', env: 'CLIENT_ID' },
        { key: 'CLIENT_SECRET', env: 'GH_SECRET' },
      ],
    });
    expect(parseEnvSecretSpec('creds=token').namespace).toBeUndefined();
    for (const bad of ['creds', 'Bad_Name=X', 'creds=a b', 'creds=K:1X', 'creds=K,K'])
      expect(() => parseEnvSecretSpec(bad)).toThrow(/invalid secret spec/);
  });

  test('values go to data, base64; an empty variable is a problem that names it', () => {
    const spec = parseEnvSecretSpec('s=A,B');
    expect(secretFromEnv(spec, { A: 'x', B: '' }).problems).toEqual(['environment variable B is empty']);
    expect(secretFromEnv(spec, { A: 'x', B: 'y' }).object!.data).toEqual({ A: 'eA==', B: 'eQ==' });
  });
});

describe('readiness (kstatus)', () => {
  const dep = (status: Record<string, unknown>, replicas = 2) =>
    obj('Deployment', 'd', { metadata: { name: 'd', generation: 2 }, spec: { replicas }, status }, 'apps/v1');

  test.each([
    [{}, 'InProgress', 'waiting for the controller to observe generation 2'],
    [{ observedGeneration: 1 }, 'InProgress', 'waiting for the controller to observe generation 2'],
    [{ observedGeneration: 2, replicas: 2, updatedReplicas: 1 }, 'InProgress', '1/2 replicas updated'],
    [{ observedGeneration: 2, replicas: 3, updatedReplicas: 2 }, 'InProgress', '1 old replicas pending termination'],
    [
      { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 1 },
      'InProgress',
      '1/2 replicas available',
    ],
    [
      { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 },
      'Current',
      '2/2 replicas ready',
    ],
    [
      {
        observedGeneration: 2,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      },
      'Failed',
      'progress deadline exceeded',
    ],
  ])('Deployment %j is %s', (status, expected, message) => {
    expect(computeStatus(dep(status))).toEqual({ status: expected, message });
  });

  test('waitForReady takes an answer that is ready as it is, and reads again only those that are not', async () => {
    const ns = (name: string, phase: string) => obj('Namespace', name, { status: { phase } });
    const lists: string[] = [];
    const client = {
      list: async (_apiVersion: string, kind: string) => {
        lists.push(kind);
        return [ns('a', 'Active'), ns('b', 'Active')];
      },
    } as unknown as KubeClient;
    const refs = [refOf(ns('a', 'Active')), refOf(ns('b', 'Active'))];
    const answers = (b: string) => new Map([ns('a', 'Active'), ns('b', b)].map((o) => [identityKey(refOf(o)), o]));
    const options = { timeoutMs: 1000, intervalMs: 1 };

    const ready = await waitForReady(client, refs, { ...options, answers: answers('Active') });
    expect(ready.map((r) => r.status)).toEqual(['Current', 'Current']);
    expect(lists).toEqual([]);
    // b's answer says Terminating: it is read again (and is Active by then), a is not.
    const again = await waitForReady(client, refs, { ...options, answers: answers('Terminating') });
    expect(again.map((r) => r.status)).toEqual(['Current', 'Current']);
    expect(lists).toEqual(['Namespace']);
  });

  test('DaemonSet: desired = scheduled = updated = available = ready', () => {
    const ds = (status: Record<string, unknown>) =>
      obj(
        'DaemonSet',
        'rng',
        { metadata: { name: 'rng', generation: 1 }, status: { observedGeneration: 1, ...status } },
        'apps/v1',
      );
    expect(
      computeStatus(
        ds({
          desiredNumberScheduled: 3,
          currentNumberScheduled: 3,
          updatedNumberScheduled: 3,
          numberAvailable: 2,
          numberReady: 3,
        }),
      ),
    ).toEqual({ status: 'InProgress', message: '2/3 pods available' });
    expect(
      computeStatus(
        ds({
          desiredNumberScheduled: 3,
          currentNumberScheduled: 3,
          updatedNumberScheduled: 3,
          numberAvailable: 3,
          numberReady: 3,
        }),
      ).status,
    ).toBe('Current');
  });

  test('StatefulSet: ready, then the update revision rolled out', () => {
    const sts = (status: Record<string, unknown>) =>
      obj(
        'StatefulSet',
        's',
        { metadata: { name: 's', generation: 1 }, spec: { replicas: 2 }, status: { observedGeneration: 1, ...status } },
        'apps/v1',
      );
    expect(computeStatus(sts({ readyReplicas: 1 })).status).toBe('InProgress');
    expect(
      computeStatus(
        sts({ readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2, currentRevision: 'a', updateRevision: 'b' }),
      ).message,
    ).toBe('rolling out revision b');
    expect(
      computeStatus(
        sts({ readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2, currentRevision: 'b', updateRevision: 'b' }),
      ).status,
    ).toBe('Current');
  });

  test('Jobs: Complete is current, Failed is failed', () => {
    const job = (conditions: unknown[]) => obj('Job', 'j', { status: { conditions } }, 'batch/v1');
    expect(computeStatus(job([])).status).toBe('InProgress');
    expect(computeStatus(job([{ type: 'Complete', status: 'True' }])).status).toBe('Current');
    expect(computeStatus(job([{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }]))).toEqual({
      status: 'Failed',
      message: 'job failed: BackoffLimitExceeded',
    });
  });

  test('a LoadBalancer Service waits for an address only when asked', () => {
    const svc = obj('Service', 's', { spec: { type: 'LoadBalancer' }, status: { loadBalancer: {} } });
    expect(computeStatus(svc).status).toBe('Current');
    expect(computeStatus(svc, { waitForLoadBalancer: true }).status).toBe('InProgress');
  });

  test('pods stuck in image pulls or crash loops are failures that name pod, container and reason', () => {
    const pod = (reason: string) =>
      obj('Pod', 'p-1', { status: { containerStatuses: [{ name: 'app', state: { waiting: { reason } } }] } });
    expect(podProblem([pod('ContainerCreating')])).toBeUndefined();
    expect(podProblem([pod('ImagePullBackOff')])).toBe('pod p-1: container app: ImagePullBackOff');
    expect(podProblem([pod('CreateContainerConfigError')])).toBe('pod p-1: container app: CreateContainerConfigError');
  });
});

describe('retry policy', () => {
  const api = (code: number) => new KubeApiError(code, { reason: 'X', message: 'm' }, 'GET /x');

  test('429, 5xx and dropped connections are retried; other 4xx are not', () => {
    expect([429, 500, 502, 503, 504].map((c) => isRetryable(api(c)))).toEqual([true, true, true, true, true]);
    expect([400, 401, 403, 404, 409, 422].map((c) => isRetryable(api(c)))).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(isRetryable(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(new Error('boom'))).toBe(false);
  });

  test('honours Retry-After up to the maximum delay, with exponential backoff otherwise', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls === 1) throw new KubeApiError(429, {}, 'GET /x', 3);
        if (calls < 4) throw api(500);
        return 'done';
      },
      {
        minDelayMs: 100,
        maxDelayMs: 1000,
        sleep: async (ms) => {
          delays.push(ms);
        },
      },
    );
    expect(result).toBe('done');
    expect(delays).toEqual([1000, 200, 400]);
  });
});

describe('diff', () => {
  test('Secret values are masked on both sides; changed keys are marked', () => {
    const secret = (data: Record<string, string>, lastApplied?: string) =>
      obj('Secret', 's', {
        metadata: {
          name: 's',
          ...(lastApplied ? { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } } : {}),
        },
        data,
      });
    const [before, after] = maskSecrets(
      secret({ a: 'MQ==', b: 'Mg==', gone: 'Mw==' }, '{"data":{"a":"MQ=="}}'),
      secret({ a: 'MQ==', b: 'NA==', added: 'NQ==' }),
    );
    expect(before!.data).toEqual({ a: '***', b: '*** (before)', gone: '*** (before)' });
    expect(after!.data).toEqual({ a: '***', b: '*** (after)', added: '*** (after)' });
    expect(before!.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration']).toBe('***');
  });

  test('server bookkeeping does not show; no difference, no diff', () => {
    const live = obj('ConfigMap', 'c', {
      metadata: { name: 'c', resourceVersion: '5', uid: 'u', managedFields: [] as unknown[] },
      data: { a: '1' },
    });
    expect(
      objectDiff(
        'ConfigMap c',
        live,
        obj('ConfigMap', 'c', { metadata: { name: 'c', resourceVersion: '5' }, data: { a: '1' } }),
      ),
    ).toBe('');
    expect(objectDiff('ConfigMap c', undefined, live)).toMatch(/^--- \/dev\/null\n\+\+\+ merged\/ConfigMap c/);
  });
});

describe('errors', () => {
  test('a conflict names the field and its manager', () => {
    const error = new KubeApiError(
      409,
      {
        reason: 'Conflict',
        message: 'Apply failed',
        details: {
          causes: [
            {
              reason: 'FieldManagerConflict',
              message: 'conflict with "kubectl-edit" using apps/v1',
              field: '.spec.replicas',
            },
          ],
        },
      },
      'PATCH /x',
    );
    expect(describeError(error)).toBe(
      'conflict: .spec.replicas is owned by kubectl-edit (--force-conflicts takes ownership)',
    );
  });

  test('an immutable field is named, with the way forward', () => {
    const error = new KubeApiError(
      422,
      {
        reason: 'Invalid',
        message:
          'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{}: field is immutable',
        details: {
          causes: [
            {
              reason: 'FieldValueInvalid',
              message: 'Invalid value: v1.LabelSelector{}: field is immutable',
              field: 'spec.selector',
            },
          ],
        },
      },
      'PATCH /x',
    );
    expect(describeError(error)).toBe(
      'spec.selector: field is immutable; --force deletes the object and creates it again',
    );
  });

  test('a write into a namespace that began terminating after the plan says so', () => {
    const error = new KubeApiError(
      403,
      {
        reason: 'Forbidden',
        message:
          'configmaps "a" is forbidden: unable to create new content in namespace shop because it is being terminated',
        details: {
          causes: [
            {
              reason: 'NamespaceTerminating',
              message: 'namespace shop is being terminated',
              field: 'metadata.namespace',
            },
          ],
        },
      },
      'PATCH /x',
    );
    expect(describeError(error, { apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'shop' })).toBe(
      'namespace shop is being deleted (Terminating): nothing can be created in it; apply again once it is gone',
    );
  });

  test("quoted values in a Secret's error are redacted", () => {
    const error = new KubeApiError(
      422,
      { reason: 'Invalid', message: 'Secret "s" is invalid: data[k]: Invalid value: "c2VjcmV0"' },
      'PATCH /x',
    );
    expect(describeError(error, { apiVersion: 'v1', kind: 'Secret', name: 's' })).not.toContain('c2VjcmV0');
  });
});

describe('durations', () => {
  test.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['5m', 300_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['500ms', 500],
  ])('%s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  test('rejects nonsense', () => expect(() => parseDuration('5x')).toThrow());
});

describe('what an apply changed', () => {
  const fields: Record<string, any> = {
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {} } } } },
    },
  };
  const deploy = (rv: string, replicas: number, extra: Record<string, unknown> = {}, managed = fields): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      resourceVersion: rv,
      labels: { app: 'web' },
      managedFields: [
        { manager: 'me', operation: 'Apply', apiVersion: 'apps/v1', fieldsV1: managed },
        { manager: 'kube-controller-manager', operation: 'Update', fieldsV1: {} },
      ],
      ...extra,
    },
    spec: {
      replicas,
      template: {
        spec: {
          containers: [
            { name: 'sidecar', image: 's:1' },
            { name: 'web', image: 'w:1' },
          ],
        },
      },
    },
  });

  test('created when the plan saw nothing; unchanged when the resourceVersion did not move', () => {
    expect(changeOf(undefined, deploy('5', 1), 'me')).toBe('created');
    expect(changeOf(deploy('5', 1), deploy('5', 1), 'me')).toBe('unchanged');
  });

  test("another manager's write (annotation, status) between the LIST and the apply is not a change of ours", () => {
    const after = {
      ...deploy('9', 1, { annotations: { 'deployment.kubernetes.io/revision': '2' } }),
      status: { replicas: 1 },
    };
    expect(changeOf(deploy('5', 1), after, 'me')).toBe('unchanged');
  });

  test('configured when a value this manager owns changed, or what it owns did', () => {
    expect(changeOf(deploy('5', 1), deploy('9', 3), 'me')).toBe('configured');
    expect(
      changeOf(
        deploy('5', 1),
        deploy('9', 1, {}, { ...fields, 'f:spec': { ...fields['f:spec'], 'f:paused': {} } }),
        'me',
      ),
    ).toBe('configured');
  });

  test('a dry run never moves the resourceVersion, so its answer is compared by what this manager owns', () => {
    expect(changeOf(deploy('5', 1), deploy('5', 3), 'me', true)).toBe('configured');
    expect(changeOf(deploy('5', 1), deploy('5', 1), 'me', true)).toBe('unchanged');
  });

  test('owned values follow fieldsV1: map keys, list elements by key, set elements, indexes', () => {
    const obj = deploy('1', 1);
    expect(ownedValues(obj, fields)).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': 'web' } },
      'f:spec': {
        'f:replicas': 1,
        'f:template': { 'f:spec': { 'f:containers': [['k:{"name":"web"}', { 'f:image': 'w:1' }]] } },
      },
    });
    expect(
      ownedValues(
        { finalizers: ['a', 'b'], args: ['x', 'y'] },
        { 'f:finalizers': { 'v:"b"': {} }, 'f:args': { 'i:1': {} } },
      ),
    ).toEqual({ 'f:finalizers': [['v:"b"', 'b']], 'f:args': [['i:1', 'y']] });
  });
});

describe('plan', () => {
  const SET = { name: 'set', namespace: 'default' };
  const ID = applySetId(SET);
  const CLUSTER_SCOPED = ['Namespace', 'ClusterRole'];
  const info = (apiVersion: string, kind: string): ResourceInfo => ({
    group: groupOf(apiVersion),
    version: apiVersion.split('/').pop()!,
    kind,
    resource: `${kind.toLowerCase()}s`,
    namespaced: !CLUSTER_SCOPED.includes(kind),
  });
  const member = (o: KubeObject, id = ID): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, labels: { ...o.metadata.labels, 'applyset.kubernetes.io/part-of': id } },
  });
  const cm = (name: string, namespace: string) =>
    obj('ConfigMap', name, { metadata: { name, namespace }, data: { k: 'v' } });

  /** A client that answers from `live` and records its calls; cluster-wide LISTs of namespaced kinds may be forbidden. */
  function stub(live: KubeObject[], options: { forbidClusterWide?: boolean; parent?: KubeObject } = {}) {
    const calls: string[] = [];
    const refuse = () => {
      throw new Error('the plan does not write');
    };
    const client: KubeClient = {
      resourceFor: async (apiVersion, kind) => info(apiVersion, kind),
      resourceForGroupKind: async (group, kind) => info(group ? `${group}/v1` : 'v1', kind),
      invalidateDiscovery: () => {},
      get: async (ref) => {
        calls.push(`GET ${describeRef(ref)}`);
        return ref.kind === 'Secret' ? options.parent : undefined;
      },
      list: async (apiVersion: string, kind: string, o: ListOptions = {}) => {
        calls.push(`LIST ${kind} ${o.namespace ?? '*'}${o.labelSelector ? ' by label' : ''}`);
        if (options.forbidClusterWide && !o.namespace && info(apiVersion, kind).namespaced)
          throw new KubeApiError(403, { reason: 'Forbidden' }, 'GET x');
        return live.filter(
          (l) =>
            l.kind === kind &&
            (!o.namespace || l.metadata.namespace === o.namespace) &&
            (!o.labelSelector || l.metadata.labels?.['applyset.kubernetes.io/part-of'] === ID),
        );
      },
      apply: refuse,
      delete: refuse,
      requestToken: refuse,
    };
    return { client, calls };
  }
  const ctx = (client: KubeClient) => ({
    client,
    defaultNamespace: 'default',
    concurrency: 4,
    command: 'apply' as const,
  });
  const input = (...objects: KubeObject[]) => ({
    documents: objects.map((value, index) => ({ source: 'a.yaml', index, value })),
    applySet: SET,
    skipChecks: true,
  });

  test('one LIST per kind and namespace, no GET but the parent; live state, stages and labels in the plan', async () => {
    const live = [
      obj('Namespace', 'default'),
      member(cm('a', 'default')),
      obj('Namespace', 'shop', { metadata: { name: 'shop', deletionTimestamp: 'now' } }),
    ];
    const { client, calls } = stub(live);
    const plan = await makePlan(input(cm('a', 'default'), cm('b', 'default'), obj('Namespace', 'shop')), ctx(client));
    expect(plan.problems).toEqual([]);
    expect(calls.sort()).toEqual(['GET Secret default/set', 'LIST ConfigMap default', 'LIST Namespace *']);
    expect(plan.objects.map((o) => [o.key, o.live?.metadata.name ?? null])).toEqual([
      ['ConfigMap/default/a', 'a'],
      ['ConfigMap/default/b', null],
      ['Namespace//shop', 'shop'],
    ]);
    expect(plan.objects.every((o) => o.object.metadata.labels?.['applyset.kubernetes.io/part-of'] === ID)).toBe(true);
    expect(plan.stages.map((s) => s.stage)).toEqual(['definitions', 'config']);
    expect(plan.terminating.map(describeRef)).toEqual(['Namespace shop']);
    expect([...plan.newNamespaces]).toEqual(['shop']);
  });

  test('old members across namespaces: one cluster-wide LIST, one per namespace when that is forbidden', async () => {
    const parent = parentObject(SET, { groupKinds: ['ConfigMap'], additionalNamespaces: ['zoo'] });
    const live = [
      obj('Namespace', 'default'),
      obj('Namespace', 'shop'),
      obj('Namespace', 'zoo'),
      member(cm('old', 'zoo')),
      member(cm('theirs', 'shop'), 'applyset-other-v1'),
    ];
    const wide = stub(live, { parent });
    const plan = await makePlan(input(cm('theirs', 'shop')), ctx(wide.client));
    expect(wide.calls.filter((c) => c.startsWith('LIST ConfigMap'))).toEqual(['LIST ConfigMap *']);
    expect(plan.stale.map((o) => describeRef(refOf(o)))).toEqual(['ConfigMap zoo/old']);
    expect(plan.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^belongs to another apply set \(applyset-other-v1\)/),
    ]);

    const limited = stub(live, { parent, forbidClusterWide: true });
    await makePlan(input(cm('theirs', 'shop')), ctx(limited.client));
    expect(limited.calls.filter((c) => c.startsWith('LIST ConfigMap')).sort()).toEqual([
      'LIST ConfigMap *',
      'LIST ConfigMap default',
      'LIST ConfigMap shop',
      'LIST ConfigMap zoo',
    ]);
    // Kinds only old members have are listed by the set's label.
    const gone = stub(live, {
      parent: parentObject(SET, { groupKinds: ['ConfigMap', 'Secret'], additionalNamespaces: ['zoo'] }),
    });
    await makePlan(input(cm('theirs', 'shop')), ctx(gone.client));
    expect(gone.calls.filter((c) => c.startsWith('LIST Secret'))).toEqual(['LIST Secret * by label']);
  });

  test('the input documents are not changed: normalizing works on copies', async () => {
    const document = {
      ...cm('a', 'default'),
      status: { x: 1 },
      metadata: { name: 'a', namespace: 'default', uid: 'u' },
    };
    const before = structuredClone(document);
    const plan = await makePlan(input(document), ctx(stub([obj('Namespace', 'default')]).client));
    expect(document).toEqual(before);
    expect(plan.objects[0].object).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace: 'default', labels: { 'applyset.kubernetes.io/part-of': ID } },
      data: { k: 'v' },
    });
  });
});
