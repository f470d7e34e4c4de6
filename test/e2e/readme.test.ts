import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT, installedProject } from '../pack';
import { README, readmeSnippets } from '../readme-snippets';

// Every ```ts block of README.md compiles on its own, as written, with its imports: each is a file of a
// fresh strict ES-module project ("type": "module", module node16) with the packed library installed
// (the node_modules of the project that the init test installs).
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
// The first test file to need the installed project makes it: a pack and an npm install on a busy machine.
jest.setTimeout(600_000);

describe('README.md', () => {
  const blocks = readmeSnippets(fs.readFileSync(README, 'utf8'));
  let work: string;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('has TypeScript snippets (the extraction finds them)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(blocks[0].code).toContain("from 'workshop-stacks'");
  });

  test('every ts block type-checks on its own in a strict ES-module project with the packed library', async () => {
    fs.writeFileSync(
      path.join(work, 'package.json'),
      JSON.stringify({ name: 'readme', version: '1.0.0', private: true, type: 'module' }),
    );
    fs.symlinkSync(path.join(await installedProject(), 'node_modules'), path.join(work, 'node_modules'), 'dir');
    const files = blocks.map(({ line, code }) => {
      const file = `line-${line}.ts`;
      fs.writeFileSync(path.join(work, file), code);
      return file;
    });
    fs.writeFileSync(
      path.join(work, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022'],
          module: 'node16',
          moduleResolution: 'node16',
          strict: true,
          noEmit: true,
          // Each block is a module of its own, with or without imports: no block sees another's names.
          moduleDetection: 'force',
          // A project has @types/node as any Node.js project does; ours stands in for it.
          typeRoots: [path.join(ROOT, 'node_modules', '@types')],
          types: ['node'],
          skipLibCheck: true,
        },
        files,
      }),
    );
    let output = '';
    try {
      execFileSync('node', [TSC, '-p', work], { cwd: work, encoding: 'utf8' });
    } catch (error) {
      output = (error as { stdout?: string }).stdout ?? String(error);
    }
    // line-118.ts(3,5): error TS2304: ... -> README.md:120:5: error TS2304: ...
    const errors = output
      .split('\n')
      .filter(Boolean)
      .map((text) =>
        text.replace(
          /^line-(\d+)\.ts\((\d+),(\d+)\)/,
          (_, start: string, row: string, column: string) => `README.md:${Number(start) + Number(row) - 1}:${column}`,
        ),
      );
    expect(errors).toEqual([]);
  });
});
