import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InputError, loadSources } from '../src/manifest/load';

describe('loadSources', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-load-'));
  });

  test('names are resolved by the caller; a path that exists wins over a name', () => {
    const named = { names: ['demo'], synth: (name: string) => `kind: Named\nmetadata: {name: ${name}}\n` };
    expect(loadSources(['demo'], { cwd: root, named }).map((d) => [d.source, (d.value as any).kind])).toEqual([
      ['app demo', 'Named'],
    ]);
    fs.writeFileSync(path.join(root, 'demo'), 'kind: File\n');
    expect(loadSources(['demo'], { cwd: root, named }).map((d) => [d.source, (d.value as any).kind])).toEqual([
      ['demo', 'File'],
    ]);
    expect(() => loadSources(['other'], { cwd: root, named })).toThrow(
      '"other" is neither a file, a directory nor an app (apps: demo)',
    );
    expect(() => loadSources(['demo2'], { cwd: root })).toThrow(InputError);
  });

  test('an input with nothing in it is an error unless allowed', () => {
    fs.writeFileSync(path.join(root, 'empty.yaml'), '---\n# nothing\n');
    fs.mkdirSync(path.join(root, 'dir'));
    for (const input of ['empty.yaml', 'dir']) {
      expect(() => loadSources([input], { cwd: root })).toThrow(new RegExp(`^nothing found in ${input}`));
      expect(loadSources([input], { cwd: root, allowEmpty: true })).toEqual([]);
    }
  });
});
