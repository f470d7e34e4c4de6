import { NamedInputs } from '../src/manifest/load';
import { Profile } from '../src/profile';

/** The example apps by name (`dist/<name>.k8s.yaml`); `apps/registry.ts` builds each one. */
export const EXAMPLE_APPS = ['dockercoins', 'webconsole', 'consolehub', 'api-gateway', 'classroom'] as const;

/** The name of an example app. */
export type ExampleApp = (typeof EXAMPLE_APPS)[number];

/**
 * The registry, loaded on first use: it loads cdk8s, cdk8s-plus and every construct, which a command
 * that only reads manifests (`apply dist`) never needs; loading them would slow every command's start.
 */
export function exampleApps(): typeof import('./registry') {
  return require('./registry') as typeof import('./registry');
}

/** The apps as inputs the CLI's commands take by name (`validate dockercoins`). */
export function appInputs(profile: Profile): NamedInputs {
  return { names: EXAMPLE_APPS, synth: (name) => exampleApps().synthApp(name, profile) };
}
