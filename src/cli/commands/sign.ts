/** `sif sign`: add PGP or DSSE signature(s) to an image, as Apptainer's `sign` does. */
import type * as openpgp from 'openpgp';
import type { CommandModule } from 'yargs';
import type { DsseSigningKey } from '../../integrity/dsse/keys.js';
import { UsageError } from '../../errors.js';
import { SifImage } from '../../image/image.js';
import { parseId } from '../args.js';
import type { Io } from '../io.js';
import { askLine, readPassphrase } from '../prompt.js';
import { repeatable } from '../repeated-flags.js';

interface SignArgs {
  image: string;
  'group-id'?: string;
  'sif-id'?: string;
  keyring?: string;
  keysdir?: string;
  keyidx?: string;
  'passphrase-file'?: string;
  key?: string[];
  deterministic: boolean;
  quiet: boolean;
}

export function signCommand(io: Io): CommandModule<object, SignArgs> {
  return {
    command: 'sign <image>',
    describe: 'Add digital signature(s) to an image: by default one per object group (as Apptainer sign)',
    builder: (y) =>
      y
        .positional('image', { type: 'string', demandOption: true, describe: 'SIF image' })
        .option('group-id', { alias: 'g', type: 'string', describe: 'sign all objects of this group (one signature)' })
        .option('sif-id', { alias: 'i', type: 'string', describe: 'sign only these objects, ID[,ID…] (one signature per group)' })
        .option('keyring', { type: 'string', describe: 'secret key file, armored or binary (default the keysdir pgp-secret)' })
        .option('keysdir', { type: 'string', describe: 'key directory (default $SIF_KEYSDIR, $APPTAINER_KEYSDIR, ~/.apptainer/keys)' })
        .option('keyidx', { alias: 'k', type: 'string', describe: 'index of the secret key to use, in file order (as sif key list --secret)' })
        .option('key', { ...repeatable, describe: 'PEM private key: sign with DSSE instead of PGP (repeatable: one envelope signed by each; default $SIF_SIGN_KEY, $APPTAINER_SIGN_KEY)' })
        .option('deterministic', { type: 'boolean', default: false, describe: "store Go's zero time in the new descriptors, as upstream does on deterministic images" })
        .option('passphrase-file', { type: 'string', describe: "file whose first line is the key's passphrase (else $SIF_PASSPHRASE, for PEM keys $COSIGN_PASSWORD, a prompt, or a stdin line)" })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress line on stderr' }),
    handler: async (a) => {
      const groups = a['group-id'] === undefined ? [] : [parseId(a['group-id'], 'group ID')];
      const objects = a['sif-id'] === undefined ? [] : a['sif-id'].split(',').map((s) => parseId(s.trim(), 'object ID'));
      const keyidx = a.keyidx === undefined ? undefined : parseId(a.keyidx, 'key index');
      const { planSignatures, signImage } = await import('../../integrity/sign.js');
      const image = await SifImage.open(a.image);
      try {
        planSignatures(image, { groups, objects }); // refuse a bad selection before asking for anything
      } finally {
        await image.close();
      }
      const pemPaths = pemKeyPaths(a, io.env);
      const material = pemPaths.length > 0 ? { pemKeys: await readPemKeys(io, a, pemPaths) } : { key: await chooseKey(io, a, keyidx) };
      const { commandProgress } = await import('../progress.js');
      const progress = commandProgress(io, 'Signing', a.quiet);
      try {
        await signImage(a.image, { ...material, groups, objects, deterministic: a.deterministic, onProgress: progress?.update });
      } finally {
        progress?.finish();
      }
      io.stderr.write(`Signature created and applied to image '${a.image}'\n`);
    },
  };
}

/**
 * The PEM keys to sign with: --key, else $SIF_SIGN_KEY or $APPTAINER_SIGN_KEY
 * unless a PGP key was chosen with --keyring or --keyidx.
 */
function pemKeyPaths(a: SignArgs, env: NodeJS.ProcessEnv): string[] {
  const pgp = a.keyring !== undefined || a.keyidx !== undefined;
  if (a.key?.length) {
    if (pgp) throw new UsageError('--key (PEM, DSSE) cannot be combined with --keyring or --keyidx (PGP)');
    return a.key;
  }
  const fromEnv = env.SIF_SIGN_KEY || env.APPTAINER_SIGN_KEY;
  return fromEnv && !pgp ? [fromEnv] : [];
}

async function readPemKeys(io: Io, a: SignArgs, paths: readonly string[]): Promise<DsseSigningKey[]> {
  const { readSigningKey } = await import('../../integrity/dsse/keys.js');
  const passphrase = () => readPassphrase(io, { file: a['passphrase-file'], question: 'Enter password for private key: ', env: 'COSIGN_PASSWORD' });
  const keys: DsseSigningKey[] = [];
  for (const path of paths) keys.push(await readSigningKey(path, passphrase));
  return keys;
}

async function chooseKey(io: Io, a: SignArgs, keyidx: number | undefined): Promise<openpgp.PrivateKey> {
  const { readSecretKeyring, selectSecretKey, describeKey } = await import('../../integrity/pgp/signing-key.js');
  const { isLocked, unlockKey } = await import('../../keys/protect.js');
  const ring = await readSecretKeyring({ keyring: a.keyring, keysDir: a.keysdir, env: io.env });
  const choose = io.stdinIsTTY
    ? async (keys: openpgp.Key[]) => {
        io.stderr.write(keys.map((k, i) => `${describeKey(k, i)}\n`).join(''));
        const answer = (await askLine(io, 'Enter # of private key to use : ', 'key index')).trim();
        const n = /^[0-9]+$/.test(answer) ? Number(answer) : NaN;
        if (!(n < keys.length)) throw new UsageError(`invalid key index ${JSON.stringify(answer)}: enter 0-${keys.length - 1}`);
        return n;
      }
    : undefined;
  const key = await selectSecretKey(ring, keyidx, choose);
  if (!isLocked(key)) return key;
  const passphrase = await readPassphrase(io, { file: a['passphrase-file'], question: 'Enter key passphrase : ' });
  return unlockKey(key, passphrase);
}
