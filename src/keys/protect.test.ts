/**
 * The one unlock path for signing and import: keys encrypted the ways gpg,
 * openpgp.js and Apptainer's newpair encrypt them (every packet, the primary
 * only, a gnu-dummy primary with an encrypted subkey), clear keys, wrong
 * passphrases and damaged key material.
 */
import t from 'tap';
import * as openpgp from 'openpgp';
import { clearSign } from '../integrity/pgp/clearsign.js';
import { hasPrimarySecret, isLocked, lockKey, unlockKey } from './protect.js';

const PASS = 'tr0ub4dor&3-unlock';

interface Packet {
  isDummy(): boolean;
  isDecrypted(): boolean | null;
  encrypt(passphrase: string, config: openpgp.Config): Promise<void>;
  makeDummy(): void;
}
const packets = (key: openpgp.PrivateKey) => key.getKeys().map((k) => k.keyPacket as unknown as Packet);
const reread = (key: openpgp.PrivateKey) => openpgp.readPrivateKey({ binaryKey: key.write() });
const clearKey = async (type: 'ecc' | 'rsa' = 'ecc') =>
  (await openpgp.generateKey({ type, rsaBits: 2048, userIDs: [{ name: 'Unlock', email: 'unlock@example.com' }], format: 'object' })).privateKey;

/** Apptainer's newpair: only the primary key encrypted, the subkey left clear. */
async function primaryOnly(key: openpgp.PrivateKey): Promise<openpgp.PrivateKey> {
  const copy = await reread(key);
  await packets(copy)[0]!.encrypt(PASS, { ...openpgp.config, aeadProtect: false, s2kType: openpgp.enums.s2k.iterated });
  return reread(copy);
}

/** gpg --export-secret-subkeys: the primary's secret replaced by a stub, the subkey encrypted. */
async function dummyPrimary(key: openpgp.PrivateKey): Promise<openpgp.PrivateKey> {
  const locked = await lockKey(key, PASS);
  packets(locked)[0]!.makeDummy();
  return reread(locked);
}

t.test('every protection layout unlocks with its passphrase; the original stays locked', async (t) => {
  const clear = await clearKey();
  const layouts: [name: string, key: openpgp.PrivateKey, primarySecret: boolean][] = [
    ['every packet encrypted (gpg, openpgp.js)', (await openpgp.generateKey({ type: 'ecc', userIDs: [{ name: 'G' }], passphrase: PASS, format: 'object' })).privateKey, true],
    ['primary only (Apptainer newpair)', await primaryOnly(clear), true],
    ['gnu-dummy primary, encrypted subkey', await dummyPrimary(clear), false],
    ['every packet, by lockKey', await lockKey(await clearKey('rsa'), PASS), true],
  ];
  for (const [name, key, primarySecret] of layouts) {
    t.ok(isLocked(key), `${name}: locked`);
    t.equal(hasPrimarySecret(key), primarySecret, `${name}: primary secret`);
    const open = await unlockKey(key, PASS);
    t.ok(packets(open).every((p) => p.isDummy() || p.isDecrypted()), `${name}: every packet decrypted`);
    t.notOk(isLocked(open), `${name}: the copy is unlocked`);
    t.ok(isLocked(key), `${name}: the key given is unchanged`);
    await t.rejects(unlockKey(key, `${PASS}x`), { code: 'SIF_KEY_INVALID', message: `wrong passphrase for key ${key.getFingerprint().toUpperCase()}` }, `${name}: wrong passphrase`);
  }
  const signer = await unlockKey(layouts[1]![1], PASS);
  t.match((await clearSign('{}', signer)).text, /BEGIN PGP SIGNATURE/, 'a newpair-style key signs once unlocked');
});

t.test('a clear key needs no passphrase; unlocking it only checks it', async (t) => {
  const key = await clearKey();
  t.notOk(isLocked(key));
  const copy = await unlockKey(key, 'ignored');
  t.not(copy, key, 'a copy');
  t.equal(copy.getFingerprint(), key.getFingerprint());
});

t.test('no message ever holds the passphrase', async (t) => {
  const key = await primaryOnly(await clearKey());
  const secret = 'never-print-this-passphrase';
  const e = (await unlockKey(key, secret).catch((x: unknown) => x)) as Error;
  t.notMatch(e.message, secret);
  t.notMatch(String((e.cause as Error | undefined)?.message), secret, 'nor the cause');
});

t.test('key material that decrypts but does not match its public key is damaged, not a wrong passphrase', async (t) => {
  const key = await clearKey();
  const params = (key.keyPacket as unknown as { privateParams: { seed: Uint8Array } }).privateParams;
  params.seed[0]! ^= 0xff;
  const damaged = await reread(key);
  await t.rejects(unlockKey(damaged, ''), { code: 'SIF_KEY_INVALID', message: `key ${key.getFingerprint().toUpperCase()} is damaged: Key is invalid` });
  const locked = await lockKey(damaged, PASS);
  await t.rejects(unlockKey(locked, PASS), { code: 'SIF_KEY_INVALID', message: /is damaged: Key is invalid$/ }, 'also when it was encrypted');
});
