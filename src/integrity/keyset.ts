/**
 * The one module that loads trust material (trust.ts) from files: the global
 * keyring, the keysdir and `--keyring` files, for `sif verify`, `verifyImage`,
 * `bootstrap-check` and ECL alike, and the PEM public keys of `--key` (DSSE).
 * Verification itself does no I/O of its own.
 */
import type * as openpgp from 'openpgp';
import { publicKeyringPath, resolveGlobalKeyring, resolveKeysDir } from '../keys/paths.js';
import { readKeyFile, readKeyringIfPresent } from '../keys/read.js';
import type { RemoteLookup } from './remote-keys.js';
import type { KeySource, TrustKey, TrustMaterial } from './trust.js';
import type { CertificateKeyOptions } from './x509/load.js';

export interface KeySetOptions {
  /** Key files given explicitly (`--keyring`); each must exist. */
  keyrings?: readonly string[];
  /** `--keysdir`; default $SIF_KEYSDIR, $APPTAINER_KEYSDIR, ~/.apptainer/keys. Its pgp-public may be absent. */
  keysDir?: string;
  /**
   * `--global-keyring`; default $SIF_GLOBAL_KEYRING (both must exist), else
   * Apptainer's global keyring where one exists.
   */
  globalKeyring?: string;
  env?: NodeJS.ProcessEnv;
  /** Keyservers to ask for a signer no keyring holds (remote-keys.ts); none: no network access at all. */
  keyservers?: RemoteLookup | undefined;
  /** PEM public key files for DSSE signatures (`--key`); each must exist. Default none. */
  publicKeys?: readonly string[];
  /**
   * A signing certificate (`--certificate`): its chain is verified (and OCSP
   * asked, if so set) when the keys load, and its key verifies DSSE signatures
   * under the certificate's subject. Default none.
   */
  certificate?: CertificateKeyOptions;
}

/**
 * Loads every trusted key: the global keyring first (Apptainer consults it
 * first and labels its keys [GLOBAL]), then the keysdir, then `--keyring`
 * files, then the PEM public keys.
 */
export async function loadVerificationKeys(options: KeySetOptions = {}): Promise<TrustKey[]> {
  const env = options.env ?? process.env;
  const out: TrustKey[] = [];
  const add = (keys: openpgp.Key[], source: KeySource, path: string) => {
    for (const key of keys) out.push({ key, source, path });
  };
  const global = resolveGlobalKeyring({ globalKeyring: options.globalKeyring, env });
  if (global !== undefined) {
    const explicit = Boolean(options.globalKeyring || env.SIF_GLOBAL_KEYRING);
    add(explicit ? await readKeyFile(global) : await readKeyringIfPresent(global), 'global', global);
  }
  const local = publicKeyringPath(resolveKeysDir({ keysDir: options.keysDir, env }));
  add(await readKeyringIfPresent(local), 'local', local);
  for (const path of options.keyrings ?? []) add(await readKeyFile(path), 'local', path);
  if (options.publicKeys?.length) {
    const { readPublicKey } = await import('./dsse/keys.js');
    for (const path of options.publicKeys) out.push(await readPublicKey(path));
  }
  if (options.certificate) {
    const { loadCertificateKey } = await import('./x509/load.js');
    out.push(await loadCertificateKey(options.certificate));
  }
  return out;
}

/** The loaded keys, behind a keyserver finder when `options.keyservers` names keyservers. */
export async function loadTrustMaterial(options: KeySetOptions = {}): Promise<TrustMaterial> {
  const keys = await loadVerificationKeys(options);
  if (!options.keyservers) return keys;
  const { remoteKeyFinder } = await import('./remote-keys.js');
  return remoteKeyFinder(keys, options.keyservers);
}

/** The PGP key-set options among a caller's options, for callers that accept them inline (public keys are asked for apart). */
export function keySetOptionsOf(o: KeySetOptions): KeySetOptions {
  return { keyrings: o.keyrings, keysDir: o.keysDir, globalKeyring: o.globalKeyring, env: o.env, keyservers: o.keyservers };
}
