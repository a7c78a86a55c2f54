import t from 'tap';
import { join } from 'node:path';
import { FIXTURES, GO_IMAGES, GO_SIF, withReference } from '../test-support/reference.js';
import { verifyImage } from './verify-image.js';
import type { EclConfig } from './ecl.js';

const SYLABS = '12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84';
const env = { HOME: '/nonexistent' };

t.test('bad options are usage errors', async (t) => {
  const path = 'whatever.sif';
  const ecl: EclConfig = { activated: true, legacyinsecure: false, execgroup: [] };
  type Case = [options: Parameters<typeof verifyImage>[0], message: RegExp];
  const cases: Case[] = [
    [{ path, require: 'most' as 'all', fingerprints: [SYLABS] }, /^require: must be "all" or "any", not "most"$/],
    [{ path, require: 'any' }, /^require needs fingerprints$/],
    [{ path, ecl, fingerprints: [SYLABS] }, /^an ECL brings its own signer rules/],
    [{ path, ecl, ignoreUnknownSigners: true }, /^an ECL brings its own signer rules/],
    [{ path, fingerprints: ['A20C27EE7FF7BA84'] }, /^fingerprints: fingerprint "A20C27EE7FF7BA84" is 16 hex digits/],
    [{ path, ecl: { ...ecl, execgroup: [{ tagname: '', mode: 'greylist' as 'whitelist', dirpath: '', keyfp: [] }] } }, /the mode field can only be/],
  ];
  for (const [options, message] of cases) await t.rejects(verifyImage({ env, ...options }), { code: 'SIF_USAGE', message });
  await t.rejects(verifyImage({ env, path: '/nonexistent/x.sif', ecl }), { code: 'SIF_NOT_FOUND' }, 'a missing image is an error, not a verdict');
});

withReference(t, 'ECL legacyinsecure verifies the legacy signature of the primary partition', ['go-sif'], async (t) => {
  const keyrings = [join(GO_SIF, 'test/keys/private.asc')];
  const ecl = (keyfp: string[]): EclConfig => ({ activated: true, legacyinsecure: true, execgroup: [{ tagname: 'legacy', mode: 'whitestrict', dirpath: '', keyfp }] });
  let r = await verifyImage({ env, path: join(GO_IMAGES, 'one-group-signed-legacy.sif'), keyrings, ecl: ecl([SYLABS]) });
  t.equal(r.ok, true, r.error?.message ?? 'verified');
  t.same(r.signatures.map((s) => [s.id, s.verdict, s.objects]), [[3, 'verified', [2]]]);
  r = await verifyImage({ env, path: join(GO_IMAGES, 'one-group-signed-legacy.sif'), keyrings, ecl: ecl([SYLABS, '0'.repeat(40)]) });
  t.equal(r.error?.code, 'SIF_NOT_SIGNED_BY_REQUIRED');
  r = await verifyImage({ env, path: join(GO_IMAGES, 'one-group-signed.sif'), keyrings, ecl: ecl([SYLABS]) });
  t.equal(r.error?.code, 'SIF_SIGNATURE_NOT_FOUND', 'a modern signature is no legacy signature');
  r = await verifyImage({ env, path: join(GO_IMAGES, 'one-group-signed.sif'), keyrings, fingerprints: [SYLABS.toLowerCase()] });
  t.same([r.ok, r.policy, r.required, r.require, r.groups], [true, 'fingerprints', [SYLABS], 'all', [1]]);
  t.same(r.signatures, [{ id: 3, group: 1, fingerprint: SYLABS, signer: 'Unit Test <unit@test.com>', keyIds: [], verdict: 'verified', objects: [1, 2], skipped: false, error: undefined }]);
});

withReference(t, 'DSSE: publicKeys verify, key IDs are required signers counted on the keys that verified', ['shared'], async (t) => {
  const head = join(FIXTURES, 'sylabs-sif-head');
  const path = join(head, 'images/two-groups-signed-dsse.sif');
  const publicKeys = [join(head, 'keys/ed25519-public.pem')];
  const ED = 'SHA256:x6l8ZblpSSXGaPMCzySedWg88BwIFcz8jlPb6el0mFs';
  const RSA = 'SHA256:BhCwr7qZulYcOMSl2Jt2DuYHxHNnN6th4NdMqR/PGa4';
  let r = await verifyImage({ env, path, publicKeys, fingerprints: [ED] });
  t.same([r.ok, r.required, r.signatures.map((s) => [s.id, s.signer, s.keyIds, s.fingerprint])], [true, [ED], [[4, ED, [ED], undefined], [5, ED, [ED], undefined]]]);
  r = await verifyImage({ env, path, publicKeys, fingerprints: [RSA] });
  t.same([r.ok, r.error?.code, r.missing], [false, 'SIF_NOT_SIGNED_BY_REQUIRED', [{ fingerprint: RSA, groups: [1, 2] }]], 'a key not given never counts');
  r = await verifyImage({ env, path, publicKeys: [...publicKeys, join(head, 'keys/rsa-public.pem')], fingerprints: [RSA, ED] });
  t.ok(r.ok, 'both keys verified the envelopes');
  r = await verifyImage({ env, path });
  t.same([r.ok, r.error?.code, r.signatures[0]?.verdict], [false, 'SIF_UNKNOWN_SIGNER', 'unknown-signer'], 'no public key: an unknown signer');
  r = await verifyImage({ env, path, ignoreUnknownSigners: true });
  t.same([r.ok, r.error?.code], [false, 'SIF_UNKNOWN_SIGNER'], 'skipped, but no group has a verified signature');
  await t.rejects(verifyImage({ env, path, fingerprints: ['SHA256:short'] }), { code: 'SIF_USAGE' });
});
