import { Output } from '../src/cli/context';
import { WaitProgress, progressOptions } from '../src/cli/output';

/** An output that keeps what was written, and a clock the test moves. */
function setup(isTTY: boolean, log?: boolean) {
  let text = '';
  let time = 0;
  const out: Output = {
    write: (s: string) => {
      text += s;
    },
    isTTY,
  };
  const progress = new WaitProgress(out, { log, now: () => time });
  return {
    progress,
    tick: (ms: number) => {
      time += ms;
    },
    take: () => {
      const t = text;
      text = '';
      return t;
    },
  };
}

const many = (n: number, kind: string) => Array.from({ length: n }, (_, i) => `${kind} room-${i}/web`);
/** What a terminal shows after these writes: cursor-up and line-clear codes applied. */
function screen(written: string): string[] {
  const lines: string[] = [];
  let row = 0;
  for (const part of written.split(/(\x1b\[\d+A|\x1b\[2K|\n)/).filter(Boolean)) {
    const up = /^\x1b\[(\d+)A$/.exec(part);
    if (up) row -= Number(up[1]);
    else if (part === '\x1b[2K') lines[row] = '';
    else if (part === '\n') row++;
    else lines[row] = (lines[row] ?? '') + part;
  }
  return lines;
}

test('a terminal, few objects: one line per object, rewritten in place', () => {
  const { progress, take } = setup(true);
  progress.start(['Deployment shop/web', 'Service shop/web']);
  progress.update('Service shop/web', 'Current', 'ready');
  expect(screen(take())).toEqual(['… Deployment shop/web  waiting', '✓ Service shop/web  ready']);
});

test('a terminal, thousands of objects: counts per kind and the objects not ready, redrawn at most every 200 ms', () => {
  const { progress, tick, take } = setup(true);
  const deployments = many(300, 'Deployment');
  const configMaps = many(3000, 'ConfigMap');
  progress.start([...deployments, ...configMaps]);
  for (const cm of configMaps) progress.update(cm, 'Current', 'ready');
  for (const d of deployments.slice(0, 290)) progress.update(d, 'Current', '1/1 replicas ready');
  const throttled = take();
  expect(throttled.split('\n').length).toBeLessThan(20); // only the first drawing: no time passed
  tick(250);
  progress.update(deployments[290], 'Failed', 'pod web-1: container web: CrashLoopBackOff');
  const shown = screen(throttled + take());
  expect(shown.slice(0, 2)).toEqual(['✗ Deployment  290/300 ready, 1 failed', '✓ ConfigMap  3000/3000 ready']);
  expect(shown[2]).toBe('  ✗ Deployment room-290/web  pod web-1: container web: CrashLoopBackOff');
  expect(shown.slice(3, 12)).toEqual(deployments.slice(291).map((d) => `  … ${d}  waiting`));
  // The first drawing had a 13th line ("… and 3290 more not ready"): cleared, not left over.
  expect(shown.slice(12)).toEqual(['']);

  for (const d of deployments.slice(291)) progress.update(d, 'Current', '1/1 replicas ready');
  // Everything settled: drawn at once, without waiting for the next 200 ms.
  expect(screen(throttled + take())).toEqual([
    '✗ Deployment  299/300 ready, 1 failed',
    '✓ ConfigMap  3000/3000 ready',
    '  ✗ Deployment room-290/web  pod web-1: container web: CrashLoopBackOff',
    ...Array(10).fill(''),
  ]);
});

test('a log (not a terminal): few objects, a plain line per change and no cursor movement', () => {
  const { progress, take } = setup(false);
  progress.start(['Deployment shop/web']);
  progress.update('Deployment shop/web', 'Current', '1/1 replicas ready');
  expect(take()).toBe('waiting for 1 object(s)\nDeployment shop/web: Current: 1/1 replicas ready\n');
});

test('a log (CI=true even on a terminal), thousands of objects: a summary every 5 s, failures at once, and the end', () => {
  const { progress, tick, take } = setup(true, true);
  const deployments = many(1000, 'Deployment');
  progress.start([...deployments, ...many(12000, 'ConfigMap')]);
  expect(take()).toBe('waiting for 13000 object(s)\n');
  for (const d of deployments.slice(0, 500)) progress.update(d, 'Current', 'ready');
  expect(take()).toBe('');
  tick(5000);
  progress.update(deployments[500], 'Failed', 'progress deadline exceeded');
  expect(take()).toBe(
    'Deployment room-500/web: Failed: progress deadline exceeded\n' +
      'waiting: 500/13000 ready, 1 failed; in progress: Deployment 499, ConfigMap 12000\n',
  );
  for (const o of [...deployments.slice(501), ...many(12000, 'ConfigMap')]) progress.update(o, 'Current', 'ready');
  expect(take()).toBe('waiting: 12999/13000 ready, 1 failed\n');
});

test('CI=true (or any CI value but false/0) writes for a log', () => {
  expect(['true', '1', 'yes'].map((CI) => progressOptions({ CI }))).toEqual([
    { log: true },
    { log: true },
    { log: true },
  ]);
  expect([undefined, '', 'false', '0'].map((CI) => progressOptions({ CI }))).toEqual([{}, {}, {}, {}]);
});
