import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { FakeApiServer } from './fake-apiserver';

/** A kubeconfig whose exec credential plugin never answers, and the way to end that plugin after. */
export interface HangingPlugin {
  readonly kubeconfig: string;
  /** Ends the plugin's process, if it started. */
  kill(): void;
}

/**
 * Writes `dir/hanging-plugin.kubeconfig`: `server`'s cluster, with a user whose exec plugin waits for a
 * login that never comes (a node process that idles for a minute). It writes its pid, for {@link HangingPlugin.kill}.
 */
export function hangingPluginKubeconfig(server: FakeApiServer, dir: string): HangingPlugin {
  const pidFile = path.join(dir, 'hanging-plugin.pid');
  const config = parse(server.kubeconfig()) as { users: Array<{ user: object }> };
  config.users[0].user = {
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: process.execPath,
      args: [
        '-e',
        `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setTimeout(() => {}, 60000)`,
      ],
      interactiveMode: 'Never',
    },
  };
  const kubeconfig = path.join(dir, 'hanging-plugin.kubeconfig');
  fs.writeFileSync(kubeconfig, stringify(config), { mode: 0o600 });
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
