/**
 * A signature object `sif verify` cannot read with PGP keys — junk, or a DSSE
 * envelope — ends the verification as current Apptainer's library ends it
 * (sylabs/sif ≥ 2.9 Verify sniffs the format before its per-signature
 * callback): no `Error encountered…` line, not counted in `Signatures`, the
 * signatures before it printed as usual; the error names the object on stderr.
 * With the policy flags, `Results` still lists it, with its error.
 */
import t from 'tap';
import { join } from 'node:path';
import { DataType, HashType } from '../format/constants.js';
import { signatureExtra } from '../image/write/extra.js';
import { editImage } from '../image/write/editor.js';
import { copyImage, runCli } from '../test-support/cli.js';
import { FIXTURES, GO_IMAGES, GO_SIF, withReference } from '../test-support/reference.js';

const GO_KEY = join(GO_SIF, 'test/keys/private.asc');
const GO_FINGERPRINT = '12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84';

/** Adds a signature object holding `data` for group 1, naming the Go test key. */
const addSignature = (path: string, data: string) =>
  editImage(path, (e) =>
    e.addObject({ dataType: DataType.Signature, data: Buffer.from(data), linkedGroupId: 1, extra: signatureExtra(HashType.SHA256, Buffer.from(GO_FINGERPRINT, 'hex')) }),
  );

const DSSE = JSON.stringify({ payloadType: 'application/vnd.sylabs.sif-metadata+json', payload: '', signatures: [] });

withReference(t, 'a junk or DSSE signature after a good one: the good one is printed and counted, the unreadable one is not', ['go-sif'], async (t) => {
  const dir = t.testdir();
  const good = copyImage(dir, 'good.sif', join(GO_IMAGES, 'one-group-signed.sif'));
  const verify = (image: string, ...flags: string[]) => runCli(['verify', '--keyring', GO_KEY, '--keysdir', dir, '--quiet', ...flags, image]);
  const goodText = (await verify(good)).stdout.toString();
  const goodJson = JSON.parse((await verify(good, '--json')).stdout.toString()) as { Signatures: number; SignerKeys: unknown[] };
  t.equal(goodJson.Signatures, 1);

  for (const [name, data, message, code, verdict] of [
    ['junk', 'not a signature at all\n', 'signature object 4 not valid: signature format not recognized', 10, 'not-valid'],
    ['dsse', DSSE, 'key material not provided for DSSE envelope signature (signature object 4)', 13, 'unknown-signer'],
  ] as const) {
    const image = copyImage(dir, `${name}.sif`, join(GO_IMAGES, 'one-group-signed.sif'));
    await addSignature(image, data);
    const text = await verify(image);
    t.same([text.code, text.stderr], [code, `sif: ${message}\n`], name);
    t.equal(text.stdout.toString(), goodText, `${name}: the signature before it is printed, and no "Error encountered" line`);
    const json = await verify(image, '--json');
    t.equal(json.code, code);
    t.same(JSON.parse(json.stdout.toString()), goodJson, `${name}: counted as Apptainer counts: only the signature its callback saw`);
    const policy = await verify(image, '--json', '--fingerprints', GO_FINGERPRINT);
    const doc = JSON.parse(policy.stdout.toString()) as { Signatures: number; Results: { id: number; verdict: string; error: string | null }[] };
    t.equal(doc.Signatures, 1, `${name}: the policy document keeps Apptainer's count`);
    t.same(
      doc.Results.map((r) => [r.id, r.verdict, r.error]),
      [
        [3, 'verified', null],
        [4, verdict, message],
      ],
      `${name}: and lists the unreadable signature in Results`,
    );
  }

  const only = copyImage(dir, 'only-junk.sif', join(GO_IMAGES, 'one-group.sif'));
  await addSignature(only, 'junk');
  const r = await verify(only);
  t.same([r.code, r.stdout.toString(), r.stderr], [10, '', 'sif: signature object 3 not valid: signature format not recognized\n']);
  t.same(JSON.parse((await verify(only, '--json')).stdout.toString()), { Signatures: 0, SignerKeys: null });
});

withReference(t, "Apptainer's DSSE-signed fixture verified with PGP keys: nothing on stdout, Signatures 0, SignerKeys null", ['shared'], async (t) => {
  const dir = t.testdir();
  const image = join(FIXTURES, 'apptainer/images/one-group-signed-dsse.sif');
  const key = join(FIXTURES, 'apptainer/keys/pgp-public.asc');
  const text = await runCli(['verify', '--keyring', key, '--keysdir', dir, '--quiet', image]);
  t.same([text.code, text.stdout.toString()], [13, '']);
  const json = await runCli(['verify', '--keyring', key, '--keysdir', dir, '--quiet', '--json', image]);
  t.same(JSON.parse(json.stdout.toString()), { Signatures: 0, SignerKeys: null });
});
