/**
 * Writes the bad-input corpus: real reference images mutated at every
 * structural boundary and in every field the reader validates, plus a
 * `manifest.json` saying what each file must do. Deterministic: the same
 * sources always give the same bytes.
 *
 * Usage: node --import @tapjs/typescript/import scripts/gen-bad-inputs.ts OUTDIR [SOURCE_IMAGES_DIR]
 * (SOURCE_IMAGES_DIR defaults to the Debian sylabs/sif 2.8.3 test images.)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorCode } from '../src/errors.js';
import { DESCRIPTOR_SIZE, HEADER_SIZE } from '../src/format/constants.js';
import {
  cryptoMessageExtraLayout,
  descriptorLayout,
  headerLayout,
  partitionExtraLayout,
  sbomExtraLayout,
  signatureExtraLayout,
  type Layout,
  type RawDescriptor,
  type RawHeader,
} from '../src/format/layout.js';

export const DEFAULT_SOURCES = '/usr/share/gocode/src/github.com/sylabs/sif/test/images';

/** What the Go 2.8.3 loader (`sif.LoadContainerFromPath`) does with the file. */
export type GoVerdict = 'rejects' | 'accepts' | 'panics';

export interface BadInput {
  /** File name inside the output directory. */
  file: string;
  /** The mutation, in words. */
  what: string;
  /**
   * Our verdict for list, header, info and dump: an error code and the start of
   * its message (`{path}` stands for the image path), or undefined when the
   * image must still read exactly as siftool reads it.
   */
  error?: { code: ErrorCode; message: string };
  go: GoVerdict;
}

/** The main source: two groups of partitions and two group signatures. */
const SOURCE = 'two-groups-signed.sif';
const TABLE_OFFSET = 4096;
const SLOT = (i: number) => TABLE_OFFSET + i * DESCRIPTOR_SIZE;

interface Mutation {
  file: string;
  what: string;
  source?: string;
  mutate: (image: Buffer) => Buffer;
  error?: BadInput['error'];
  go: GoVerdict;
}

const truncated = (length: number) => (b: Buffer) => b.subarray(0, length);

function patchHeader(patch: Partial<RawHeader>) {
  return (b: Buffer) => headerLayout.encode({ ...headerLayout.decode(b), ...patch }, Buffer.from(b), 0);
}

function patchDescriptor(slot: number, patch: Partial<RawDescriptor>) {
  return (b: Buffer) => descriptorLayout.encode({ ...descriptorLayout.decode(b, SLOT(slot)), ...patch }, Buffer.from(b), SLOT(slot));
}

/** Rewrites the leading fields of a descriptor's Extra with `layout`. */
function patchExtra<T>(slot: number, layout: Layout<T>, patch: Partial<T>) {
  return (b: Buffer) => {
    const out = Buffer.from(b);
    const at = SLOT(slot) + descriptorLayout.offsets.extra;
    layout.encode({ ...layout.decode(out, at), ...patch }, out, at);
    return out;
  };
}

function setByte(offset: number, value: number) {
  return (b: Buffer) => {
    const out = Buffer.from(b);
    out[offset] = value;
    return out;
  };
}

const err = (code: ErrorCode, message: string) => ({ code, message });
const EOF_HEADER = err('SIF_TRUNCATED', 'reading global header: EOF');
const SHORT_HEADER = err('SIF_TRUNCATED', 'reading global header: unexpected EOF');
const NO_TABLE = err('SIF_TRUNCATED', 'reading descriptors: EOF');
const SHORT_TABLE = err('SIF_TRUNCATED', 'reading descriptors: unexpected EOF');
const pastEnd = (id: number) => err('SIF_TRUNCATED', `data object ${id}: extends past end of file`);

/** Truncation at 0, inside the header, at 128, at the table, at every slot boundary and inside every object. */
function truncations(): Mutation[] {
  const cut = (length: number, what: string, error: BadInput['error'], go: GoVerdict): Mutation => ({
    file: `truncated-at-${String(length).padStart(6, '0')}.sif`,
    what: `truncated to ${length} bytes: ${what}`,
    mutate: truncated(length),
    error,
    go,
  });
  const out = [
    cut(0, 'empty file', EOF_HEADER, 'rejects'),
    cut(1, 'one byte', SHORT_HEADER, 'rejects'),
    cut(64, 'inside the header', SHORT_HEADER, 'rejects'),
    cut(HEADER_SIZE - 1, 'one byte short of the header', SHORT_HEADER, 'rejects'),
    cut(HEADER_SIZE, 'header only', NO_TABLE, 'rejects'),
    cut(TABLE_OFFSET, 'up to the descriptor table', NO_TABLE, 'rejects'),
    cut(TABLE_OFFSET + 100, 'inside the first descriptor', SHORT_TABLE, 'rejects'),
  ];
  for (let slot = 1; slot < 48; slot++) out.push(cut(SLOT(slot), `after descriptor slot ${slot}`, SHORT_TABLE, 'rejects'));
  out.push(
    cut(SLOT(48) - 1, 'one byte short of the table', SHORT_TABLE, 'rejects'),
    cut(SLOT(48), 'table only, no object data', pastEnd(1), 'accepts'),
    cut(32770, 'inside object 1', pastEnd(1), 'accepts'),
    cut(36864, 'at the start of object 2', pastEnd(2), 'accepts'),
    cut(40000, 'inside object 2', pastEnd(2), 'accepts'),
    cut(200000, 'inside object 3', pastEnd(3), 'accepts'),
    cut(303104, 'before the first signature', pastEnd(4), 'accepts'),
    cut(305012, 'one byte short of the last signature', pastEnd(5), 'accepts'),
  );
  return out;
}

const INT64_MAX = (1n << 63n) - 1n;

/** Header fields the loader must check before trusting them. */
function headerMutations(): Mutation[] {
  const m = (file: string, what: string, patch: Partial<RawHeader>, error: BadInput['error'], go: GoVerdict): Mutation => ({
    file: `header-${file}.sif`,
    what,
    mutate: patchHeader(patch),
    error,
    go,
  });
  return [
    m('bad-magic', 'magic "SIF_MAGIX"', { magic: Buffer.from('SIF_MAGIX\0') }, err('SIF_INVALID_MAGIC', 'invalid SIF magic'), 'rejects'),
    m('magic-no-nul', 'magic without its NUL', { magic: Buffer.from('SIF_MAGIC!') }, err('SIF_INVALID_MAGIC', 'invalid SIF magic'), 'rejects'),
    m('version-02', 'version "02"', { version: Buffer.from('02\0') }, err('SIF_UNSUPPORTED_VERSION', 'incompatible SIF version'), 'rejects'),
    m('version-1', 'version "1\\0\\0"', { version: Buffer.from('1\0\0') }, err('SIF_UNSUPPORTED_VERSION', 'incompatible SIF version'), 'rejects'),
    m('total-negative', 'descriptorsTotal -1', { descriptorsTotal: -1n }, err('SIF_CORRUPT', 'reading descriptors: invalid descriptor count -1'), 'panics'),
    m('total-min', 'descriptorsTotal = min int64', { descriptorsTotal: -INT64_MAX - 1n }, err('SIF_CORRUPT', 'reading descriptors: invalid descriptor count'), 'panics'),
    m('total-huge', 'descriptorsTotal 2^62', { descriptorsTotal: 1n << 62n }, SHORT_TABLE, 'panics'),
    m('total-over-table', 'descriptorsTotal 49, one more than the table holds', { descriptorsTotal: 49n }, SHORT_TABLE, 'rejects'),
    m('total-over-file', 'descriptorsTotal 1000 and a matching size, more than the file holds', { descriptorsTotal: 1000n, descriptorsSize: 585000n }, SHORT_TABLE, 'rejects'),
    m('total-zero', 'descriptorsTotal 0: an image with no objects', { descriptorsTotal: 0n }, undefined, 'accepts'),
    m('offset-negative', 'descriptorsOffset -4096', { descriptorsOffset: -4096n }, err('SIF_CORRUPT', 'reading descriptors: readat {path}: negative offset'), 'rejects'),
    m('offset-past-eof', 'descriptorsOffset past the end of the file', { descriptorsOffset: 400000n }, NO_TABLE, 'rejects'),
    m('offset-max', 'descriptorsOffset = max int64', { descriptorsOffset: INT64_MAX }, NO_TABLE, 'rejects'),
    m('offset-near-eof', 'descriptorsOffset so the table runs past the end', { descriptorsOffset: 300000n }, SHORT_TABLE, 'rejects'),
    m('size-too-small', 'descriptorsSize one slot short', { descriptorsSize: 47n * 585n }, SHORT_TABLE, 'rejects'),
    m('size-zero', 'descriptorsSize 0', { descriptorsSize: 0n }, NO_TABLE, 'rejects'),
    m('size-negative', 'descriptorsSize -1', { descriptorsSize: -1n }, err('SIF_CORRUPT', 'reading descriptors: invalid descriptors size -1'), 'accepts'),
    m('size-huge', 'descriptorsSize = max int64 (only Total slots are read)', { descriptorsSize: INT64_MAX }, undefined, 'accepts'),
    m('free-equals-total', 'descriptorsFree = descriptorsTotal with five objects in use', { descriptorsFree: 48n }, undefined, 'accepts'),
    m('free-negative', 'descriptorsFree -7', { descriptorsFree: -7n }, undefined, 'accepts'),
    m('arch-unknown', 'header arch "77"', { arch: Buffer.from('77\0') }, undefined, 'accepts'),
    m('times-extreme', 'created/modified at the int64 extremes', { createdAt: INT64_MAX, modifiedAt: -INT64_MAX - 1n }, undefined, 'accepts'),
    m('launch-script-full', '32-byte launch script with no NUL', { launchScript: Buffer.from('#!/bin/sh\n'.padEnd(32, 'x')) }, undefined, 'accepts'),
  ];
}

/** Descriptor fields: object bounds, IDs and codes the reference does not know. */
function descriptorMutations(): Mutation[] {
  const m = (file: string, what: string, mutate: Mutation['mutate'], error: BadInput['error'], go: GoVerdict, source?: string): Mutation => ({
    file: `descriptor-${file}.sif`,
    what,
    mutate,
    error,
    go,
    source,
  });
  const corrupt = (message: string) => err('SIF_CORRUPT', message);
  return [
    m('offset-negative', 'object 2 at offset -1', patchDescriptor(1, { offset: -1n }), corrupt('data object 2: negative offset -1'), 'accepts'),
    m('size-negative', 'object 3 of size -5', patchDescriptor(2, { size: -5n }), corrupt('data object 3: negative size -5'), 'accepts'),
    m('past-eof', 'object 5 runs one byte past the end', patchDescriptor(4, { size: 856n }), pastEnd(5), 'accepts'),
    m('offset-huge', 'object 1 at offset 2^62', patchDescriptor(0, { offset: 1n << 62n }), pastEnd(1), 'accepts'),
    m('size-max', 'object 1 of size max int64', patchDescriptor(0, { size: INT64_MAX }), pastEnd(1), 'accepts'),
    m('duplicate-id', 'objects 2 and 3 both have ID 2', patchDescriptor(2, { id: 2 }), corrupt('duplicate object ID 2'), 'accepts'),
    m('unused-slot-garbage', 'an unused slot full of nonsense is ignored', patchDescriptor(10, { id: 2, offset: -1n, size: -1n }), undefined, 'accepts'),
    m('used-2', 'Used byte 2 counts as used', setByte(SLOT(0) + descriptorLayout.offsets.used, 2), undefined, 'accepts'),
    m('unknown-data-type', 'object 3 of data type 0x4fff', patchDescriptor(2, { dataType: 0x4fff }), undefined, 'accepts'),
    m('unknown-fs-part-arch', 'object 1 with fs 9, partition type 9, arch "99"', patchExtra(0, partitionExtraLayout, { fsType: 9, partType: 9, arch: Buffer.from('99\0') }), undefined, 'accepts'),
    m('arch-no-nul', 'object 2 arch "02x"', patchExtra(1, partitionExtraLayout, { arch: Buffer.from('02x') }), undefined, 'accepts'),
    m('unknown-hash', 'signature 4 with hash type 9', patchExtra(3, signatureExtraLayout, { hashType: 9 }), undefined, 'accepts'),
    m('no-fingerprint', 'signature 5 with an all-zero entity', patchExtra(4, signatureExtraLayout, { entity: Buffer.alloc(256) }), undefined, 'accepts'),
    m('unknown-crypto-codes', 'crypto message with format 7 and message type 0x300', patchExtra(0, cryptoMessageExtraLayout, { formatType: 7, messageType: 0x300 }), undefined, 'accepts', 'one-object-crypt-message.sif'),
    m('unknown-sbom-format', 'SBOM format 42', patchExtra(0, sbomExtraLayout, { format: 42 }), undefined, 'accepts', 'one-object-sbom.sif'),
    m('hostile-name', 'object 1 named with a tab, a newline, 0xFF and invalid UTF-8', patchDescriptor(0, { name: Buffer.from('a\tb\nc\xff\x80d\xffe', 'latin1') }), undefined, 'accepts'),
    m('group-link-masks', 'object 1 raw group 0x00000001, link 0x70000002', patchDescriptor(0, { groupId: 1, linkedId: 0x70000002 }), undefined, 'accepts'),
    m('id-zero', 'object 1 has ID 0', patchDescriptor(0, { id: 0 }), undefined, 'accepts'),
  ];
}

/** Every case, in a stable order. */
export function badInputCases(): Mutation[] {
  return [...truncations(), ...headerMutations(), ...descriptorMutations()];
}

/** Writes every case and `manifest.json` into `outDir`; returns the manifest. */
export function generateBadInputs(outDir: string, sourceDir = DEFAULT_SOURCES): BadInput[] {
  mkdirSync(outDir, { recursive: true });
  const sources = new Map<string, Buffer>();
  const read = (name: string) => sources.get(name) ?? sources.set(name, readFileSync(join(sourceDir, name))).get(name)!;
  const manifest = badInputCases().map(({ file, what, source, mutate, error, go }) => {
    writeFileSync(join(outDir, file), mutate(read(source ?? SOURCE)));
    return { file, what, ...(error ? { error } : {}), go };
  });
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [outDir, sourceDir] = process.argv.slice(2);
  if (!outDir) {
    process.stderr.write('usage: gen-bad-inputs.ts OUTDIR [SOURCE_IMAGES_DIR]\n');
    process.exit(2);
  }
  const manifest = generateBadInputs(outDir, sourceDir);
  process.stdout.write(`${manifest.length} bad inputs written to ${outDir}\n`);
}
