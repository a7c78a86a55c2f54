/**
 * Tamper sweeps: every byte of a signed image named by the region it sits in
 * and whether a signature covers it, one-byte edits of those bytes, and the
 * verdicts of our verifier and of the reference for each edit. Our side edits
 * one working copy in place (and puts the byte back); the reference side makes
 * each edit on an in-memory copy (oracle `tamper`), so sweeps of thousands of
 * bytes stay fast.
 */
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { isSifError } from '../errors.js';
import { DataType, DESCRIPTOR_SIZE, HEADER_SIZE } from '../format/constants.js';
import { descriptorIntegrityLayout, descriptorLayout, headerIntegrityLayout, headerLayout } from '../format/layout.js';
import { SifImage } from '../image/image.js';
import type { VerificationKey } from '../integrity/trust.js';
import { verifyIntegrity } from '../integrity/verify.js';
import { oracleBinary } from './oracle.js';

export interface Region {
  /** e.g. "header.id", "descriptor 2.name", "object 2 data", "signature 3 data", "free slot 4", "padding". */
  readonly name: string;
  /** The field (or "data") within the region's struct. */
  readonly field: string;
  /** Covered by the signed metadata (61 header bytes, 557 descriptor bytes, object data). */
  readonly hashed: boolean;
  /** The descriptor slot's object ID, for descriptor and data regions. */
  readonly id?: number;
  readonly signature?: boolean;
}

const HEADER_HASHED = new Set(Object.keys(headerIntegrityLayout.offsets));
/** Raw descriptor fields behind the 557 signed bytes (the ID through the relative ID). */
const DESCRIPTOR_HASHED = new Set([...Object.keys(descriptorIntegrityLayout.offsets).filter((f) => f !== 'relativeId'), 'id']);

function fieldAt(offsets: Readonly<Record<string, number>>, size: number, at: number): string {
  const sorted = Object.entries(offsets).sort((a, b) => a[1] - b[1]);
  let name = sorted[0]![0];
  for (const [f, o] of sorted) if (o <= at && at < size) name = f;
  return name;
}

interface Layout {
  total: number;
  tableAt: number;
  slots: { at: number; raw: ReturnType<typeof descriptorLayout.decode> }[];
}

function layoutOf(image: Buffer): Layout {
  const h = headerLayout.decode(image);
  const total = Number(h.descriptorsTotal);
  const tableAt = Number(h.descriptorsOffset);
  const slots = Array.from({ length: total }, (_, k) => {
    const at = tableAt + k * DESCRIPTOR_SIZE;
    return { at, raw: descriptorLayout.decode(image, at) };
  });
  return { total, tableAt, slots };
}

/** Classifies every byte position of a well-formed image. */
export function regionMap(image: Buffer): (at: number) => Region {
  const { slots, tableAt, total } = layoutOf(image);
  const tableEnd = tableAt + total * DESCRIPTOR_SIZE;
  return (at) => {
    if (at < HEADER_SIZE) {
      const field = fieldAt(headerLayout.offsets, HEADER_SIZE, at);
      return { name: `header.${field}`, field, hashed: HEADER_HASHED.has(field) };
    }
    if (at >= tableAt && at < tableEnd) {
      const slot = Math.floor((at - tableAt) / DESCRIPTOR_SIZE);
      const { at: slotAt, raw } = slots[slot]!;
      const field = fieldAt(descriptorLayout.offsets, DESCRIPTOR_SIZE, at - slotAt);
      if (!raw.used) return { name: `free slot ${slot}`, field, hashed: false };
      const signature = raw.dataType === DataType.Signature && (raw.groupId & 0x0fffffff) === 0;
      const hashed = !signature && DESCRIPTOR_HASHED.has(field);
      return { name: `${signature ? 'signature descriptor' : 'descriptor'} ${raw.id}.${field}`, field, hashed, id: raw.id, signature };
    }
    for (const { raw } of slots) {
      if (raw.used && BigInt(at) >= raw.offset && BigInt(at) < raw.offset + raw.size) {
        const signature = raw.dataType === DataType.Signature && (raw.groupId & 0x0fffffff) === 0;
        return { name: `${signature ? 'signature' : 'object'} ${raw.id} data`, field: 'data', hashed: !signature, id: raw.id, signature };
      }
    }
    return { name: at < tableAt ? 'header padding' : 'padding', field: 'padding', hashed: false };
  };
}

export interface Edit {
  readonly at: number;
  /** The new byte value. */
  readonly value: number;
}

/** Byte ranges of the image's structures, for building sweeps. */
export function structureRanges(image: Buffer) {
  const { slots, tableAt } = layoutOf(image);
  const used = slots.filter((s) => s.raw.used);
  const free = slots.find((s) => !s.raw.used);
  const objects = used.map((s) => ({ id: s.raw.id, start: Number(s.raw.offset), end: Number(s.raw.offset + s.raw.size), signature: s.raw.dataType === DataType.Signature }));
  return { tableAt, tableEnd: tableAt + slots.length * DESCRIPTOR_SIZE, used: used.map((s) => s.at), free: free?.at, objects };
}

const range = (start: number, end: number) => Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);

/** Positions spread evenly over [start, end), first and last included. */
export function sample(start: number, end: number, count: number): number[] {
  if (end - start <= count) return range(start, end);
  return [...new Set(Array.from({ length: count }, (_, i) => start + Math.round((i * (end - start - 1)) / (count - 1))))];
}

/**
 * The sweep of one image: every byte of the header and of every used
 * descriptor; a sample of the first free slot (its Used byte included), of
 * every object's data (signature objects more densely) and of the padding
 * between structures. Each byte is XORed with 0x01, and the unsigned bytes of
 * header and descriptors also with 0xFF (sign and mask bits).
 */
export function sweepEdits(image: Buffer, dataSamples = 24): Edit[] {
  const region = regionMap(image);
  const { used, free, objects, tableAt, tableEnd } = structureRanges(image);
  const positions = [...range(0, HEADER_SIZE), ...used.flatMap((at) => range(at, at + DESCRIPTOR_SIZE))];
  if (free !== undefined) positions.push(free + descriptorLayout.offsets.used, ...sample(free, free + DESCRIPTOR_SIZE, 32));
  for (const o of objects) positions.push(...sample(o.start, o.end, o.signature ? dataSamples * 4 : dataSamples));
  positions.push(...sample(HEADER_SIZE, tableAt, 8));
  for (const end of [tableEnd, ...objects.map((o) => o.end)]) {
    const next = Math.min(image.length, ...objects.filter((o) => o.start >= end).map((o) => o.start));
    positions.push(...sample(end, next, 8));
  }
  const edits: Edit[] = [];
  for (const at of [...new Set(positions)].sort((a, b) => a - b)) {
    edits.push({ at, value: image[at]! ^ 0x01 });
    const r = region(at);
    if (!r.hashed && r.field !== 'data' && r.field !== 'padding') edits.push({ at, value: image[at]! ^ 0xff });
  }
  return edits;
}

/** Our default verdict on the file: '' when it verifies, else the error text. Non-SifErrors propagate. */
export async function ourVerdict(path: string, keys: readonly VerificationKey[]): Promise<string> {
  let image: SifImage | undefined;
  try {
    image = await SifImage.open(path);
    const report = await verifyIntegrity(image, { keys, stopAtFirstFailure: true });
    return report.ok ? '' : report.error!.message;
  } catch (e) {
    if (isSifError(e)) return e.message;
    throw e;
  } finally {
    await image?.close();
  }
}

/**
 * Our verdict for each edit, each made in place on one of `lanes` copies of
 * `path` and undone after. Lanes run concurrently: a verification mostly
 * waits on file and crypto I/O.
 */
export async function ourVerdicts(path: string, edits: readonly Edit[], keys: readonly VerificationKey[], lanes = 6): Promise<string[]> {
  const out: string[] = new Array<string>(edits.length);
  const lane = async (k: number) => {
    const copy = `${path}.lane${k}`;
    copyFileSync(path, copy);
    const handle = await open(copy, 'r+');
    try {
      const old = Buffer.alloc(1);
      for (let i = k; i < edits.length; i += lanes) {
        const { at, value } = edits[i]!;
        await handle.read(old, 0, 1, at);
        await handle.write(Buffer.from([value]), 0, 1, at);
        try {
          out[i] = await ourVerdict(copy, keys);
        } finally {
          await handle.write(old, 0, 1, at);
        }
      }
    } finally {
      await handle.close();
      rmSync(copy, { force: true });
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, k) => lane(k)));
  return out;
}

/** The reference's verdict for each edit ('' = verified). */
export function referenceVerdicts(dir: string, path: string, keyrings: readonly string[], edits: readonly Edit[]): string[] {
  const file = join(dir, `edits-${process.pid}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(edits.map((e) => [e.at, e.value])));
  const r = spawnSync(oracleBinary(), ['tamper', ...keyrings.flatMap((k) => ['--keyring', k]), path, file], { maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`oracle tamper failed: ${r.stderr.toString()}`);
  const out = JSON.parse(r.stdout.toString()) as string[] | { error: string };
  if (!Array.isArray(out)) throw new Error(`oracle tamper: ${out.error}`);
  return out;
}
