import * as fs from 'fs';
import { PACK_DIR_ENV } from './pack';

/** Jest global teardown: removes the run's packed library (test/pack-setup.ts). */
export default function teardown(): void {
  const dir = process.env[PACK_DIR_ENV];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
