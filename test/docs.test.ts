import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const FILES = ['constructs', 'src'].flatMap((dir) =>
  fs
    .readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f)),
);

/** Every property of every exported `XxxProps` interface, with its JSDoc. */
function propsDocs(): Array<{ where: string; optional: boolean; doc: string }> {
  return FILES.flatMap((file) => {
    const source = ts.createSourceFile(
      file,
      fs.readFileSync(path.join(ROOT, file), 'utf8'),
      ts.ScriptTarget.ES2022,
      true,
    );
    return source.statements
      .filter(
        (s): s is ts.InterfaceDeclaration =>
          ts.isInterfaceDeclaration(s) &&
          s.name.text.endsWith('Props') &&
          !!s.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword),
      )
      .flatMap((iface) =>
        iface.members.filter(ts.isPropertySignature).map((prop) => ({
          where: `${file}: ${iface.name.text}.${prop.name.getText(source)}`,
          optional: prop.questionToken !== undefined,
          doc: ts
            .getJSDocCommentsAndTags(prop)
            .map((d) => d.getText(source))
            .join('\n'),
        })),
      );
  });
}

describe('API docs', () => {
  const props = propsDocs();

  test('there are props to check (the parser found the interfaces)', () => {
    expect(props.length).toBeGreaterThan(50);
  });

  test('every prop of every exported Props interface has a JSDoc line', () => {
    expect(props.filter((p) => !/\/\*\*[\s*]*\S/.test(p.doc)).map((p) => p.where)).toEqual([]);
  });

  test('every optional prop documents its default with @default', () => {
    expect(props.filter((p) => p.optional && !p.doc.includes('@default')).map((p) => p.where)).toEqual([]);
  });
});
