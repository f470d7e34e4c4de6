// The command as a process (the built `lib/src/cli.js`, as `npm pack` builds it): it ends when its
// result is written, whatever it started and could not stop, and ending loses none of its output.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { runCliIn } from '../support/cli';
import { deployment } from '../support/cluster';
import { hangingPluginKubeconfig } from '../support/credential-plugin';
import { FakeApiServer } from '../support/fake-apiserver';
import { ROOT, packedLibrary } from '../pack';

const CLI = path.join(ROOT, 'lib', 'src', 'cli.js');
jest.setTimeout(600_000);

let dir: string;
beforeAll(async () => {
  await packedLibrary(); // builds lib/
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-process-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })),
  );
}

test('an exec credential plugin that never answers: diff --timeout 2s names it and the process ends by about 4 s', async () => {
  const server = await FakeApiServer.start({ tls: true });
  const plugin = hangingPluginKubeconfig(server, dir);
  try {
    const manifest = path.join(dir, 'one.yaml');
    fs.writeFileSync(manifest, stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'one' } }));

    const result = await run(['diff', manifest, '--kubeconfig', plugin.kubeconfig, '--timeout', '2s']);
    expect(result.ms).toBeLessThan(4000);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^waiting for the exec plugin ".*node.*" \(kubeconfig credentials\): no answer for/m);
    expect(result.stderr).toMatch(
      /^timeout: the 2 s timeout \(--timeout\) passed while .*; the exec plugin ".*" of the kubeconfig had not answered for [12](\.\d)? s\. Nothing was changed\./m,
    );
    expect(server.requests).toEqual([]);
  } finally {
    await server.close();
    plugin.kill();
  }
});

test('the whole output reaches a pipe before the process ends', async () => {
  // 80 workloads and no policy: every ordered pair is a line, some 450 KB.
  const manifest = path.join(dir, 'open.yaml');
  fs.writeFileSync(
    manifest,
    Array.from({ length: 80 }, (_, i) => stringify(deployment(`web-${i}`, 'open'))).join('---\n'),
  );
  const inProcess = await runCliIn(ROOT, ['traffic', manifest]);
  const asProcess = await run(['traffic', manifest]);
  expect(asProcess.code).toBe(inProcess.code);
  expect(asProcess.stdout.length).toBeGreaterThan(400_000);
  expect(asProcess.stdout).toBe(inProcess.stdout);
});
