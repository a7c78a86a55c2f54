/** Choosing and unlocking the secret key to sign with. */
import * as openpgp from 'openpgp';
import { KeyError } from '../../errors.js';
import { secretKeyringPath, resolveKeysDir } from '../../keys/paths.js';
import { fingerprintOf, readKeyFile } from '../../keys/read.js';
import { assertReferenceCompatible } from './clearsign.js';

export interface SecretKeySource {
  /** `--keyring`: an armored or binary key file; default the keysdir's pgp-secret. */
  keyring?: string;
  /** `--keysdir`; default $SIF_KEYSDIR, $APPTAINER_KEYSDIR, ~/.apptainer/keys. */
  keysDir?: string;
  env?: NodeJS.ProcessEnv;
}

/** The keys of the secret keyring in file order (the order `--keyidx` counts), and its path. */
export async function readSecretKeyring(source: SecretKeySource = {}): Promise<{ path: string; keys: openpgp.Key[] }> {
  const path = source.keyring ?? secretKeyringPath(resolveKeysDir({ keysDir: source.keysDir, env: source.env }));
  try {
    return { path, keys: await readKeyFile(path) };
  } catch (e) {
    if ((e as { code?: string }).code !== 'SIF_NOT_FOUND' || source.keyring !== undefined) throw e;
    throw new KeyError('SIF_NO_KEY_MATERIAL', `no secret keyring at ${path} (pass --keyring FILE or --keysdir DIR)`);
  }
}

/** One line naming a key: "N) FINGERPRINT User ID". */
export function describeKey(key: openpgp.Key, index: number): string {
  const uid = key.users.find((u) => u.userID)?.userID?.userID ?? '(no user ID)';
  return `${index}) ${fingerprintOf(key)} ${uid}`;
}

/**
 * The key at `index` (file order), or the only key when `index` is undefined.
 * With several keys and no index, `choose` decides (a prompt) or the error lists them.
 */
export async function selectSecretKey(
  ring: { path: string; keys: openpgp.Key[] },
  index: number | undefined,
  choose?: (keys: openpgp.Key[]) => Promise<number>,
): Promise<openpgp.PrivateKey> {
  const { path, keys } = ring;
  if (keys.length === 0) throw new KeyError('SIF_NO_KEY_MATERIAL', `${path}: keyring is empty`);
  if (index === undefined && keys.length > 1) {
    if (!choose) {
      const list = keys.map(describeKey).join('; ');
      throw new KeyError('SIF_NO_KEY_MATERIAL', `${path} holds ${keys.length} keys; choose one with --keyidx N: ${list}`);
    }
    index = await choose(keys);
  }
  const key = keys[index ?? 0];
  if (key === undefined) {
    throw new KeyError('SIF_KEY_NOT_FOUND', `--keyidx ${index}: index out of range (${path} holds ${keys.length} keys, 0-${keys.length - 1})`);
  }
  if (!key.isPrivate()) throw new KeyError('SIF_KEY_INVALID', `key ${fingerprintOf(key)} in ${path} has no secret key material`);
  assertReferenceCompatible(key);
  return key;
}
