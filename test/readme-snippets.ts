import * as fs from 'fs';
import * as path from 'path';

/** The repository's README.md. */
export const README = path.join(__dirname, '..', 'README.md');

/** A ```ts block of the README. */
export interface Snippet {
  /** The README line of the block's first line of code. */
  readonly line: number;
  readonly code: string;
}

/** Every ```ts (or ```typescript) block of `markdown`, in order. */
export function readmeSnippets(markdown: string = fs.readFileSync(README, 'utf8')): Snippet[] {
  const found: Snippet[] = [];
  let open: { line: number; lines: string[] } | undefined;
  markdown.split('\n').forEach((text, i) => {
    if (!open && /^```(ts|typescript)\s*$/.test(text)) open = { line: i + 2, lines: [] };
    else if (open && /^```\s*$/.test(text)) {
      found.push({ line: open.line, code: open.lines.join('\n') + '\n' });
      open = undefined;
    } else open?.lines.push(text);
  });
  if (open) throw new Error(`README.md: the ts block at line ${open.line - 1} is not closed`);
  return found;
}
