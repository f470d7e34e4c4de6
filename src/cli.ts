#!/usr/bin/env node
import { main } from './cli/program';

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    process.stderr.write(`error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
