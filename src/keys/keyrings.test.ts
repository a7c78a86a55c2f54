import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { generateKeyPair, storeKeyPair } from './generate.js';
import { importKeys } from './import.js';
import { entryFromKey, makeKeyring, parseKeyring } from './keyring.js';
import { loadKeyrings, updateKeyrings } from './keyrings.js';
import { localKeyrings } from './location.js';
import { readKeyringBytes } from './store.js';
import { lockKey, unlockKey } from './protect.js';

const newKey = (name: string, passphrase = '') => generateKeyPair({ name, email: `${name.toLowerCase()}@example.com`, passphrase, algorithm: 'ed25519' });

t.test('if pgp-public cannot be written, pgp-secret is put back', async (t) => {
  const location = localKeyrings(join(t.testdir(), 'keys'));
  await storeKeyPair(location, await newKey('Kept'));
  const secretBefore = readFileSync(location.secretPath!);
  await t.rejects(
    updateKeyrings(location, async (current) => {
      // Sabotage between reading and writing: the public keyring becomes a directory.
      rmSync(location.publicPath);
      mkdirSync(location.publicPath);
      return { changes: { secret: makeKeyring(location.secretPath!, 'secret', []), public: current.public }, result: undefined };
    }),
    { code: 'SIF_IO', message: `${location.publicPath}: not a regular file` },
  );
  t.ok(readFileSync(location.secretPath!).equals(secretBefore), 'the secret keyring has its old bytes again');
});

t.test('the same key stored twice is refused; a keyring changed during the passphrase prompt is noticed', async (t) => {
  const location = localKeyrings(join(t.testdir(), 'keys'));
  const key = await newKey('Twice', 'pass');
  await storeKeyPair(location, key);
  await t.rejects(storeKeyPair(location, key), { code: 'SIF_KEY_EXISTS', message: `the key with fingerprint ${key.getFingerprint().toUpperCase()} already belongs to the keyring` });

  const other = await newKey('Racer', 'pass');
  const incoming = [entryFromKey(other)];
  await t.rejects(
    importKeys(location, incoming, {
      passphraseFor: async () => {
        await importKeys(location, [entryFromKey(other.toPublic())], { passphraseFor: async () => '' });
        return 'pass';
      },
    }),
    { code: 'SIF_KEY_EXISTS', message: 'the keyring changed while importing; run the import again' },
  );
});

t.test('protection round trip and the damaged inputs a keyring can hold', async (t) => {
  const key = await newKey('Locked', 'old');
  await t.rejects(unlockKey(key, 'wrong'), { code: 'SIF_KEY_INVALID', message: /^wrong passphrase for key / });
  const relocked = await lockKey(await unlockKey(key, 'old'), 'new');
  await t.rejects(unlockKey(relocked, 'old'), { code: 'SIF_KEY_INVALID', message: /^wrong passphrase for key / });
  t.ok((await unlockKey(relocked, 'new')).isDecrypted());

  await t.rejects(parseKeyring(Buffer.from(key.toPublic().armor()), 'ring', 'public'), {
    code: 'SIF_KEY_INVALID',
    message: 'ring: keyring is ASCII-armored; Apptainer keyrings are binary (import the file into a new keysdir instead)',
  });
  // A well-framed v4 RSA key packet whose key material is cut short: go-crypto fails on it too.
  await t.rejects(parseKeyring(Buffer.from([0xc6, 0x07, 0x04, 0, 0, 0, 0, 0x01, 0x09]), 'ring', 'public'), { code: 'SIF_KEY_INVALID', message: /^ring: key at byte 0 cannot be read/ });

  const dir = t.testdir();
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  await t.rejects(readKeyringBytes(join(dir, 'fifo')), { code: 'SIF_IO', message: `${join(dir, 'fifo')}: not a regular file` });
  const location = localKeyrings(join(dir, 'damaged'));
  mkdirSync(join(dir, 'damaged'), { mode: 0o700 });
  writeFileSync(location.publicPath, 'garbage', { mode: 0o600 });
  await t.rejects(loadKeyrings(location), { code: 'SIF_KEY_INVALID' });
  await t.rejects(storeKeyPair(location, key), { code: 'SIF_KEY_INVALID' }, 'a damaged keyring is never rewritten');
  t.equal(readFileSync(location.publicPath, 'utf8'), 'garbage');
});

t.test('gpg --export-secret-subkeys output (no primary secret) is refused', async (t) => {
  const key = await newKey('Stub');
  const stub = await openpgp.readPrivateKey({ binaryKey: key.write() });
  (stub.keyPacket as unknown as { makeDummy(): void }).makeDummy();
  const location = localKeyrings(join(t.testdir(), 'keys'));
  await t.rejects(importKeys(location, [entryFromKey(stub)], { passphraseFor: async () => '' }), {
    code: 'SIF_KEY_INVALID',
    message: /has no private primary key \(exported with gpg --export-secret-subkeys\?\)$/,
  });
});
