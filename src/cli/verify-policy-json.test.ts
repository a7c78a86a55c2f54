/**
 * `sif verify --json` with the policy flags, as a build system reads it:
 * Apptainer's keyList fields, then `Results` and `Policy`, for passing,
 * refused, unsigned, skipped, tampered, forged and ECL-decided images, with
 * the exit codes of the text mode.
 */
import t, { type Test } from 'tap';
import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../test-support/cli.js';
import { buildGatingImages, KEY1, KEY2, PUBKEY1, PUBKEY2, SYLABS, type GatingImages } from '../test-support/gating-images.js';
import { withReference } from '../test-support/reference.js';

const BOTH = ['--keyring', PUBKEY1, '--keyring', PUBKEY2];
const E2E1 = 'e2e (e2e tests) <e2e@hpcng.org>';

interface Doc {
  Signatures: number;
  SignerKeys: { Signer: { Partition: string; Name: string; Fingerprint: string; KeyLocal: boolean; KeyCheck: boolean; DataCheck: boolean } }[] | null;
  Results: {
    id: number;
    group: number;
    fingerprint: string | null;
    signer: { fingerprint: string; name: string | null } | null;
    verdict: string;
    skipped: boolean;
    objects: number[];
    error: string | null;
  }[];
  Policy: {
    ok: boolean;
    policy: string;
    require: string;
    fingerprints: string[];
    groups: number[];
    missing: { fingerprint: string; groups: number[] }[];
    skipped: { id: number; group: number; fingerprint: string | null; error: string | null }[];
    ecl: { activated: boolean; execgroup: { tagname: string; mode: string; dirpath: string; keyfp: string[] } | null } | null;
    error: { code: string; message: string; exitCode: number } | null;
  };
}

withReference(t, 'verify --json with policy flags', ['go', 'go-sif', 'shared'], async (t: Test) => {
  const dir = realpathSync(t.testdir({ images: {} }));
  const images: GatingImages = buildGatingImages(join(dir, 'images'));
  const env = { HOME: dir, SIF_GLOBAL_KEYRING: '' };
  const verify = async (args: string[]) => {
    const r = await runCli(['verify', '--json', ...args], env);
    return { code: r.code, stderr: r.stderr, text: r.stdout.toString(), doc: JSON.parse(r.stdout.toString() || 'null') as Doc };
  };
  const verified = (id: number, signer: string, name = E2E1) => ({
    id,
    group: 1,
    fingerprint: signer,
    signer: { fingerprint: signer, name },
    verdict: 'verified',
    skipped: false,
    objects: [1, 2],
    error: null,
  });

  t.test('a pass: Apptainer fields as plain --json, every result, the verdict', async (t: Test) => {
    const r = await verify([...BOTH, '--fingerprints', KEY1.toLowerCase(), images.single]);
    t.same([r.code, r.stderr], [0, ''], 'exit 0, no status line');
    const plain = await runCli(['verify', '--json', ...BOTH, images.single], env);
    const apptainer = JSON.parse(plain.stdout.toString()) as Doc;
    t.same([r.doc.Signatures, r.doc.SignerKeys], [apptainer.Signatures, apptainer.SignerKeys], 'Signatures and SignerKeys as without the policy');
    t.same(Object.keys(r.doc), ['Signatures', 'SignerKeys', 'Results', 'Policy'], 'Apptainer fields first');
    t.same(r.doc.Results, [verified(3, KEY1)]);
    t.same(r.doc.Policy, {
      ok: true,
      policy: 'fingerprints',
      require: 'all',
      fingerprints: [KEY1],
      groups: [1],
      missing: [],
      skipped: [],
      ecl: null,
      error: null,
    });
    t.match(r.text, /^\{\n {2}"Signatures": 1,\n/, 'indented as Go json.Encoder');
    t.match(r.text, /\\u003ce2e@hpcng\.org\\u003e/, 'HTML characters escaped as Go does');
  });

  t.test('a required signer is missing: exit 12, missing per group', async (t: Test) => {
    const r = await verify([...BOTH, '--fingerprints', `${KEY1},${KEY2}`, images.single]);
    t.equal(r.code, 12);
    t.equal(r.stderr, `sif: image not signed by required entities: ${KEY2} did not sign object group 1\n`, 'the error line is unchanged');
    t.same(r.doc.Policy.missing, [{ fingerprint: KEY2, groups: [1] }]);
    t.same(r.doc.Policy.error, { code: 'SIF_NOT_SIGNED_BY_REQUIRED', message: r.stderr.slice(5, -1), exitCode: 12 });
    t.equal(r.doc.Policy.ok, false);
    t.same(r.doc.Results, [verified(3, KEY1)], 'the signature itself verified');

    const two = await verify([...BOTH, '--fingerprints', KEY2, images.key2OnlyGroup1]);
    t.equal(two.code, 12);
    t.same(two.doc.Policy.groups, [1, 2]);
    t.same(two.doc.Policy.missing, [{ fingerprint: KEY2, groups: [2] }]);
    t.same(two.doc.Results.map((s) => [s.id, s.group, s.fingerprint, s.verdict]), [
      [4, 1, KEY1, 'verified'],
      [6, 1, KEY2, 'verified'],
      [5, 2, KEY1, 'verified'],
    ]);

    const any = await verify([...BOTH, '--fingerprints', `${KEY2},${KEY1}`, '--require', 'any', images.single]);
    t.same([any.code, any.doc.Policy.ok, any.doc.Policy.require, any.doc.Policy.missing], [0, true, 'any', []], 'require any passes; nothing reported missing');
  });

  t.test('unsigned: exit 11, no signatures, every required key missing', async (t: Test) => {
    const r = await verify([...BOTH, '--fingerprints', `${KEY1},${KEY2}`, images.unsigned]);
    t.equal(r.code, 11);
    t.same([r.doc.Signatures, r.doc.SignerKeys, r.doc.Results], [0, null, []]);
    t.same(r.doc.Policy.missing, [{ fingerprint: KEY1, groups: [1] }, { fingerprint: KEY2, groups: [1] }]);
    t.same(r.doc.Policy.error, { code: 'SIF_SIGNATURE_NOT_FOUND', message: 'signature not found for object group 1', exitCode: 11 });
  });

  t.test('an unknown co-signer: exit 13, or skipped with --ignore-unknown-signers', async (t: Test) => {
    const unknown = {
      id: 4,
      group: 1,
      fingerprint: SYLABS,
      signer: null,
      verdict: 'unknown-signer',
      objects: [],
      error: `signature object 4 not valid: signed by unknown key ID A20C27EE7FF7BA84 (descriptor fingerprint ${SYLABS})`,
    };
    const refused = await verify([...BOTH, '--fingerprints', KEY1, images.unknownCo]);
    t.equal(refused.code, 13);
    t.same(refused.doc.Results, [verified(3, KEY1), { ...unknown, skipped: false }]);
    t.same(refused.doc.Policy.skipped, []);
    t.equal(refused.doc.Policy.error?.exitCode, 13);
    t.same(refused.doc.Policy.missing, [], 'key1 did sign: only verification failed');

    const r = await verify([...BOTH, '--fingerprints', KEY1, '--ignore-unknown-signers', images.unknownCo]);
    t.equal(r.code, 0);
    t.equal(r.doc.Signatures, 2, 'the skipped signature was checked too');
    t.same(r.doc.Results, [verified(3, KEY1), { ...unknown, skipped: true }]);
    t.same(r.doc.Policy.skipped, [{ id: 4, group: 1, fingerprint: SYLABS, error: unknown.error }]);
    t.same([r.doc.Policy.ok, r.doc.Policy.error], [true, null]);

    const policyOnly = await verify([...BOTH, '--ignore-unknown-signers', images.unknownCo]);
    t.same([policyOnly.code, policyOnly.doc.Policy.policy, policyOnly.doc.Policy.fingerprints], [0, 'default', []]);
  });

  t.test('integrity failures: DataCheck false, the real signer next to the claimed one', async (t: Test) => {
    const tampered = await verify([...BOTH, '--fingerprints', KEY1, images.tampered]);
    t.equal(tampered.code, 10);
    t.same(tampered.doc.SignerKeys, [{ Signer: { Partition: 'FS', Name: E2E1, Fingerprint: KEY1.toLowerCase(), KeyLocal: true, KeyCheck: true, DataCheck: false } }]);
    t.same(tampered.doc.Results[0]!.verdict, 'integrity');
    t.same(tampered.doc.Policy.error, { code: 'SIF_INTEGRITY', message: 'data object integrity compromised: 1', exitCode: 10 });

    const forged = await verify([...BOTH, '--fingerprints', KEY2, images.forged]);
    t.equal(forged.code, 10);
    t.same(forged.doc.Results[0]!.fingerprint, KEY2, 'what the descriptor claims');
    t.same(forged.doc.Results[0]!.signer?.fingerprint, KEY1, 'who really signed');
    t.same(forged.doc.Policy.missing, [{ fingerprint: KEY2, groups: [1] }], 'a forged fingerprint never counts');
  });

  t.test('ECL verdicts', async (t: Test) => {
    const imagesDir = join(dir, 'images');
    const ecl = (name: string, body: string) => {
      const p = join(dir, `${name}.toml`);
      writeFileSync(p, body);
      return p;
    };
    const group = (mode: string, keys: string[], dirpath = imagesDir) =>
      `activated = true\n[[execgroup]]\ntagname = "g"\nmode = "${mode}"\ndirpath = "${dirpath}"\nkeyfp = [${keys.map((k) => `"${k}"`).join(', ')}]\n`;
    const execgroup = (mode: string, keys: string[], dirpath = imagesDir) => ({ tagname: 'g', mode, dirpath, keyfp: keys });

    let r = await verify([...BOTH, '--ecl', ecl('white', group('whitelist', [KEY2])), images.double]);
    t.equal(r.code, 0);
    t.same(r.doc.Policy, {
      ok: true,
      policy: 'ecl',
      require: 'any',
      fingerprints: [KEY2],
      groups: [1],
      missing: [],
      skipped: [],
      ecl: { activated: true, execgroup: execgroup('whitelist', [KEY2]) },
      error: null,
    });

    r = await verify(['--keyring', PUBKEY1, '--ecl', ecl('white2', group('whitelist', [KEY2])), images.double]);
    t.equal(r.code, 12, 'key2 is unknown: its signature is unvalidated');
    t.same(r.doc.Policy.skipped.map((s) => s.id), [4]);
    t.same(r.doc.Policy.missing, [{ fingerprint: KEY2, groups: [1] }]);
    t.equal(r.doc.Policy.error?.code, 'SIF_NOT_SIGNED_BY_REQUIRED');

    r = await verify([...BOTH, '--ecl', ecl('black', group('blacklist', [KEY1])), images.double]);
    t.same([r.code, r.doc.Policy.error?.code, r.doc.Policy.ecl?.execgroup?.mode], [12, 'SIF_SIGNED_BY_FORBIDDEN', 'blacklist']);

    r = await verify([...BOTH, '--ecl', ecl('off', 'activated = false\n'), images.unsigned]);
    t.same([r.code, r.doc.Signatures, r.doc.Policy.ok, r.doc.Policy.ecl], [0, 0, true, { activated: false, execgroup: null }]);

    r = await verify([...BOTH, '--ecl', ecl('elsewhere', group('whitelist', [KEY1], '/')), images.double]);
    t.same([r.code, r.doc.Signatures, r.doc.Policy.ecl], [12, 0, { activated: true, execgroup: null }]);
    t.same(r.doc.Policy.error, { code: 'SIF_NOT_IN_EXECGROUP', message: `while checking container image with ECL: ${images.double} not part of any execgroup`, exitCode: 12 });
  });

  t.test('errors after the flags are documents too; flag errors print nothing', async (t: Test) => {
    let r = await verify([...BOTH, '--fingerprints', KEY1, join(dir, 'missing.sif')]);
    t.equal(r.code, 3);
    t.equal(r.stderr, `sif: open ${join(dir, 'missing.sif')}: no such file or directory\n`);
    t.same(r.doc, {
      Signatures: 0,
      SignerKeys: null,
      Results: [],
      Policy: {
        ok: false,
        policy: 'fingerprints',
        require: 'all',
        fingerprints: [KEY1],
        groups: [],
        missing: [],
        skipped: [],
        ecl: null,
        error: { code: 'SIF_NOT_FOUND', message: r.stderr.slice(5, -1), exitCode: 3 },
      },
    });
    const bad = join(dir, 'bad.toml');
    writeFileSync(bad, 'activated = true\n[[execgroup]]\nmode = "greylist"\n');
    r = await verify([...BOTH, '--ecl', bad, images.single]);
    t.same([r.code, r.doc.Policy.policy, r.doc.Policy.error?.exitCode], [2, 'ecl', 2]);
    for (const args of [['--fingerprints', '1D476DD1'], ['--require', 'any'], ['--fingerprints', KEY1, '--group-id', '1']]) {
      r = await verify([...BOTH, ...args, images.single]);
      t.same([r.code, r.text], [2, ''], `${args.join(' ')}: exit 2, no document`);
      t.equal(r.stderr.split('\n').length, 2, 'one error line');
    }
  });
});
