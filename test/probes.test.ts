import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'cdk8s';
import { APPS, synthApp } from '../apps/registry';
import { ConsoleHub } from '../constructs/consolehub';
import { Dockercoins, DockercoinsProps } from '../constructs/dockercoins';
import { TrendingRepos } from '../constructs/trending-repos';
import { WebConsole } from '../constructs/webconsole';
import { parseManifests } from '../src/manifest';
import { PROBE_DEFAULTS } from '../src/pod';
import { PROFILES, allContainers, expectInvalidProp, findObject, podSpec, synthStack } from './helpers';

const DIST = path.join(__dirname, '..', 'dist');
/** dockercoins' hasher and webui took 19-21 s to start at their 250m CPU limit: the budget allows three times that. */
const SLOWEST_MEASURED_START_S = 21;

const handler = (probe: any) => ({ tcpSocket: probe.tcpSocket, httpGet: probe.httpGet });
const budget = (probe: any) => probe.failureThreshold * probe.periodSeconds;

describe('probes', () => {
  const dist = fs
    .readdirSync(DIST)
    .filter((f) => f.endsWith('.k8s.yaml'))
    .map((f) => [f, parseManifests(fs.readFileSync(path.join(DIST, f), 'utf8'))] as const);

  test.each(dist)(
    'every container of dist/%s with a livenessProbe has a startupProbe: same check, at least 60 s to start',
    (_, objects) => {
      const probed = allContainers(objects).filter(({ container }) => container.livenessProbe);
      for (const { where, container } of probed) {
        expect([where, handler(container.startupProbe)]).toEqual([where, handler(container.livenessProbe)]);
        expect([where, budget(container.startupProbe) >= 60]).toEqual([where, true]);
        // Liveness judges only a started app: no initial delay to guess.
        expect([where, container.livenessProbe.initialDelaySeconds]).toEqual([where, undefined]);
      }
    },
  );

  test.each(Object.keys(APPS).flatMap((name) => PROFILES.map((profile) => [name, profile])))(
    'app %s (%s): no liveness probe without a startup probe',
    (name, profile) => {
      const objects = parseManifests(synthApp(name, profile as 'local'));
      expect(
        allContainers(objects)
          .filter(({ container }) => container.livenessProbe && !container.startupProbe)
          .map((c) => c.where),
      ).toEqual([]);
    },
  );

  test('the defaults: startup every 2 s for 60 s (about three times the slowest start measured); readiness and liveness only after it', () => {
    const c = podSpec(
      findObject(
        synthStack((chart) => new Dockercoins(chart, 'coins')),
        'Deployment',
        'hasher',
      ),
    ).containers[0];
    expect(c.startupProbe).toEqual({
      httpGet: { path: '/', port: 'http' },
      periodSeconds: 2,
      timeoutSeconds: 3,
      failureThreshold: 30,
    });
    expect(budget(c.startupProbe)).toBeGreaterThanOrEqual(2.5 * SLOWEST_MEASURED_START_S);
    expect(c.readinessProbe).toMatchObject({ periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 });
    expect(c.livenessProbe).toMatchObject({ periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 });
    expect(PROBE_DEFAULTS.startupTimeout.toSeconds()).toBe(60);
  });

  test('a container without a port or probe (the dockercoins worker) gets no probe at all', () => {
    const c = podSpec(
      findObject(
        synthStack((chart) => new Dockercoins(chart, 'coins')),
        'Deployment',
        'worker',
      ),
    ).containers[0];
    expect([c.startupProbe, c.readinessProbe, c.livenessProbe]).toEqual([undefined, undefined, undefined]);
  });

  test.each([
    [
      'Dockercoins',
      (t: Duration) => synthStack((chart) => new Dockercoins(chart, 'x', { startupTimeout: t })),
      ['hasher', 'webui', 'rng', 'redis'],
    ],
    [
      'WebConsole',
      (t: Duration) => synthStack((chart) => new WebConsole(chart, 'x', { startupTimeout: t })),
      ['webconsole'],
    ],
    [
      'ConsoleHub',
      (t: Duration) => synthStack((chart) => new ConsoleHub(chart, 'x', { startupTimeout: t })),
      ['consolehub'],
    ],
    [
      'TrendingRepos',
      (t: Duration) => synthStack((chart) => new TrendingRepos(chart, 'x', { startupTimeout: t })),
      ['tgr'],
    ],
  ] as const)('%s: startupTimeout (a cdk8s Duration) sets the startup budget of its apps', (_, build, names) => {
    const objects = build(Duration.minutes(2));
    for (const name of names) {
      const spec = podSpec(
        objects.find((o) => o.metadata.name === name && (o.kind === 'Deployment' || o.kind === 'DaemonSet'))!,
      );
      expect([name, budget(spec.containers[0].startupProbe)]).toEqual([name, 120]);
    }
  });

  test('a startupTimeout shorter than one period, longer than 10 minutes or not whole seconds fails at synth time, naming the field', () => {
    const build = (props: DockercoinsProps) => () => synthStack((chart) => new Dockercoins(chart, 'coins', props));
    expectInvalidProp(
      build({ startupTimeout: Duration.seconds(1) }),
      "Dockercoins 'test/coins'",
      'startupTimeout',
      /at least 2 seconds/,
    );
    expectInvalidProp(
      build({ startupTimeout: Duration.minutes(11) }),
      "Dockercoins 'test/coins'",
      'startupTimeout',
      /at most 10 minutes/,
    );
    expectInvalidProp(
      build({ startupTimeout: Duration.millis(2500) }),
      "Dockercoins 'test/coins'",
      'startupTimeout',
      /whole seconds/,
    );
    expectInvalidProp(
      () => synthStack((chart) => new WebConsole(chart, 'web', { startupTimeout: Duration.hours(1) })),
      "WebConsole 'test/web'",
      'startupTimeout',
      /at most/,
    );
  });
});
