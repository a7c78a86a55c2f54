import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { GO_IMAGES, withReference } from '../test-support/reference.js';
import { copyImage, runCli } from '../test-support/cli.js';
import { gpgHome, gpgKey, gpgVerify, openpgpKey, stopGpg, type TestKey } from '../test-support/pgp.js';
import { oracleBatch, verdictKind } from '../test-support/verdict.js';

interface Listed {
  objects: { id: number; type: string; linkedId: number | null; signature?: { hashType: number; fingerprint: string | null } }[];
}
const listObjects = async (image: string) => (JSON.parse((await runCli(['list', '--json', image])).stdout.toString()) as Listed).objects;

/** How each way of signing must then verify (oracle flags → expected reference error, '' = verified). */
const SIGNINGS: { flags: string[]; expect: [string[], string][] }[] = [
  {
    flags: [],
    expect: [[[], ''], [['--group', '1'], ''], [['--group', '2'], ''], [['--object', '1'], ''], [['--object', '2'], ''], [['--object', '3'], '']],
  },
  { flags: ['--group-id', '2'], expect: [[['--group', '2'], ''], [['--object', '3'], ''], [[], 'integrity: signature not found for object group 1']] },
  {
    flags: ['--sif-id', '1,3'],
    expect: [[['--object', '1'], ''], [['--object', '3'], ''], [['--group', '1'], 'integrity: object 2: object not signed']],
  },
];

const HASH_TYPES: Record<number, number> = { [openpgp.enums.hash.sha256]: 1, [openpgp.enums.hash.sha384]: 2, [openpgp.enums.hash.sha512]: 3 };

async function checkSignatureObjects(t: Test, image: string, key: TestKey) {
  for (const o of (await listObjects(image)).filter((o) => o.type === 'Signature')) {
    t.equal(o.signature?.fingerprint, key.fingerprint, 'the descriptor holds the primary fingerprint');
    const text = (await runCli(['dump', String(o.id), image])).stdout;
    t.match(text.toString(), /^-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA(256|384|512)\n\n\{"version":1,"header":/);
    const sig = await openpgp.readSignature({ armoredSignature: text.toString().slice(text.indexOf('-----BEGIN PGP SIGNATURE')) });
    t.equal(sig.packets[0]!.version, 4, 'v4 signature packet');
    t.equal(o.signature?.hashType, HASH_TYPES[sig.packets[0]!.hashAlgorithm!], 'records the hash actually used');
    const home = gpgHome();
    const g = gpgVerify(home, key.publicPath, text);
    stopGpg(home);
    t.equal(g.code, 0, `gpg --verify: ${g.stderr}`);
  }
}

withReference(t, 'images we sign verify under the Go reference, gpg and sif verify', ['go', 'go-sif', 'gpg'], async (t) => {
  const dir = t.testdir();
  const home = gpgHome();
  t.teardown(() => stopGpg(home));
  const keys = [gpgKey(home, dir, 'rsa2048'), gpgKey(home, dir, 'ed25519'), await openpgpKey(dir, 'ecc'), await openpgpKey(dir, 'rsa')];
  const jobs: { label: string; args: string[]; want: string; ours: string[] }[] = [];
  for (const [k, key] of keys.entries()) {
    for (const [s, signing] of SIGNINGS.entries()) {
      const image = copyImage(dir, `img-${k}-${s}.sif`);
      const r = await runCli(['sign', '--keyring', key.secretPath, ...signing.flags, image]);
      t.equal(r.code, 0, `${key.label} sign ${signing.flags.join(' ')}: ${r.stderr}`);
      t.equal(r.stderr, `Signature created and applied to image '${image}'\n`);
      await checkSignatureObjects(t, image, key);
      for (const [flags, want] of signing.expect) {
        const ours = flags.map((f) => ({ '--group': '--group-id', '--object': '--sif-id' })[f] ?? f);
        jobs.push({ label: `${key.label} signed ${signing.flags.join(' ')}, verify ${flags.join(' ')}`, args: ['verify', '--keyring', key.publicPath, ...flags, image], want, ours: ['verify', '--keyring', key.publicPath, '--keysdir', dir, ...ours, image] });
      }
    }
  }
  const results = oracleBatch(dir, jobs.map((j) => j.args));
  for (const [i, job] of jobs.entries()) {
    t.equal(results[i]!.error, job.want, `Go reference: ${job.label}`);
    const ours = await runCli(job.ours);
    t.equal(verdictKind(ours.code === 0 ? '' : ours.stderr), verdictKind(job.want), `sif verify: ${job.label}`);
  }
});

withReference(t, 'signing again appends a signature; both verify', ['go', 'go-sif'], async (t) => {
  const dir = t.testdir();
  const key = await openpgpKey(dir, 'ecc');
  const other = await openpgpKey(dir, 'rsa');
  const image = copyImage(dir, 'img.sif', join(GO_IMAGES, 'one-group-signed.sif'));
  t.equal((await runCli(['sign', '--keyring', key.secretPath, image])).code, 0);
  t.equal((await runCli(['sign', '--keyring', other.secretPath, '--group-id', '1', image])).code, 0);
  const sigs = (await listObjects(image)).filter((o) => o.type === 'Signature');
  t.same(sigs.map((s) => [s.id, s.linkedId]), [[3, 1], [4, 1], [5, 1]], 'old signature kept, new ones appended');
  const both = join(dir, 'both.asc');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(both, readFileSync(key.publicPath, 'utf8') + readFileSync(other.publicPath, 'utf8') + readFileSync(join(GO_IMAGES, '../keys/private.asc'), 'utf8'));
  const [ref] = oracleBatch(dir, [['verify', '--keyring', both, image]]);
  t.equal(ref!.error, '');
  t.same(ref!.signatures.map((s) => s.signature), [3, 4, 5]);
  const ours = await runCli(['verify', '--keyring', both, '--keysdir', dir, image]);
  t.equal(ours.code, 0, ours.stderr);
  t.equal(ours.stdout.toString().match(/Objects verified:/g)?.length, 3, 'one block per signature');
  const partial = await runCli(['verify', '--keyring', key.publicPath, '--keysdir', dir, image]);
  t.equal(partial.code, 13, 'every signature must verify: a missing key fails');
});

withReference(t, 'images the Go reference signs with our test keys verify under sif verify', ['go', 'go-sif', 'gpg'], async (t) => {
  const dir = t.testdir();
  const home = gpgHome();
  t.teardown(() => stopGpg(home));
  const keys = [gpgKey(home, dir, 'rsa2048'), gpgKey(home, dir, 'ed25519'), await openpgpKey(dir, 'ecc'), await openpgpKey(dir, 'rsa')];
  const images = keys.map((_, i) => copyImage(dir, `go-signed-${i}.sif`));
  const signed = oracleBatch<{ fingerprint?: string; error?: string }>(dir, keys.map((k, i) => ['sign', '--key', k.secretPath, images[i]!]));
  for (const [i, key] of keys.entries()) {
    t.equal(signed[i]!.fingerprint, key.fingerprint, `${key.label}: the reference signed (${signed[i]!.error ?? ''})`);
    for (const flags of [[], ['--group-id', '2'], ['--sif-id', '1']]) {
      const r = await runCli(['verify', '--keyring', key.publicPath, '--keysdir', dir, ...flags, images[i]!]);
      t.equal(r.code, 0, `${key.label} ${flags.join(' ')}: ${r.stderr}`);
    }
  }
});
