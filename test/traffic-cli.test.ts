import { CliRun, runCliIn } from './support/cli';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traffic-'));
});

function traffic(...args: string[]): Promise<CliRun> {
  return runCliIn(dir, ['traffic', ...args]);
}

let mermaid: { parse(text: string): Promise<unknown> } | undefined;

/**
 * mermaid 11's own parser, headless: it needs a DOM only for its sanitizer, which jsdom provides. mermaid is
 * ES modules only, which Jest's module loader cannot require; its self-contained browser build (one script
 * that sets a global) runs here instead, with the same parser.
 */
async function mermaidParse(text: string): Promise<void> {
  if (!mermaid) {
    const { JSDOM } = await import('jsdom');
    const { window } = new JSDOM('<!doctype html><html><body></body></html>');
    Object.assign(globalThis, { window, document: window.document });
    const script = fs
      .readFileSync(require.resolve('mermaid/dist/mermaid.min.js'), 'utf8')
      .replace(
        /globalThis\["mermaid"\]\s*=\s*globalThis\.(__esbuild_esm_mermaid_nm)\["mermaid"\]\.default;?\s*$/,
        'return $1.mermaid.default;',
      );
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- mermaid's own script, from node_modules
    mermaid = new Function(script)() as typeof mermaid;
  }
  await mermaid!.parse(text);
}

const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const deployment = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop' },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'x:1' }] } },
  },
});
const allowWebToDb = (port: number) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'db', namespace: 'shop' },
  spec: {
    podSelector: { matchLabels: { app: 'db' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port }] }],
  },
});
const deny = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'deny', namespace: 'shop' },
  spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
};
const egressAll = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'out', namespace: 'shop' },
  spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] },
};

function write(name: string, objects: unknown[]): string {
  fs.writeFileSync(path.join(dir, name), objects.map((o) => stringify(o)).join('---\n'));
  return name;
}

describe('workshop-stacks traffic', () => {
  test('one line per allowed connection, in connlist notation', async () => {
    const run = await traffic(path.join(DIST, 'dockercoins.k8s.yaml'));
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        'dockercoins/worker[Deployment] => dockercoins/rng[DaemonSet] : TCP 80',
        'dockercoins/worker[Deployment] => dockercoins/hasher[Deployment] : TCP 80',
        'dockercoins/worker[Deployment] => dockercoins/redis[Deployment] : TCP 6379',
        'dockercoins/webui[Deployment] => dockercoins/redis[Deployment] : TCP 6379',
        '0.0.0.0-255.255.255.255 => dockercoins/webui[Deployment] : TCP 80',
      ]),
    );
    // rng, hasher and redis dial nothing.
    expect(run.stdout).not.toMatch(/^dockercoins\/(rng|hasher|redis)\[/m);
    // Pods the inputs do not hold (kube-dns) are for --exposure only, as in netpol-analyzer.
    expect(run.stdout).not.toContain('kube-dns');
  });

  test("--exposure adds netpol-analyzer's exposure section after the list", async () => {
    const run = await traffic(path.join(DIST, 'dockercoins.k8s.yaml'), '--exposure');
    const dns = 'kube-system/[pod with {k8s-app=kube-dns}] : TCP 53,UDP 53';
    // The list, a blank line, the section: workloads padded to one width, then a space and a tab.
    expect({ code: run.code, section: run.stdout.slice(run.stdout.indexOf('rng[DaemonSet] : TCP 80\n')) }).toEqual({
      code: 0,
      section:
        `rng[DaemonSet] : TCP 80\n\nExposure Analysis Result:\nEgress Exposure:\ndockercoins/webui[Deployment]  \t=> \t${dns}\n` +
        `dockercoins/worker[Deployment] \t=> \t${dns}\n\nIngress Exposure:\ndockercoins/webui[Deployment]  \t<= \t0.0.0.0-255.255.255.255 : TCP 80\n` +
        'dockercoins/webui[Deployment]  \t<= \tentire-cluster : TCP 80\n',
    });
    const focused = await traffic(path.join(DIST, 'dockercoins.k8s.yaml'), '--exposure', '--focus', 'worker');
    expect(focused.stdout).toContain(
      'Egress Exposure:\ndockercoins/worker[Deployment] \t=> \tkube-system/[pod with {k8s-app=kube-dns}] : TCP 53,UDP 53\n',
    );
    expect(focused.stdout).not.toContain('webui[Deployment]  \t');
    const json = JSON.parse(
      (await traffic(path.join(DIST, 'dockercoins.k8s.yaml'), '--exposure', '-o', 'json')).stdout,
    );
    expect(json.exposure_results.ingress_exposure).toContainEqual({
      src: 'entire-cluster',
      dst: 'dockercoins/webui[Deployment]',
      conn: 'TCP 80',
    });
    expect((await traffic(path.join(DIST, 'dockercoins.k8s.yaml'), '--exposure', '--diff', 'x')).stderr).toContain(
      '--exposure and --diff cannot be used together',
    );
  });

  test('--output json, md and csv carry the same rows', async () => {
    const file = write('m.yaml', [
      ns('shop'),
      deployment('web'),
      deployment('db'),
      deny,
      egressAll,
      allowWebToDb(5432),
    ]);
    const json = JSON.parse((await traffic(file, '-o', 'json')).stdout);
    expect(json).toEqual([{ src: 'shop/web[Deployment]', dst: 'shop/db[Deployment]', conn: 'TCP 5432' }]);
    expect((await traffic(file, '-o', 'md')).stdout).toBe(
      '| src | dst | conn |\n|-----|-----|-----|\n| shop/web[Deployment] | shop/db[Deployment] | TCP 5432 |\n',
    );
    const withComma = write('n.yaml', [
      ns('shop'),
      deployment('web'),
      deployment('db'),
      deny,
      egressAll,
      {
        ...allowWebToDb(0),
        spec: {
          ...allowWebToDb(0).spec,
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 1 }, { port: 3 }] }],
        },
      },
    ]);
    expect((await traffic(withComma, '-o', 'csv')).stdout).toBe(
      'src,dst,conn\nshop/web[Deployment],shop/db[Deployment],"TCP 1,3"\n',
    );
  });

  test('--output dot is a digraph with a cluster per namespace', async () => {
    const out = (await traffic(path.join(DIST, 'dockercoins.k8s.yaml'), '-o', 'dot')).stdout;
    expect(out).toMatch(/^digraph \{\n\tsubgraph cluster_0 \{/);
    expect(out).toContain('label="dockercoins"');
    expect(out).toMatch(/n\d+ -> n\d+ \[label="TCP 6379"/);
  });

  test('--output mermaid parses with mermaid 11, for every app', async () => {
    for (const file of fs.readdirSync(DIST)) {
      const out = (await traffic(path.join(DIST, file), '-o', 'mermaid')).stdout;
      expect(out.startsWith('flowchart LR\n')).toBe(true);
      await expect(mermaidParse(out)).resolves.toBeUndefined();
    }
  });

  test('--output mermaid quotes what mermaid would read as syntax: brackets, braces, parentheses, commas', async () => {
    const peer = {
      namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 'b'] }] },
      podSelector: { matchLabels: { 'x.io/y': 'z' } },
    };
    const file = write('m.yaml', [
      ns('shop'),
      deployment('web'),
      {
        ...deny,
        spec: {
          podSelector: {},
          ingress: [
            {
              from: [peer, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }],
              ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }],
            },
          ],
        },
      },
    ]);
    const out = (await traffic(file, '--exposure', '-o', 'mermaid')).stdout;
    expect(out).toContain('{"[namespace with {{Key:team,Operator:In,Values:[a b],}}]/[pod with {x.io/y=z}]"}');
    await expect(mermaidParse(out)).resolves.toBeUndefined();
  });

  test('the mermaid parser is strict: it rejects what the hand-drawn diagrams had', async () => {
    await expect(mermaidParse('flowchart LR\n  a --> b[x(y)]\n')).rejects.toThrow(/Parse error/);
  });

  test('--focus keeps the connections of one workload', async () => {
    const run = await traffic(path.join(DIST, 'dockercoins.k8s.yaml'), '--focus', 'redis');
    expect(run.stdout).toBe(
      'dockercoins/webui[Deployment] => dockercoins/redis[Deployment] : TCP 6379\ndockercoins/worker[Deployment] => dockercoins/redis[Deployment] : TCP 6379\n',
    );
    const unknown = await traffic(path.join(DIST, 'dockercoins.k8s.yaml'), '--focus', 'nope');
    expect(unknown).toMatchObject({ code: 2, stdout: '', stderr: 'error: no workload named "nope" in the inputs\n' });
  });

  test('--diff lists the connections added, removed and changed against base manifests', async () => {
    const base = write('base.yaml', [
      ns('shop'),
      deployment('web'),
      deployment('db'),
      deny,
      egressAll,
      allowWebToDb(5432),
    ]);
    const now = write('now.yaml', [
      ns('shop'),
      deployment('web'),
      deployment('db'),
      deployment('cache'),
      deny,
      egressAll,
      allowWebToDb(5433),
      {
        ...allowWebToDb(6379),
        metadata: { name: 'cache', namespace: 'shop' },
        spec: { ...allowWebToDb(6379).spec, podSelector: { matchLabels: { app: 'cache' } } },
      },
    ]);
    const run = await traffic(now, '--diff', base);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        '+ shop/web[Deployment] => shop/cache[Deployment] : TCP 6379',
        '- shop/web[Deployment] => shop/db[Deployment] : TCP 5432',
        '+ shop/web[Deployment] => shop/db[Deployment] : TCP 5433',
        '',
      ].join('\n'),
    );
    expect(JSON.parse((await traffic(base, '--diff', now, '-o', 'json')).stdout)).toEqual([
      { change: 'removed', src: 'shop/web[Deployment]', dst: 'shop/cache[Deployment]', before: 'TCP 6379' },
      {
        change: 'changed',
        src: 'shop/web[Deployment]',
        dst: 'shop/db[Deployment]',
        before: 'TCP 5433',
        after: 'TCP 5432',
      },
    ]);
    expect(await traffic(now, '--diff', base, '-o', 'mermaid')).toMatchObject({
      code: 2,
      stderr: 'error: --diff prints txt, json, md, csv, not mermaid\n',
    });
  });

  test('bad input is a usage error without a stack trace', async () => {
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'a: [\n');
    const run = await traffic('bad.yaml');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: bad\.yaml document 0: /);
    expect(run.stderr).not.toContain('    at ');
    expect((await traffic('nowhere')).code).toBe(2);
    fs.writeFileSync(path.join(dir, 'empty.yaml'), '');
    expect((await traffic('empty.yaml')).code).toBe(2);
    expect(await traffic('empty.yaml', '--allow-empty')).toMatchObject({ code: 0, stdout: '' });
  });
});

describe('README diagrams', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const generated = [...readme.matchAll(/<!-- traffic --output mermaid (\S+) -->\n```mermaid\n([\s\S]*?)```/g)];

  test('each stack diagram is what `traffic --output mermaid` prints for its file of dist/', async () => {
    expect(generated.map((m) => m[1]).sort()).toEqual(
      fs
        .readdirSync(DIST)
        .map((f) => `dist/${f}`)
        .sort(),
    );
    for (const [, file, block] of generated) {
      expect({ file, block }).toEqual({ file, block: (await traffic(path.join(ROOT, file), '-o', 'mermaid')).stdout });
    }
  });

  test('every mermaid block of the README parses with mermaid 11', async () => {
    const blocks = [...readme.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const block of blocks) await expect(mermaidParse(block)).resolves.toBeUndefined();
  });
});
