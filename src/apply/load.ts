import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { APPS, MANIFEST_SUFFIX, synthApp } from '../../apps/registry';
import { Profile } from '../profile';

/** One YAML document of the input, before validation. */
export interface SourceDocument {
  /** Where it came from: a file path, `app <name>`, or the option that made it. */
  readonly source: string;
  /** Position of the document in its source, from 0 (empty documents count). */
  readonly index: number;
  /** The parsed value; unset when the document is not valid YAML. */
  readonly value?: unknown;
  /** The YAML syntax error, if any. */
  readonly yamlError?: string;
}

/** Options of {@link loadSources}. */
export interface LoadOptions {
  /**
   * Profile to synthesize apps with.
   * @default 'local'
   */
  readonly profile?: Profile;
  /**
   * Directory relative paths start from.
   * @default process.cwd()
   */
  readonly cwd?: string;
}

const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

/**
 * Reads the documents of the given inputs, in order: each is a manifest file, a directory (its
 * `.yaml`, `.yml` and `.json` files, sorted, not recursive, as `kubectl apply -f dir` reads it), or the
 * name of an app, synthesized in memory. A path that exists wins over an app of the same name.
 */
export function loadSources(inputs: readonly string[], options: LoadOptions = {}): SourceDocument[] {
  const cwd = options.cwd ?? process.cwd();
  return inputs.flatMap((input) => {
    const file = path.resolve(cwd, input);
    if (fs.existsSync(file)) {
      if (!fs.statSync(file).isDirectory()) return parseDocuments(fs.readFileSync(file, 'utf8'), input);
      return fs.readdirSync(file)
        .filter((entry) => MANIFEST_EXTENSIONS.includes(path.extname(entry)))
        .sort()
        .flatMap((entry) => parseDocuments(fs.readFileSync(path.join(file, entry), 'utf8'), path.join(input, entry)));
    }
    if (Object.prototype.hasOwnProperty.call(APPS, input)) {
      return parseDocuments(synthApp(input, options.profile ?? 'local'), `app ${input}`);
    }
    throw new Error(`"${input}" is neither a file, a directory nor an app (apps: ${Object.keys(APPS).join(', ')})`);
  });
}

/** Splits multi-document YAML, keeping each document's syntax error instead of stopping at the first. */
export function parseDocuments(text: string, source: string): SourceDocument[] {
  return parseAllDocuments(text).flatMap((doc, index): SourceDocument[] => {
    if (doc.errors.length > 0) return [{ source, index, yamlError: doc.errors[0].message.split('\n')[0] }];
    const value = doc.toJS();
    return value === null || value === undefined ? [] : [{ source, index, value }];
  });
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
