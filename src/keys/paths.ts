/** Where keyrings live, resolved the way Apptainer resolves them, with our own overrides first. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { homeDirectory } from '../home.js';

export interface KeyringLocationOptions {
  /** `--keysdir`; wins over the environment. */
  keysDir?: string;
  /** `--global-keyring`; wins over the environment. */
  globalKeyring?: string;
  env?: NodeJS.ProcessEnv;
}

/** `--keysdir`, else $SIF_KEYSDIR, else $APPTAINER_KEYSDIR, else ~/.apptainer/keys. */
export function resolveKeysDir(options: KeyringLocationOptions = {}): string {
  const env = options.env ?? process.env;
  const chosen = options.keysDir || env.SIF_KEYSDIR || env.APPTAINER_KEYSDIR;
  if (chosen) return chosen;
  const home = homeDirectory(env);
  if (home === undefined) throw new UsageError('no home directory for the keyrings (HOME is unset and the account has none): give --keysdir or set HOME');
  return join(home, '.apptainer', 'keys');
}

/** Apptainer's global public keyring for distribution packages and for source builds. */
export const APPTAINER_GLOBAL_KEYRINGS = ['/etc/apptainer/global-pgp-public', '/usr/local/etc/apptainer/global-pgp-public'];

/**
 * `--global-keyring`, else $SIF_GLOBAL_KEYRING, else the first of Apptainer's
 * locations that exists; undefined when there is none.
 */
export function resolveGlobalKeyring(options: KeyringLocationOptions = {}): string | undefined {
  const env = options.env ?? process.env;
  return options.globalKeyring || env.SIF_GLOBAL_KEYRING || APPTAINER_GLOBAL_KEYRINGS.find((p) => existsSync(p));
}

export const publicKeyringPath = (keysDir: string) => join(keysDir, 'pgp-public');
export const secretKeyringPath = (keysDir: string) => join(keysDir, 'pgp-secret');
