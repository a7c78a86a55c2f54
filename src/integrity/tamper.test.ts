/**
 * The tamper matrix: every image × mode × key × single-byte change in the
 * header, the descriptors, the data and the signatures. Our verdict (verified
 * or not, and which failure) must equal the Go reference's. The one allowed
 * difference (docs/security.md): our loader refuses structurally broken files
 * outright (exit 4: duplicate object IDs, an object past the end of the file),
 * where the reference fails later or, when the broken part is one no signature
 * covers, verifies.
 */
import t, { type Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DESCRIPTOR_SIZE, DataType } from '../format/constants.js';
import { descriptorLayout, headerLayout } from '../format/layout.js';
import { FormatError, SifError } from '../errors.js';
import { SifImage } from '../image/image.js';
import { loadVerificationKeys } from './keyset.js';
import type { TrustKey } from './trust.js';
import { verifyIntegrity } from './verify.js';
import { FIXTURES, GO_IMAGES, GO_SIF, withReference } from '../test-support/reference.js';
import { copyImage, runCli } from '../test-support/cli.js';
import { openpgpKey } from '../test-support/pgp.js';
import { oracleBatch, oracleVerifyArgs, verdictKind } from '../test-support/verdict.js';

interface Position {
  what: string;
  offset: number;
}

/** One byte of every header field, every field of every used descriptor (and of one unused slot), data and signature text. */
async function positions(path: string): Promise<Position[]> {
  const image = await SifImage.open(path);
  try {
    const out: Position[] = Object.entries(headerLayout.offsets).map(([f, o]) => ({ what: `header.${f}`, offset: o }));
    const table = Number(image.header.raw.descriptorsOffset);
    const slots = [...image.descriptors.map((d) => d.slot), image.descriptors.length];
    for (const slot of slots) {
      const base = table + slot * DESCRIPTOR_SIZE;
      for (const [f, o] of Object.entries(descriptorLayout.offsets)) out.push({ what: `slot${slot}.${f}`, offset: base + o });
      out.push({ what: `slot${slot}.entity`, offset: base + descriptorLayout.offsets.extra + 4 });
    }
    for (const d of image.descriptors) {
      if (d.dataType !== DataType.Signature) {
        for (const at of new Set([0, Math.floor(d.size / 2), d.size - 1])) out.push({ what: `object${d.id}@${at}`, offset: d.offset + at });
        continue;
      }
      const text = (await image.readObject(d)).toString('latin1');
      const marks: [string, number][] = [
        ['json', text.indexOf('{') + 10],
        ['hash-header', text.indexOf('Hash:')],
        ['hash-value', text.indexOf('Hash:') + 7],
        ['blank', text.indexOf('\n\n') + 1],
        ['armor-begin', text.indexOf('-----BEGIN PGP SIGNATURE') + 11],
      ];
      const body = text.indexOf('\n\n', text.indexOf('-----BEGIN PGP SIGNATURE')) + 2;
      for (const at of [0, 3, 10, 40, 70, 100, 200]) marks.push([`b64+${at}`, body + at]);
      const crc = text.lastIndexOf('\n=');
      marks.push(['b64-last', crc - 3], ['crc', crc + 2], ['end-line', text.indexOf('-----END') + 9], ['last', text.length - 1]);
      for (const [name, at] of marks) if (at >= 0 && at < d.size) out.push({ what: `sig${d.id}.${name}`, offset: d.offset + at });
    }
    return out;
  } finally {
    await image.close();
  }
}

const keyCache = new Map<string, Promise<TrustKey[]>>();
const keysOf = (path: string) => {
  if (!keyCache.has(path)) keyCache.set(path, loadVerificationKeys({ keyrings: [path], keysDir: '/nonexistent', env: {} }));
  return keyCache.get(path)!;
};

/**
 * Our verdict through the library, as \`sif verify\` reaches it (the CLI adds
 * only flag parsing and printing, tested on every corpus image elsewhere):
 * '' when verified, else the error message; `format` when the loader refused.
 */
async function ourVerdict(path: string, keys: TrustKey[], flags: string[]): Promise<{ message: string; code?: 'format' }> {
  const value = (f: string) => (flags.includes(f) ? [Number(flags[flags.indexOf(f) + 1])] : []);
  let image: SifImage;
  try {
    image = await SifImage.open(path);
  } catch (e) {
    return { message: (e as Error).message, code: e instanceof FormatError ? 'format' : undefined };
  }
  try {
    const legacy = flags.includes('--legacy-insecure');
    const legacyAll = legacy && flags.includes('--all');
    const report = await verifyIntegrity(image, { keys, groups: value('--group-id'), objects: value('--sif-id'), legacy, legacyAll, stopAtFirstFailure: true });
    return { message: report.error?.message ?? '' };
  } catch (e) {
    if (!(e instanceof SifError)) throw e;
    return { message: e.message };
  } finally {
    await image.close();
  }
}

/** Signature objects the reference verifies and we refuse on purpose (docs/security.md, differences 6 and 7). */
const STRICTER_SIGNATURE_RULES = /not valid: (text after the signature|text before the signed message|armor headers in the signature block|duplicate of signature object \d+)$/;

interface MatrixImage {
  path: string;
  key: string;
  modes: string[][];
}

async function runMatrix(t: Test, dir: string, img: MatrixImage, wrongKey: string) {
  const original = readFileSync(img.path);
  const jobs: { label: string; path: string; key: string; flags: string[] }[] = [];
  const variants = [{ what: 'untampered', path: img.path }];
  for (const p of await positions(img.path)) {
    const bytes = Buffer.from(original);
    bytes[p.offset]! ^= 0x01;
    const path = join(dir, `${basename(img.path, '.sif')}-${p.what}.sif`);
    writeFileSync(path, bytes);
    variants.push({ what: p.what, path });
  }
  for (const v of variants) {
    for (const flags of img.modes) jobs.push({ label: `${v.what} ${flags.join(' ')}`, path: v.path, key: img.key, flags });
    if (!/^(slot|object)/.test(v.what)) jobs.push({ label: `${v.what} wrong key`, path: v.path, key: wrongKey, flags: img.modes[0]! });
  }
  const refs = oracleBatch(dir, jobs.map((j) => oracleVerifyArgs(j.path, j.key, j.flags)));
  const mismatches: string[] = [];
  const refused = { failing: 0, passing: 0, stricter: 0 };
  for (const [i, job] of jobs.entries()) {
    const ours = await ourVerdict(job.path, await keysOf(job.key), job.flags);
    const want = verdictKind(refs[i]!.error);
    const got = verdictKind(ours.message);
    if (got === want) continue;
    if (want === '' && STRICTER_SIGNATURE_RULES.test(ours.message)) refused.stricter++;
    else if (ours.code === 'format') refused[want === '' ? 'passing' : 'failing']++;
    else mismatches.push(`${job.label}: ours ${JSON.stringify(got)} (${ours.message}), reference ${JSON.stringify(want)} (${refs[i]!.error})`);
  }
  const note = `${refused.failing} + ${refused.passing} refused by our loader where the reference fails / verifies, ${refused.stricter} by the stricter signature rules`;
  t.same(mismatches, [], `${basename(img.path)}: ${jobs.length} verdicts equal the reference (${note})`);
  t.ok(refused.passing <= refused.failing + 16, 'loader refusals stay the exception');
}

withReference(t, 'tamper matrix: our verdicts equal the Go reference', ['go', 'go-sif', 'shared'], async (t) => {
  const dir = t.testdir();
  const goKey = join(GO_SIF, 'test/keys/private.asc');
  const apptainerKey = join(FIXTURES, 'apptainer/keys/pgp-public.asc');
  const ours = await openpgpKey(dir, 'ecc');
  const oursImage = copyImage(dir, 'ours-ed25519.sif');
  t.equal((await runCli(['sign', '--keyring', ours.secretPath, oursImage])).code, 0);
  const group = [[], ['--group-id', '1'], ['--sif-id', '2']];
  const images: MatrixImage[] = [
    { path: join(GO_IMAGES, 'two-groups-signed.sif'), key: goKey, modes: [...group, ['--group-id', '2']] },
    { path: join(FIXTURES, 'sylabs-sif-head/images/one-group-signed-pgp.sif'), key: goKey, modes: group },
    { path: join(FIXTURES, 'apptainer/images/one-group-signed-pgp.sif'), key: apptainerKey, modes: group },
    { path: oursImage, key: ours.publicPath, modes: [...group, ['--sif-id', '3']] },
    { path: join(GO_IMAGES, 'one-group-signed-legacy-group.sif'), key: goKey, modes: [['--legacy-insecure', '--group-id', '1']] },
    { path: join(GO_IMAGES, 'one-group-signed-legacy-all.sif'), key: goKey, modes: [['--legacy-insecure', '--all'], ['--legacy-insecure', '--sif-id', '2']] },
  ];
  for (const img of images) await runMatrix(t, dir, img, img.key === goKey ? apptainerKey : goKey);
});
