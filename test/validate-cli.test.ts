import { CliRun, runCliIn } from './support/cli';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { APPS } from '../apps/registry';
import { CliIO } from '../src/cli/context';
import { main } from '../src/cli/program';

const DIST = path.join(__dirname, '..', 'dist');
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-'));
});

function validate(...args: string[]): Promise<CliRun> {
  return runCliIn(dir, ['validate', ...args]);
}

const deployment = (image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
  },
});
const write = (name: string, ...docs: unknown[]) =>
  fs.writeFileSync(path.join(dir, name), docs.map((d) => stringify(d)).join('---\n'));
const rulesOf = (json: any) => json.findings.map((f: any) => f.rule);

describe('workshop-stacks validate', () => {
  test('dist/ passes: exit 0, every exception listed with its reason', async () => {
    const run = await validate(DIST);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/object\(s\) checked: 0 finding\(s\), \d+ exception\(s\)/);
    expect(run.stdout).toMatch(
      /exception: \S*dist\/dockercoins\.k8s\.yaml document \d+ \(Deployment dockercoins\/worker\)/,
    );
    expect(run.stdout).toContain('reason: the worker listens on no port');
  });

  test('app names are synthesized and validated in memory: every app passes the strict checks', async () => {
    const run = await validate(...Object.keys(APPS), '-o', 'json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ command: 'validate', ok: true, findings: [] });
  });

  test('findings name the object, the field and the rule, and fail with exit 1', async () => {
    fs.writeFileSync(path.join(dir, 'bad.yaml'), stringify(deployment('web:latest')));
    const run = await validate('bad.yaml');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '✗ bad.yaml document 0 (Deployment shop/web): spec.template.spec.containers[0].image: [policy/image-tag]',
    );
    expect(run.stdout).toContain('[pss-restricted/run-as-non-root]');
    const json = JSON.parse((await validate('bad.yaml', '--checks', 'schema,wiring', '-o', 'json')).stdout);
    expect(json).toMatchObject({ ok: true, findings: [] });
  });

  test('a document that is not YAML or not an object is a finding with its file and index', async () => {
    fs.writeFileSync(path.join(dir, 'broken.yaml'), `${stringify(deployment('web:1'))}---\nkind: [\n---\nfoo: bar\n`);
    const json = JSON.parse((await validate('broken.yaml', '--checks', 'schema', '-o', 'json')).stdout);
    expect(json.findings.map((f: any) => [f.source, f.index, f.field, f.message.slice(0, 12)])).toEqual([
      ['broken.yaml', 1, undefined, 'invalid YAML'],
      ['broken.yaml', 2, 'apiVersion', 'is missing'],
      ['broken.yaml', 2, 'kind', 'is missing'],
      ['broken.yaml', 2, 'metadata', 'is missing'],
    ]);
  });

  test('each finding names the file and document as well as the object', async () => {
    write('a.yaml', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, deployment('web:latest'));
    const json = JSON.parse((await validate('a.yaml', '--checks', 'policy', '-o', 'json')).stdout);
    expect(json.findings.find((f: any) => f.rule === 'policy/image-tag')).toMatchObject({
      source: 'a.yaml',
      index: 1,
      object: 'Deployment shop/web',
    });
  });

  test('the same object twice, in one file or across files, is a finding', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns' } };
    write('a.yaml', cm, cm);
    write('b.yaml', cm);
    const json = JSON.parse((await validate('a.yaml', 'b.yaml', '-o', 'json')).stdout);
    expect(json.findings.map((f: any) => [f.source, f.index, f.rule, f.message])).toEqual([
      ['a.yaml', 1, 'schema/duplicate', 'duplicate of a.yaml document 0'],
      ['b.yaml', 0, 'schema/duplicate', 'duplicate of a.yaml document 0'],
    ]);
  });

  test('what the API server rejects: unknown fields, a selector that misses its template, a request above its limit, a shared nodePort, a bad quantity', async () => {
    const web = deployment('web:1') as any;
    web.spec.replicaz = 3;
    web.spec.selector.matchLabels.app = 'other';
    web.spec.template.spec.containers[0].resources = {
      requests: { cpu: '2', memory: '1Gi' },
      limits: { cpu: '1500m', memory: '2Gi' },
    };
    const svc = (name: string) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'shop' },
      spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] },
    });
    write('a.yaml', web, svc('one'));
    write('b.yaml', svc('two'));
    const json = JSON.parse((await validate('a.yaml', 'b.yaml', '--checks', 'schema', '-o', 'json')).stdout);
    expect(json.findings.map((f: any) => [f.source, f.rule, f.field])).toEqual([
      ['a.yaml', 'schema/unknown-field', 'spec.replicaz'],
      ['a.yaml', 'schema/selector-matches-template', 'spec.selector'],
      ['a.yaml', 'schema/request-above-limit', 'spec.template.spec.containers[0].resources.requests.cpu'],
      ['b.yaml', 'schema/node-port-conflict', 'spec.ports[0].nodePort'],
    ]);
    web.spec = deployment('web:1').spec;
    web.spec.template.spec.containers[0].resources = { limits: { memory: '64MB' } };
    write('a.yaml', web);
    const bad = JSON.parse((await validate('a.yaml', '--checks', 'schema', '-o', 'json')).stdout).findings;
    expect(bad.length).toBeGreaterThan(0);
    expect(
      bad.every(
        (f: any) =>
          f.rule === 'schema/invalid' && f.field === 'spec.template.spec.containers[0].resources.limits.memory',
      ),
    ).toBe(true);
  });

  test('an image reference that is not valid is a finding', async () => {
    write('a.yaml', deployment('Redis:::bad'));
    expect(rulesOf(JSON.parse((await validate('a.yaml', '--checks', 'policy', '-o', 'json')).stdout))).toContain(
      'policy/image-reference',
    );
  });

  test('nothing found is an error (exit 2) unless --allow-empty', async () => {
    fs.writeFileSync(path.join(dir, 'empty.yaml'), '');
    fs.mkdirSync(path.join(dir, 'none'));
    fs.writeFileSync(path.join(dir, 'none', 'notes.txt'), 'x');
    for (const input of ['empty.yaml', 'none']) {
      const run = await validate(input);
      expect([run.code, run.stderr]).toEqual([2, expect.stringContaining(`error: nothing found in ${input}`)]);
    }
    expect((await validate('empty.yaml', '--allow-empty')).code).toBe(0);
  });

  test('--external-kind must be group/version/Kind or version/Kind', async () => {
    write('a.yaml', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    for (const bad of ['foo', 'example.com/Widget', 'Example.com/v1/Widget', 'example.com/v1/widget']) {
      expect((await validate('a.yaml', '--external-kind', bad)).code).toBe(2);
    }
    expect(
      (
        await validate(
          'a.yaml',
          '--external-kind',
          'v1/Widget',
          '--external-kind',
          'cert-manager.io/v1beta1/Certificate',
        )
      ).code,
    ).toBe(0);
  });

  test('custom resources: unknown unless declared external', async () => {
    fs.writeFileSync(
      path.join(dir, 'cr.yaml'),
      stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }),
    );
    expect((await validate('cr.yaml')).code).toBe(1);
    expect((await validate('cr.yaml', '--external-kind', 'example.com/v1/Widget')).code).toBe(0);
  });

  test('bad input is a usage error (exit 2)', async () => {
    expect((await validate('missing.yaml')).code).toBe(2);
    expect((await validate('--checks', 'style')).code).toBe(2);
  });

  test('a user error prints its message without a stack trace and exits 2', async () => {
    let stderr = '';
    const io: CliIO = {
      stdout: { write: () => undefined },
      stderr: {
        write: (s: string) => {
          stderr += s;
        },
      },
      env: { WORKSHOP_PROFILE: 'bogus' },
      cwd: dir,
    };
    expect(await main(['node', 'workshop-stacks', 'validate', 'dockercoins'], io)).toBe(2);
    expect(stderr).toBe('error: WORKSHOP_PROFILE must be one of local, cloud, got "bogus"\n');
  });
});
