import { profileFromEnv } from '../src/profile';
import { synthAll } from './registry';

// cdk8s synth passes its output directory in CDK8S_OUTDIR; npm run synth writes to dist/.
const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
const profile = profileFromEnv();
for (const file of synthAll(outdir, profile)) console.log(file);
