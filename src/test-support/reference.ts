/**
 * Locations of the reference oracle and shared fixtures, and the rule for
 * missing ones: tests skip with a clear reason locally, and fail under
 * SIF_REQUIRE_REFERENCE=1 (CI), so a missing install can never pass silently.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import type { Test } from 'tap';
import { SKS_BIN } from './sks.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * The shared fixtures sit beside the repository (`../shared`), or beside the
 * folder of worktrees (`../../shared`); $SIF_SHARED overrides both.
 */
export const SHARED =
  process.env.SIF_SHARED ?? [resolve(REPO_ROOT, '../shared'), resolve(REPO_ROOT, '../../shared')].find(existsSync) ?? resolve(REPO_ROOT, '../shared');
export const FIXTURES = join(SHARED, 'fixtures');
export const GO_SIF = '/usr/share/gocode/src/github.com/sylabs/sif';
export const GO_IMAGES = join(GO_SIF, 'test/images');

const commandExists = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Why a reference is unavailable, or undefined when it is there. */
export function missingReference(...needs: ('siftool' | 'go-sif' | 'shared' | 'go' | 'gpg' | 'jq' | 'sks')[]): string | undefined {
  for (const need of needs) {
    if (need === 'sks' && !SKS_BIN) return 'sks is not installed (apt-get install sks)';
    if (need === 'jq' && !commandExists('jq')) return 'jq is not installed (apt-get install jq)';
    if (need === 'siftool' && !commandExists('siftool')) return 'siftool is not installed (apt-get install siftool)';
    if (need === 'go' && !commandExists('go')) return 'go is not installed (apt-get install golang-go)';
    if (need === 'gpg' && !commandExists('gpg')) return 'gpg is not installed (apt-get install gnupg)';
    if (need === 'go-sif' && !existsSync(GO_IMAGES)) return `${GO_SIF} is missing (apt-get install golang-github-sylabs-sif-dev)`;
    if (need === 'shared' && !existsSync(FIXTURES)) return `${FIXTURES} is missing (the shared fixtures sit beside the repo)`;
  }
  return undefined;
}

interface TapLike {
  fail(message: string): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tap's plugin-extended Test type is not nameable here
  test(name: string, options: { skip?: string | boolean }, fn: (t: any) => unknown): unknown;
}

/**
 * Runs `fn` as a subtest unless `missing` says why it cannot run here (a
 * reference tool, a kernel feature, a mount): then it is skipped with that
 * reason, or fails when SIF_REQUIRE_REFERENCE=1 (CI), so nothing CI must
 * check can pass by not running.
 */
export function whenAvailable(t: TapLike, name: string, missing: string | undefined, fn: (t: Test) => unknown): unknown {
  if (missing && process.env.SIF_REQUIRE_REFERENCE === '1') return t.fail(`${name}: ${missing} (SIF_REQUIRE_REFERENCE=1)`);
  return t.test(name, { skip: missing ?? false }, fn);
}

/** Runs `fn` as a subtest when the references exist (see whenAvailable). */
export function withReference(t: TapLike, name: string, needs: Parameters<typeof missingReference>, fn: (t: Test) => unknown): unknown {
  return whenAvailable(t, name, missingReference(...needs), fn);
}

/** Every corpus image: the Debian 2.8.3 test images and the shared fixtures. */
export function corpusImages(): string[] {
  const dirs = [GO_IMAGES, join(FIXTURES, 'sylabs-sif-head/images'), join(FIXTURES, 'apptainer/images'), join(FIXTURES, 'apptainer/real')];
  return dirs.filter(existsSync).flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.sif')).sort().map((f) => join(d, f)));
}
