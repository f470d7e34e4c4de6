import * as fs from 'fs';
import * as path from 'path';
import { expandDocument, parseDocuments } from './read';
import { MANIFEST_SUFFIX, SourceDocument, isManifestFile, splitDocuments } from './kube-object';

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
  /**
   * Told what was left out of a directory: each file in it that holds no Kubernetes object (such as
   * the `construct-metadata.json` that `cdk8s synth` writes next to the manifests).
   * @default a `note:` line on stderr
   */
  readonly onNote?: (message: string) => void;
}

/** An input that cannot be read as asked: not found, or with nothing in it. */
export class InputError extends Error {}

/** The file extensions read from a directory, as `kubectl apply -f dir` reads it. */
const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

/**
 * The one reader of inputs, for every command: the objects of the given inputs, in order, each read
 * by {@link parseDocuments} (list documents as their items, copies of live objects as manifests). An
 * input is a manifest file, a directory (its `.yaml`, `.yml` and `.json` files, sorted, not recursive,
 * as `kubectl apply -f dir` reads it; a file in it that holds no Kubernetes object is skipped with a
 * note), or a name of `options.named`. A path that exists wins over a name.
 */
export function loadSources(inputs: readonly string[], options: LoadOptions = {}): SourceDocument[] {
  const cwd = options.cwd ?? process.cwd();
  const note = options.onNote ?? ((message: string) => process.stderr.write(`note: ${message}\n`));
  return inputs.flatMap((input) => {
    const docs = loadInput(input, path.resolve(cwd, input), options.named, note);
    if (docs.length === 0 && !options.allowEmpty) {
      throw new InputError(
        `nothing found in ${input}: no manifest document${isDirectory(path.resolve(cwd, input)) ? ` (no ${MANIFEST_EXTENSIONS.join(', ')} file with a document)` : ''}; pass --allow-empty if that is expected`,
      );
    }
    return docs;
  });
}

function loadInput(
  input: string,
  file: string,
  named: NamedInputs | undefined,
  note: (message: string) => void,
): SourceDocument[] {
  if (fs.existsSync(file)) {
    // A file named on its own is meant as a manifest: what is wrong with it is reported, never skipped.
    if (!isDirectory(file)) return parseDocuments(fs.readFileSync(file, 'utf8'), input);
    return fs
      .readdirSync(file)
      .filter((entry) => MANIFEST_EXTENSIONS.includes(path.extname(entry)))
      .sort()
      .flatMap((entry) => {
        const source = path.join(input, entry);
        const documents = splitDocuments(fs.readFileSync(path.join(file, entry), 'utf8'), source);
        if (documents.length > 0 && !isManifestFile(documents)) {
          note(`skipped ${source}: not a Kubernetes manifest (no document has an apiVersion or a kind)`);
          return [];
        }
        return documents.flatMap(expandDocument);
      });
  }
  if (named?.names.includes(input)) return parseDocuments(named.synth(input), `app ${input}`);
  throw new InputError(
    named
      ? `"${input}" is neither a file, a directory nor an app (apps: ${named.names.join(', ')})`
      : `"${input}" is neither a file nor a directory`,
  );
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
