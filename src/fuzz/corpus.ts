/**
 * Where fuzz seeds come from: the reference corpus, read in place (never
 * copied into the repository), and the project's own testdata.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from src/fuzz or dist/fuzz alike. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const GO_SIF = '/usr/share/gocode/src/github.com/sylabs/sif';

/** The shared fixtures beside the repository or beside its worktree folder; $SIF_SHARED wins. */
export function fixturesDir(): string {
  const shared =
    process.env.SIF_SHARED ?? [resolve(REPO_ROOT, '../shared'), resolve(REPO_ROOT, '../../shared')].find(existsSync) ?? resolve(REPO_ROOT, '../shared');
  return join(shared, 'fixtures');
}

/** Folders searched for seeds of each kind, in a stable order. */
export function seedDirs(kind: 'images' | 'keys' | 'x509' | 'attestations'): string[] {
  const f = fixturesDir();
  if (kind === 'attestations') {
    const mt = join(f, 'model-transparency');
    return existsSync(mt) ? [mt, ...readdirSync(mt, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(mt, d.name)).sort()] : [];
  }
  if (kind === 'x509') return [join(f, 'apptainer/certs'), join(REPO_ROOT, 'testdata/ocsp')];
  if (kind === 'images') {
    return [join(GO_SIF, 'test/images'), join(f, 'sylabs-sif-head/images'), join(f, 'apptainer/images'), join(f, 'apptainer/real'), join(REPO_ROOT, 'testdata/images')];
  }
  return [join(GO_SIF, 'test/keys'), join(f, 'sylabs-sif-head/keys'), join(f, 'apptainer/keys'), join(f, 'apptainer/ecl-keys'), join(REPO_ROOT, 'testdata/keys')];
}

export interface Seed {
  readonly name: string;
  readonly bytes: Buffer;
}

/** Files under `dirs` whose names end with one of `extensions`, sorted per folder, each content once. */
export function readSeeds(dirs: readonly string[], extensions: readonly string[]): Seed[] {
  const seen = new Set<string>();
  return dirs
    .filter(existsSync)
    .flatMap((d) =>
      readdirSync(d)
        .filter((f) => extensions.some((e) => f.endsWith(e)))
        .sort()
        .map((f) => ({ name: join(d, f), bytes: readFileSync(join(d, f)) })),
    )
    .filter((s) => {
      const digest = createHash('sha256').update(s.bytes).digest('hex');
      return !seen.has(digest) && Boolean(seen.add(digest));
    });
}
