/**
 * The byte-source seam holds: an image read from memory gives the answers the
 * same image gives from its file (list, header, info, object bytes, verify),
 * and the file source keeps its guarantees (borrowed handles stay open, a
 * replaced file is refused on re-open).
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { descriptorJson, headerJson } from '../cli/render/json.js';
import { renderHeader, renderInfo, renderList } from '../cli/render/siftool.js';
import { SifImage } from '../image/image.js';
import { createImage } from '../image/write/create.js';
import { ObjectDigests } from '../integrity/digest.js';
import { loadVerificationKeys } from '../integrity/keyset.js';
import { verifyIntegrity, type VerifyReport } from '../integrity/verify.js';
import { corpusImages, GO_IMAGES, GO_SIF, withReference } from '../test-support/reference.js';
import { signedImage } from '../test-support/signed.js';
import { BlobSource } from './blob.js';
import type { ByteSource } from './byte-source.js';
import { FileSource } from './file.js';
import { MemorySource } from './memory.js';
import { reopenSource } from './reopen.js';

/** What a user sees of an image: siftool's outputs, the JSON and every object's bytes. */
async function answers(image: SifImage) {
  const objects = await Promise.all(image.descriptors.map((d) => image.readObject(d)));
  return {
    header: renderHeader(image.header).toString(),
    list: renderList(image.descriptors).toString(),
    info: image.descriptors.map((d) => renderInfo(d).toString()),
    json: { header: headerJson(image.header), objects: image.descriptors.map(descriptorJson) },
    objects: objects.map((b) => b.toString('hex')),
  };
}

/** An image, or the code and message of the error opening it. */
const opened = (p: Promise<SifImage>) => p.catch((e: { code: string; message: string }) => ({ code: e.code, message: e.message }));

/** A verify report without the descriptors' identity: the verdicts and what they name. */
const verdicts = (r: VerifyReport) => ({
  ok: r.ok,
  error: r.error?.message,
  tasks: r.tasks.map((task) => ({
    id: task.id,
    error: task.error?.message,
    signatures: task.signatures.map((s) => ({ id: s.signature.id, signer: s.signer?.kind === 'pgp' ? s.signer.fingerprint : s.signer?.keyId, verified: s.verified.map((d) => d.id), error: s.error?.message })),
  })),
});

withReference(t, 'every corpus image reads the same from memory as from its file', ['go-sif'], async (t) => {
  for (const path of corpusImages()) {
    const fromFile = await opened(SifImage.open(path));
    const fromMemory = await opened(SifImage.open(new MemorySource(readFileSync(path), path)));
    const fromBlob = await opened(SifImage.open(new BlobSource(new Blob([readFileSync(path)]), path)));
    if (!(fromFile instanceof SifImage) || !(fromMemory instanceof SifImage) || !(fromBlob instanceof SifImage)) {
      t.same(fromMemory, fromFile, `${basename(path)}: the same error`);
      t.same(fromBlob, fromFile, `${basename(path)}: the same error from a Blob`);
      continue;
    }
    t.same(await answers(fromMemory), await answers(fromFile), basename(path));
    t.same(await answers(fromBlob), await answers(fromFile), `${basename(path)} from a Blob`);
    t.equal(fromMemory.path, path, 'the source names the image');
    await fromFile.close();
    await fromMemory.close();
    await fromBlob.close();
  }
});

withReference(t, 'the Go signed images verify the same from memory as from their file', ['go-sif'], async (t) => {
  const keys = await loadVerificationKeys({ keyrings: [join(GO_SIF, 'test/keys/private.asc')], keysDir: '/nonexistent', env: {} });
  let verified = 0;
  for (const name of ['one-group-signed.sif', 'two-groups-signed.sif', 'one-group-signed-legacy-group.sif', 'one-group.sif']) {
    const path = join(GO_IMAGES, name);
    for (const legacy of [false, true]) {
      const file = await SifImage.open(path);
      const memory = await SifImage.open(new MemorySource(readFileSync(path)));
      const want = verdicts(await verifyIntegrity(file, { keys, legacy }));
      if (want.ok) verified++;
      t.same(verdicts(await verifyIntegrity(memory, { keys, legacy })), want, `${name}${legacy ? ' (legacy)' : ''}`);
      await file.close();
      await memory.close();
    }
  }
  t.equal(verified, 3, 'the signed images verify, in their own mode');
});

t.test('a memory image is hashed on the main thread only, with the file digests', async (t) => {
  const dir = t.testdir();
  const unsigned = join(dir, 'unsigned.sif');
  await createImage(unsigned, { objects: [0, 1, 2].map(() => ({ dataType: 0x4002, groupId: 1, data: randomBytes(3 << 20) })) });
  const { image: path, keyring } = await signedImage(dir, unsigned);
  const keys = await loadVerificationKeys({ keyrings: [keyring], keysDir: '/nonexistent', env: {} });
  const memory = await SifImage.open(new MemorySource(readFileSync(path)));
  t.teardown(() => memory.close());
  const digests = new ObjectDigests(memory, { threads: 4, workerMinBytes: 1, workerStartBytes: 1, chunkSize: 1 << 20 });
  const report = await verifyIntegrity(memory, { keys, digests });
  t.ok(report.ok, 'verified');
  t.same(digests.stats(), { ...digests.stats(), workerJobs: 0 }, 'no worker: it could not open the bytes');
  t.ok(digests.stats().mainJobs >= 3);
  const file = await SifImage.open(path);
  t.teardown(() => file.close());
  t.same(verdicts(await verifyIntegrity(file, { keys })), verdicts(report), 'the verdicts of the file');

  const tampered = readFileSync(path);
  tampered[memory.descriptors[1]!.offset + 5]! ^= 1;
  const bad = await SifImage.open(new MemorySource(tampered));
  t.teardown(() => bad.close());
  writeFileSync(path, tampered);
  const badFile = await SifImage.open(path);
  t.teardown(() => badFile.close());
  const badReport = await verifyIntegrity(bad, { keys });
  t.notOk(badReport.ok, 'a changed byte in memory is found');
  t.same(verdicts(badReport), verdicts(await verifyIntegrity(badFile, { keys })), 'as in the file');
});

t.test('a Blob image is hashed in workers (they receive the Blob), with the file digests', async (t) => {
  const dir = t.testdir();
  const unsigned = join(dir, 'unsigned.sif');
  await createImage(unsigned, { objects: [0, 1, 2].map(() => ({ dataType: 0x4002, groupId: 1, data: randomBytes(3 << 20) })) });
  const { image: path, keyring } = await signedImage(dir, unsigned);
  const keys = await loadVerificationKeys({ keyrings: [keyring], keysDir: '/nonexistent', env: {} });
  const blob = await SifImage.open(new BlobSource(new File([readFileSync(path)], 'signed.sif')));
  t.teardown(() => blob.close());
  t.equal(blob.path, 'signed.sif', 'a File names the image');
  const digests = new ObjectDigests(blob, { threads: 4, workerMinBytes: 1, workerStartBytes: 1, chunkSize: 1 << 20 });
  const report = await verifyIntegrity(blob, { keys, digests });
  t.ok(report.ok, 'verified');
  t.ok(digests.stats().workerJobs > 0, 'workers hashed objects');
  const file = await SifImage.open(path);
  t.teardown(() => file.close());
  t.same(verdicts(await verifyIntegrity(file, { keys })), verdicts(report), 'the verdicts of the file');

  const tampered = readFileSync(path);
  tampered[blob.descriptors[1]!.offset + 5]! ^= 1;
  const bad = await SifImage.open(new BlobSource(new Blob([tampered])));
  t.teardown(() => bad.close());
  const badDigests = new ObjectDigests(bad, { threads: 4, workerMinBytes: 1, workerStartBytes: 1 });
  const badReport = await verifyIntegrity(bad, { keys, digests: badDigests });
  badDigests.close();
  t.notOk(badReport.ok, 'a changed byte in the Blob is found');
  t.equal(bad.path, 'blob', 'a bare Blob is named blob');
  const source = new BlobSource(new Blob([Uint8Array.from([1, 2, 3, 4])]));
  const buf = new Uint8Array(4);
  t.equal(await source.read(buf, 1, 3, 2), 2, 'short at the end');
  t.same([...buf], [0, 3, 4, 0]);
  t.equal(await source.read(buf, 0, 4, 10), 0, 'nothing past the end');
  t.equal((await reopenSource(source.identity))!.size, 4, 'a worker opens the same Blob');
});

t.test('memory sources: short reads at the end, truncated images refused as from a file', async (t) => {
  const source = new MemorySource(Uint8Array.from([1, 2, 3, 4]));
  const buf = new Uint8Array(4);
  t.equal(await source.read(buf, 1, 3, 2), 2);
  t.same([...buf], [0, 3, 4, 0]);
  t.equal(await source.read(buf, 0, 4, 10), 0, 'nothing past the end');
  t.equal(source.size, 4);
  t.equal(source.name, 'memory');
  t.equal(source.identity, undefined, 'a worker cannot re-open it');

  const path = join(GO_IMAGES, 'one-group.sif');
  const bytes = readFileSync(path);
  const cut = join(t.testdir(), 'cut.sif');
  for (const size of [0, 100, 200, bytes.length - 1]) {
    writeFileSync(cut, bytes.subarray(0, size));
    const fromFile = await opened(SifImage.open(cut));
    const fromMemory = await opened(SifImage.open(new MemorySource(bytes.subarray(0, size), cut)));
    if (fromFile instanceof SifImage) await fromFile.close();
    if (fromMemory instanceof SifImage) await fromMemory.close();
    t.same(fromMemory instanceof SifImage ? 'image' : fromMemory, fromFile instanceof SifImage ? 'image' : fromFile, `${size} bytes`);
  }
});

t.test('open(source) closes the source when the bytes are no image; fromSource leaves it to the caller', async (t) => {
  let closed = 0;
  const source: ByteSource = Object.assign(new MemorySource(Buffer.from('not an image')), { close: async () => void closed++ });
  await t.rejects(SifImage.open(source), { code: 'SIF_TRUNCATED' });
  t.equal(closed, 1);
  await t.rejects(SifImage.fromSource(source), { code: 'SIF_TRUNCATED' });
  t.equal(closed, 1);
});

t.test('a source whose reads fail: the error names the source', async (t) => {
  const failing: ByteSource = { name: 'flaky', size: 4096, identity: undefined, read: () => Promise.reject(new Error('EIO')), close: async () => undefined };
  await t.rejects(SifImage.open(failing), { code: 'SIF_IO', message: 'flaky: EIO' });
});

t.test('file sources: a borrowed handle stays open; a worker re-opens only the same file', async (t) => {
  const dir = t.testdir({ 'a.sif': readFileSync(join(GO_IMAGES, 'one-group.sif')), 'b.sif': 'other' });
  const path = join(dir, 'a.sif');
  const handle = await open(path, 'r');
  t.teardown(() => handle.close());
  const image = await SifImage.fromSource(await FileSource.borrow(path, handle));
  await image.close();
  t.ok((await handle.stat()).size > 0, 'the lender still reads through its handle');

  const owned = await FileSource.open(path);
  const again = await reopenSource(owned.identity);
  t.ok(again, 'the same file re-opens');
  t.equal(again!.size, owned.size);
  await again!.close();
  renameSync(join(dir, 'b.sif'), path);
  t.equal(await reopenSource(owned.identity), undefined, 'a file replaced under the path is refused');
  rmSync(path);
  t.equal(await reopenSource(owned.identity), undefined, 'a removed one too');
  await owned.close();
  await t.rejects(FileSource.open(dir), { code: 'SIF_IO', message: `read ${dir}: is a directory` });
});
