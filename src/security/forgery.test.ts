/**
 * Forgeries must fail verification (docs/security.md). Each starts from a copy
 * of sif 2.8.3's two-groups.sif signed by us with key A (signature 4 covers
 * group 1 = objects 1 and 2, signature 5 covers group 2 = object 3), and
 * changes it with the writer API or crafted payloads signed by A. The Go
 * reference judges the same bytes: where it verifies a forgery we refuse, the
 * case names the stricter rule, and that rule must still be needed.
 */
import t, { type Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as openpgp from 'openpgp';
import { HashType } from '../format/constants.js';
import { descriptorLayout } from '../format/layout.js';
import { parseKeys } from '../keys/read.js';
import {
  appendSignature,
  clearSignText,
  deleteObject,
  dsseEnvelope,
  legacyPayload,
  objectBytes,
  patchDescriptor,
  payloadOf,
} from '../test-support/forge.js';
import { oracle } from '../test-support/oracle.js';
import { GO_IMAGES, withReference } from '../test-support/reference.js';
import { freshKey, signedImage } from '../test-support/signed.js';
import { ourVerdict } from '../test-support/tamper.js';

interface Ctx {
  a: openpgp.PrivateKey;
  fpA: string;
  fpB: string;
}

type Forge = (path: string, ctx: Ctx) => Promise<void>;

interface Case {
  name: string;
  /** Set when the reference verifies this forgery: the rule that makes us refuse it. */
  stricter?: string;
  forge: Forge;
}

const EXTRA = descriptorLayout.offsets.extra;

/** Replaces group 1's signature (object 4) by one over `payload(realPayload)`, signed by A, recording A. */
const resignGroup1 = (payload: (real: string) => string): Forge => async (path, ctx) => {
  const real = await payloadOf(path, 4);
  await deleteObject(path, 4);
  await appendSignature(path, { data: await clearSignText(payload(real), ctx.a), linkedGroupId: 1, fingerprint: ctx.fpA });
};

/** Replaces object 4's bytes by `edit(bytes)`, keeping its descriptor's link and Extra. */
const rewriteGroup1Signature = (edit: (text: string) => string): Forge => async (path, ctx) => {
  const text = (await objectBytes(path, 4)).toString('latin1');
  await deleteObject(path, 4);
  await appendSignature(path, { data: Buffer.from(edit(text), 'latin1'), linkedGroupId: 1, fingerprint: ctx.fpA });
};

const objectsOf = (json: string) => JSON.parse(json) as { objects: { relativeId: number }[] };
const withObjects = (json: string, objects: unknown[]) => json.replace(/"objects":\[.*\]\}$/, `"objects":${JSON.stringify(objects)}}`);

const CASES: Case[] = [
  {
    name: 'the Extra fingerprint names another trusted key',
    forge: async (path, ctx) => writeFileSync(path, patchDescriptor(path, 4, (slot) => Buffer.from(ctx.fpB, 'hex').copy(slot, EXTRA + 4))),
  },
  {
    name: "group 1's signature relinked to group 2 (group 2's removed)",
    forge: async (path) => {
      await deleteObject(path, 5);
      writeFileSync(path, patchDescriptor(path, 4, (slot) => slot.writeUInt32LE(0xf0000002, descriptorLayout.offsets.linkedId)));
    },
  },
  {
    name: "a copy of group 1's signature linked to group 2 (group 2's removed)",
    forge: async (path, ctx) => {
      await deleteObject(path, 5);
      await appendSignature(path, { data: await objectBytes(path, 4), linkedGroupId: 2, fingerprint: ctx.fpA });
    },
  },
  {
    name: 'metadata listing fewer objects than the group has',
    forge: resignGroup1((p) => withObjects(p, objectsOf(p).objects.slice(0, 1))),
  },
  {
    name: 'metadata with the relative IDs shuffled',
    forge: resignGroup1((p) => p.replace('"relativeId":0', '"relativeId":X').replace('"relativeId":1', '"relativeId":0').replace('"relativeId":X', '"relativeId":1')),
  },
  {
    name: 'metadata listing one object twice instead of another',
    forge: resignGroup1((p) => withObjects(p, [objectsOf(p).objects[0], objectsOf(p).objects[0]])),
  },
  {
    name: 'a duplicated signature object',
    stricter: 'a signature object whose bytes repeat an earlier one linked to the same group is invalid',
    forge: async (path, ctx) => {
      await appendSignature(path, { data: await objectBytes(path, 4), linkedGroupId: 1, fingerprint: ctx.fpA });
    },
  },
  {
    name: 'a DSSE envelope where a PGP signature is required',
    forge: async (path) => {
      const payload = await payloadOf(path, 4);
      await deleteObject(path, 4);
      await appendSignature(path, { data: dsseEnvelope(payload), linkedGroupId: 1 });
    },
  },
  {
    name: 'a legacy (SIFHASH) signature where a PGP one is required',
    forge: async (path, ctx) => {
      const data = [await objectBytes(path, 1), await objectBytes(path, 2)];
      await deleteObject(path, 4);
      await appendSignature(path, { data: await clearSignText(legacyPayload(data), ctx.a), linkedGroupId: 1, fingerprint: ctx.fpA, hashType: HashType.SHA384 });
    },
  },
  {
    name: 'JSON with a duplicate key, the last one valid',
    stricter: 'duplicate keys in signed metadata are refused (Go keeps the last)',
    forge: resignGroup1((p) => p.replace('{"version":1,', '{"version":1,"objects":[],')),
  },
  {
    name: 'JSON with a duplicate key, the first one valid',
    forge: resignGroup1((p) => p.replace(/\}$/, ',"objects":[]}')),
  },
  { name: 'JSON with trailing data', forge: resignGroup1((p) => `${p} x`) },
  { name: 'JSON with a second document after it', forge: resignGroup1((p) => `${p}{}`) },
  { name: 'relativeId written as 0.0', forge: resignGroup1((p) => p.replace('"relativeId":0', '"relativeId":0.0')) },
  {
    name: 'metadata version 2',
    stricter: 'signed metadata must be version 1 (the reference does not check the version)',
    forge: resignGroup1((p) => p.replace('"version":1', '"version":2')),
  },
  {
    name: 'a clear-signed message with an extra armor header',
    forge: rewriteGroup1Signature((s) => s.replace(/^(Hash: [^\n]*\n)/m, '$1Comment: forged\n')),
  },
  {
    name: 'an armor header in the signature block',
    stricter: 'no armor headers in the signature block',
    forge: rewriteGroup1Signature((s) => s.replace('-----BEGIN PGP SIGNATURE-----\n', '-----BEGIN PGP SIGNATURE-----\nComment: forged\n')),
  },
  {
    name: 'text after the signature',
    stricter: 'nothing but white space after the END line',
    forge: rewriteGroup1Signature((s) => `${s.trimEnd()}\nforged text\n`),
  },
  {
    name: 'text before the signed message',
    stricter: 'nothing but white space before the BEGIN line',
    forge: rewriteGroup1Signature((s) => `forged text\n${s}`),
  },
];

withReference(t, 'forged signatures fail; the Go reference is the baseline', ['go', 'go-sif'], async (t: Test) => {
  const dir = t.testdir();
  const a = await freshKey('ecc', 'Key A');
  const b = await freshKey('ecc', 'Key B');
  const base = await signedImage(dir, join(GO_IMAGES, 'two-groups.sif'), a, 'base.sif');
  const keyring = join(dir, 'trusted.asc');
  writeFileSync(keyring, a.toPublic().armor() + b.toPublic().armor());
  const keys = (await parseKeys(readFileSync(keyring), keyring)).map((key) => ({ key, source: 'local' as const, path: keyring }));
  const ctx: Ctx = { a, fpA: a.getFingerprint(), fpB: b.getFingerprint() };
  const reference = (path: string) => oracle<{ error: string }>('verify', '--keyring', keyring, path).error;
  t.equal(await ourVerdict(base.image, keys), '', 'the unforged image verifies');
  t.equal(reference(base.image), '', 'and verifies in the reference');

  for (const [i, c] of CASES.entries()) {
    const path = join(dir, `forged-${i}.sif`);
    writeFileSync(path, readFileSync(base.image));
    await c.forge(path, ctx);
    const ours = await ourVerdict(path, keys);
    const theirs = reference(path);
    t.not(ours, '', `${c.name}: fails (${ours})`);
    if (c.stricter) t.equal(theirs, '', `${c.name}: the reference verifies it, so we are stricter: ${c.stricter}`);
    else t.not(theirs, '', `${c.name}: the reference refuses it too (${theirs})`);
  }
});
