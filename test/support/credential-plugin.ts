import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { FakeApiServer } from './fake-apiserver';

/**
 * Writes `dir/<name>.kubeconfig`: `server`'s cluster, with a user whose exec credential plugin is a node
 * process running `script`. Returns its path.
 */
export function execPluginKubeconfig(server: FakeApiServer, dir: string, name: string, script: string): string {
  const config = parse(server.kubeconfig()) as { users: Array<{ user: object }> };
  config.users[0].user = {
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: process.execPath,
      args: ['-e', script],
      interactiveMode: 'Never',
    },
  };
  const kubeconfig = path.join(dir, `${name}.kubeconfig`);
  fs.writeFileSync(kubeconfig, stringify(config), { mode: 0o600 });
  return kubeconfig;
}

/** A kubeconfig whose exec credential plugin never answers, and the way to end that plugin after. */
export interface HangingPlugin {
  readonly kubeconfig: string;
  /** Ends the plugin's process, if it started. */
  kill(): void;
}

/**
 * A kubeconfig whose exec plugin waits for a login that never comes (a node process that idles for a
 * minute). It writes its pid, for {@link HangingPlugin.kill}.
 */
export function hangingPluginKubeconfig(server: FakeApiServer, dir: string): HangingPlugin {
  const pidFile = path.join(dir, 'hanging-plugin.pid');
  const kubeconfig = execPluginKubeconfig(
    server,
    dir,
    'hanging-plugin',
    `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setTimeout(() => {}, 60000)`,
  );
  return {
    kubeconfig,
    kill: () => {
      if (!fs.existsSync(pidFile)) return;
      try {
        process.kill(Number(fs.readFileSync(pidFile, 'utf8')));
      } catch {
        // It ended already.
      }
    },
  };
}

/** A kubeconfig whose exec plugin answers with the token in a file, and what the plugin did. */
export interface TokenFilePlugin {
  readonly kubeconfig: string;
  /** Sets the token the plugin answers with from now on. */
  setToken(token: string): void;
  /** How many times the plugin ran. */
  runs(): number;
}

/** A kubeconfig whose exec plugin answers with a token (no expiry) that the test sets, counting its runs. */
export function tokenFilePluginKubeconfig(server: FakeApiServer, dir: string, token: string): TokenFilePlugin {
  const tokenFile = path.join(dir, 'plugin-token');
  const runsFile = path.join(dir, 'plugin-runs');
  fs.writeFileSync(tokenFile, token);
  fs.writeFileSync(runsFile, '');
  const kubeconfig = execPluginKubeconfig(
    server,
    dir,
    'token-file-plugin',
    `const fs = require('fs'); fs.appendFileSync(${JSON.stringify(runsFile)}, 'x');
     process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential',
       status: { token: fs.readFileSync(${JSON.stringify(tokenFile)}, 'utf8') } }));`,
  );
  return {
    kubeconfig,
    setToken: (next) => fs.writeFileSync(tokenFile, next),
    runs: () => fs.readFileSync(runsFile, 'utf8').length,
  };
}
