import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { CliIO } from '../src/cli/context';
import { main } from '../src/cli/program';

const DIST = path.join(__dirname, '..', 'dist');
let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-')); });

async function validate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: { write: (s: string) => { stdout += s; } }, stderr: { write: (s: string) => { stderr += s; } }, env: {}, cwd: dir };
  const code = await main(['node', 'workshop-stacks', 'validate', ...args], io);
  return { code, stdout, stderr };
}

const deployment = (image: string) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } } },
});

describe('workshop-stacks validate', () => {
  test('dist/ passes: exit 0, every exception listed with its reason', async () => {
    const run = await validate(DIST);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/object\(s\) checked: 0 finding\(s\), \d+ exception\(s\)/);
    expect(run.stdout).toContain('exception: Deployment dockercoins/worker');
    expect(run.stdout).toContain('reason: the worker listens on no port');
  });

  test('an app name is synthesized and validated in memory', async () => {
    const run = await validate('dockercoins', '-o', 'json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ command: 'validate', ok: true, findings: [] });
  });

  test('findings name the object, the field and the rule, and fail with exit 1', async () => {
    fs.writeFileSync(path.join(dir, 'bad.yaml'), stringify(deployment('web:latest')));
    const run = await validate('bad.yaml');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ Deployment shop/web: spec.template.spec.containers[0].image: [policy/image-tag]');
    expect(run.stdout).toContain('[pss-restricted/run-as-non-root]');
    const json = JSON.parse((await validate('bad.yaml', '--checks', 'schema,wiring', '-o', 'json')).stdout);
    expect(json).toMatchObject({ ok: true, findings: [] });
  });

  test('a document that is not YAML or not an object is a finding with its file and index', async () => {
    fs.writeFileSync(path.join(dir, 'broken.yaml'), `${stringify(deployment('web:1'))}---\nkind: [\n---\nfoo: bar\n`);
    const json = JSON.parse((await validate('broken.yaml', '--checks', 'schema', '-o', 'json')).stdout);
    expect(json.findings.map((f: any) => [f.object, f.rule])).toEqual([
      ['broken.yaml document 1', 'schema/yaml'], ['broken.yaml document 2', 'schema/object']]);
  });

  test('custom resources: unknown unless declared external', async () => {
    fs.writeFileSync(path.join(dir, 'cr.yaml'), stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }));
    expect((await validate('cr.yaml')).code).toBe(1);
    expect((await validate('cr.yaml', '--external-kind', 'example.com/v1/Widget')).code).toBe(0);
  });

  test('bad input is a usage error (exit 2)', async () => {
    expect((await validate('missing.yaml')).code).toBe(2);
    expect((await validate('--checks', 'style')).code).toBe(2);
  });
});
