/**
 * Secrets (docs/security.md): passphrases never appear in argv — not in our
 * commands, helpers, tests or docs — nor in any output, even with SIF_DEBUG=1;
 * secret keyrings are 0600 in a 0700 directory whatever the umask; and a
 * decrypted key is written nowhere: sign and import change only the files
 * they are meant to change, and no file anywhere they could write holds the
 * unencrypted private key.
 */
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as openpgp from 'openpgp';
import { runSif } from '../test-support/processes.js';
import { REPO_ROOT } from '../test-support/reference.js';

const ALL_TYPES = join(REPO_ROOT, 'testdata/images/all-types.sif');
/** Odd on purpose: shell metacharacters, non-ASCII, spaces; unique per run so no file has it by chance. */
const secret = (label: string) => `${label} $(echo x) 'q' "dq" \\ ünï ${createHash('sha256').update(`${label}${Date.now()}${Math.random()}`).digest('hex').slice(0, 12)}`;

/** Every source file, test, script and doc in the repository, with its text. */
function repositoryTexts(): [string, string][] {
  const out: [string, string][] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory() && !['node_modules', 'dist', 'dist-check', '.tap', '.git', 'tmp', 'coverage', 'testdata'].includes(e.name)) walk(path);
      else if (e.isFile() && /\.(ts|js|go|md|sh)$|^(sif|fuzz|demo|run|bench[-\w]*)$/.test(e.name)) out.push([relative(REPO_ROOT, path), readFileSync(path, 'utf8')]);
    }
  };
  walk(REPO_ROOT);
  return out;
}

/** Ways a passphrase value ends up in a process's argv. */
const ARGV_PASSPHRASE: [RegExp, string][] = [
  [/['"]--passphrase['"]\s*,/, "gpg --passphrase VALUE (use --passphrase-fd 0 and stdin)"],
  [/['"](--password|-P)['"]\s*,\s*(?:['"][^'"]|[A-Za-z_$])/, 'sif key newpair --password VALUE with a non-empty value'],
  // A shell example with a value; an upper-case placeholder in a synopsis documents the flag.
  [/--password[ =](?!-file|''|""|[A-Z]+\b)[^\s\\|\]]/, 'sif key newpair --password VALUE in a shell example'],
  [/fs\.String\("passphrase"/, 'an oracle flag taking a passphrase (read it from stdin)'],
];

t.test('no passphrase is ever passed in argv by our code, tests, helpers or docs', async (t) => {
  const hits: string[] = [];
  for (const [file, text] of repositoryTexts()) {
    if (file === 'src/security/secrets.test.ts') continue; // the patterns themselves
    text.split('\n').forEach((line, i) => {
      for (const [re, what] of ARGV_PASSPHRASE) if (re.test(line)) hits.push(`${file}:${i + 1}: ${what}: ${line.trim()}`);
    });
  }
  t.same(hits, []);
});

interface KeyFiles {
  encrypted: string;
  passphrase: string;
  /** Private key material as it is after decryption, to look for in files. */
  clearSecret: Buffer;
}

async function encryptedKey(dir: string): Promise<KeyFiles> {
  const passphrase = secret('right');
  const { privateKey } = await openpgp.generateKey({ type: 'ecc', userIDs: [{ name: 'Secret Test' }], passphrase, format: 'object' });
  const encrypted = join(dir, 'encrypted.asc');
  writeFileSync(encrypted, privateKey.armor());
  const clear = await openpgp.decryptKey({ privateKey, passphrase });
  const params = (clear.keyPacket as unknown as { privateParams: Record<string, Uint8Array> }).privateParams;
  return { encrypted, passphrase, clearSecret: Buffer.from(Object.values(params)[0]!) };
}

t.test('wrong or right passphrases never appear in output, even with SIF_DEBUG=1', async (t: Test) => {
  const dir = t.testdir();
  const key = await encryptedKey(dir);
  const image = join(dir, 'image.sif');
  const keysDir = join(dir, 'keys');
  for (const debug of ['0', '1']) {
    for (const right of [false, true]) {
      const pass = right ? key.passphrase : secret('wrong');
      const passFile = join(dir, 'pass.txt');
      writeFileSync(passFile, `${pass}\n`);
      const runs: [string, string[], NodeJS.ProcessEnv, string?][] = [
        ['sign, --passphrase-file', ['sign', '--keyring', key.encrypted, '--passphrase-file', passFile, image], {}],
        ['sign, $SIF_PASSPHRASE', ['sign', '--keyring', key.encrypted, image], { SIF_PASSPHRASE: pass }],
        ['sign, a stdin line', ['sign', '--keyring', key.encrypted, image], {}, `${pass}\n`],
        ['key import, --password-file', ['key', 'import', '--keysdir', keysDir, '--password-file', passFile, key.encrypted], {}],
        ['key import, --new-password-file', ['key', 'import', '--keysdir', `${keysDir}-new`, '--password-file', passFile, '--new-password-file', passFile, key.encrypted], {}],
        ['key newpair, --password-file', ['key', 'newpair', '--keysdir', `${keysDir}-pair`, '-N', 'N', '-E', 'n@example.com', '--algorithm', 'ed25519', '--password-file', passFile], {}],
      ];
      for (const [name, args, env, input] of runs) {
        copyFileSync(ALL_TYPES, image);
        const r = await runSif(args, { env: { ...env, SIF_DEBUG: debug, SIF_KEYSDIR: join(dir, 'none') }, input });
        const what = `${name} (${right ? 'right' : 'wrong'} passphrase, SIF_DEBUG=${debug})`;
        if (!right && name.startsWith('sign')) t.equal(r.code, 6, `${what}: refused`);
        for (const fragment of [pass, pass.slice(-12)]) {
          t.notOk(r.stdout.includes(fragment) || r.stderr.includes(fragment), `${what}: not in the output`);
        }
      }
    }
  }
});

/** Path → sha256 of every file under the folders (and nothing else). */
function tree(...dirs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(p, createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  dirs.forEach(walk);
  return out;
}

const changed = (before: Map<string, string>, after: Map<string, string>) =>
  [...new Set([...before.keys(), ...after.keys()])].filter((p) => before.get(p) !== after.get(p)).sort();

const holding = (paths: Iterable<string>, needle: Buffer) => [...paths].filter((p) => readFileSync(p).includes(needle));

t.test('sign and key import write only their files, and no file holds the decrypted key', async (t: Test) => {
  const dir = t.testdir();
  const key = await encryptedKey(dir);
  const [home, tmp, work, keysDir] = [join(dir, 'home'), join(dir, 'tmp'), join(dir, 'work'), join(dir, 'keys')] as const;
  for (const d of [home, tmp, work]) mkdirSync(d);
  const image = join(work, 'image.sif');
  copyFileSync(ALL_TYPES, image);
  writeFileSync(join(dir, 'pass.txt'), `${key.passphrase}\n`);
  const env = { HOME: home, TMPDIR: tmp, SIF_KEYSDIR: keysDir };
  const watched = [home, tmp, work, dir];

  let before = tree(...watched);
  const sign = await runSif(['sign', '--keyring', key.encrypted, '--passphrase-file', join(dir, 'pass.txt'), image], { env });
  t.equal(sign.code, 0, sign.stderr);
  t.same(changed(before, tree(...watched)), [image], 'sign changed the image only');

  before = tree(...watched);
  const imp = await runSif(['key', 'import', '--keysdir', keysDir, '--password-file', join(dir, 'pass.txt'), key.encrypted], { env });
  t.equal(imp.code, 0, imp.stderr);
  t.same(changed(before, tree(...watched)), [join(keysDir, 'pgp-public'), join(keysDir, 'pgp-secret')], 'import wrote the two keyrings only');

  const renewed = join(dir, 'renewed');
  writeFileSync(join(dir, 'new.txt'), `${secret('new')}\n`);
  before = tree(...watched);
  const re = await runSif(['key', 'import', '--keysdir', renewed, '--password-file', join(dir, 'pass.txt'), '--new-password-file', join(dir, 'new.txt'), key.encrypted], { env });
  t.equal(re.code, 0, re.stderr);
  t.same(changed(before, tree(...watched)), [join(renewed, 'pgp-public'), join(renewed, 'pgp-secret')], 'a re-encrypting import too');

  t.same(holding(tree(...watched).keys(), key.clearSecret), [], 'no file holds the unencrypted private key');
  t.same(holding(tree(...watched).keys(), Buffer.from(key.passphrase)), [join(dir, 'pass.txt')], 'only the passphrase file holds the passphrase');
});

t.test('secret keyrings are 0600 in a 0700 keys directory, whatever the umask', async (t: Test) => {
  const dir = t.testdir();
  const key = await encryptedKey(dir);
  writeFileSync(join(dir, 'pass.txt'), `${key.passphrase}\n`);
  const sif = join(REPO_ROOT, 'bin/sif');
  for (const umask of ['000', '022', '077']) {
    const keysDir = join(dir, `keys-${umask}`);
    const run = (args: string[]) => spawnSync('sh', ['-c', `umask ${umask}; exec "$0" "$@"`, process.execPath, sif, ...args], { encoding: 'utf8' });
    t.equal(run(['key', 'import', '--keysdir', keysDir, '--password-file', join(dir, 'pass.txt'), key.encrypted]).status, 0);
    t.equal(run(['key', 'newpair', '--keysdir', `${keysDir}-pair`, '-N', 'N', '-E', 'n@example.com', '--algorithm', 'ed25519', '--password-file', join(dir, 'pass.txt')]).status, 0);
    for (const d of [keysDir, `${keysDir}-pair`]) {
      t.equal(statSync(d).mode & 0o777, 0o700, `umask ${umask}: ${d} is 0700`);
      t.equal(statSync(join(d, 'pgp-secret')).mode & 0o777, 0o600, `umask ${umask}: pgp-secret is 0600`);
      t.equal(statSync(join(d, 'pgp-public')).mode & 0o777, 0o600, `umask ${umask}: pgp-public is 0600, as Apptainer`);
    }
  }
});
