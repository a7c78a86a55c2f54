/**
 * The images of the build-gating matrix, signed by the Go reference signer
 * (oracle `sign`) with Apptainer's ECL test keys and the sylabs test key, then
 * tampered the ways attackers would: data bytes, a forged descriptor
 * fingerprint, a signature covering only one object.
 */
import { copyFileSync, openSync, readSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { DESCRIPTOR_SIZE } from '../format/constants.js';
import { descriptorLayout, headerLayout } from '../format/layout.js';
import { oracleWithInput } from './oracle.js';
import { FIXTURES, GO_IMAGES, GO_SIF } from './reference.js';

export const ECL_KEYS = join(FIXTURES, 'apptainer/ecl-keys');
/** Apptainer's e2e ECL keys (passphrase "e2e"). */
export const KEY1 = '0C5B8C9A5FFC44E2A0AC79851CD6FA281D476DD1';
export const KEY2 = '78F8AD36B0DCB84B707F23853D608DAE21C8CA10';
/** The sylabs test key: our "unknown co-signer", never in the test keyrings. */
export const SYLABS = '12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84';
export const PUBKEY1 = join(ECL_KEYS, 'pubkey1.asc');
export const PUBKEY2 = join(ECL_KEYS, 'pubkey2.asc');
const SECRET = { key1: join(ECL_KEYS, 'key1.asc'), key2: join(ECL_KEYS, 'key2.asc'), sylabs: join(GO_SIF, 'test/keys/private.asc') };

type Signer = keyof typeof SECRET;

function sign(image: string, signer: Signer, ...scope: string[]): void {
  const r = oracleWithInput<{ error?: string }>('e2e\n', 'sign', '--key', SECRET[signer], '--passphrase-stdin', ...scope, image);
  if (r.error) throw new Error(`oracle sign ${signer} ${image}: ${r.error}`);
}

function make(dir: string, name: string, base: 'one-group' | 'two-groups', ...steps: [Signer, ...string[]][]): string {
  const path = join(dir, `${name}.sif`);
  copyFileSync(join(GO_IMAGES, `${base}.sif`), path);
  for (const [signer, ...scope] of steps) sign(path, signer, ...scope);
  return path;
}

/** File offset of the descriptor slot holding object `id`, and that descriptor. */
function findDescriptor(fd: number, id: number) {
  const head = Buffer.alloc(headerLayout.size);
  readSync(fd, head, 0, head.length, 0);
  const h = headerLayout.decode(head);
  const slot = Buffer.alloc(DESCRIPTOR_SIZE);
  for (let i = 0; i < Number(h.descriptorsTotal); i++) {
    const at = Number(h.descriptorsOffset) + i * DESCRIPTOR_SIZE;
    readSync(fd, slot, 0, DESCRIPTOR_SIZE, at);
    const d = descriptorLayout.decode(slot);
    if (d.used && d.id === id) return { at, d };
  }
  throw new Error(`object ${id} not found`);
}

/** Flips one byte of object `id`'s data. */
export function tamperData(path: string, id: number): void {
  const fd = openSync(path, 'r+');
  try {
    const { d } = findDescriptor(fd, id);
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, Number(d.offset));
    b[0] = (b[0] ?? 0) ^ 0xff;
    writeSync(fd, b, 0, 1, Number(d.offset));
  } finally {
    closeSync(fd);
  }
}

/** Writes `fingerprint` into signature `id`'s Extra entity field (after the 4-byte hash type). */
export function forgeFingerprint(path: string, id: number, fingerprint: string): void {
  const fd = openSync(path, 'r+');
  try {
    const { at } = findDescriptor(fd, id);
    writeSync(fd, Buffer.from(fingerprint, 'hex'), 0, 20, at + descriptorLayout.offsets.extra + 4);
  } finally {
    closeSync(fd);
  }
}

export interface GatingImages {
  unsigned: string;
  /** key1 on group 1. */
  single: string;
  /** key1 then key2 on group 1. */
  double: string;
  /** key1 then the sylabs key (not in the test keyrings). */
  unknownCo: string;
  /** two groups; key1 signed group 1 only. */
  onlyGroup1: string;
  /** two groups; key1 signed both, key2 only group 1. */
  key2OnlyGroup1: string;
  /** key1, then object 1's data changed. */
  tampered: string;
  /** signed by key1, descriptor claims key2. */
  forged: string;
  /** key1 signed object 1 only; group 1 also holds object 2. */
  objectOnly: string;
}

/** Builds every matrix image in `dir` (a t.testdir()). */
export function buildGatingImages(dir: string): GatingImages {
  const images: GatingImages = {
    unsigned: make(dir, 'unsigned', 'one-group'),
    single: make(dir, 'single', 'one-group', ['key1']),
    double: make(dir, 'double', 'one-group', ['key1'], ['key2']),
    unknownCo: make(dir, 'unknown-co', 'one-group', ['key1'], ['sylabs']),
    onlyGroup1: make(dir, 'only-group1', 'two-groups', ['key1', '--group', '1']),
    key2OnlyGroup1: make(dir, 'key2-only-group1', 'two-groups', ['key1'], ['key2', '--group', '1']),
    tampered: make(dir, 'tampered', 'one-group', ['key1']),
    forged: make(dir, 'forged', 'one-group', ['key1']),
    objectOnly: make(dir, 'object-only', 'one-group', ['key1', '--object', '1']),
  };
  tamperData(images.tampered, 1);
  forgeFingerprint(images.forged, 3, KEY2);
  return images;
}
