// Nothing a user writes may make validate throw: every list-typed field of every synthesized object,
// given an object or a string instead, is a finding naming the field.
import { validateObjects } from '../src/checks';
import { subjectOf } from '../src/manifest/finding';
import { KubeObject } from '../src/manifest';
import { DIST } from './apiserver-support';

/** Paths (as key lists) of every array under `value`. */
function arrayPaths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) return [at, ...value.flatMap((v, i) => arrayPaths(v, [...at, i]))];
  return Object.entries(value).flatMap(([k, v]) => arrayPaths(v, [...at, k]));
}

function setAt(obj: any, at: Array<string | number>, value: unknown): void {
  at.slice(0, -1).reduce((o, k) => o[k], obj)[at[at.length - 1]] = value;
}

describe('validate never throws on a wrong type', () => {
  for (const { file, objects } of DIST) {
    test(`every list field of ${file}, as an object and as a string`, () => {
      // All the mutated copies are validated at once, next to the file's objects (the cross-object checks
      // see them too); one mutation per distinct field, list indices aside, keeps it quick.
      const copies: Array<{ copy: KubeObject; field: string }> = [];
      for (const obj of objects) {
        const seen = new Set<string>();
        for (const at of arrayPaths(obj)) {
          const key = at.filter((k) => typeof k === 'string').join('.');
          if (seen.has(key)) continue;
          seen.add(key);
          for (const wrong of [{ oops: 1 }, 'oops']) {
            const copy = structuredClone(obj);
            setAt(copy, at, wrong);
            copies.push({
              copy,
              field: at.reduce<string>((p, k) => (typeof k === 'number' ? `${p}[${k}]` : p ? `${p}.${k}` : k), ''),
            });
          }
        }
      }
      const { findings } = validateObjects([...objects, ...copies.map((c) => c.copy)]);
      const missed = copies.filter(
        ({ copy, field }) =>
          !findings.some((f) => subjectOf(f) === copy && f.rule === 'schema/invalid' && f.field === field),
      );
      expect(missed.map((m) => `${m.copy.kind} ${m.copy.metadata.name} ${m.field}`)).toEqual([]);
      expect(copies.length).toBeGreaterThan(10);
    });
  }
});
