import t from 'tap';
import { ARCHES, archFromBytes, archToBytes, DataType, dataTypeName, DESCRIPTOR_SIZE, fsTypeName, hashTypeName, isArch, partTypeName, sbomFormatName } from './constants.js';
import { cryptoMessageInfo, makeDescriptor, ociDigest, partitionInfo, sbomFormat, signatureInfo } from './descriptor.js';
import { descriptorLayout, signatureExtraLayout } from './layout.js';

const descriptor = (dataType: number, extra: Buffer = Buffer.alloc(384)) =>
  makeDescriptor({ ...descriptorLayout.decode(Buffer.alloc(DESCRIPTOR_SIZE)), dataType, used: true, id: 1, groupId: 0xf0000002, linkedId: 0x70000003, extra }, 0, 0);

t.test('group and link masks as the reference applies them', async (t) => {
  const d = descriptor(DataType.Generic);
  t.equal(d.groupId, 2);
  t.equal(d.linkedId, 3, 'the mask bits are removed');
  t.equal(d.linkIsGroup, false, 'a group link needs all four mask bits');
});

t.test('type-specific metadata refuses the wrong type with the reference text', async (t) => {
  const fs = descriptor(DataType.Partition);
  t.throws(() => signatureInfo(fs), { code: 'SIF_CORRUPT', message: 'unexpected data type FS, expected one of: [Signature]' });
  t.throws(() => cryptoMessageInfo(fs), { message: 'unexpected data type FS, expected one of: [Cryptographic Message]' });
  t.throws(() => sbomFormat(fs), { message: 'unexpected data type FS, expected one of: [SBOM]' });
  t.throws(() => ociDigest(fs), { message: 'unexpected data type FS, expected one of: [OCI.RootIndex OCI.Blob]' });
  t.throws(() => partitionInfo(descriptor(0x4fff)), { message: 'unexpected data type Unknown, expected one of: [FS]' });
});

t.test('signature metadata', async (t) => {
  const extra = signatureExtraLayout.encode({ hashType: 3, entity: Buffer.from('12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84', 'hex') }, Buffer.alloc(384));
  t.match(signatureInfo(descriptor(DataType.Signature, extra)), { hashType: 3, hashName: 'SHA-512', fingerprint: Buffer.from('12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84', 'hex') });
  t.equal(signatureInfo(descriptor(DataType.Signature, signatureExtraLayout.encode({ hashType: 1, entity: Buffer.alloc(256) }, Buffer.alloc(384)))).fingerprint, undefined, 'a zero entity is no fingerprint');
  t.throws(() => signatureInfo(descriptor(DataType.Signature, Buffer.alloc(384))), { code: 'SIF_CORRUPT', message: 'hash algorithm unsupported' });
});

t.test('an OCI digest fills Extra without a NUL', async (t) => {
  const full = Buffer.alloc(384, 0x61);
  t.equal(ociDigest(descriptor(DataType.OCIBlob, full)), 'a'.repeat(384));
});

t.test('code names as siftool prints them', async (t) => {
  t.same([0x4001, 0x4002, 0x4003, 0x4004, 0x4005, 0x4006, 0x4007, 0x4008, 0x4009, 0x400a, 0x400b, 0x4000, 0].map(dataTypeName), [
    'Def.FILE', 'Env.Vars', 'JSON.Labels', 'FS', 'Signature', 'JSON.Generic', 'Generic/Raw', 'Cryptographic Message', 'SBOM', 'OCI.RootIndex', 'OCI.Blob', 'Unknown', 'Unknown',
  ]);
  t.same([1, 2, 3, 4, 5, 6, 0].map(fsTypeName), ['Squashfs', 'Ext3', 'Archive', 'Raw', 'Encrypted squashfs', 'Unknown', 'Unknown']);
  t.same([1, 2, 3, 4, 5].map(partTypeName), ['System', '*System', 'Data', 'Overlay', 'Unknown']);
  t.same([1, 2, 3, 4, 5, 6, 0].map(hashTypeName), ['SHA-256', 'SHA-384', 'SHA-512', 'BLAKE2s-256', 'BLAKE2b-256', undefined, undefined]);
  t.same([1, 8, 9].map(sbomFormatName), ['cyclonedx-json', 'syft-json', 'unknown']);
});

t.test('architecture codes', async (t) => {
  ARCHES.forEach((arch, code) => {
    const bytes = Buffer.from(`${String(code).padStart(2, '0')}\0`);
    t.equal(archFromBytes(bytes), arch, `code ${code}`);
    t.same(archToBytes(arch), bytes, `${arch} encodes back`);
  });
  t.equal(archFromBytes(Buffer.from('13\0')), 'loong64');
  for (const bad of ['14\0', '99\0', '02x', '2\0\0', ' 2\0', '-1\0', 'ab\0']) t.equal(archFromBytes(Buffer.from(bad, 'latin1')), 'unknown', JSON.stringify(bad));
  t.equal(archFromBytes(Buffer.from('02')), 'unknown', 'wrong length');
  t.equal(isArch('amd64'), true);
  t.equal(isArch('loong64'), true);
  t.equal(isArch('unknown'), false, 'unknown is not an architecture one can ask for');
  t.equal(isArch('x86_64'), false);
});
