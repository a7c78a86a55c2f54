import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createImage, DataType, editImage, SifImage } from '../../index.js';
import { GO_ZERO_TIME } from '../../format/constants.js';
import { newHeader } from './create.js';
import { cryptoMessageExtra, partitionExtra, sbomExtra, signatureExtra } from './extra.js';
import { parseUuid, randomUuid } from './uuid.js';

t.test('UUIDs in every form Go accepts', async (t) => {
  const want = Buffer.from('3fa802cc358b45e3bcc069dc7a45f9f8', 'hex');
  for (const text of [
    '3fa802cc-358b-45e3-bcc0-69dc7a45f9f8',
    '3FA802CC-358B-45E3-BCC0-69DC7A45F9F8',
    'urn:uuid:3fa802cc-358b-45e3-bcc0-69dc7a45f9f8',
    '{3fa802cc-358b-45e3-bcc0-69dc7a45f9f8}',
    '3fa802cc358b45e3bcc069dc7a45f9f8',
  ]) {
    t.same(parseUuid(text), want, text);
  }
  t.same(parseUuid('nil'), Buffer.alloc(16));
  t.throws(() => parseUuid('3fa802cc'), { message: 'invalid UUID length: 8' });
  t.throws(() => parseUuid('3fa802cc+358b-45e3-bcc0-69dc7a45f9f8'), { message: 'invalid UUID format' });
  t.throws(() => parseUuid('{3fa802cc-358b-45e3-bcc0-69dc7a45f9f8]'), { message: 'invalid UUID length: 38' });
  const random = randomUuid();
  t.equal(random[6]! >> 4, 4, 'version 4');
  t.equal(random[8]! >> 6, 2, 'RFC 4122 variant');
  t.notSame(randomUuid(), random);
});

t.test('new headers follow the reference defaults', async (t) => {
  const h = newHeader({ time: 5n });
  t.match(h, { createdAt: 5n, modifiedAt: 5n, descriptorsFree: 48n, descriptorsTotal: 48n, descriptorsOffset: 4096n, descriptorsSize: 28080n, dataOffset: 32176n, dataSize: 0n });
  t.equal(h.arch.toString('latin1'), '00\0');
  t.notSame(h.id, Buffer.alloc(16), 'random UUID by default');
  const d = newHeader({ deterministic: true });
  t.match(d, { createdAt: GO_ZERO_TIME, id: Buffer.alloc(16) });
  t.match(newHeader({ deterministic: true, time: 9n, id: '3fa802cc358b45e3bcc069dc7a45f9f8' }), { createdAt: 9n, id: Buffer.from('3fa802cc358b45e3bcc069dc7a45f9f8', 'hex') });
  t.equal(newHeader({ descriptors: 0 }).dataOffset, 4096n);
  t.equal(newHeader({ launchScript: Buffer.alloc(31, 0x41) }).launchScript.length, 31);
  t.throws(() => newHeader({ launchScript: 'é'.repeat(16) }), { message: 'launch script too large' });
  t.throws(() => newHeader({ descriptors: 1.5 }), { code: 'SIF_USAGE' });
  t.throws(() => newHeader({ descriptors: 65537 }), { code: 'SIF_USAGE' });
  t.throws(() => newHeader({ time: 1n << 63n }), { message: /^invalid time/ });
});

t.test('an image with no slots loads and refuses objects', async (t) => {
  const path = join(t.testdir(), 'none.sif');
  await createImage(path, { descriptors: 0, deterministic: true });
  t.equal(readFileSync(path).length, 4096);
  await t.rejects(editImage(path, (e) => e.addObject({ dataType: DataType.Generic, data: Buffer.from('x') })), { code: 'SIF_CAPACITY' });
});

t.test('createImage leaves nothing when an object is refused', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'x.sif');
  await t.rejects(createImage(path, { objects: [{ dataType: 1, data: Buffer.alloc(1) }] }), { code: 'SIF_USAGE', message: 'unknown data type: 1' });
  const { readdirSync } = await import('node:fs');
  t.same(readdirSync(dir), []);
});

t.test('Extra builders check their values', async (t) => {
  t.same([...partitionExtra({ fsType: 1, partType: 2, arch: 'loong64' }).subarray(0, 12)], [1, 0, 0, 0, 2, 0, 0, 0, 0x31, 0x33, 0, 0]);
  t.throws(() => partitionExtra({ fsType: 1, partType: 2, arch: 'unknown' }), { message: 'unknown architecture: unknown' });
  t.throws(() => partitionExtra({ fsType: 1, partType: 2, arch: 'x86_64' }), { message: 'unknown architecture: x86_64' });
  t.throws(() => partitionExtra({ fsType: 2 ** 31, partType: 2, arch: '386' }), { message: 'invalid filesystem type: 2147483648' });
  t.throws(() => partitionExtra({ fsType: 1, partType: 0.5, arch: '386' }), { message: 'invalid partition type: 0.5' });
  t.equal(signatureExtra(1).length, 384);
  t.same([...signatureExtra(5, Buffer.alloc(256, 1)).subarray(0, 5)], [5, 0, 0, 0, 1]);
  t.throws(() => signatureExtra(6), { message: 'invalid hash type: 6' });
  t.throws(() => signatureExtra(1, Buffer.alloc(257)), { message: 'signing entity too large: 257 bytes (at most 256)' });
  t.same([...cryptoMessageExtra(2, 0x200).subarray(0, 8)], [2, 0, 0, 0, 0, 2, 0, 0]);
  t.throws(() => cryptoMessageExtra(-(2 ** 31) - 1, 1), { message: /^invalid format type/ });
  t.throws(() => cryptoMessageExtra(1, NaN), { message: /^invalid message type/ });
  t.same([...sbomExtra(8).subarray(0, 4)], [8, 0, 0, 0]);
  t.throws(() => sbomExtra(2 ** 40), { message: /^invalid SBOM format/ });
});

t.test('createImage replaces an existing file and keeps the reference mode', async (t) => {
  const path = join(t.testdir({ 'x.sif': 'old contents' }), 'x.sif');
  await createImage(path, { time: 1n });
  const image = await SifImage.open(path);
  t.equal(image.descriptors.length, 0);
  await image.close();
  const { statSync } = await import('node:fs');
  t.equal(statSync(path).mode & 0o111, 0o111 & ~process.umask(), 'executable like siftool new');
});
