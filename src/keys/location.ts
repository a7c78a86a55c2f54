/**
 * Where one `sif key` command reads and writes: a keys directory's
 * `pgp-public` + `pgp-secret`, or the global public keyring. Free of openpgp,
 * so commands can resolve locations without loading it.
 */
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { publicKeyringPath, secretKeyringPath } from './paths.js';
import { GLOBAL_FILE_MODE, PRIVATE_FILE_MODE } from './store.js';

export interface KeyringLocation {
  /** `<keysdir>/pgp-public`, or the global keyring. */
  readonly publicPath: string;
  /** `<keysdir>/pgp-secret`; undefined for the global keyring, which holds public keys only. */
  readonly secretPath: string | undefined;
  /** The keys directory whose 0700/0600 modes are enforced; undefined for the global keyring. */
  readonly privateDir: string | undefined;
  readonly lockPath: string;
  readonly publicMode: number;
}

/** A keys directory's `pgp-public` and `pgp-secret`. */
export function localKeyrings(keysDir: string): KeyringLocation {
  return {
    publicPath: publicKeyringPath(keysDir),
    secretPath: secretKeyringPath(keysDir),
    privateDir: keysDir,
    lockPath: join(keysDir, '.sif-keyring.lock'),
    publicMode: PRIVATE_FILE_MODE,
  };
}

/** The global public keyring file (mode 0644, as Apptainer writes it). */
export function globalKeyring(path: string): KeyringLocation {
  return {
    publicPath: path,
    secretPath: undefined,
    privateDir: undefined,
    lockPath: join(dirname(path), `.${basename(path)}.sif-keyring.lock`),
    publicMode: GLOBAL_FILE_MODE,
  };
}

/** Apptainer's words for asking the global keyring for private keys. */
export const GLOBAL_HAS_NO_SECRETS = "global keyring doesn't contain private keys";

/** The secret keyring path, or a UsageError for the global keyring. */
export function secretPathOf(location: KeyringLocation): string {
  if (location.secretPath === undefined) throw new UsageError(GLOBAL_HAS_NO_SECRETS);
  return location.secretPath;
}
