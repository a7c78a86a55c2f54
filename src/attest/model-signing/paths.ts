/**
 * model_signing's path rules, as Python's pathlib applies them: resource
 * names are POSIX paths relative to the model root, compared component by
 * component (`a/b` sorts before `a.txt`), and an ignored path hides itself and
 * everything under it.
 */
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';

/** A relative POSIX path as pathlib normalizes it: no empty or `.` components. */
export const posixParts = (path: string): string[] => path.split('/').filter((p) => p !== '' && p !== '.');

/** `PurePosixPath(path)` as a string: `./a//b/` is `a/b`, the model root is `.`. */
export const posixName = (path: string): string => posixParts(path).join('/') || '.';

/** Python's string order: by code point (JavaScript's `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** PurePosixPath order: component lists compared element by element. */
export function comparePaths(a: string, b: string): number {
  const x = posixParts(a);
  const y = posixParts(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = compareCodePoints(x[i]!, y[i]!);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Whether the model-relative `path` is, or is under, one of `ignored` (pathlib `is_relative_to`). */
export function isIgnored(path: string, ignored: readonly string[]): boolean {
  const parts = posixParts(path);
  return ignored.some((i) => {
    const prefix = posixParts(i);
    return prefix.length <= parts.length && prefix.every((p, k) => p === parts[k]);
  });
}

/** The model's name in a statement: the path's last component, or the resolved directory's (`.`, `..`). */
export function modelName(path: string): string {
  const name = basename(path);
  return name === '' || name === '.' || name === '..' ? basename(resolve(path)) : name;
}

/**
 * Paths given on a command line (relative to `cwd`, or absolute) as
 * model-relative ignore paths; those outside the model are dropped (model_signing
 * CLI `_resolve_ignore_paths`). Signers pass their signature file here.
 */
export function ignorePathsFromCwd(model: string, paths: readonly string[], cwd: string = process.cwd()): string[] {
  const root = resolve(cwd, model);
  const out: string[] = [];
  for (const p of paths) {
    const rel = relative(root, resolve(cwd, p));
    if (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) out.push(posixName(rel.split(sep).join('/')));
  }
  return out;
}
