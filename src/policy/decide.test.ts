import t from 'tap';
import { IntegrityError, SignatureError } from '../errors.js';
import { allSignedBy, anySignedBy, decideEcl, decideFingerprints, type SignatureReport, type SignatureOutcome, type VerificationReport } from './decide.js';
import type { EclMode } from './decide.js';

const K1 = '0C5B8C9A5FFC44E2A0AC79851CD6FA281D476DD1';
const K2 = '78F8AD36B0DCB84B707F23853D608DAE21C8CA10';
const ZERO = '0000000000000000000000000000000000000000';

const errors: Record<Exclude<SignatureOutcome, 'verified'>, (id: number) => SignatureError | IntegrityError> = {
  'unknown-signer': (id) => new SignatureError('SIF_UNKNOWN_SIGNER', `integrity: signature object ${id} not valid: openpgp: signature made by unknown entity`, { id, reason: 'unknown-signer' }),
  'not-valid': (id) => new SignatureError('SIF_SIGNATURE_INVALID', `integrity: signature object ${id} not valid: openpgp: invalid signature`, { id, reason: 'bad-signature' }),
  integrity: () => new IntegrityError('object', 'integrity: data object integrity compromised: 2', 2),
};
const sig = (id: number, group: number, fingerprint: string | undefined, verdict: SignatureOutcome = 'verified'): SignatureReport =>
  verdict === 'verified' ? { id, group, fingerprint, verdict } : { id, group, fingerprint, verdict, error: errors[verdict](id) };
const image = (groups: number[], ...signatures: SignatureReport[]): VerificationReport => ({ groups, signatures });

/** The images of Apptainer's e2e tests, as verification would report them with both keys in the keyring. */
const single = image([1], sig(3, 1, K1));
const double = image([1], sig(3, 1, K1), sig(4, 1, K2));
const unsigned = image([1]);
const doubleK2Unknown = image([1], sig(3, 1, K1), sig(4, 1, K2, 'unknown-signer'));
const doubleBothUnknown = image([1], sig(3, 1, K1, 'unknown-signer'), sig(4, 1, K2, 'unknown-signer'));
const tampered = image([1], sig(3, 1, K1, 'integrity'));
/** Signed by K1, descriptor claims K2: with K1 known Go fails the fingerprint binding; with K1 unknown, the signer is unknown. */
const forgedKnown = image([1], { ...sig(3, 1, K2, 'integrity'), error: new SignatureError('SIF_SIGNATURE_INVALID', 'integrity: fingerprint in descriptor does not correspond to signing entity', { reason: 'fingerprint-mismatch' }) });
const forgedUnknown = image([1], sig(3, 1, K2, 'unknown-signer'));
const forgedBeside = image([1], sig(3, 1, K1), sig(4, 1, K2, 'unknown-signer'));
const objectOnly = image([1], { ...sig(3, 1, K1, 'integrity'), error: new IntegrityError('metadata', 'integrity: object 2: object not signed') });
const twoGroupsK1 = image([1, 2], sig(4, 1, K1), sig(5, 2, K1));
const twoGroupsK2OnlyG1 = image([1, 2], sig(4, 1, K1), sig(5, 2, K1), sig(6, 1, K2));
const twoGroupsOnlyG1 = image([1, 2], sig(4, 1, K1));

t.test("--fingerprints gives Apptainer's buildWithFingerprint verdicts", async (t) => {
  type Case = [name: string, report: VerificationReport, fps: string[], code: string | undefined];
  const cases: Case[] = [
    ['single signed, key1', single, [K1], undefined],
    ['single signed, key1+key2', single, [K1, K2], 'SIF_NOT_SIGNED_BY_REQUIRED'],
    ['single signed, wrong', single, [ZERO], 'SIF_NOT_SIGNED_BY_REQUIRED'],
    ['single signed, wrong+key2', single, [ZERO, K2], 'SIF_NOT_SIGNED_BY_REQUIRED'],
    ['double signed, key1', double, [K1], undefined],
    ['double signed, key1+key2', double, [K1, K2], undefined],
    ['double signed, wrong', double, [ZERO], 'SIF_NOT_SIGNED_BY_REQUIRED'],
    ['double signed, wrong+key2', double, [ZERO, K2], 'SIF_NOT_SIGNED_BY_REQUIRED'],
    ['unsigned, key1', unsigned, [K1], 'SIF_SIGNATURE_NOT_FOUND'],
    ['unsigned, key1+key2', unsigned, [K1, K2], 'SIF_SIGNATURE_NOT_FOUND'],
    ['lower-case fingerprints', double, [K1.toLowerCase(), K2.toLowerCase()], undefined],
    ['tampered', tampered, [K1], 'SIF_INTEGRITY'],
    ['forged Extra, signer known', forgedKnown, [K2], 'SIF_SIGNATURE_INVALID'],
    ['forged Extra, signer unknown', forgedUnknown, [K2], 'SIF_UNKNOWN_SIGNER'],
    ['object-only signature', objectOnly, [K1], 'SIF_INTEGRITY'],
    ['co-signer unknown: every signature must verify', doubleK2Unknown, [K1], 'SIF_UNKNOWN_SIGNER'],
    ['two groups, key1 signed both', twoGroupsK1, [K1], undefined],
    ['two groups, only group 1 signed', twoGroupsOnlyG1, [K1], 'SIF_SIGNATURE_NOT_FOUND'],
    ['two groups, key2 signed only group 1', twoGroupsK2OnlyG1, [K2], 'SIF_NOT_SIGNED_BY_REQUIRED'],
    ['no fingerprints: default verification', double, [], undefined],
  ];
  for (const [name, report, fingerprints, code] of cases) {
    const d = decideFingerprints(report, { fingerprints });
    t.equal(d.ok, code === undefined, `${name}: verdict`);
    t.equal(d.error?.code, code, `${name}: code`);
  }
});

t.test('failure messages say which fingerprints are missing, and for which groups', async (t) => {
  let d = decideFingerprints(single, { fingerprints: [K1, K2, ZERO] });
  t.equal(d.error?.message, `image not signed by required entities: ${K2} did not sign object group 1; ${ZERO} did not sign object group 1`);
  t.same(d.missing, [{ fingerprint: K2, groups: [1] }, { fingerprint: ZERO, groups: [1] }]);
  d = decideFingerprints(twoGroupsK2OnlyG1, { fingerprints: [K2.toLowerCase()] });
  t.equal(d.error?.message, `image not signed by required entities: ${K2} did not sign object group 2`);
  d = decideFingerprints(twoGroupsK1, { fingerprints: [K2] });
  t.equal(d.error?.message, `image not signed by required entities: ${K2} did not sign object groups 1, 2`);
  d = decideFingerprints(unsigned, { fingerprints: [K1] });
  t.equal(d.error?.message, 'signature not found for object group 1');
  d = decideFingerprints(twoGroupsOnlyG1, { fingerprints: [] });
  t.equal(d.error?.message, 'signature not found for object group 2');
  d = decideFingerprints(image([1], sig(3, 1, K1, 'not-valid'), sig(4, 1, K2, 'integrity')), { fingerprints: [] });
  t.equal(d.error?.message, 'integrity: signature object 3 not valid: openpgp: invalid signature', 'the first failure in verification order');
  d = decideFingerprints(image([1], { id: 3, group: 1, fingerprint: K1, verdict: 'not-valid' }), { fingerprints: [] });
  t.equal(d.error?.message, 'integrity: signature object 3 not valid', 'a failure without an error still fails');
});

t.test('--require any: one listed key that signed every group is enough', async (t) => {
  type Case = [report: VerificationReport, fps: string[], ok: boolean];
  const cases: Case[] = [
    [single, [ZERO, K1], true],
    [single, [ZERO, K2], false],
    [twoGroupsK2OnlyG1, [K2, ZERO], false],
    [twoGroupsK2OnlyG1, [K2, K1], true],
    [unsigned, [K1], false],
  ];
  for (const [report, fingerprints, ok] of cases) t.equal(decideFingerprints(report, { fingerprints, require: 'any' }).ok, ok, fingerprints.join(','));
  const d = decideFingerprints(single, { fingerprints: [ZERO, K2], require: 'any' });
  t.equal(d.error?.message, `image not signed by required entities: none of the required signers signed every object group (${ZERO} did not sign object group 1; ${K2} did not sign object group 1)`);
});

t.test('--ignore-unknown-signers tolerates keys we do not have, never anything else', async (t) => {
  const ignore = { ignoreUnknownSigners: true };
  let d = decideFingerprints(doubleK2Unknown, { fingerprints: [K1], ...ignore });
  t.ok(d.ok);
  t.same(d.skipped.map((s) => s.id), [4], 'the output can say which signature was skipped');
  d = decideFingerprints(doubleK2Unknown, { fingerprints: [], ...ignore });
  t.ok(d.ok, 'no fingerprints: a trusted signer verified it');
  d = decideFingerprints(doubleK2Unknown, { fingerprints: [K1, K2], ...ignore });
  t.equal(d.error?.code, 'SIF_NOT_SIGNED_BY_REQUIRED', 'a skipped signature never counts for its claimed fingerprint');
  t.same(d.skipped.map((s) => s.id), [4]);
  d = decideFingerprints(forgedBeside, { fingerprints: [K2], ...ignore });
  t.equal(d.error?.code, 'SIF_NOT_SIGNED_BY_REQUIRED', 'a forged, unverifiable Extra fingerprint does not count');
  d = decideFingerprints(doubleBothUnknown, { fingerprints: [], ...ignore });
  t.equal(d.error?.code, 'SIF_UNKNOWN_SIGNER', 'no trusted signer at all');
  d = decideFingerprints(image([1], sig(3, 1, K1), sig(4, 1, K2, 'not-valid')), { fingerprints: [K1], ...ignore });
  t.equal(d.error?.code, 'SIF_SIGNATURE_INVALID', 'a bad signature is not an unknown signer');
  d = decideFingerprints(image([1], sig(3, 1, K1), sig(4, 1, K2, 'unknown-signer'), sig(5, 1, K1, 'integrity')), { fingerprints: [K1], ...ignore });
  t.equal(d.error?.code, 'SIF_INTEGRITY');
  d = decideFingerprints(image([1, 2], sig(4, 1, K1), sig(5, 2, K2, 'unknown-signer')), { fingerprints: [], ...ignore });
  t.equal(d.error?.code, 'SIF_UNKNOWN_SIGNER', 'every group needs a trusted signer');
  d = decideFingerprints(unsigned, { fingerprints: [], ...ignore });
  t.equal(d.error?.code, 'SIF_SIGNATURE_NOT_FOUND');
});

t.test("ECL verdicts follow Apptainer's e2e ecl matrix", async (t) => {
  const group = (mode: EclMode, keyfp: string[]) => ({ tagname: 'group1', mode, dirpath: '/x', keyfp });
  type Case = [name: string, report: VerificationReport, mode: EclMode, keys: string[], code: string | undefined];
  const cases: Case[] = [
    ['whitelist key1, signed', double, 'whitelist', [K1], undefined],
    ['whitelist key2, signed', double, 'whitelist', [K2], undefined],
    ['whitelist key1, unsigned', unsigned, 'whitelist', [K1], 'SIF_SIGNATURE_NOT_FOUND'],
    ['whitelist no key, unsigned', unsigned, 'whitelist', [], 'SIF_SIGNATURE_NOT_FOUND'],
    ['whitelist no key, signed', double, 'whitelist', [], 'SIF_NOT_SIGNED_BY_REQUIRED'],
    ['whitestrict, signed', double, 'whitestrict', [K1, K2], undefined],
    ['whitestrict, single signed', single, 'whitestrict', [K1, K2], 'SIF_NOT_SIGNED_BY_REQUIRED'],
    ['whitestrict, unsigned', unsigned, 'whitestrict', [K1, K2], 'SIF_SIGNATURE_NOT_FOUND'],
    ['whitestrict no key, signed', double, 'whitestrict', [], undefined],
    ['blacklist key1, signed', double, 'blacklist', [K1], 'SIF_SIGNED_BY_FORBIDDEN'],
    ['blacklist key2, single signed', single, 'blacklist', [K2], undefined],
    ['blacklist, unsigned', unsigned, 'blacklist', [K2], 'SIF_SIGNATURE_NOT_FOUND'],
    // key2 removed from the keyring: its signature is unvalidated, tolerated.
    ['key2 gone: whitelist key2', doubleK2Unknown, 'whitelist', [K2], 'SIF_NOT_SIGNED_BY_REQUIRED'],
    ['key2 gone: whitelist key1+key2', doubleK2Unknown, 'whitelist', [K1, K2], undefined],
    ['key2 gone: whitestrict key1+key2', doubleK2Unknown, 'whitestrict', [K1, K2], 'SIF_NOT_SIGNED_BY_REQUIRED'],
    ['both gone: blacklist key1+key2', doubleBothUnknown, 'blacklist', [K1, K2], 'SIF_SIGNED_BY_FORBIDDEN'],
    ['both gone: whitelist key1', doubleBothUnknown, 'whitelist', [K1], 'SIF_NOT_SIGNED_BY_REQUIRED'],
    ['lower-case keyfp', double, 'whitestrict', [K1.toLowerCase(), K2.toLowerCase()], undefined],
    ['tampered', tampered, 'blacklist', [K2], 'SIF_INTEGRITY'],
    ['forged Extra, signer known', forgedKnown, 'whitelist', [K2], 'SIF_SIGNATURE_INVALID'],
    ['forged Extra, signer unknown', forgedUnknown, 'whitelist', [K2], 'SIF_NOT_SIGNED_BY_REQUIRED'],
    ['forged Extra, blacklisted claim', forgedUnknown, 'blacklist', [K2], 'SIF_SIGNED_BY_FORBIDDEN'],
    ['object-only signature', objectOnly, 'whitelist', [K1], 'SIF_INTEGRITY'],
    ['bad signature bytes are unvalidated', image([1], sig(3, 1, K1), sig(4, 1, K2, 'not-valid')), 'whitelist', [K1], undefined],
    ['two groups, key2 only on group 1', twoGroupsK2OnlyG1, 'whitelist', [K2], 'SIF_NOT_SIGNED_BY_REQUIRED'],
    ['two groups, blacklist key2 on group 1', twoGroupsK2OnlyG1, 'blacklist', [K2], 'SIF_SIGNED_BY_FORBIDDEN'],
  ];
  for (const [name, report, mode, keys, code] of cases) {
    const d = decideEcl(report, group(mode, keys));
    t.equal(d.error?.code, code, name);
    t.equal(d.ok, code === undefined, `${name}: verdict`);
  }
});

t.test('ECL messages', async (t) => {
  const group = (mode: EclMode, keyfp: string[]) => ({ tagname: 'group1', mode, dirpath: '', keyfp });
  const p = 'while checking container image with ECL: ';
  const notFound = decideEcl(unsigned, group('whitelist', [K1])).error;
  t.equal(notFound?.message, `${p}image signature not valid: signature not found for object group 1`);
  t.ok(notFound instanceof SignatureError && notFound.reason === 'not-found', 'a refusal keeps its reason');
  t.match(notFound?.stack, /^SignatureError: while checking container image with ECL: /);
  t.equal((notFound?.cause as Error).message, 'signature not found for object group 1', 'the original is the cause, unchanged');
  const changed = decideEcl(tampered, group('blacklist', [K2])).error;
  t.ok(changed instanceof IntegrityError && changed.kind === 'object' && changed.id === 2, 'and its kind and object');
  t.equal(changed?.code, 'SIF_INTEGRITY');
  t.equal(decideEcl(double, group('blacklist', [K2, K1])).error?.message, `${p}image signed by a forbidden entity: ${K1}, ${K2} (execgroup "group1")`);
  t.equal(
    decideEcl(doubleK2Unknown, group('whitestrict', [K1, K2])).error?.message,
    `${p}image not signed by required entities: ${K2} signature object 4 not validated (integrity: signature object 4 not valid: openpgp: signature made by unknown entity)`,
  );
  t.equal(decideEcl(single, group('whitelist', [])).error?.message, `${p}image not signed by required entities: execgroup lists no keys`);
  t.equal(decideEcl(single, group('whitelist', [K2])).error?.message, `${p}image not signed by required entities: ${K2} did not sign object group 1`);
  const noError = image([1], sig(3, 1, K1), { id: 4, group: 1, fingerprint: K2, verdict: 'unknown-signer' });
  t.equal(decideEcl(noError, group('whitestrict', [K2])).error?.message, `${p}image not signed by required entities: ${K2} signature object 4 not validated`);
  t.same(decideEcl(doubleK2Unknown, group('whitelist', [K1])).skipped.map((s) => s.id), [4], 'unvalidated signatures are listed');
});

t.test('AllSignedBy and AnySignedBy over descriptors, as the reference', async (t) => {
  const dsse = image([1], sig(3, 1, undefined), sig(4, 1, K2));
  t.same(allSignedBy(dsse), [K2], 'a zero fingerprint (DSSE) is no signer');
  t.same(allSignedBy(twoGroupsK2OnlyG1), [K1]);
  t.same(anySignedBy(twoGroupsK2OnlyG1), [K1, K2]);
  t.same(allSignedBy(doubleK2Unknown), [K1, K2], 'no crypto: unverified signatures count');
  t.same(allSignedBy(doubleK2Unknown, (s) => s.verdict === 'verified'), [K1]);
  t.same(anySignedBy(unsigned), []);
});
