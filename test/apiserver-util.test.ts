// The string predicates of k8s.io/apimachinery/pkg/util/validation/validation.go, case by case.
import {
  configMapKey,
  dns1035Label,
  dns1123Label,
  dns1123Subdomain,
  envVarName,
  labelValue,
  linuxId,
  parseCidr,
  parseIp,
  pathSegmentName,
  portName,
  portNumber,
  positiveIntOrPercent,
  qualifiedName,
} from '../src/checks/apiserver/util';
import { cronScheduleProblem } from '../src/checks/apiserver';

const cases: Array<[string, (v: any) => string | undefined, unknown[], unknown[]]> = [
  [
    'IsDNS1123Label',
    dns1123Label,
    ['a', 'web-1', '0abc', 'a'.repeat(63)],
    ['', 'Web', 'web_1', '-a', 'a-', 'a.b', 'a'.repeat(64)],
  ],
  [
    'IsDNS1123Subdomain',
    dns1123Subdomain,
    ['a', 'web.v2', 'a-b.c-d', `${'a'.repeat(63)}.${'b'.repeat(63)}`],
    ['', 'A', 'a..b', '.a', 'a.', 'a_b', 'a'.repeat(254)],
  ],
  ['IsDNS1035Label', dns1035Label, ['a', 'web-1'], ['1web', 'web.a', 'Web', 'a'.repeat(64)]],
  ['IsValidPathSegmentName', pathSegmentName, ['Pod_Reader', 'system:auth'], ['.', '..', 'a/b', 'a%b']],
  [
    'IsQualifiedName',
    qualifiedName,
    ['app', 'app.kubernetes.io/name', 'A_b.c', 'x'.repeat(63)],
    ['', '/a', 'a/', 'a/b/c', 'Ex.com/a', '-a', 'a b', 'x'.repeat(64)],
  ],
  ['IsValidLabelValue', labelValue, ['', 'v1', 'a-b_c.d', 'v'.repeat(63)], ['-a', 'a-', 'a b', 'a:b', 'v'.repeat(64)]],
  [
    'IsValidPortName (IANA_SVC_NAME)',
    portName,
    ['http', 'web-8080', 'a'.repeat(15)],
    ['', 'HTTP', '8080', 'h--p', '-h', 'h-', 'a'.repeat(16), 'a_b'],
  ],
  ['IsValidPortNum', portNumber, [1, 80, 65535], [0, -1, 65536, 1.5]],
  [
    'IsConfigMapKey',
    configMapKey,
    ['a', 'a.json', '.env', 'A-b_c'],
    ['', '.', '..', '..a', 'a/b', 'a b', 'k'.repeat(254)],
  ],
  ['IsRelaxedEnvVarName', envVarName, ['PATH', 'spring.url', 'a-b', '1X', 'a b'], ['', 'A=B', 'é', 'a\tb']],
  ['IsValidUserID / IsValidGroupID', linuxId, [0, 1000, 2147483647], [-1, 2147483648, 1.5]],
  [
    'ValidatePositiveIntOrPercent',
    positiveIntOrPercent,
    [0, 1, '0%', '25%', '150%'],
    [-1, '25', 'half', '-5%', '5.5%'],
  ],
  [
    'cron ParseStandard',
    cronScheduleProblem,
    ['* * * * *', '0 0 1 1 0', '*/5 1-5 ? JAN-DEC SUN-SAT', '0,30 * * * *', '@daily', '@every 5m', '5/15 * * * *'],
    [
      '',
      '* * * *',
      '* * * * * *',
      '60 * * * *',
      '* 24 * * *',
      '* * 32 * *',
      '* * * 0 *',
      '* * * * 7',
      '5-1 * * * *',
      '*/0 * * * *',
      '@often',
      '@every 5',
      'TZ=UTC * * * * *',
    ],
  ],
];

describe('util/validation predicates', () => {
  for (const [name, predicate, accepted, rejected] of cases) {
    test(`${name} accepts ${accepted.map((v) => JSON.stringify(v)).join(', ')}`, () => {
      expect(accepted.filter((v) => predicate(v) !== undefined)).toEqual([]);
    });
    test(`${name} rejects ${rejected.map((v) => JSON.stringify(v).slice(0, 20)).join(', ')}`, () => {
      expect(rejected.filter((v) => predicate(v) === undefined)).toEqual([]);
    });
  }

  test('IsValidCIDR and IsValidIP: IPv4 and IPv6, prefix in range', () => {
    expect(
      ['10.0.0.0/8', '0.0.0.0/0', '10.1.2.3/32', '::/0', 'fd00::/8', '2001:db8::1/128', '::ffff:10.0.0.0/104'].filter(
        (c) => !parseCidr(c),
      ),
    ).toEqual([]);
    expect(
      [
        '10.0.0.0',
        '10.0.0.0/33',
        '10.0.0.256/8',
        '::/129',
        'fd00:::1/8',
        '1:2:3:4:5:6:7:8:9/64',
        'a/8',
        '10.0.0.0/-1',
      ].filter((c) => parseCidr(c)),
    ).toEqual([]);
    expect(parseIp('10.0.0.1')).toEqual({ family: 4, bits: 0x0a000001n });
    expect(parseIp('::1')).toEqual({ family: 6, bits: 1n });
    expect(parseIp('1.2.3')).toBeUndefined();
  });
});
