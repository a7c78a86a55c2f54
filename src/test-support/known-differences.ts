/**
 * The only bytes in which our writer deliberately differs from sylabs/sif
 * 2.8.3 (docs/compat.md). `patchKnownDifferences` checks that the reference's
 * bytes there have the known 2.8.3 shape and copies ours over them, so the
 * rest can be compared exactly.
 */
import { createHash } from 'node:crypto';
import { ARCHES, DataType, DESCRIPTOR_SIZE } from '../format/constants.js';
import { descriptorLayout, headerLayout, partitionExtraLayout } from '../format/layout.js';

const ARCH_AT = descriptorLayout.offsets.extra + partitionExtraLayout.offsets.arch;
const UNKNOWN = Buffer.from('00\0', 'latin1');

/** What 2.8.3's SetPrimPart stores for a code: the first three letters of the Go name (its bug). */
function buggyArch(code: Buffer): Buffer {
  const n = Number(code.subarray(0, 2).toString('latin1'));
  return Buffer.from((ARCHES[n] ?? 'unknown').padEnd(3, '\0').slice(0, 3), 'latin1');
}

function patchArch(ours: Buffer, theirs: Buffer, at: number, what: string): void {
  const mine = ours.subarray(at, at + 3);
  const go = theirs.subarray(at, at + 3);
  if (mine.equals(go)) return;
  if (!go.equals(buggyArch(mine)) && !go.equals(UNKNOWN)) {
    throw new Error(`${what}: arch ${JSON.stringify(go.toString('latin1'))} is not 2.8.3's setprim bug for ${JSON.stringify(mine.toString('latin1'))}`);
  }
  mine.copy(theirs, at);
}

/**
 * Returns a copy of `theirs` (written by 2.8.3) with our OCI digest Extras and
 * our correct partition/header architecture codes copied in, after checking
 * that 2.8.3 has zero Extra / its setprim bug there.
 */
export function patchKnownDifferences(ours: Buffer, theirs: Buffer): Buffer {
  const out = Buffer.from(theirs);
  const h = headerLayout.decode(ours);
  patchArch(ours, out, headerLayout.offsets.arch, 'header');
  for (let slot = 0; slot < Number(h.descriptorsTotal); slot++) {
    const at = Number(h.descriptorsOffset) + slot * DESCRIPTOR_SIZE;
    if (at + DESCRIPTOR_SIZE > ours.length || at + DESCRIPTOR_SIZE > out.length) break;
    const d = descriptorLayout.decode(ours, at);
    if (!d.used) continue;
    if (d.dataType === DataType.Partition) patchArch(ours, out, at + ARCH_AT, `object ${d.id}`);
    if (d.dataType === DataType.OCIRootIndex || d.dataType === DataType.OCIBlob) {
      const extraAt = at + descriptorLayout.offsets.extra;
      const digest = createHash('sha256').update(ours.subarray(Number(d.offset), Number(d.offset + d.size))).digest('hex');
      if (d.extra.toString('latin1').replace(/\0+$/, '') !== `sha256:${digest}`) throw new Error(`object ${d.id}: wrong OCI digest`);
      if (out.subarray(extraAt, extraAt + 384).some((b) => b !== 0)) throw new Error(`object ${d.id}: 2.8.3 wrote an Extra`);
      d.extra.copy(out, extraAt);
    }
  }
  return out;
}
