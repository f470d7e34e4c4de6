import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

// The import graph of the library's sources, checked against the layers of ARCHITECTURE.md. Its edges are the
// import and export declarations, type-only ones included (they tie modules together as much as value imports
// do); a require() inside a function is not one: deferring a load is how a module avoids loading another at
// start (apps/names.ts loads the app registry on first use).
// Layers:
//   cli -> apply -> checks -> traffic -> manifest model;   apps -> constructs -> building blocks -> manifest model.
const ROOT = path.join(__dirname, '..');
const SOURCES = ['src', 'constructs', 'apps'];
// The package root and the CLI's main: they import downwards into any layer, and nothing imports them. The
// subpath entries (src/checks/index.ts, …) belong to their layer, and the CLI uses them like any user.
const ENTRIES = ['src/index.ts', 'src/cli.ts'];

type Layer = 'entry' | 'cli' | 'apply' | 'checks' | 'traffic' | 'manifest' | 'apps' | 'constructs' | 'blocks';

/** What each layer may import, besides itself. */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  entry: ['cli', 'apply', 'checks', 'traffic', 'manifest', 'apps', 'constructs', 'blocks'],
  cli: ['apply', 'checks', 'traffic', 'manifest', 'apps', 'constructs', 'blocks'],
  apply: ['checks', 'traffic', 'manifest'],
  checks: ['traffic', 'manifest'],
  traffic: ['manifest'],
  manifest: [],
  apps: ['constructs', 'blocks', 'manifest'],
  constructs: ['blocks', 'manifest'],
  blocks: ['manifest'],
};

function layerOf(file: string): Layer {
  if (ENTRIES.includes(file)) return 'entry';
  const [top, second] = file.split('/');
  if (top === 'apps' || top === 'constructs') return top;
  if (['cli', 'apply', 'checks', 'traffic', 'manifest'].includes(second) && file.split('/').length > 2)
    return second as Layer;
  return 'blocks';
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(rel);
    return /\.m?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [rel] : [];
  });
}

function resolve(from: string, spec: string): string | undefined {
  const base = path.join(path.dirname(from), spec).replace(/\.m?js$/, '');
  return [`${base}.ts`, `${base}.mts`, `${base}/index.ts`].find((f) => fs.existsSync(path.join(ROOT, f)));
}

interface Graph {
  /** Local imports: file -> files. */
  readonly local: Map<string, string[]>;
  /** Package imports: file -> package specifiers. */
  readonly packages: Map<string, string[]>;
}

function importGraph(): Graph {
  const local = new Map<string, string[]>();
  const packages = new Map<string, string[]>();
  for (const file of SOURCES.flatMap(sourceFiles)) {
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest);
    const specs = source.statements
      .filter(
        (s) =>
          (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) &&
          s.moduleSpecifier &&
          ts.isStringLiteral(s.moduleSpecifier),
      )
      .map((s) => ((s as ts.ImportDeclaration).moduleSpecifier as ts.StringLiteral).text);
    local.set(
      file,
      specs
        .filter((s) => s.startsWith('.'))
        .map((s) => {
          const target = resolve(file, s);
          if (!target) throw new Error(`${file}: cannot resolve ${s}`);
          return target;
        }),
    );
    packages.set(
      file,
      specs.filter((s) => !s.startsWith('.')),
    );
  }
  return { local, packages };
}

/** The strongly connected components with more than one node (Tarjan). */
function cycles(edges: Map<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) out.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return out;
}

const graph = importGraph();

test('no cycle between files', () => {
  expect(cycles(graph.local)).toEqual([]);
});

test('no cycle between folders (a folder is the directory of a file)', () => {
  // The entry files sit in the folders of what they export; nothing imports them, so they are left out.
  const folders = new Map<string, string[]>();
  for (const [file, targets] of graph.local) {
    if (ENTRIES.includes(file)) continue;
    const from = path.dirname(file);
    folders.set(from, [
      ...new Set([...(folders.get(from) ?? []), ...targets.map((t) => path.dirname(t)).filter((d) => d !== from)]),
    ]);
  }
  expect(cycles(folders)).toEqual([]);
});

test('every import points down the layers, and nothing imports an entry point', () => {
  const wrong = [...graph.local].flatMap(([file, targets]) =>
    targets
      .filter(
        (target) =>
          ENTRIES.includes(target) ||
          (layerOf(target) !== layerOf(file) && !ALLOWED[layerOf(file)].includes(layerOf(target))),
      )
      .map((target) => `${file} (${layerOf(file)}) -> ${target} (${layerOf(target)})`),
  );
  expect(wrong).toEqual([]);
});

test('the package root reaches neither the apply engine nor client-node', () => {
  const reached = new Set<string>();
  const visit = (file: string): void => {
    if (reached.has(file)) return;
    reached.add(file);
    graph.local.get(file)!.forEach(visit);
  };
  visit('src/index.ts');
  expect([...reached].filter((f) => layerOf(f) === 'apply' || layerOf(f) === 'cli')).toEqual([]);
  expect(
    [...reached].filter((f) => graph.packages.get(f)!.some((p) => p.startsWith('@kubernetes/client-node'))),
  ).toEqual([]);
  expect(reached).toContain('constructs/dockercoins.ts');
});
