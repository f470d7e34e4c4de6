import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { MANIFEST_SUFFIX } from '../src/manifest';
import { Profile } from '../src/profile';
import { synthYaml } from '../src/synth';
import { apiGatewayApp } from './api-gateway';
import { ExampleApp } from './names';
import { classroomApp } from './classroom';
import { consolehubApp } from './consolehub';
import { dockercoinsApp } from './dockercoins';
import { webconsoleApp } from './webconsole';

/** Builds one app's charts into a cdk8s App. */
export type AppBuilder = (app: App, profile: Profile) => void;

/** Every app the project synthesizes, by name: `dist/<name>.k8s.yaml` (the names are in `./names`). */
export const APPS: Readonly<Record<ExampleApp, AppBuilder>> = {
  dockercoins: dockercoinsApp,
  webconsole: webconsoleApp,
  consolehub: consolehubApp,
  'api-gateway': apiGatewayApp,
  classroom: classroomApp,
};

/** Synthesizes one app in memory, as multi-document YAML. */
export function synthApp(name: string, profile: Profile): string {
  const build = (APPS as Readonly<Record<string, AppBuilder>>)[name];
  if (!build) throw new Error(`unknown app "${name}"; known apps: ${Object.keys(APPS).join(', ')}`);
  const app = new App();
  build(app, profile);
  return synthYaml(app);
}

/**
 * Writes the named apps (by default all) to `outdir` as `<app>.k8s.yaml` and returns the files written.
 * Nothing else in `outdir` is touched: it may hold the user's own manifests.
 */
export function synthAll(outdir: string, profile: Profile, names: readonly string[] = Object.keys(APPS)): string[] {
  fs.mkdirSync(outdir, { recursive: true });
  return names.map((name) => {
    const file = path.join(outdir, name + MANIFEST_SUFFIX);
    fs.writeFileSync(file, synthApp(name, profile));
    return file;
  });
}
