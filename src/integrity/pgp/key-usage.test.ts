/**
 * Key state at verification time, judged as go-crypto judges it: revocations
 * by reason and date, signing subkeys revoked or expired, subkeys that may
 * not sign. Each case is compared with the reference (oracle `checksig`).
 */
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { oracle } from '../../test-support/oracle.js';
import { withReference } from '../../test-support/reference.js';
import { checkClearSigned } from './clearsign.js';
import { decodeClearSigned } from './cleartext.js';

const DAY = 86_400_000;
const past = new Date(Date.now() - 30 * DAY);
const { keyCompromised, noReason } = openpgp.enums.reasonForRevocation;

interface Case {
  name: string;
  /** The signing key; `trusted` is what the keyring holds (default its public key). */
  make: () => Promise<{ signer: openpgp.PrivateKey; trusted?: openpgp.Key; date?: Date }>;
}

type KeyOptions = { date?: Date; keyExpirationTime?: number; userIDs?: { name: string }[]; subkeys?: { sign?: boolean; keyExpirationTime?: number }[] };

const generate = async (options: KeyOptions = {}): Promise<openpgp.PrivateKey> =>
  (await openpgp.generateKey({ type: 'ecc', userIDs: [{ name: 'key state' }], format: 'object', ...options })).privateKey;

const revoked = async (key: openpgp.PrivateKey, flag: number, date: Date) =>
  (await openpgp.revokeKey({ key, reasonForRevocation: { flag }, date, format: 'object' })).publicKey;

const CASES: Case[] = [
  { name: 'a valid key', make: async () => ({ signer: await generate() }) },
  {
    name: 'revoked as compromised, dated tomorrow (counts at once)',
    make: async () => {
      const signer = await generate();
      return { signer, trusted: await revoked(signer, keyCompromised, new Date(Date.now() + DAY)) };
    },
  },
  {
    name: 'revoked for no reason, dated tomorrow (not yet)',
    make: async () => {
      const signer = await generate();
      return { signer, trusted: await revoked(signer, noReason, new Date(Date.now() + DAY)) };
    },
  },
  {
    name: 'a signing subkey, revoked',
    make: async () => {
      const signer = await generate({ subkeys: [{ sign: true }] });
      const trusted = signer.toPublic();
      trusted.subkeys[0] = await signer.subkeys[0]!.revoke(signer.keyPacket as openpgp.SecretKeyPacket, { flag: noReason });
      return { signer, trusted };
    },
  },
  {
    name: 'a signing subkey that expired',
    make: async () => ({ signer: await generate({ date: past, subkeys: [{ sign: true, keyExpirationTime: 3600 }] }), date: new Date(past.getTime() + 60_000) }),
  },
  { name: 'two user IDs, the first one primary', make: async () => ({ signer: await generate({ userIDs: [{ name: 'first' }, { name: 'second' }] }) }) },
  {
    name: 'every user ID revoked (so the primary identity is)',
    make: async () => {
      const signer = await generate({ userIDs: [{ name: 'first' }, { name: 'second' }] });
      const trusted = signer.toPublic();
      for (const [i, user] of signer.users.entries()) trusted.users[i] = await user.revoke(signer.keyPacket as openpgp.SecretKeyPacket, { flag: noReason });
      return { signer, trusted };
    },
  },
  { name: 'a key that expired', make: async () => ({ signer: await generate({ date: past, keyExpirationTime: 3600 }), date: new Date(past.getTime() + 60_000) }) },
];

/** The reference's word for a failure, as our failure kinds name it. */
const kindOf = (error: string) => (error === '' ? 'verified' : /revoked/.test(error) ? 'revoked' : /expired/.test(error) ? 'expired' : /unknown entity/.test(error) ? 'unknown-signer' : 'invalid');

withReference(t, 'key state is judged as go-crypto judges it', ['go', 'go-sif'], async (t: Test) => {
  const dir = t.testdir();
  for (const [i, c] of CASES.entries()) {
    const { signer, trusted = signer.toPublic(), date } = await c.make();
    const message = await openpgp.sign({
      message: await openpgp.createCleartextMessage({ text: 'state' }),
      signingKeys: signer,
      ...(date ? { date } : {}),
      config: { nonDeterministicSignaturesViaNotation: false },
    });
    const keyring = join(dir, `key-${i}.asc`);
    const file = join(dir, `message-${i}.txt`);
    writeFileSync(keyring, trusted.armor());
    writeFileSync(file, message);
    const theirs = oracle<{ error: string }>('checksig', '--keyring', keyring, file).error;
    const ours = await checkClearSigned(decodeClearSigned(Buffer.from(message))!, [trusted]);
    t.equal(ours.failure ?? 'verified', kindOf(theirs), `${c.name}: ours ${ours.reason ?? 'verified'}; reference ${theirs || 'verified'}`);
  }
});
