import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PACK_DIR_ENV } from './pack';

/** Jest global setup: a directory for this run's packed library; worker processes inherit the variable. */
export default function setup(): void {
  process.env[PACK_DIR_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), 'workshop-stacks-pack-'));
}
