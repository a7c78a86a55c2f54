/**
 * Writes the fuzz regression inputs (testdata/fuzz-regressions/<target>/) that
 * are made rather than saved from a fuzz run: small stand-ins for crashers the
 * fuzzer found in reference images, which must not be copied here. Each case
 * says what it broke. Existing files are overwritten; keys are made fresh, so
 * signature bytes differ between runs, but what each case exercises does not.
 *
 * Usage: node --import @tapjs/typescript/import scripts/gen-fuzz-regressions.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as openpgp from 'openpgp';
import { DataType } from '../src/format/constants.js';
import { signatureExtra } from '../src/image/write/extra.js';
import { createImage } from '../src/image/write/create.js';

const OUT = resolve(fileURLToPath(import.meta.url), '../../testdata/fuzz-regressions');
const T = 1704164645n;

/** A clear-signed message whose signature packet claims version 5: openpgp.js gives it no issuer key ID. */
async function versionFiveSignature(): Promise<{ text: string; fingerprint: Buffer }> {
  const { privateKey } = await openpgp.generateKey({ type: 'ecc', userIDs: [{ name: 'fuzz regression' }], format: 'object' });
  const message = await openpgp.createCleartextMessage({ text: '{"version":1,"header":{},"objects":[]}' });
  const text = await openpgp.sign({ message, signingKeys: privateKey, config: { nonDeterministicSignaturesViaNotation: false } });
  const [head, armored] = text.split('-----BEGIN PGP SIGNATURE-----');
  const body = (await openpgp.unarmor(`-----BEGIN PGP SIGNATURE-----${armored}`)).data as unknown as Uint8Array;
  const packets = Buffer.from(body);
  packets[2] = 5; // new-format header (2 bytes), then the version octet
  const rearmored = openpgp.armor(openpgp.enums.armor.signature, packets);
  return { text: `${head}${rearmored}`, fingerprint: Buffer.from(privateKey.getFingerprint(), 'hex') };
}

async function verifyCases(dir: string): Promise<void> {
  const sig = await versionFiveSignature();
  await createImage(join(dir, 'signature-v5-without-issuer.sif'), {
    time: T,
    id: 'nil',
    descriptors: 2,
    objects: [
      { dataType: DataType.Generic, data: Buffer.from('data'), groupId: 1 },
      { dataType: DataType.Signature, data: Buffer.from(sig.text), linkedGroupId: 1, extra: signatureExtra(1, sig.fingerprint) },
    ],
  });
}

/** Megabytes of unterminated armor: a quadratic block scan hung the key readers. */
function keysCases(dir: string): void {
  const begin = (kind: string) => `-----BEGIN PGP ${kind} KEY BLOCK-----\n`;
  writeFileSync(join(dir, 'unterminated-armor-blocks.asc.gz'), gzipSync(begin('PUBLIC').repeat(60000), { level: 9 }));
  const closed = `${begin('PRIVATE')}\nxsBN\n-----END PGP PUBLIC KEY BLOCK-----\n`;
  writeFileSync(join(dir, 'unterminated-after-complete-block.asc.gz'), gzipSync(closed + begin('PRIVATE').repeat(60000), { level: 9 }));
}

const CASES: Record<string, (dir: string) => Promise<void> | void> = { verify: verifyCases, keys: keysCases };

for (const [target, make] of Object.entries(CASES)) {
  const dir = join(OUT, target);
  mkdirSync(dir, { recursive: true });
  await make(dir);
  process.stdout.write(`${dir}\n`);
}
