/**
 * Signatures the usual signers never make (crafted with our key and the
 * writer): our verdict must still equal the Go reference's.
 */
import t from 'tap';
import { openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { DataType, HashType } from '../format/constants.js';
import { headerLayout } from '../format/layout.js';
import { editImage } from '../image/write/editor.js';
import { signatureExtra } from '../image/write/extra.js';
import { GO_IMAGES, GO_SIF, withReference } from '../test-support/reference.js';
import { copyImage, runCli } from '../test-support/cli.js';
import { oracleBatch, verdictKind } from '../test-support/verdict.js';
import { clearSign } from './pgp/clearsign.js';
import { SifImage } from '../image/image.js';
import { verifyIntegrity } from './verify.js';
import { loadVerificationKeys } from './keyset.js';
import { ObjectDigests } from './digest.js';
import { buildMetadata, encodeMetadata } from './metadata.js';

const GO_KEY = join(GO_SIF, 'test/keys/private.asc');
const FP = Buffer.from('12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84', 'hex');

interface Crafted {
  name: string;
  /** Image to start from. */
  base: string;
  /** What to sign (a function of the unsigned image's correct metadata), or raw object bytes. */
  text?: (metadata: string) => string;
  raw?: string;
  link?: { group?: number; object?: number; groupId?: number };
  hashType?: number;
  fingerprint?: Buffer;
  /** Extra change to the image after the signature is added. */
  after?: (path: string) => Promise<void>;
  flags?: string[];
  /** Our message, when it says more than the reference's. */
  ours?: RegExp;
}

const goodMetadata = (image: string) => {
  const text = readFileSync(image).toString('latin1');
  return text.slice(text.indexOf('{"version"'), text.indexOf('\n-----BEGIN PGP SIGNATURE'));
};
const ONE_GROUP_MD = goodMetadata(join(GO_IMAGES, 'one-group-signed.sif'));

let OTHER_ALG_MD = '';

const cases: Crafted[] = [
  { name: 'plain text, not JSON', base: 'one-group.sif', text: () => 'hello', ours: /not valid: metadata is not JSON/ },
  { name: 'a correct signature made by us', base: 'one-group.sif', text: (md) => md },
  { name: 'relative IDs past the group', base: 'one-group.sif', text: (md) => md.replace('"relativeId":1', '"relativeId":5') },
  { name: 'metadata without object 2', base: 'one-group.sif', text: (md) => md.replace(/,\{"relativeId":1[^}]*\}/, '') },
  { name: 'object subset accepted for its object', base: 'one-group.sif', text: (md) => md.replace(/,\{"relativeId":1[^}]*\}/, ''), flags: ['--sif-id', '1'] },
  { name: 'object missing from a subset', base: 'one-group.sif', text: (md) => md.replace(/,\{"relativeId":1[^}]*\}/, ''), flags: ['--sif-id', '2'] },
  { name: 'sha512_224 digests', base: 'one-group.sif', text: () => OTHER_ALG_MD },
  { name: 'two JSON documents', base: 'one-group.sif', text: (md) => `${md}\n${md}`, ours: /metadata is not JSON/ },
  { name: 'digest with an unknown algorithm', base: 'one-group.sif', text: (md) => md.replace('"sha256:635f', '"md5:635f') },
  { name: 'descriptor fingerprint of another key', base: 'one-group.sif', text: (md) => md, fingerprint: Buffer.alloc(20, 7) },
  { name: 'no fingerprint in the descriptor', base: 'one-group.sif', text: (md) => md, fingerprint: Buffer.alloc(0) },
  { name: 'hash type BLAKE2b recorded', base: 'one-group.sif', text: (md) => md, hashType: HashType.BLAKE2b_256 },
  { name: 'not a clear-signed message', base: 'one-group.sif', raw: 'garbage' },
  { name: 'a DSSE envelope', base: 'one-group.sif', raw: '{"payloadType":"application/vnd.sylabs.sif-metadata+json","payload":"","signatures":[]}', ours: /key material not provided for DSSE envelope signature/ },
  {
    name: 'an ungrouped data object',
    base: 'one-group.sif',
    text: (md) => md,
    after: (p) => editImage(p, async (e) => void (await e.addObject({ dataType: DataType.Generic, data: Buffer.from('x') }))),
  },
  {
    name: 'a signed object deleted afterwards',
    base: 'one-group.sif',
    text: (md) => md,
    after: (p) => editImage(p, (e) => e.deleteObject(2)),
  },
  {
    name: 'header says every slot is free',
    base: 'one-group.sif',
    text: (md) => md,
    after: async (p) => {
      const fd = openSync(p, 'r+');
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(48n);
      writeSync(fd, b, 0, 8, headerLayout.offsets.descriptorsFree);
      closeSync(fd);
    },
  },
  { name: 'legacy: odd-length digest', base: 'one-group.sif', text: () => 'SIFHASH:\nabc', hashType: HashType.SHA384, link: { object: 2, groupId: 1 }, flags: ['--legacy-insecure', '--sif-id', '2'] },
  { name: 'legacy: not hex', base: 'one-group.sif', text: () => 'SIFHASH:\nzz', hashType: HashType.SHA384, link: { object: 2, groupId: 1 }, flags: ['--legacy-insecure', '--sif-id', '2'] },
  { name: 'legacy: short digest', base: 'one-group.sif', text: () => 'SIFHASH:\nabcd', hashType: HashType.SHA384, link: { object: 2, groupId: 1 }, flags: ['--legacy-insecure', '--sif-id', '2'] },
  { name: 'legacy: BLAKE2s', base: 'one-group.sif', text: () => 'SIFHASH:\nabcd', hashType: HashType.BLAKE2s_256, link: { object: 2 }, flags: ['--legacy-insecure', '--sif-id', '2'] },
  { name: 'legacy: wrong digest for the group', base: 'one-group.sif', text: () => `SIFHASH:\n${'00'.repeat(48)}`, hashType: HashType.SHA384, flags: ['--legacy-insecure', '--group-id', '1'] },
  { name: 'legacy: a JSON signature linked to an object', base: 'one-group.sif', text: (md) => md, link: { object: 2 }, flags: ['--legacy-insecure', '--sif-id', '2'] },
];

withReference(t, 'crafted signatures: our verdict equals the reference', ['go', 'go-sif'], async (t) => {
  const dir = t.testdir();
  const key = await openpgp.readPrivateKey({ armoredKey: readFileSync(GO_KEY, 'utf8') });
  const unsigned = await SifImage.open(join(GO_IMAGES, 'one-group.sif'));
  OTHER_ALG_MD = encodeMetadata(await buildMetadata(unsigned, new ObjectDigests(unsigned), unsigned.descriptors, 1, 'sha512_224'));
  await unsigned.close();
  const images: string[] = [];
  for (const [i, c] of cases.entries()) {
    const path = copyImage(dir, `crafted-${i}.sif`, join(GO_IMAGES, c.base));
    const data = c.raw ?? (await clearSign(c.text!(ONE_GROUP_MD), key)).text;
    await editImage(path, async (e) => {
      await e.addObject({
        dataType: DataType.Signature,
        data: Buffer.from(data),
        groupId: c.link?.groupId,
        ...(c.link?.object ? { linkedObjectId: c.link.object } : { linkedGroupId: c.link?.group ?? 1 }),
        extra: signatureExtra(c.hashType ?? HashType.SHA256, c.fingerprint ?? FP),
      });
    });
    await c.after?.(path);
    images.push(path);
  }
  const refs = oracleBatch(dir, cases.map((c, i) => {
    const flags = c.flags ?? [];
    const args = ['verify', '--keyring', GO_KEY];
    if (flags.includes('--legacy-insecure')) args.push('--legacy');
    if (flags.includes('--group-id')) args.push('--group', flags[flags.indexOf('--group-id') + 1]!);
    if (flags.includes('--sif-id')) args.push('--object', flags[flags.indexOf('--sif-id') + 1]!);
    return [...args, images[i]!];
  }));
  for (const [i, c] of cases.entries()) {
    const r = await runCli(['verify', '--keyring', GO_KEY, '--keysdir', dir, ...(c.flags ?? []), images[i]!]);
    const ours = r.code === 0 ? '' : r.stderr;
    t.equal(verdictKind(ours), verdictKind(refs[i]!.error), `${c.name}: ours ${ours.trim() || 'verified'}; reference ${refs[i]!.error || 'verified'}`);
    if (c.ours) t.match(ours, c.ours);
  }
});

withReference(t, 'the library reports every signature, not only the first failure', ['go-sif'], async (t) => {
  const keys = await loadVerificationKeys({ keyrings: [GO_KEY], keysDir: t.testdir(), env: {} });
  const image = await SifImage.open(join(GO_IMAGES, 'two-groups-signed.sif'));
  t.teardown(() => image.close());
  const none = await verifyIntegrity(image, { keys: [] });
  t.equal(none.tasks.length, 2);
  t.same(none.tasks.map((task) => task.signatures.map((s) => s.error?.code)), [['SIF_UNKNOWN_SIGNER'], ['SIF_UNKNOWN_SIGNER']], 'both checked');
  t.equal(none.error?.message.startsWith('signature object 4 not valid'), true, 'the verdict is the first failure');
  t.same(none.anySignedBy, ['12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84']);
  t.same(none.allSignedBy, ['12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84']);
  const first = await verifyIntegrity(image, { keys: [], stopAtFirstFailure: true });
  t.same(first.tasks.map((task) => task.signatures.length), [1, 0], 'stops where the reference stops');
  const good = await verifyIntegrity(image, { keys, groups: [2], objects: [1] });
  t.ok(good.ok);
  t.same(good.tasks.map((task) => [task.kind, task.id, task.signatures[0]!.verified.map((d) => d.id)]), [['group', 2, [3]], ['object', 1, [1]]]);
  const signer = good.tasks[0]!.signatures[0]!.signer;
  t.equal(signer?.kind === 'pgp' && signer.name, 'Unit Test <unit@test.com>');
});

withReference(t, 'a key finder is asked per signature for the signer the descriptor records', ['go-sif'], async (t) => {
  const keys = await loadVerificationKeys({ keyrings: [GO_KEY], keysDir: t.testdir(), env: {} });
  const image = await SifImage.open(join(GO_IMAGES, 'two-groups-signed.sif'));
  t.teardown(() => image.close());
  const asked: (string | undefined)[] = [];
  const found = await verifyIntegrity(image, {
    keys: async ({ fingerprint }) => {
      asked.push(fingerprint);
      return keys;
    },
  });
  t.ok(found.ok, 'the keys it finds verify as the loaded keys do');
  t.same(asked, ['12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84', '12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84']);
  const missing = await verifyIntegrity(image, { keys: () => [] });
  t.equal(missing.error?.code, 'SIF_UNKNOWN_SIGNER', 'a finder that finds nothing leaves the signer unknown');
});
