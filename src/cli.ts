#!/usr/bin/env node
import * as nodeModule from 'module';

// Node 22.1 and later keep the compiled code of the modules between runs (in the system's temporary
// directory): the command then starts some 20 ms sooner (measured with Node 22: 221 to 200 ms to the first
// request of `diff`). Node 20 has no such call. It must come before the modules load, hence the require.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { main } = require('./cli/program') as typeof import('./cli/program');

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
