#!/usr/bin/env node
import { main } from './cli/program';

// `workshop-stacks diff | head`: a reader that stops early is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

/**
 * Ends the process once its output is written. The command is over: what it started and could not stop
 * must not keep it alive, such as a kubeconfig's exec credential plugin still waiting for a login when
 * the timeout passed (client-node gives no handle to end it).
 */
function exit(code: number): void {
  process.exitCode = code;
  let writing = 2;
  const written = () => {
    if (--writing === 0) process.exit(code);
  };
  process.stdout.write('', written);
  process.stderr.write('', written);
}

main(process.argv).then(exit, (error: unknown) => {
  process.stderr.write(`error: ${(error as Error)?.stack ?? String(error)}\n`);
  exit(1);
});
