import t from 'tap';
import { basename, join } from 'node:path';
import { FIXTURES, GO_IMAGES, GO_SIF, withReference } from '../test-support/reference.js';
import { runCli } from '../test-support/cli.js';
import { oracleBatch, oracleVerifyArgs, verdictKind } from '../test-support/verdict.js';

const GO_KEY = join(GO_SIF, 'test/keys/private.asc');
const HEAD = join(FIXTURES, 'sylabs-sif-head');
const APPTAINER = join(FIXTURES, 'apptainer');
const APPTAINER_KEY = join(APPTAINER, 'keys/pgp-public.asc');

/** [image, key, flags] that must verify: every PGP-signed and legacy reference image in its mode. */
function mustVerify(): [string, string, string[]][] {
  const cases: [string, string, string[]][] = [];
  const sylabs = (dir: string, key: string, signed: string) => {
    for (const g of ['one-group', 'two-groups']) {
      cases.push([join(dir, `${g}-${signed}.sif`), key, []]);
      cases.push([join(dir, `${g}-${signed}.sif`), key, ['--group-id', '1']]);
      cases.push([join(dir, `${g}-${signed}.sif`), key, ['--sif-id', '2']]);
      cases.push([join(dir, `${g}-signed-legacy.sif`), key, ['--legacy-insecure']]);
      cases.push([join(dir, `${g}-signed-legacy.sif`), key, ['--legacy-insecure', '--sif-id', '2']]);
      cases.push([join(dir, `${g}-signed-legacy-group.sif`), key, ['--legacy-insecure', '--group-id', '1']]);
      cases.push([join(dir, `${g}-signed-legacy-all.sif`), key, ['--legacy-insecure', '--sif-id', '1']]);
    }
    cases.push([join(dir, `two-groups-${signed}.sif`), key, ['--group-id', '2']]);
    cases.push([join(dir, `two-groups-${signed}.sif`), key, ['--sif-id', '3']]);
    cases.push([join(dir, 'one-group-signed-legacy-all.sif'), key, ['--legacy-insecure', '--all']]);
  };
  sylabs(GO_IMAGES, GO_KEY, 'signed');
  sylabs(join(HEAD, 'images'), join(HEAD, 'keys/private.asc'), 'signed-pgp');
  const a = (f: string) => join(APPTAINER, 'images', f);
  cases.push([a('one-group-signed-pgp.sif'), APPTAINER_KEY, []]);
  cases.push([a('one-group-signed-legacy.sif'), APPTAINER_KEY, ['--legacy-insecure', '--sif-id', '2']]);
  cases.push([a('one-group-signed-legacy.sif'), APPTAINER_KEY, ['--legacy-insecure']]);
  cases.push([a('one-group-signed-legacy-group.sif'), APPTAINER_KEY, ['--legacy-insecure', '--group-id', '1']]);
  cases.push([a('one-group-signed-legacy-all.sif'), APPTAINER_KEY, ['--legacy-insecure', '--all']]);
  return cases;
}

withReference(t, 'every PGP-signed and legacy reference image verifies with its key', ['go-sif', 'shared'], async (t) => {
  for (const [image, key, flags] of mustVerify()) {
    const r = await runCli(['verify', '--keyring', key, '--keysdir', t.testdir(), ...flags, image], {});
    t.equal(r.code, 0, `${basename(image)} ${flags.join(' ')}: ${r.stderr}`);
    t.match(r.stdout.toString(), /Objects verified:\n/);
    t.equal(r.stderr, `Verified signature(s) from image '${image}'\n`);
  }
});

withReference(t, 'text output is Apptainer\'s', ['shared'], async (t) => {
  const image = join(APPTAINER, 'images/one-group-signed-pgp.sif');
  const r = await runCli(['verify', '--keyring', APPTAINER_KEY, image], { SIF_KEYSDIR: t.testdir() });
  t.equal(
    r.stdout.toString(),
    '[LOCAL]            Signing entity: SingularityCE Tests <singularityce@example.com>\n' +
      '[LOCAL]            Fingerprint: F34371D0ACD5D09EB9BD853A80600A5FA11BBD29\n' +
      'Objects verified:\n' +
      'ID  |GROUP   |LINK    |TYPE\n' +
      '------------------------------------------------\n' +
      '1   |1       |NONE    |FS\n' +
      '2   |1       |NONE    |FS\n',
  );
  const global = await runCli(['verify', '--global-keyring', APPTAINER_KEY, image], { SIF_KEYSDIR: t.testdir() });
  t.match(global.stdout.toString(), /^\[GLOBAL\]           Signing entity: SingularityCE Tests/);
  const json = await runCli(['verify', '--json', '--global-keyring', APPTAINER_KEY, image], { SIF_KEYSDIR: t.testdir() });
  t.equal(json.code, 0);
  t.equal(json.stderr, '', 'no status line with --json');
  const entry = {
    Signer: {
      Partition: 'FS',
      Name: 'SingularityCE Tests \\u003csingularityce@example.com\\u003e',
      Fingerprint: 'f34371d0acd5d09eb9bd853a80600a5fa11bbd29',
      KeyLocal: false,
      KeyCheck: true,
      DataCheck: true,
    },
  };
  const want = JSON.stringify({ Signatures: 1, SignerKeys: [entry, entry] }, null, 2).replaceAll('\\\\u', '\\u');
  t.equal(json.stdout.toString(), `${want}\n`, 'Go json.Encoder layout, HTML escaped, lower-case fingerprint');
});

withReference(t, 'an image signed by an unknown key fails cleanly, naming the key', ['shared', 'go-sif'], async (t) => {
  const image = join(APPTAINER, 'real/busybox_amd64.sif');
  const r = await runCli(['verify', '--keyring', GO_KEY, image], { SIF_KEYSDIR: t.testdir() });
  t.equal(r.code, 13);
  t.equal(
    r.stderr,
    'sif: signature object 5 not valid: signed by unknown key ID 15F3F4F4F14B03B2 (descriptor fingerprint 1137E72E6816BFC06D9CAA0D15F3F4F4F14B03B2)\n',
  );
  t.equal(r.stdout.toString(), `\nError encountered during signature verification: ${r.stderr.slice(5)}`);
  const json = await runCli(['verify', '--json', image], { SIF_KEYSDIR: t.testdir() });
  t.equal(json.code, 13);
  t.same(JSON.parse(json.stdout.toString()), { Signatures: 1, SignerKeys: null }, 'JSON is printed even on failure');
});

withReference(t, 'a DSSE signature without a public key: key material not provided, no trusted signer', ['shared'], async (t) => {
  for (const dir of ['sylabs-sif-head', 'apptainer']) {
    const image = join(FIXTURES, dir, 'images/one-group-signed-dsse.sif');
    const r = await runCli(['verify', '--keyring', APPTAINER_KEY, image], { SIF_KEYSDIR: t.testdir() });
    t.equal(r.code, 13, image);
    t.equal(r.stdout.toString(), '', 'Apptainer stops before its callback');
    t.equal(r.stderr, 'sif: key material not provided for DSSE envelope signature (signature object 3)\n');
  }
});

/** Modes to compare on every corpus image, with the oracle's reading of each. */
const MODES: string[][] = [
  [],
  ['--group-id', '1'],
  ['--group-id', '2'],
  ['--sif-id', '1'],
  ['--sif-id', '2'],
  ['--sif-id', '3'],
  ['--sif-id', '9'],
  ['--legacy-insecure', '--group-id', '1'],
  ['--legacy-insecure', '--sif-id', '2'],
  ['--legacy-insecure', '--all'],
];

withReference(t, 'verdicts equal the Go reference on every corpus image and mode', ['go', 'go-sif', 'shared'], async (t) => {
  const { corpusImages } = await import('../test-support/reference.js');
  const keyFor = (image: string) => (image.includes('/apptainer/') ? APPTAINER_KEY : GO_KEY);
  const jobs: { image: string; flags: string[] }[] = [];
  for (const image of corpusImages()) for (const flags of MODES) jobs.push({ image, flags });
  const dir = t.testdir();
  const want = oracleBatch(dir, jobs.map((j) => oracleVerifyArgs(j.image, keyFor(j.image), j.flags)));
  for (const [i, { image, flags }] of jobs.entries()) {
    const got = await runCli(['verify', '--keyring', keyFor(image), '--keysdir', dir, ...flags, image]);
    const ref = want[i]!;
    t.equal(verdictKind(got.code === 0 ? '' : got.stderr), verdictKind(ref.error), `${basename(image)} ${flags.join(' ')}: ${ref.error}`);
  }
});

withReference(t, 'a changed object is reported as Apptainer reports it, in text and JSON', ['go-sif'], async (t) => {
  const { copyImage } = await import('../test-support/cli.js');
  const { openSync, writeSync, closeSync } = await import('node:fs');
  const dir = t.testdir();
  const image = copyImage(dir, 'img.sif', join(GO_IMAGES, 'one-group-signed.sif'));
  const fd = openSync(image, 'r+');
  writeSync(fd, Buffer.from('X'), 0, 1, 36864); // first byte of object 2
  closeSync(fd);
  const text = await runCli(['verify', '--keyring', GO_KEY, '--keysdir', dir, image]);
  t.equal(text.code, 10);
  t.equal(text.stderr, 'sif: data object integrity compromised: 2\n');
  t.match(text.stdout.toString(), /\n1   \|1       \|NONE    \|FS\n\nError encountered during signature verification: data object integrity compromised: 2\n$/);
  const json = await runCli(['verify', '--json', '--keyring', GO_KEY, '--keysdir', dir, image]);
  const doc = JSON.parse(json.stdout.toString()) as { Signatures: number; SignerKeys: { Signer: { DataCheck: boolean } }[] };
  t.equal(doc.Signatures, 1);
  t.same(doc.SignerKeys.map((k) => k.Signer.DataCheck), [true, false], 'the verified object, then the failed one');
});

withReference(t, 'an unsigned group after a signed one: the signed one is shown, then the failure', ['go-sif'], async (t) => {
  const { copyImage } = await import('../test-support/cli.js');
  const dir = t.testdir();
  const image = copyImage(dir);
  t.equal((await runCli(['sign', '--keyring', GO_KEY, '--group-id', '1', image])).code, 0);
  const r = await runCli(['verify', '--keyring', GO_KEY, '--keysdir', dir, image]);
  t.equal(r.code, 11);
  t.equal(r.stderr, 'sif: signature not found for object group 2\n');
  t.match(r.stdout.toString(), /^\[LOCAL\][\s\S]*\n2   \|1       \|NONE    \|FS\n$/, 'group 1 verified, nothing printed for group 2');
  const json = await runCli(['verify', '--json', '--keyring', GO_KEY, '--keysdir', dir, image]);
  t.equal((JSON.parse(json.stdout.toString()) as { Signatures: number }).Signatures, 1);
});
