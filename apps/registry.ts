import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { synthYaml } from '../src/synth';
import { Profile } from '../src/profile';
import { apiGatewayApp } from './api-gateway';
import { classroomApp } from './classroom';
import { consolehubApp } from './consolehub';
import { dockercoinsApp } from './dockercoins';
import { webconsoleApp } from './webconsole';

/** Builds one app's charts into a cdk8s App. */
export type AppBuilder = (app: App, profile: Profile) => void;

/** Every app the project synthesizes, by name: `dist/<name>.k8s.yaml`. */
export const APPS: Readonly<Record<string, AppBuilder>> = {
  dockercoins: dockercoinsApp,
  webconsole: webconsoleApp,
  consolehub: consolehubApp,
  'api-gateway': apiGatewayApp,
  classroom: classroomApp,
};

export const MANIFEST_SUFFIX = '.k8s.yaml';

/** Synthesizes one app in memory, as multi-document YAML. */
export function synthApp(name: string, profile: Profile): string {
  const build = APPS[name];
  if (!build) throw new Error(`unknown app "${name}"; known apps: ${Object.keys(APPS).join(', ')}`);
  const app = new App();
  build(app, profile);
  return synthYaml(app);
}

/**
 * Writes every app to `outdir` and removes manifests of apps that no longer exist, so that the
 * directory is exactly the output of this synthesis.
 */
export function synthAll(outdir: string, profile: Profile): string[] {
  fs.mkdirSync(outdir, { recursive: true });
  const written = Object.keys(APPS).map((name) => {
    const file = path.join(outdir, name + MANIFEST_SUFFIX);
    fs.writeFileSync(file, synthApp(name, profile));
    return file;
  });
  for (const entry of fs.readdirSync(outdir)) {
    const file = path.join(outdir, entry);
    if (entry.endsWith(MANIFEST_SUFFIX) && !written.includes(file)) fs.rmSync(file);
  }
  return written;
}
