import t from 'tap';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { DataType, DESCRIPTOR_SIZE, HEADER_SIZE, MAGIC, VERSION } from './constants.js';
import { descriptorIntegrityBytes, makeDescriptor } from './descriptor.js';
import { headerIntegrityBytes, makeHeader } from './header.js';
import {
  cryptoMessageExtraLayout,
  descriptorIntegrityLayout,
  descriptorLayout,
  headerIntegrityLayout,
  headerLayout,
  partitionExtraLayout,
  sbomExtraLayout,
  signatureExtraLayout,
  type RawDescriptor,
  type RawHeader,
} from './layout.js';
import { corpusImages, GO_SIF, withReference } from '../test-support/reference.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const INTEGRITY_SOURCES = join(GO_SIF, 'pkg/integrity/testdata/sources');
/** sha256 of the 61 header integrity bytes of every deterministic image (nil UUID, no launch script). */
const DETERMINISTIC_HEADER_DIGEST = '635fa0a14a8ef0c0351ed3e985799ed1d4f75ce973dea3cc76c99710795cc3f1';

function readRange(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, offset);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function zeroHeader(): RawHeader {
  return headerLayout.decode(Buffer.alloc(HEADER_SIZE));
}
function zeroDescriptor(): RawDescriptor {
  return descriptorLayout.decode(Buffer.alloc(DESCRIPTOR_SIZE));
}

t.test('struct sizes match the reference', async (t) => {
  t.equal(headerLayout.size, 128, 'global header');
  t.equal(descriptorLayout.size, 585, 'descriptor');
  t.equal(headerIntegrityLayout.size, 61, 'header integrity bytes');
  t.equal(descriptorIntegrityLayout.size, 557, 'descriptor integrity bytes');
  t.equal(partitionExtraLayout.size, 11);
  t.equal(signatureExtraLayout.size, 260);
  t.equal(cryptoMessageExtraLayout.size, 8);
  t.equal(sbomExtraLayout.size, 4);
});

t.test('field offsets match pkg/sif (sif.go header, descriptor.go rawDescriptor)', async (t) => {
  t.same(headerLayout.offsets, {
    launchScript: 0, magic: 32, version: 42, arch: 45, id: 48, createdAt: 64, modifiedAt: 72, descriptorsFree: 80,
    descriptorsTotal: 88, descriptorsOffset: 96, descriptorsSize: 104, dataOffset: 112, dataSize: 120,
  });
  t.same(descriptorLayout.offsets, {
    dataType: 0, used: 4, id: 5, groupId: 9, linkedId: 13, offset: 17, size: 25, sizeWithPadding: 33, createdAt: 41,
    modifiedAt: 49, uid: 57, gid: 65, name: 73, extra: 201,
  });
  t.same(headerIntegrityLayout.offsets, { launchScript: 0, magic: 32, version: 42, id: 45 });
  t.same(descriptorIntegrityLayout.offsets, {
    dataType: 0, used: 4, relativeId: 5, linkedId: 9, size: 13, createdAt: 21, uid: 29, gid: 37, name: 45, extra: 173,
  });
  t.same(partitionExtraLayout.offsets, { fsType: 0, partType: 4, arch: 8 });
  t.same(signatureExtraLayout.offsets, { hashType: 0, entity: 4 });
  t.same(cryptoMessageExtraLayout.offsets, { formatType: 0, messageType: 4 });
});

t.test('integers are little-endian with Go semantics', async (t) => {
  const buf = Buffer.alloc(DESCRIPTOR_SIZE);
  buf.writeInt32LE(-2, 0);
  buf[4] = 2; // Go decodes any non-zero bool byte as true
  buf.writeUInt32LE(0xf0000001, 9);
  buf.writeBigInt64LE(-5n, 25);
  const d = descriptorLayout.decode(buf);
  t.equal(d.dataType, -2);
  t.equal(d.used, true);
  t.equal(d.groupId, 0xf0000001, 'u32 stays unsigned');
  t.equal(d.size, -5n);
  const back = descriptorLayout.encode(d);
  t.equal(back[4], 1, 'a true bool is written as 1');
  t.same(back.subarray(5), buf.subarray(5));
});

t.test('encode writes at an offset and zero-fills short byte fields', async (t) => {
  const raw = { ...zeroDescriptor(), id: 7, name: Buffer.from('abc') };
  const out = Buffer.alloc(10 + DESCRIPTOR_SIZE, 0xaa);
  descriptorLayout.encode(raw, out, 10);
  t.same(out.subarray(0, 10), Buffer.alloc(10, 0xaa), 'bytes before the slot untouched');
  t.equal(out.readUInt32LE(10 + 5), 7);
  t.same(out.subarray(10 + 73, 10 + 73 + 128), Buffer.concat([Buffer.from('abc'), Buffer.alloc(125)]));
  t.same(descriptorLayout.decode(out, 10), { ...raw, name: Buffer.concat([Buffer.from('abc'), Buffer.alloc(125)]) });
  const long = descriptorLayout.encode({ ...raw, name: Buffer.alloc(200, 0x41) });
  t.equal(long.length, DESCRIPTOR_SIZE, 'an over-long byte field is cut at its size, never spills');
});

withReference(t, 'decode→encode reproduces every corpus header and descriptor table byte for byte', ['go-sif', 'shared'], async (t) => {
  const images = corpusImages();
  t.ok(images.length > 40, `${images.length} images`);
  for (const image of images) {
    const headerBytes = readRange(image, 0, HEADER_SIZE);
    const header = headerLayout.decode(headerBytes);
    t.same(headerLayout.encode(header), headerBytes, `${image}: header`);
    t.same(header.magic, MAGIC);
    t.same(header.version, VERSION);
    const total = Number(header.descriptorsTotal);
    const table = readRange(image, Number(header.descriptorsOffset), total * DESCRIPTOR_SIZE);
    t.equal(table.length, total * DESCRIPTOR_SIZE, `${image}: whole table present`);
    const out = Buffer.alloc(table.length);
    for (let i = 0; i < total; i++) descriptorLayout.encode(descriptorLayout.decode(table, i * DESCRIPTOR_SIZE), out, i * DESCRIPTOR_SIZE);
    t.ok(out.equals(table), `${image}: ${total} descriptor slots`);
  }
});

withReference(t, 'decoded fields of one-group.sif are the documented values', ['go-sif'], async (t) => {
  const { GO_IMAGES } = await import('../test-support/reference.js');
  const image = join(GO_IMAGES, 'one-group.sif');
  const h = headerLayout.decode(readRange(image, 0, HEADER_SIZE));
  t.match(h, { descriptorsFree: 46n, descriptorsTotal: 48n, descriptorsOffset: 4096n, descriptorsSize: 28080n, dataOffset: 32176n, dataSize: 8784n, createdAt: -62135596800n });
  t.same(h.arch, Buffer.from('01\0'));
  const d1 = descriptorLayout.decode(readRange(image, 4096, DESCRIPTOR_SIZE));
  t.match(d1, { dataType: DataType.Partition, used: true, id: 1, groupId: 0xf0000001, linkedId: 0, offset: 32768n, size: 4n, sizeWithPadding: 596n });
  t.same(partitionExtraLayout.decode(d1.extra), { fsType: 4, partType: 1, arch: Buffer.from('01\0') });
});

withReference(t, 'integrity bytes equal pkg/integrity/testdata/sources', ['go-sif'], async (t) => {
  const headerBin = readFileSync(join(INTEGRITY_SOURCES, 'header.bin'));
  // Not from any corpus image: a header with Singularity's launch script and this UUID.
  const raw: RawHeader = {
    ...zeroHeader(),
    launchScript: Buffer.from('#!/usr/bin/env run-singularity\n'),
    magic: MAGIC,
    version: VERSION,
    arch: Buffer.from('02\0'),
    id: Buffer.from('b2659d4ebd504ea5bd17eec5e54f918e', 'hex'),
    createdAt: 1234n,
    descriptorsTotal: 48n,
  };
  t.same(headerIntegrityBytes(makeHeader(raw)), headerBin, 'header.bin: arch, times and counters are left out');
  t.same(headerIntegrityLayout.encode(headerIntegrityLayout.decode(headerBin)), headerBin);
  const golden = JSON.parse(readFileSync(join(GO_SIF, 'pkg/integrity/testdata/TestGetHeaderMetadata/SHA256.golden'), 'utf8')) as { digest: string };
  t.equal(`sha256:${sha256(headerBin)}`, golden.digest, 'digest as in the Go golden file');

  // "An arbitrary descriptor": a used Def.FILE with every other field zero, at relative IDs 0 and 1.
  const deffile: RawDescriptor = { ...zeroDescriptor(), dataType: DataType.Deffile, used: true, id: 9, groupId: 0xf0000003, offset: 4096n, sizeWithPadding: 99n, modifiedAt: 5n };
  for (const rid of [0, 1]) {
    const want = readFileSync(join(INTEGRITY_SOURCES, `descr-rid${rid}.bin`));
    t.same(descriptorIntegrityBytes(makeDescriptor(deffile, 0, rid)), want, `descr-rid${rid}.bin: ID, group, offset, padding and ModifiedAt left out`);
    t.same(descriptorIntegrityLayout.encode(descriptorIntegrityLayout.decode(want)), want);
  }
});

withReference(t, 'header integrity digest of deterministic images', ['go-sif', 'shared'], async (t) => {
  let deterministic = 0;
  for (const image of corpusImages()) {
    const h = makeHeader(headerLayout.decode(readRange(image, 0, HEADER_SIZE)));
    if (h.id !== '00000000-0000-0000-0000-000000000000' || h.launchScript.length > 0) continue;
    deterministic++;
    t.equal(sha256(headerIntegrityBytes(h)), DETERMINISTIC_HEADER_DIGEST, image);
  }
  t.ok(deterministic >= 20, `${deterministic} deterministic images`);
});
