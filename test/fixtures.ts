import { Profile } from '../src/profile';

export const imagePolicyCases: Array<[string, Profile, 'IfNotPresent' | 'Always']> = [
  ['webconsole:v1', 'local', 'IfNotPresent'],
  ['webconsole', 'local', 'IfNotPresent'],
  ['dockercoins/rng:v0.1', 'cloud', 'IfNotPresent'],
  ['registry:5000/rng:latest', 'cloud', 'Always'],
  ['registry:5000/rng', 'cloud', 'Always'],
  ['rng@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'cloud', 'IfNotPresent'],
  [
    'registry:5000/rng:v1@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
    'cloud',
    'IfNotPresent',
  ],
];
