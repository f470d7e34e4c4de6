import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { declareException } from '../src/manifest/exceptions';
import { RULES, isKnownRule } from '../src/manifest/rules';

const SRC = path.join(__dirname, '..', 'src');
// An id, not an apiVersion such as 'policy/v1'.
const FAMILY = /'((?:schema|wiring|policy|pss-restricted|traffic)\/(?!v\d)[a-z0-9-]+)'/g;
/** The API server rules' `fail(field, 'rule', ...)`, and the helpers that take the rule last: `check(fail, field, value, predicate, 'rule')`. */
const API_SERVER_CALLS = [
  /\bfail\([^;]*?,\s*'([a-z0-9-]+)'/g,
  /\b(?:check|oneOf|nonNegative|quantity)\([^;]*,\s*'([a-z0-9-]+)',?\s*\)/g,
];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(file);
    return /\.m?ts$/.test(e.name) && file !== path.join(SRC, 'manifest', 'rules.ts') ? [file] : [];
  });
}

/** Every rule id the checks' code names: quoted ids, the API server rules' calls, and the PSS checks' `fail(field, 'rule', ...)`. */
function emittedRules(): Set<string> {
  const ids = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const [, id] of text.matchAll(FAMILY)) ids.add(id);
    if (path.dirname(file) === path.join(SRC, 'checks', 'apiserver'))
      for (const call of API_SERVER_CALLS) for (const [, id] of text.matchAll(call)) ids.add(`schema/${id}`);
    if (path.basename(file) === 'pss.ts')
      for (const [, id] of text.matchAll(/\bfail\([^;]*?,\s*'([a-z-]+)',\s/g)) ids.add(`pss-restricted/${id}`);
  }
  return ids;
}

describe('the rule registry', () => {
  test('every rule id the checks emit is registered, and every registered id is emitted', () => {
    const emitted = emittedRules();
    expect([...emitted].filter((id) => !(id in RULES))).toEqual([]);
    expect(Object.keys(RULES).filter((id) => !emitted.has(id))).toEqual([]);
  });

  test.each([
    ['policy/probes', true],
    ['pss-restricted/seccomp', true],
    ['pss-restricted', true],
    ['policy', true],
    ['wiring/ingress-backend', true],
    ['policy/probe', false],
    ['policy/', false],
    ['pss', false],
    ['', false],
    ['nope/probes', false],
    ['policy.probes', false],
  ])('%p is a known rule or family: %p', (id, known) => {
    expect(isKnownRule(id)).toBe(known);
  });
});

describe('declareException', () => {
  const object = () => new ApiObject(new Chart(new App(), 'chart'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap' });

  test.each(['policy/probes', 'pss-restricted', 'wiring/network-policy-selects-pods'])(
    'accepts the rule or family %p',
    (rule) => {
      const obj = object();
      declareException(obj, rule, 'why');
      expect(obj.toJson().metadata.annotations).toEqual({
        [`exception.validation.workshop-stacks.io/${rule.replace('/', '.')}`]: 'why',
      });
    },
  );

  test.each([
    [
      'policy/probe',
      /declareException\(chart\/cm, "policy\/probe"\): no such rule \(known: policy\/resources, policy\/probes, /,
    ],
    ['pss-restricted/seccom', /no such rule \(known: pss-restricted\/host-namespaces, /],
    ['probes', /no such rule \(known: schema, wiring, policy, pss-restricted, traffic\)/],
    ['', /no such rule/],
  ])('refuses the unknown rule %p, naming the object and the rules like it', (rule, message) => {
    expect(() => declareException(object(), rule, 'why')).toThrow(message);
  });

  test('still needs a reason', () => {
    expect(() => declareException(object(), 'policy/probes', ' ')).toThrow(
      'declareException(chart/cm, policy/probes): a reason is required',
    );
  });
});
