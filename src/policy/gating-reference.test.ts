/**
 * Every build-gating verdict compared with the Go reference: default
 * verification, Apptainer's VerifyFingerprints (Verify + AllSignedBy) and the
 * ECL rules (Verify with SignatureNotValid tolerated + AllSignedBy/AnySignedBy),
 * over images signed by the reference signer.
 */
import t from 'tap';
import { withReference } from '../test-support/reference.js';
import { oracle } from '../test-support/oracle.js';
import { buildGatingImages, KEY1, KEY2, PUBKEY1, PUBKEY2, SYLABS, type GatingImages } from '../test-support/gating-images.js';
import type { EclMode } from './decide.js';
import { verifyImage, type VerifyImageResult } from './verify-image.js';

interface PolicyVerdict {
  allowed: boolean;
  error: string;
  allSignedBy: string[];
  anySignedBy: string[];
}

/** Our error code for each reference error text. */
function expectedCode(referenceError: string): string | undefined {
  const table: [RegExp, string][] = [
    [/^$/, ''],
    [/image not signed by required entities/, 'SIF_NOT_SIGNED_BY_REQUIRED'],
    [/image signed by a forbidden entity/, 'SIF_SIGNED_BY_FORBIDDEN'],
    [/signature not found|object not signed/, 'SIF_SIGNATURE_NOT_FOUND'],
    [/unknown entity/, 'SIF_UNKNOWN_SIGNER'],
    [/integrity compromised/, 'SIF_INTEGRITY'],
    [/fingerprint in descriptor does not correspond/, 'SIF_SIGNATURE_INVALID'],
  ];
  const code = table.find(([re]) => re.test(referenceError))?.[1];
  return code === '' ? undefined : code;
}

const ZERO = '0'.repeat(40);
const requiredSets: Record<string, string[]> = {
  one: [KEY1],
  both: [KEY1, KEY2],
  missing: [KEY1, ZERO],
  'lower-case': [KEY1.toLowerCase(), KEY2.toLowerCase()],
  unknown: [SYLABS],
};
const keyringSets: Record<string, string[]> = { 'key1+key2': [PUBKEY1, PUBKEY2], 'key2 only': [PUBKEY2] };

withReference(t, 'build-gating verdicts match the Go reference', ['go', 'go-sif', 'shared'], async (t) => {
  const images: GatingImages = buildGatingImages(t.testdir());
  const env = { HOME: t.testdirName, SIF_GLOBAL_KEYRING: '', APPTAINER_KEYSDIR: '' };
  const ours = (path: string, keyrings: string[], extra: object): Promise<VerifyImageResult> =>
    verifyImage({ path, keyrings, env, globalKeyring: undefined, ...extra });
  const ref = (keyrings: string[], ...args: string[]) =>
    oracle<PolicyVerdict>('signedby', ...keyrings.flatMap((k) => ['--keyring', k]), ...args);

  for (const [ringName, keyrings] of Object.entries(keyringSets)) {
    for (const [imageName, path] of Object.entries(images)) {
      const where = `${imageName}, keyring ${ringName}`;
      const plain = oracle<{ error: string }>('verify', ...keyrings.flatMap((k) => ['--keyring', k]), path);
      const got = await ours(path, keyrings, {});
      t.equal(got.error?.code, expectedCode(plain.error.replace(/^integrity: /, '')), `default verification: ${where} (${plain.error})`);

      for (const [setName, fps] of Object.entries(requiredSets)) {
        const want = ref(keyrings, '--fingerprints', fps.join(','), path);
        const all = await ours(path, keyrings, { fingerprints: fps });
        t.equal(all.ok, want.allowed, `--fingerprints ${setName}: ${where}`);
        t.equal(all.error?.code, expectedCode(want.error.replace(/^integrity: /, '')), `--fingerprints ${setName}: ${where}: ${want.error}`);
        // --require any is the reference's whitelist rule once every signature verified.
        const whitelist = ref(keyrings, '--mode', 'whitelist', ...fps.flatMap((k) => ['--keyfp', k]), path);
        const any = await ours(path, keyrings, { fingerprints: fps, require: 'any' });
        if (plain.error === '') t.equal(any.ok, whitelist.allowed, `--require any ${setName}: ${where}`);
        else t.notOk(any.ok, `--require any ${setName}: ${where}`);
      }

      for (const mode of ['whitelist', 'whitestrict', 'blacklist'] as EclMode[]) {
        for (const [setName, keyfp] of Object.entries({ ...requiredSets, none: [] })) {
          const want = ref(keyrings, '--mode', mode, ...keyfp.flatMap((k) => ['--keyfp', k]), path);
          const ecl = { activated: true, legacyinsecure: false, execgroup: [{ tagname: 't', mode, dirpath: '', keyfp }] };
          const got = await ours(path, keyrings, { ecl });
          t.equal(got.ok, want.allowed, `ECL ${mode} ${setName}: ${where}`);
          t.equal(got.error?.code, expectedCode(want.error.replace(/^image signature not valid: (integrity: )?/, '')), `ECL ${mode} ${setName}: ${where}: ${want.error}`);
        }
      }
    }
  }
});
