/**
 * Golden files under testdata/golden/. `SIF_UPDATE_GOLDEN=1` rewrites them
 * from the actual output; review the diff before committing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Test } from 'tap';
import { REPO_ROOT } from './reference.js';

export const GOLDEN_DIR = join(REPO_ROOT, 'testdata/golden');

export function matchGolden(t: Test, name: string, actual: string | Buffer, message = name): void {
  const path = join(GOLDEN_DIR, name);
  const bytes = Buffer.isBuffer(actual) ? actual : Buffer.from(actual);
  if (process.env.SIF_UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
  if (!existsSync(path)) {
    t.fail(`${message}: golden file ${path} is missing (create it with SIF_UPDATE_GOLDEN=1)`);
    return;
  }
  t.equal(bytes.toString('latin1'), readFileSync(path).toString('latin1'), `${message} (testdata/golden/${name})`);
}
