import * as fs from 'fs';
import * as path from 'path';
import { slugify } from '../manifest/names';
import { EXIT_USAGE, RegisterCommand } from './context';

/**
 * The package's root: the nearest directory above this module with a package.json (two levels up in
 * a clone, from src/cli/; three when installed, from lib/src/cli/). The templates ship there.
 */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

interface OwnPackage {
  readonly version: string;
  readonly devDependencies: Record<string, string>;
}

/**
 * What the new project depends on, with the version ranges this library is built and tested with
 * (its own devDependencies: one place to update them). cdk8s-cli is local so that `npx cdk8s` needs
 * no global install and uses a known version.
 */
const PROJECT_DEPENDENCIES = ['cdk8s', 'cdk8s-plus-27', 'constructs'];
const PROJECT_DEV_DEPENDENCIES = [
  '@types/jest',
  '@types/node',
  'cdk8s-cli',
  'jest',
  'ts-jest',
  'ts-node',
  'typescript',
];

/** Template file names that npm would not ship as they are (it drops `.gitignore` from packages). */
const RENAMED: Readonly<Record<string, string>> = { gitignore: '.gitignore' };

export interface InitOptions {
  /**
   * The project's dependency on this library: a version range, or a path to a tarball or a directory
   * (relative to the current directory), written as a `file:` path relative to the project.
   * @default `^` and this library's version
   */
  readonly library?: string;
  /** Resolves `dir` and a relative `library` path. */
  readonly cwd: string;
}

/** `init` found files it would overwrite: nothing was written. */
export class InitConflictError extends Error {
  constructor(
    readonly dir: string,
    readonly conflicts: readonly string[],
  ) {
    super(`${dir} already has ${conflicts.join(', ')}: init writes only new files, so nothing was written`);
  }
}

/** The files of a new project in `projectDir`, by path relative to it. */
export function projectFiles(projectDir: string, options: InitOptions): Map<string, string> {
  const root = packageRoot();
  const own = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as OwnPackage;
  const base = path.basename(projectDir).toLowerCase();
  // The templates' placeholders: the chart's namespace is the directory's name as a DNS label.
  const values: Record<string, string> = {
    version: own.version,
    namespace: slugify(path.basename(projectDir)) || 'workshop',
  };
  const files = new Map<string, string>();
  const templates = path.join(root, 'templates', 'app');
  for (const name of fs.readdirSync(templates).sort()) {
    const text = fs.readFileSync(path.join(templates, name), 'utf8').replace(/\{\{(\w+)\}\}/g, (match, key: string) => {
      if (!(key in values)) throw new Error(`template ${name} has an unknown placeholder ${match}`);
      return values[key];
    });
    files.set(RENAMED[name] ?? name, text);
  }
  const pick = (names: readonly string[]) =>
    Object.fromEntries(
      names.map((name) => {
        const range = own.devDependencies[name];
        if (!range) throw new Error(`workshop-stacks' package.json has no devDependency ${name} to pin the project to`);
        return [name, range];
      }),
    );
  const pkg = {
    // An npm package name: lowercase, and only the characters npm allows.
    name: base.replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '') || 'workshop-project',
    version: '0.1.0',
    private: true,
    scripts: {
      synth: 'cdk8s synth',
      test: 'jest',
    },
    dependencies: { ...pick(PROJECT_DEPENDENCIES), 'workshop-stacks': librarySpec(options, own.version, projectDir) },
    devDependencies: pick(PROJECT_DEV_DEPENDENCIES),
    jest: { preset: 'ts-jest', testEnvironment: 'node' },
  };
  files.set('package.json', JSON.stringify(pkg, undefined, 2) + '\n');
  return files;
}

function librarySpec(options: InitOptions, version: string, projectDir: string): string {
  if (options.library === undefined) return `^${version}`;
  const local = path.resolve(options.cwd, options.library);
  if (!fs.existsSync(local)) return options.library;
  const relative = path.relative(projectDir, local).split(path.sep).join('/');
  return `file:${relative.startsWith('.') ? relative : `./${relative}`}`;
}

/**
 * Writes a new cdk8s project that uses this library into `dir` (created if needed) and returns the
 * files written. Writes nothing when any of them exists already.
 */
export function initProject(dir: string, options: InitOptions): string[] {
  const projectDir = path.resolve(options.cwd, dir);
  if (fs.existsSync(projectDir) && !fs.statSync(projectDir).isDirectory()) {
    throw new InitConflictError(dir, [`${dir} (a file, not a directory)`]);
  }
  const files = projectFiles(projectDir, options);
  const conflicts = [...files.keys()].filter((name) => fs.existsSync(path.join(projectDir, name)));
  if (conflicts.length > 0) throw new InitConflictError(dir, conflicts);
  fs.mkdirSync(projectDir, { recursive: true });
  for (const [name, text] of files) {
    // 'wx' fails rather than overwrite a file that appeared since the check.
    fs.writeFileSync(path.join(projectDir, name), text, { flag: 'wx' });
  }
  return [...files.keys()];
}

/** `workshop-stacks init [dir]`: a ready project, as `cdk8s init typescript-app` writes one. */
export const registerInit: RegisterCommand = (program, ctx) => {
  program
    .command('init')
    .description(
      'write a new cdk8s project that composes workshop stacks (main.ts, a snapshot test, cdk8s.yaml with the validation plugin); never overwrites a file',
    )
    .argument('[dir]', 'project directory, created if needed', '.')
    .option(
      '--library <spec>',
      "the project's workshop-stacks dependency: a version range, or a path to a tarball or directory (default: this version)",
    )
    .action((dir: string, opts: { library?: string }) => {
      let written: string[];
      try {
        written = initProject(dir, { library: opts.library, cwd: ctx.io.cwd });
      } catch (error) {
        if (!(error instanceof InitConflictError)) throw error;
        ctx.io.stderr.write(`error: ${error.message}\n`);
        ctx.setExitCode(EXIT_USAGE);
        return;
      }
      for (const name of written) ctx.io.stdout.write(`${path.join(dir, name)}\n`);
      const quoted = /^[\w./-]+$/.test(dir) ? dir : `'${dir.replace(/'/g, `'\\''`)}'`;
      const cd = path.resolve(ctx.io.cwd, dir) === path.resolve(ctx.io.cwd) ? '' : `cd ${quoted} && `;
      ctx.io.stdout.write(`\nNext: ${cd}npm install && npx cdk8s synth && npm test\n`);
    });
};
