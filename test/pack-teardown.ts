import * as fs from 'fs';
import { SHARED_DIR_ENV } from './pack';

/** Jest global teardown: removes what the run's tests shared (test/pack.ts). */
export default function teardown(): void {
  const dir = process.env[SHARED_DIR_ENV];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
