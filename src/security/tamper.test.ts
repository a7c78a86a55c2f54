/**
 * Tamper properties of verification (docs/security.md), on images signed by
 * sif 2.8.3, sif HEAD, Apptainer and by us: every byte of the header and of
 * every descriptor is flipped, object data and the padding are sampled, and
 * for each edit our verdict is compared with the property and with the Go
 * reference's verdict on the same bytes.
 */
import t, { type Test } from 'tap';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DESCRIPTOR_SIZE } from '../format/constants.js';
import { descriptorLayout, headerLayout } from '../format/layout.js';
import type { VerificationKey } from '../integrity/trust.js';
import { parseKeys } from '../keys/read.js';
import { FIXTURES, GO_IMAGES, GO_SIF, withReference } from '../test-support/reference.js';
import { ourVerdict, ourVerdicts, referenceVerdicts, regionMap, sweepEdits, type Edit, type Region } from '../test-support/tamper.js';
import { signedImage } from '../test-support/signed.js';

interface Case {
  name: string;
  image: (dir: string) => Promise<{ image: string; keyring: string }>;
}

const fixture = (image: string, keyring: string) => async () => ({ image, keyring });

const CASES: Case[] = [
  { name: 'sif 2.8.3, one group', image: fixture(join(GO_IMAGES, 'one-group-signed.sif'), join(GO_SIF, 'test/keys/private.asc')) },
  { name: 'sif 2.8.3, two groups', image: fixture(join(GO_IMAGES, 'two-groups-signed.sif'), join(GO_SIF, 'test/keys/private.asc')) },
  {
    name: 'sif HEAD (salted signature)',
    image: fixture(join(FIXTURES, 'sylabs-sif-head/images/one-group-signed-pgp.sif'), join(FIXTURES, 'sylabs-sif-head/keys/private.asc')),
  },
  { name: 'Apptainer', image: fixture(join(FIXTURES, 'apptainer/images/one-group-signed-pgp.sif'), join(FIXTURES, 'apptainer/keys/pgp-public.asc')) },
  { name: 'signed by sif (Ed25519)', image: (dir) => signedImage(dir, join(GO_IMAGES, 'one-group.sif')) },
];

/** Unsigned bytes whose change must never break verification (docs/security.md, "Not covered"). */
const BENIGN: RegExp[] = [
  /^header\.(arch|createdAt|modifiedAt|descriptorsFree|dataOffset|dataSize)$/,
  /^(header )?padding$/,
  /^descriptor \d+\.(modifiedAt|sizeWithPadding)$/,
  /^signature descriptor \d+\.(name|createdAt|modifiedAt|uid|gid|sizeWithPadding)$/,
];

/**
 * Where we are deliberately stricter than the reference (docs/security.md):
 * we fail, it verifies. Nothing else may differ, and never the other way.
 */
const STRICTER: { region: RegExp; ours: RegExp; why: string }[] = [
  { region: /\.id$/, ours: /^duplicate object ID \d+$/, why: 'the reader refuses duplicate object IDs' },
  { region: /^header\.descriptorsSize$/, ours: /^reading descriptors: /, why: 'a negative DescriptorsSize is not read as unlimited' },
  { region: /^signature \d+ data$/, ours: /not valid: unexpected EOF$/, why: 'a signature packet longer than its data is refused' },
  {
    region: /^signature (\d+ data|descriptor \d+\.size)$/,
    ours: /not valid: (text after the signature|text before the signed message|armor headers in the signature block)$/,
    why: 'a signature object is exactly one clear-signed message',
  },
];

const isBenign = (r: Region, image: Buffer, e: Edit) => {
  if (BENIGN.some((re) => re.test(r.name))) return true;
  if (r.name.startsWith('free slot')) return e.at % DESCRIPTOR_SIZE !== (headerOffset(image) + descriptorLayout.offsets.used) % DESCRIPTOR_SIZE;
  // A signature's Extra beyond the hash type and the 20-byte fingerprint is never read.
  return r.signature === true && r.field === 'extra' && relativeToSlot(image, e.at) >= descriptorLayout.offsets.extra + 24;
};

const headerOffset = (image: Buffer) => Number(image.readBigInt64LE(headerLayout.offsets.descriptorsOffset));
const relativeToSlot = (image: Buffer, at: number) => (at - headerOffset(image)) % DESCRIPTOR_SIZE;

/** A group of one object: its absolute ID is not signed (only IDs relative to the group's smallest are). */
function aloneInGroup(image: Buffer, id: number): boolean {
  const total = Number(image.readBigInt64LE(headerLayout.offsets.descriptorsTotal));
  const slots = Array.from({ length: total }, (_, k) => descriptorLayout.decode(image, headerOffset(image) + k * DESCRIPTOR_SIZE)).filter((d) => d.used);
  const mine = slots.find((d) => d.id === id);
  return mine !== undefined && slots.filter((d) => d.groupId === mine.groupId).length === 1;
}

async function keysOf(keyring: string): Promise<VerificationKey[]> {
  return (await parseKeys(readFileSync(keyring), keyring)).map((key) => ({ key, source: 'local', path: keyring }));
}

withReference(t, 'tamper sweeps: signed bytes break verification, the rest do not, and the verdicts are the reference’s', ['go', 'go-sif', 'shared'], async (t) => {
  for (const c of CASES) {
    t.test(c.name, async (t: Test) => {
      const dir = t.testdir();
      const made = await c.image(dir);
      const path = join(dir, 'image.sif');
      copyFileSync(made.image, path);
      chmodSync(path, 0o644);
      const bytes = readFileSync(path);
      const keys = await keysOf(made.keyring);
      t.equal(await ourVerdict(path, keys), '', 'the untouched image verifies');
      t.equal(referenceVerdicts(dir, path, [made.keyring], [{ at: 0, value: bytes[0]! }])[0], '', 'and verifies in the reference');

      const edits = sweepEdits(bytes);
      const ours = await ourVerdicts(path, edits, keys);
      const theirs = referenceVerdicts(dir, path, [made.keyring], edits);
      const region = regionMap(bytes);
      const failures: string[] = [];
      let hashed = 0;
      let benign = 0;
      edits.forEach((e, i) => {
        const r = region(e.at);
        const what = `${r.name} @${e.at} ${bytes[e.at]!.toString(16)}→${e.value.toString(16)}`;
        const verified = ours[i] === '';
        if (r.hashed) {
          hashed++;
          // Not bound by the signature (as in the reference): the absolute ID of a group's only
          // object, and that object's existence (with it gone, the group and its signature are not checked).
          const unbound = (r.field === 'id' || (r.field === 'used' && e.value === 0)) && aloneInGroup(bytes, r.id!);
          if (verified && !unbound) failures.push(`${what}: signed byte changed, still verifies`);
        }
        if (isBenign(r, bytes, e)) {
          benign++;
          if (!verified) failures.push(`${what}: unsigned byte changed, verification fails: ${ours[i]}`);
        }
        if (verified !== (theirs[i] === '')) {
          const allowed = !verified && STRICTER.some((s) => s.region.test(r.name) && s.ours.test(ours[i]!));
          if (!allowed) failures.push(`${what}: ours ${JSON.stringify(ours[i])}, reference ${JSON.stringify(theirs[i])}`);
        }
      });
      t.same(failures, [], `${edits.length} edits: ${hashed} of signed bytes, ${benign} of bytes that must not matter`);
    });
  }
});

withReference(t, 'data moved consistently (object to the end, descriptor table into the header gap) still verifies', ['go', 'go-sif'], async (t) => {
  const dir = t.testdir();
  const keyring = join(GO_SIF, 'test/keys/private.asc');
  const keys = await keysOf(keyring);
  const original = readFileSync(join(GO_IMAGES, 'one-group-signed.sif'));
  const slotAt = (image: Buffer, k: number) => headerOffset(image) + k * DESCRIPTOR_SIZE;

  // Object 2 (the squashfs partition) appended at the end; its descriptor points there.
  const moved = Buffer.concat([original, Buffer.alloc(4096)]);
  const d2 = descriptorLayout.decode(moved, slotAt(moved, 1));
  original.copy(moved, original.length, Number(d2.offset), Number(d2.offset + d2.size));
  moved.fill(0xaa, Number(d2.offset), Number(d2.offset + d2.size)); // the old place is garbage now
  moved.writeBigInt64LE(BigInt(original.length), slotAt(moved, 1) + descriptorLayout.offsets.offset);

  // The descriptor table moved from 4096 into the gap after the header.
  const table = Buffer.from(original);
  const total = Number(table.readBigInt64LE(headerLayout.offsets.descriptorsTotal));
  const tableBytes = Buffer.from(table.subarray(4096, 4096 + total * DESCRIPTOR_SIZE));
  table.fill(0, 4096, 4096 + total * DESCRIPTOR_SIZE);
  tableBytes.copy(table, 128);
  table.writeBigInt64LE(128n, headerLayout.offsets.descriptorsOffset);

  for (const [name, bytes] of [['object moved', moved], ['table moved', table]] as const) {
    const path = join(dir, `${name.replace(' ', '-')}.sif`);
    writeFileSync(path, bytes);
    t.equal(await ourVerdict(path, keys), '', `${name}: verifies`);
    t.equal(referenceVerdicts(dir, path, [keyring], [{ at: 0, value: bytes[0]! }])[0], '', `${name}: verifies in the reference`);
  }
});
