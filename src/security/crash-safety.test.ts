/**
 * Crash safety of the writing commands the writer's own kill tests
 * (src/cli/write-processes.test.ts: sif add, sif del) do not cover: sif sign
 * and sif key import, killed with SIGKILL at random moments, and concurrent
 * sif sign runs on one image. After every kill the reference loads the image
 * (or keyring) and finds the old state or the complete new one; for sign of
 * three groups: no group signed, or all three, never some.
 * The budget is CI's in CI and short locally (SIF_KILL_SECONDS: test-support/soak.ts).
 */
import t, { type Test } from 'tap';
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataType } from '../format/constants.js';
import { editImage } from '../image/write/editor.js';
import { goKeyring } from '../test-support/keys.js';
import { oracle } from '../test-support/oracle.js';
import { killPlan, runSif, type Exit } from '../test-support/processes.js';
import { Rng } from '../test-support/random.js';
import { GO_IMAGES, withReference } from '../test-support/reference.js';
import { MIN_ROUNDS, soakSeconds } from '../test-support/soak.js';
import { freshKey } from '../test-support/signed.js';

const CI_SECONDS = 40;
const budgetMs = (share: number) => soakSeconds(CI_SECONDS, 'SIF_KILL_SECONDS') * 1000 * share;

interface LoadedObject {
  id: number;
  dataType: string;
  linkedId: number;
  linkIsGroup: boolean;
}
const load = (path: string) => oracle<{ error?: string; objects: LoadedObject[] }>('load', path);
const verifyGroup = (path: string, keyring: string, group: number) => oracle<{ error: string }>('verify', '--keyring', keyring, '--group', String(group), path).error;

/**
 * The groups the new signatures of `path` sign, in table order, after checking
 * that the reference loads it, the old objects are intact, and each new
 * object is a group signature that verifies in the reference.
 */
function newSignatures(t: Test, path: string, old: LoadedObject[], keyring: string, what: string): number[] {
  const loaded = load(path);
  t.equal(loaded.error, undefined, `${what}: the reference loads it`);
  t.same(loaded.objects.slice(0, old.length), old, `${what}: the old objects are intact`);
  const added = loaded.objects.slice(old.length);
  t.ok(added.every((o) => o.dataType === 'Signature' && o.linkIsGroup), `${what}: anything new is a group signature`);
  for (const o of added) t.equal(verifyGroup(path, keyring, o.linkedId), '', `${what}: signature ${o.id} is complete and valid`);
  return added.map((o) => o.linkedId);
}

/** Signing commits every group's signature at once: the image is unsigned, or signed for every group. */
function oldOrAllSigned(t: Test, path: string, old: LoadedObject[], keyring: string, what: string): boolean {
  const groups = newSignatures(t, path, old, keyring, what);
  t.ok(groups.length === 0 || groups.join() === GROUPS.join(), `${what}: no group signed, or all of ${GROUPS.join()} (got ${groups.join() || 'none'})`);
  return groups.length > 0;
}

const copyTo = (source: string, path: string) => {
  copyFileSync(source, path);
  chmodSync(path, 0o644);
  return path;
};

const GROUPS = [1, 2, 3];

/** The reference's two-groups.sif with a third group added: a kill can fall between any two groups. */
async function threeGroups(dir: string): Promise<string> {
  const path = copyTo(join(GO_IMAGES, 'two-groups.sif'), join(dir, 'source.sif'));
  await editImage(path, (e) => e.addObject({ dataType: DataType.Generic, data: new Rng(3).bytes(256 * 1024), groupId: 3 }));
  return path;
}

withReference(t, 'sif sign of three groups killed at random moments: no group signed, or every one', ['go', 'go-sif'], async (t: Test) => {
  const dir = t.testdir();
  const rng = new Rng(Number(process.env.SIF_SEED ?? 8));
  const key = await freshKey('ecc', 'Crash Test');
  const secret = join(dir, 'secret.asc');
  const keyring = join(dir, 'public.asc');
  writeFileSync(secret, key.armor());
  writeFileSync(keyring, key.toPublic().armor());
  const source = await threeGroups(dir);
  const old = load(source).objects;
  const args = (image: string) => ['sign', '--keyring', secret, image];

  const started = Date.now();
  const done = copyTo(source, join(dir, 'done.sif'));
  const full = await runSif(args(done), { lockPath: `${done}.lock` });
  t.equal(full.code, 0, `sign completes: ${full.stderr}`);
  t.same(newSignatures(t, done, old, keyring, 'completed'), GROUPS, 'one signature per group');
  const [totalMs, writeMs] = [Date.now() - started, full.lockedMs ?? 5];
  const counts = { unsigned: 0, signed: 0 };
  for (let i = 0; i < 60 && (i < MIN_ROUNDS || Date.now() - started < budgetMs(0.6)); i++) {
    const image = copyTo(source, join(dir, `kill-${i}.sif`));
    const exit = await runSif(args(image), { kill: killPlan(i, rng.next(), totalMs, writeMs), lockPath: `${image}.lock` });
    const what = `kill #${i} (${exit.signal ?? `exit ${exit.code}`})`;
    oldOrAllSigned(t, image, old, keyring, what);
    await editImage(image, async () => undefined); // the next writer replays a dead writer's journal
    counts[oldOrAllSigned(t, image, old, keyring, `${what}, after replay`) ? 'signed' : 'unsigned']++;
    t.notOk(existsSync(`${image}.lock`), `${what}: no lock left after replay`);
  }
  t.comment(`write phase ${writeMs} ms; images left unsigned/signed: ${counts.unsigned}/${counts.signed}`);
});

withReference(t, 'sif key import killed at random moments: each keyring old or new, never a lost secret key', ['go', 'go-sif'], async (t: Test) => {
  const dir = t.testdir();
  const rng = new Rng(Number(process.env.SIF_SEED ?? 9));
  const [k0, k1] = [await freshKey('ecc', 'Existing'), await freshKey('ecc', 'Imported')];
  const [file0, file1] = [join(dir, 'k0.asc'), join(dir, 'k1.asc')];
  writeFileSync(file0, k0.armor());
  writeFileSync(file1, k1.armor());
  const fingerprints = (file: string) => goKeyring(file).keys.map((k) => k.fingerprint).join(',');
  const [before, after] = [k0.getFingerprint().toUpperCase(), `${k0.getFingerprint()},${k1.getFingerprint()}`.toUpperCase()];
  const setup = async (keysDir: string) => {
    const r = await runSif(['key', 'import', '--keysdir', keysDir, file0]);
    t.equal(r.code, 0, `setup import: ${r.stderr}`);
  };
  const importArgs = (keysDir: string) => ['key', 'import', '--keysdir', keysDir, file1];

  const started = Date.now();
  const doneDir = join(dir, 'done');
  await setup(doneDir);
  const full = await runSif(importArgs(doneDir), { lockPath: join(doneDir, '.sif-keyring.lock') });
  t.equal(full.code, 0, `import completes: ${full.stderr}`);
  t.same([fingerprints(join(doneDir, 'pgp-secret')), fingerprints(join(doneDir, 'pgp-public'))], [after, after]);
  const [totalMs, writeMs] = [Date.now() - started, full.lockedMs ?? 5];
  const seen = new Set<string>();
  for (let i = 0; i < 60 && (i < MIN_ROUNDS || Date.now() - started < budgetMs(0.4)); i++) {
    const keysDir = join(dir, `kill-${i}`);
    await setup(keysDir);
    const exit: Exit = await runSif(importArgs(keysDir), { kill: killPlan(i, rng.next(), totalMs, writeMs), lockPath: join(keysDir, '.sif-keyring.lock') });
    const what = `kill #${i} (${exit.signal ?? `exit ${exit.code}`})`;
    const [sec, pub] = [fingerprints(join(keysDir, 'pgp-secret')), fingerprints(join(keysDir, 'pgp-public'))];
    t.ok([before, after].includes(sec) && [before, after].includes(pub), `${what}: each keyring old or new (${sec} / ${pub})`);
    t.ok(pub === before || sec === after, `${what}: the public key is never added before the secret one`);
    seen.add(`${sec === after ? 'new' : 'old'} secret, ${pub === after ? 'new' : 'old'} public`);
    const again = await runSif(importArgs(keysDir));
    t.ok(again.code === 0 || /already belongs to the keyring/.test(again.stderr), `${what}: importing again completes it: ${again.stderr}`);
    t.same([fingerprints(join(keysDir, 'pgp-secret')), fingerprints(join(keysDir, 'pgp-public'))], [after, after], `${what}: then both are new`);
    t.same(readdirSync(keysDir).filter((f) => f.includes('.sif-tmp-') || f.endsWith('.lock')), [], `${what}: no temp file or lock left`);
  }
  t.comment(`write phase ${writeMs} ms; states seen: ${[...seen].join('; ')}`);
});

withReference(t, 'concurrent sif sign on one image: every signature present and valid, or a clean "locked"', ['go', 'go-sif'], async (t: Test) => {
  const dir = t.testdir();
  const keys = [await freshKey('ecc', 'Signer A'), await freshKey('ecc', 'Signer B'), await freshKey('ecc', 'Signer C')];
  const secrets = keys.map((k, i) => {
    const path = join(dir, `secret-${i}.asc`);
    writeFileSync(path, k.armor());
    return path;
  });
  const keyring = join(dir, 'public.asc');
  writeFileSync(keyring, keys.map((k) => k.toPublic().armor()).join(''));
  const source = await threeGroups(dir);
  const old = load(source).objects;
  for (let round = 0; round < 6; round++) {
    const image = copyTo(source, join(dir, `race-${round}.sif`));
    const exits = await Promise.all(secrets.map((s) => runSif(['sign', '--keyring', s, image])));
    for (const e of exits) if (e.code !== 0) t.match(e, { code: 7, stderr: /^sif: .*image is locked by process \d+ on .*\n$/ }, `round ${round}: a loser says locked`);
    const winners = exits.filter((e) => e.code === 0).length;
    t.ok(winners >= 1, `round ${round}: someone always wins`);
    const signatures = Array.from({ length: winners }, () => GROUPS).flat();
    t.same(newSignatures(t, image, old, keyring, `round ${round}`), signatures, `round ${round}: every group signed once per successful signer, none lost`);
    t.equal(oracle<{ error: string }>('verify', '--keyring', keyring, image).error, '', `round ${round}: the image verifies in the reference`);
    t.notOk(existsSync(`${image}.lock`));
    t.ok(readFileSync(image).length > readFileSync(source).length);
  }
});
