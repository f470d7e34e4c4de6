import * as path from 'path';
import * as fs from 'fs';
import { Option } from 'commander';
import { APPS, MANIFEST_SUFFIX, synthAll, synthApp } from '../../apps/registry';
import { PROFILES, Profile, profileFromEnv } from '../profile';
import { EXIT_USAGE, RegisterCommand } from './context';
import { printJson } from './output';

interface SynthOptions {
  readonly outdir: string;
  readonly profile?: Profile;
  readonly output: 'text' | 'json';
}

/** `workshop-stacks synth`: writes apps as `<outdir>/<app>.k8s.yaml`. */
export const registerSynth: RegisterCommand = (program, ctx) => {
  program.command('synth')
    .description(`synthesize apps into <outdir>/<app>${MANIFEST_SUFFIX}; without names, every app (and manifests of apps that no longer exist are removed)`)
    .argument('[apps...]', `apps to synthesize (${Object.keys(APPS).join(', ')})`)
    .option('--outdir <dir>', 'output directory', 'dist')
    .addOption(new Option('--profile <profile>', 'profile (default: $WORKSHOP_PROFILE, else local)').choices(PROFILES))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((apps: string[], opts: SynthOptions) => {
      const unknown = apps.filter((a) => !Object.prototype.hasOwnProperty.call(APPS, a));
      if (unknown.length > 0) {
        ctx.io.stderr.write(`error: unknown app(s) ${unknown.join(', ')}; apps: ${Object.keys(APPS).join(', ')}\n`);
        ctx.setExitCode(EXIT_USAGE);
        return;
      }
      const profile = opts.profile ?? profileFromEnv(ctx.io.env);
      const outdir = path.resolve(ctx.io.cwd, opts.outdir);
      const files = apps.length === 0 ? synthAll(outdir, profile) : apps.map((app) => {
        fs.mkdirSync(outdir, { recursive: true });
        const file = path.join(outdir, app + MANIFEST_SUFFIX);
        fs.writeFileSync(file, synthApp(app, profile));
        return file;
      });
      if (opts.output === 'json') printJson({ command: 'synth', ok: true, profile, files }, ctx.io.stdout);
      else for (const file of files) ctx.io.stdout.write(`${path.relative(ctx.io.cwd, file) || file}\n`);
    });
};
