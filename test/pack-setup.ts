import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SHARED_DIR_ENV } from './pack';

/** Jest global setup: a directory for what the tests that install the library share (test/pack.ts); worker processes inherit the variable. */
export default function setup(): void {
  process.env[SHARED_DIR_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), 'workshop-stacks-test-'));
}
