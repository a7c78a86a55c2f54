/**
 * `sif verify --key`: upstream's DSSE images with its keys, Apptainer's
 * output and messages, mixed PGP + DSSE images and images signed by two DSSE
 * keys (which Apptainer cannot pass), and hostile envelopes.
 */
import t from 'tap';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DataType } from '../format/constants.js';
import { SifImage } from '../image/image.js';
import { editImage } from '../image/write/editor.js';
import { signatureExtra } from '../image/write/extra.js';
import { copyImage, runCli } from '../test-support/cli.js';
import { FIXTURES, withReference } from '../test-support/reference.js';

const HEAD = join(FIXTURES, 'sylabs-sif-head');
const KEY = (name: string) => join(HEAD, 'keys', name);
const IMAGE = (name: string) => join(HEAD, 'images', name);
const APPTAINER_DSSE = join(FIXTURES, 'apptainer/images/one-group-signed-dsse.sif');
const TABLE = 'Objects verified:\nID  |GROUP   |LINK    |TYPE\n------------------------------------------------\n';
const THRESHOLD = 'dsse: verify envelope failed: accepted signatures do not match threshold, Found: 0, Expected 1';

withReference(t, "upstream's DSSE images verify with either of their keys, in Apptainer's words", ['shared'], async (t) => {
  for (const key of ['ed25519-public.pem', 'rsa-public.pem']) {
    for (const image of [IMAGE('one-group-signed-dsse.sif'), APPTAINER_DSSE]) {
      const r = await runCli(['verify', '--key', KEY(key), image]);
      t.equal(r.code, 0, `${key} ${image}`);
      t.equal(r.stdout.toString(), `${TABLE}1   |1       |NONE    |FS\n2   |1       |NONE    |FS\n`, 'no signer lines for DSSE');
      t.equal(r.stderr, `Verified signature(s) from image '${image}'\n`);
    }
    const two = await runCli(['verify', '--key', KEY(key), IMAGE('two-groups-signed-dsse.sif')]);
    t.equal(two.code, 0);
    t.equal(two.stdout.toString(), `${TABLE}1   |1       |NONE    |FS\n2   |1       |NONE    |FS\n${TABLE}3   |2       |NONE    |FS\n`);
  }
  const json = await runCli(['verify', '--json', '--key', KEY('rsa-public.pem'), IMAGE('one-group-signed-dsse.sif')]);
  const entry = { Partition: 'FS', Name: 'unknown', Fingerprint: '', KeyLocal: false, KeyCheck: false, DataCheck: true };
  t.same(JSON.parse(json.stdout.toString()), { Signatures: 1, SignerKeys: [{ Signer: entry }, { Signer: entry }] });
});

withReference(t, "failures: upstream's messages, our exit codes", ['shared'], async (t) => {
  const dir = t.testdir();
  const tampered = copyImage(dir, 'tampered.sif', IMAGE('one-group-signed-dsse.sif'));
  const image = await SifImage.open(tampered);
  const first = image.descriptors[0]!.offset;
  await image.close();
  const fd = openSync(tampered, 'r+');
  writeSync(fd, Buffer.from([0xff]), 0, 1, first);
  closeSync(fd);
  const cases: [name: string, args: string[], env: NodeJS.ProcessEnv, code: number, stderr: string, stdout: string][] = [
    ['a key that did not sign', ['--key', KEY('ecdsa-public.pem'), IMAGE('one-group-signed-dsse.sif')], {}, 13,
      `signature object 3 not valid: ${THRESHOLD} (signed by SHA256:x6l8ZblpSSXGaPMCzySedWg88BwIFcz8jlPb6el0mFs, SHA256:BhCwr7qZulYcOMSl2Jt2DuYHxHNnN6th4NdMqR/PGa4; no such key given)`, 'error'],
    ['data changed', ['--key', KEY('rsa-public.pem'), tampered], {}, 10, 'data object integrity compromised: 1', 'error'],
    ['unsigned', ['--key', KEY('rsa-public.pem'), IMAGE('one-group.sif')], {}, 11, 'signature not found for object group 1', ''],
    ['no public key', ['--keyring', KEY('private.asc'), IMAGE('one-group-signed-dsse.sif')], {}, 13, 'key material not provided for DSSE envelope signature (signature object 3)', ''],
    ['a private key to verify', ['--key', KEY('rsa-private.pem'), IMAGE('one-group-signed-dsse.sif')], {}, 6,
      `${KEY('rsa-private.pem')}: unknown Public key PEM file type: PRIVATE KEY. Are you passing the correct public key?`, ''],
    ['a missing key file', ['--key', join(dir, 'none.pem'), IMAGE('one-group-signed-dsse.sif')], {}, 3, `open ${join(dir, 'none.pem')}: no such file or directory`, ''],
    ['APPTAINER_VERIFY_KEY', [IMAGE('one-group-signed-dsse.sif')], { APPTAINER_VERIFY_KEY: KEY('ed25519-public.pem') }, 0, '', 'table'],
    ['SIF_VERIFY_KEY first', [IMAGE('one-group-signed-dsse.sif')], { SIF_VERIFY_KEY: KEY('rsa-public.pem'), APPTAINER_VERIFY_KEY: KEY('ecdsa-public.pem') }, 0, '', 'table'],
    ['--key over the environment', ['--key', KEY('ecdsa-public.pem'), IMAGE('one-group-signed-dsse.sif')], { SIF_VERIFY_KEY: KEY('rsa-public.pem') }, 13, `signature object 3 not valid: ${THRESHOLD}`, 'error'],
  ];
  for (const [name, args, env, code, stderr, stdout] of cases) {
    const r = await runCli(['verify', ...args], { SIF_KEYSDIR: dir, ...env });
    t.equal(r.code, code, name);
    if (code !== 0) t.ok(r.stderr.startsWith(`sif: ${stderr}`), `${name}: ${r.stderr}`);
    if (code !== 0) t.equal(r.stderr.split('\n').length, 2, `${name}: one line`);
    if (stdout === 'error') t.match(r.stdout.toString(), `\nError encountered during signature verification: ${r.stderr.slice(5, -1)}\n`, name);
    if (stdout === '') t.equal(r.stdout.toString(), '', name);
    if (stdout === 'table') t.match(r.stdout.toString(), TABLE, name);
  }
  const wrong = await runCli(['verify', '--json', '--key', KEY('ecdsa-public.pem'), IMAGE('one-group-signed-dsse.sif')]);
  t.same(JSON.parse(wrong.stdout.toString()), { Signatures: 1, SignerKeys: null });
  t.ok(readFileSync(IMAGE('one-group-signed-dsse.sif')).length > 0);
});

withReference(t, 'mixed images: --keyring and --key together check each signature with material of its kind', ['shared'], async (t) => {
  const dir = t.testdir();
  const mixed = copyImage(dir, 'mixed.sif', IMAGE('one-group-signed-pgp.sif'));
  t.equal((await runCli(['sign', '-q', '--key', KEY('ed25519-private.pem'), mixed])).code, 0);
  const twoKeys = copyImage(dir, 'two-keys.sif', IMAGE('two-groups.sif'));
  for (const k of ['ed25519', 'ecdsa']) t.equal((await runCli(['sign', '-q', '--key', KEY(`${k}-private.pem`), twoKeys])).code, 0);
  const pgp = ['--keyring', KEY('private.asc')];
  const ed = ['--key', KEY('ed25519-public.pem')];
  const ec = ['--key', KEY('ecdsa-public.pem')];
  const cases: [name: string, args: string[], code: number, verdict?: RegExp][] = [
    ['PGP + DSSE, both kinds of key', [...pgp, ...ed, mixed], 0],
    ['PGP + DSSE, PGP key only', [...pgp, mixed], 13],
    ['PGP + DSSE, DSSE key only', [...ed, mixed], 13],
    ['PGP + DSSE, PGP key only, unknown signers ignored', [...pgp, '--ignore-unknown-signers', mixed], 0, /skipped signature 4/],
    ['PGP + DSSE, both required', [...pgp, ...ed, '--fingerprints', `12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84,SHA256:x6l8ZblpSSXGaPMCzySedWg88BwIFcz8jlPb6el0mFs`, mixed], 0, /accepted/],
    ['PGP + DSSE, a key not given is required', [...pgp, ...ed, '--fingerprints', 'SHA256:13cNV0A11AxgIQYCvlDmJlRi0CjRtjnYF47RzrMhlaU', mixed], 12, /did not sign object group 1/],
    ['two DSSE keys, both given', [...ed, ...ec, twoKeys], 0],
    ['two DSSE keys, one given', [...ed, twoKeys], 13],
    ['two DSSE keys, one given, the other ignored', [...ed, '--ignore-unknown-signers', twoKeys], 0, /skipped signatures 6, 7/],
    ['two DSSE keys, both required', [...ed, ...ec, '--require', 'all', '--fingerprints', 'SHA256:x6l8ZblpSSXGaPMCzySedWg88BwIFcz8jlPb6el0mFs,SHA256:13cNV0A11AxgIQYCvlDmJlRi0CjRtjnYF47RzrMhlaU', twoKeys], 0, /accepted/],
  ];
  for (const [name, args, code, verdict] of cases) {
    const r = await runCli(['verify', ...args], { SIF_KEYSDIR: dir });
    t.equal(r.code, code, `${name}: ${r.stderr}`);
    if (verdict) t.match(r.stdout.toString(), verdict, name);
  }
  const json = await runCli(['verify', '--json', ...pgp, ...ed, '--fingerprints', 'SHA256:x6l8ZblpSSXGaPMCzySedWg88BwIFcz8jlPb6el0mFs', mixed], { SIF_KEYSDIR: dir });
  const results = (JSON.parse(json.stdout.toString()) as { Results: { id: number; signer: unknown }[] }).Results;
  t.same(results.map((r) => r.signer), [
    { fingerprint: '12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84', name: 'Unit Test <unit@test.com>' },
    { keyId: 'SHA256:x6l8ZblpSSXGaPMCzySedWg88BwIFcz8jlPb6el0mFs', identity: 'SHA256:x6l8ZblpSSXGaPMCzySedWg88BwIFcz8jlPb6el0mFs', keyIds: ['SHA256:x6l8ZblpSSXGaPMCzySedWg88BwIFcz8jlPb6el0mFs'] },
  ]);
});

const ENVELOPE = (fields: string) => `{"payloadType":"application/vnd.sylabs.sif-metadata+json",${fields}}`;

withReference(t, 'hostile envelopes: one line, a documented exit code, nothing changed', ['shared'], async (t) => {
  const dir = t.testdir();
  const manySigs = Array.from({ length: 5000 }, () => '{"keyid":"","sig":"AAAA"}').join(',');
  const cases: [name: string, bytes: string | Buffer, code: number, message: RegExp][] = [
    ['deeply nested', ENVELOPE(`"payload":${'['.repeat(400_000)}${']'.repeat(400_000)}`), 10, /cannot unmarshal array into Go struct field Envelope\.payload/],
    ['unbalanced nesting', ENVELOPE(`"payload":${'['.repeat(400_000)}`).slice(0, -1), 10, /signature format not recognized/],
    ['payload not base64', ENVELOPE('"payload":"***","signatures":[{"keyid":"","sig":"AAAA"}]'), 10, /unable to base64 decode payload/],
    ['sig not base64', ENVELOPE('"payload":"e30=","signatures":[{"keyid":"","sig":"***"}]'), 10, /unable to base64 decode payload/],
    ['no signatures', ENVELOPE('"payload":"e30=","signatures":[]'), 10, /verify envelope failed: no signature found/],
    ['thousands of signatures', ENVELOPE(`"payload":"e30=","signatures":[${manySigs}]`), 10, /envelope carries 5000 signatures/],
    ['huge', ENVELOPE(`"payload":"${'A'.repeat(1 << 20)}"`), 10, /object too large for a signature/],
    ['signatures of no key', ENVELOPE('"payload":"e30=","signatures":[{"keyid":"","sig":"AAAA"}]'), 10, new RegExp(THRESHOLD)],
  ];
  for (const [name, bytes, code, message] of cases) {
    const image = copyImage(dir, 'hostile.sif', IMAGE('one-group.sif'));
    await editImage(image, (e) => e.addObject({ dataType: DataType.Signature, data: Buffer.from(bytes), linkedGroupId: 1, extra: signatureExtra(1) }));
    const before = readFileSync(image);
    const r = await runCli(['verify', '--key', KEY('rsa-public.pem'), image]);
    t.equal(r.code, code, name);
    t.match(r.stderr, message, name);
    t.equal(r.stderr.split('\n').length, 2, `${name}: one line`);
    t.ok(readFileSync(image).equals(before), `${name}: image unchanged`);
  }
});

withReference(t, 'bootstrap-check keeps PGP semantics: no --key, the environment key is not read', ['shared'], async (t) => {
  const dir = t.testdir();
  const def = (extra: string) => {
    const path = join(dir, `${extra ? 'enforced' : 'plain'}.def`);
    writeFileSync(path, `Bootstrap: localimage\nFrom: ${IMAGE('one-group-signed-dsse.sif')}\n${extra}`);
    return path;
  };
  const env = { SIF_KEYSDIR: dir, APPTAINER_VERIFY_KEY: KEY('ed25519-public.pem'), SIF_VERIFY_KEY: KEY('ed25519-public.pem') };
  const plain = await runCli(['bootstrap-check', def('')], env);
  t.equal(plain.code, 0);
  t.match(plain.stderr, /warning: key material not provided for DSSE envelope signature/);
  const enforced = await runCli(['bootstrap-check', '--keyring', KEY('private.asc'), def('Fingerprints: 12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84\n')], env);
  t.equal(enforced.code, 13);
  t.equal((await runCli(['bootstrap-check', '--key', KEY('ed25519-public.pem'), def('')], env)).code, 2, 'no --key flag');
});

withReference(t, 'a DSSE signature whose descriptor claims a PGP fingerprint is refused, never counted for it', ['shared'], async (t) => {
  const dir = t.testdir();
  const image = copyImage(dir, 'claim.sif', IMAGE('one-group.sif'));
  const { signatureObjects } = await import('../test-support/dsse-check.js');
  const [envelope] = await signatureObjects(IMAGE('one-group-signed-dsse.sif'));
  const fp = '12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84';
  await editImage(image, (e) => e.addObject({ dataType: DataType.Signature, data: envelope!, linkedGroupId: 1, extra: signatureExtra(1, Buffer.from(fp, 'hex')) }));
  const r = await runCli(['verify', '--key', KEY('ed25519-public.pem'), '--fingerprints', fp, image], { SIF_KEYSDIR: dir });
  t.equal(r.code, 10);
  t.equal(r.stderr, 'sif: signature object 3: fingerprint in descriptor does not correspond to signing entity\n');
});
