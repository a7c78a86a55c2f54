/**
 * `sif attest`: the image's in-toto statement (as `sif digest` prints it),
 * signed with a PEM private key into a Sigstore bundle or a bare DSSE
 * envelope, or the image as a model into a model_signing signature
 * (docs/attestations.md). Each output format is one entry of ATTEST_FORMATS.
 */
import { createPublicKey } from 'node:crypto';
import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { KeyError, UsageError } from '../../errors.js';
import type { DsseSigningKey } from '../../integrity/dsse/keys.js';
import { SifImage } from '../../image/image.js';
import type { Statement } from '../../attest/statement.js';
import { readPassphrase } from '../prompt.js';
import { write, type Io } from '../io.js';
import { imageStatement } from './image-statement.js';

interface AttestArgs {
  image: string;
  key: string;
  certificate?: string;
  format: string;
  name?: string;
  'predicate-type'?: string;
  predicate?: string;
  'passphrase-file'?: string;
  quiet: boolean;
}

interface AttestFormat {
  readonly describe: string;
  /** The attestation's text, from the command's arguments and the loaded key. */
  produce(io: Io, a: AttestArgs, key: DsseSigningKey): Promise<string>;
}

/** The Sigstore bundle or bare envelope of the image's statement. */
const signedStatement =
  (format: 'bundle' | 'dsse'): AttestFormat['produce'] =>
  async (io, a, key) => {
    if (a.certificate !== undefined && format === 'dsse') throw new UsageError('--certificate needs --format bundle: a bare envelope carries no certificate');
    const certificates = a.certificate === undefined ? [] : await signingChain(a.certificate, key);
    const statement = await imageStatement(io, a, a.name ?? basename(a.image));
    const { signStatement } = await import('../../attest/sign.js');
    return signStatement(statement, key, { format, certificates });
  };

/** The curves model_signing's key flow accepts (`sign_ec_key._check_supported_ec_key`), by OpenSSL name. */
const MODEL_SIGNING_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/**
 * model_signing's signature of the image as a single-file model (its v1.0
 * statement, protobuf's indented JSON), in the bundle v1.1.0 writes.
 */
const modelSignature: AttestFormat['produce'] = async (io, a, key) => {
  if (a['predicate-type'] !== undefined || a.predicate !== undefined) throw new UsageError("--predicate-type and --predicate do not apply to --format model-signing: the predicate is model_signing's");
  const curve = key.privateKey.asymmetricKeyDetails?.namedCurve;
  if (curve === undefined || !MODEL_SIGNING_CURVES.has(curve)) {
    throw new KeyError('SIF_KEY_INVALID', `${a.key}: model_signing verifies ECDSA P-256, P-384 and P-521 keys only, not ${curve ?? key.privateKey.asymmetricKeyType}`);
  }
  const certificates = a.certificate === undefined ? [] : await signingChain(a.certificate, key);
  await (await SifImage.open(a.image)).close(); // a SIF image, as every format signs
  const { buildModelStatement } = await import('../../attest/model-signing/index.js');
  const { commandProgress } = await import('../progress.js');
  const progress = commandProgress(io, 'Hashing', a.quiet);
  let statement: Statement;
  try {
    statement = await buildModelStatement(a.image, { name: a.name, onProgress: progress?.update });
  } finally {
    progress?.finish();
  }
  const { signPayload } = await import('../../attest/sign.js');
  return signPayload(Buffer.from(JSON.stringify(statement, null, 2), 'utf8'), key, { format: 'bundle', certificates, dialect: 'model-signing' });
};

export const ATTEST_FORMATS: Readonly<Record<string, AttestFormat>> = {
  bundle: { describe: 'a Sigstore bundle v0.3 (key hint, or the --certificate chain)', produce: signedStatement('bundle') },
  dsse: { describe: 'a bare DSSE envelope', produce: signedStatement('dsse') },
  'model-signing': { describe: 'a model_signing v1.0 signature of the image as a single-file model', produce: modelSignature },
};

export function attestCommand(io: Io): CommandModule<object, AttestArgs> {
  return {
    command: 'attest <image>',
    describe: "Sign the image's in-toto statement (sif digest) into a Sigstore bundle or DSSE envelope, or the image into a model_signing signature, on stdout",
    builder: (y) =>
      y
        .positional('image', { type: 'string', demandOption: true, describe: 'SIF image' })
        .option('key', { type: 'string', demandOption: true, describe: 'PEM private key to sign with (Ed25519, ECDSA P-256/P-384/P-521, RSA)' })
        .option('certificate', { type: 'string', describe: 'bundle, model-signing: PEM certificate of the key, then its intermediates, carried instead of the key hint' })
        .option('format', { alias: 'f', choices: Object.keys(ATTEST_FORMATS), default: 'bundle', describe: 'output format (docs/attestations.md)' })
        .option('name', { type: 'string', describe: "the image's subject name (default: its file name)" })
        .option('predicate-type', { type: 'string', describe: 'the predicate type URI' })
        .option('predicate', { type: 'string', describe: 'a file holding the predicate (a JSON object); needs --predicate-type' })
        .option('passphrase-file', { type: 'string', describe: "file whose first line is the key's passphrase (else $SIF_PASSPHRASE, $COSIGN_PASSWORD, a prompt, or a stdin line)" })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress line on stderr' }),
    handler: async (a) => {
      if (a.name === '') throw new UsageError('--name must not be empty');
      const format = ATTEST_FORMATS[a.format]!; // yargs' choices
      const { readSigningKey } = await import('../../integrity/dsse/keys.js');
      const passphrase = () => readPassphrase(io, { file: a['passphrase-file'], question: 'Enter password for private key: ', env: 'COSIGN_PASSWORD' });
      const key = await readSigningKey(a.key, passphrase);
      await write(io.stdout, `${await format.produce(io, a, key)}\n`);
    },
  };
}

/** The certificate file's certificates (leaf first) as DER, once the leaf is known to hold the signing key. */
async function signingChain(path: string, key: DsseSigningKey): Promise<Buffer[]> {
  const { readPemFile } = await import('../../integrity/x509/load.js');
  const { certificatesFromPem } = await import('../../integrity/x509/pem.js');
  const chain = await readPemFile(path, certificatesFromPem);
  const leafKey = createPublicKey({ key: Buffer.from(chain[0]!.publicKeyInfo), format: 'der', type: 'spki' });
  const signingKey = createPublicKey(key.privateKey);
  if (!leafKey.export({ type: 'spki', format: 'der' }).equals(signingKey.export({ type: 'spki', format: 'der' }))) {
    throw new KeyError('SIF_KEY_INVALID', `${path}: the certificate is not for the key ${key.path}`);
  }
  return chain.map((c) => Buffer.from(c.raw));
}
