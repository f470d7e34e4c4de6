import * as fs from 'fs';
import * as path from 'path';
import { MANIFEST_SUFFIX, SourceDocument, parseDocuments } from './kube-object';

/** Inputs known by name rather than path (the CLI's apps), each synthesized to YAML on demand. */
export interface NamedInputs {
  /** Every name, for the error message of an unknown input. */
  readonly names: readonly string[];
  /** The multi-document YAML of the input `name`, one of `names`. */
  synth(name: string): string;
}

/** Options of {@link loadSources}. */
export interface LoadOptions {
  /**
   * Directory relative paths start from.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * Inputs that may be given by name instead of path.
   * @default none: every input is a path
   */
  readonly named?: NamedInputs;
  /**
   * Accept an input in which no document is found (an empty file, a directory without manifests).
   * @default false: such an input is an {@link InputError}
   */
  readonly allowEmpty?: boolean;
}

/** An input that cannot be read as asked: not found, or with nothing in it. */
export class InputError extends Error {}

/** The file extensions read from a directory, as `kubectl apply -f dir` reads it. */
const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

/**
 * Reads the documents of the given inputs, in order: each is a manifest file, a directory (its
 * `.yaml`, `.yml` and `.json` files, sorted, not recursive, as `kubectl apply -f dir` reads it), or a
 * name of `options.named`. A path that exists wins over a name.
 */
export function loadSources(inputs: readonly string[], options: LoadOptions = {}): SourceDocument[] {
  const cwd = options.cwd ?? process.cwd();
  return inputs.flatMap((input) => {
    const docs = loadInput(input, path.resolve(cwd, input), options.named);
    if (docs.length === 0 && !options.allowEmpty) {
      throw new InputError(`nothing found in ${input}: no manifest document${isDirectory(path.resolve(cwd, input)) ? ` (no ${MANIFEST_EXTENSIONS.join(', ')} file with a document)` : ''}; pass --allow-empty if that is expected`);
    }
    return docs;
  });
}

function loadInput(input: string, file: string, named: NamedInputs | undefined): SourceDocument[] {
  if (fs.existsSync(file)) {
    if (!isDirectory(file)) return parseDocuments(fs.readFileSync(file, 'utf8'), input);
    return fs.readdirSync(file)
      .filter((entry) => MANIFEST_EXTENSIONS.includes(path.extname(entry)))
      .sort()
      .flatMap((entry) => parseDocuments(fs.readFileSync(path.join(file, entry), 'utf8'), path.join(input, entry)));
  }
  if (named?.names.includes(input)) return parseDocuments(named.synth(input), `app ${input}`);
  throw new InputError(named
    ? `"${input}" is neither a file, a directory nor an app (apps: ${named.names.join(', ')})`
    : `"${input}" is neither a file nor a directory`);
}

function isDirectory(file: string): boolean {
  return fs.existsSync(file) && fs.statSync(file).isDirectory();
}

/**
 * A short name for what the inputs are, used to name their apply set: the app, the file without its
 * manifest extension, or the directory. `undefined` for several inputs, which need an explicit name.
 */
export function sourcesLabel(inputs: readonly string[], cwd: string = process.cwd()): string | undefined {
  if (inputs.length !== 1) return undefined;
  const base = path.basename(path.resolve(cwd, inputs[0]));
  const ext = [MANIFEST_SUFFIX, ...MANIFEST_EXTENSIONS].find((e) => base.endsWith(e));
  return ext ? base.slice(0, -ext.length) : base;
}
