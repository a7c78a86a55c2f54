/**
 * Every bad input to new/add/del/setprim: a one-line `sif: <message>`, its
 * documented exit code (docs/errors.md), the image byte-identical and no lock left behind.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, SIF_BIN } from '../test-support/cli.js';

const REPO = new URL('../../', import.meta.url).pathname;
const INPUTS = join(REPO, 'testdata/inputs');
const ALL_TYPES = join(REPO, 'testdata/images/all-types.sif');

type Case = [name: string, args: (img: string, dir: string) => string[], code: number, message: string | RegExp];

const add = (img: string, ...flags: string[]) => ['add', ...flags, img, join(INPUTS, 'notes.txt')];

const cases: Case[] = [
  // new
  ['launch script of 32 bytes', (i) => ['new', '--launch-script', 'x'.repeat(32), i], 2, 'launch script too large'],
  ['UUID of the wrong length', (i) => ['new', '--id', 'abc', i], 2, 'invalid UUID length: 3'],
  ['UUID with a bad digit', (i) => ['new', '--id', '3fa802cc-358b-45e3-bcc0-69dc7a45f9fz', i], 2, 'invalid UUID format'],
  ['negative descriptor count', (i) => ['new', '--descriptors', '-1', i], 2, 'invalid descriptor capacity: -1 (0 to 65536)'],
  ['descriptor count that is not a number', (i) => ['new', '--descriptors', 'many', i], 2, 'invalid argument "many" for "--descriptors" flag: strconv.ParseInt: parsing "many": invalid syntax'],
  ['time that is not a time', (i) => ['new', '--time', 'yesterday', i], 2, /^invalid time "yesterday": use RFC 3339/],
  ['impossible date', (i) => ['new', '--time', '2021-02-30T00:00:00Z', i], 2, /^invalid time/],
  ['lock timeout that is not a number', (i) => ['new', '--lock-timeout', 'soon', i], 2, /^invalid argument "soon" for "--lock-timeout" flag/],
  ['directory that does not exist', (_, d) => ['new', join(d, 'no/such/dir/x.sif')], 3, /^open .*no\/such\/dir\/x\.sif: no such file or directory$/],
  // add: flags
  ['no --datatype', (i) => add(i), 2, '--datatype flag is required with a valid range (1-11)'],
  ['--datatype 12', (i) => add(i, '--datatype', '12'), 2, '--datatype flag is required with a valid range (1-11)'],
  ['--datatype not a number', (i) => add(i, '--datatype', 'json'), 2, 'invalid argument "json" for "--datatype" flag: strconv.ParseInt: parsing "json": invalid syntax'],
  ['missing input file', (i, d) => ['add', '--datatype', '7', i, join(d, 'missing.bin')], 3, /^open .*missing\.bin: no such file or directory$/],
  ['input is a directory', (i, d) => ['add', '--datatype', '7', i, d], 3, /is a directory$/],
  ['input is the image', (i) => ['add', '--datatype', '7', i, i], 2, /^cannot add .* to itself$/],
  ['partition without --partarch', (i) => add(i, '--datatype', '4', '--partfs', '1', '--parttype', '1'), 2, 'with partition datatype, --partfs, --parttype and --partarch must be passed'],
  ['partition with an unknown arch', (i) => add(i, '--datatype', '4', '--partfs', '1', '--parttype', '1', '--partarch', '14'), 2, 'unknown architecture: unknown'],
  ['--partfs out of int32', (i) => add(i, '--datatype', '4', '--partfs', '4294967296', '--parttype', '1', '--partarch', '1'), 2, 'invalid argument "4294967296" for "--partfs" flag: strconv.ParseInt: parsing "4294967296": value out of range'],
  ['signature with a non-hex entity', (i) => add(i, '--datatype', '5', '--signhash', '1', '--signentity', 'XY'), 2, "failed to decode signing entity fingerprint: encoding/hex: invalid byte: U+0058 'X'"],
  ['signature with an odd-length entity', (i) => add(i, '--datatype', '5', '--signhash', '1', '--signentity', 'abc'), 2, 'failed to decode signing entity fingerprint: encoding/hex: odd length hex string'],
  ['signature without --signhash', (i) => add(i, '--datatype', '5', '--signentity', 'ab'.repeat(20)), 2, 'invalid hash type: 0'],
  ['signature with a short entity', (i) => add(i, '--datatype', '5', '--signhash', '2', '--signentity', 'abcd'), 2, 'invalid signing entity fingerprint length: got 2, want 20'],
  ['SBOM without --sbomformat', (i) => add(i, '--datatype', '9'), 2, 'with SBOM datatype, --sbomformat must be passed'],
  ['SBOM with an unknown format', (i) => add(i, '--datatype', '9', '--sbomformat', 'pdf'), 2, 'invalid SBOM format: pdf'],
  ['crypto message with only --cryptformat', (i) => add(i, '--datatype', '8', '--cryptformat', '1'), 2, 'with cryptographic message datatype, --cryptformat and --crypttype must be passed together'],
  ['partition flag on another type', (i) => add(i, '--datatype', '7', '--parttype', '1'), 2, '--parttype applies only to --datatype 4 (Partition)'],
  ['--groupid with mask bits', (i) => add(i, '--datatype', '7', '--groupid', '0x10000000'), 5, 'invalid group ID'],
  ['negative --groupid', (i) => add(i, '--datatype', '7', '--groupid', '-1'), 2, 'invalid argument "-1" for "--groupid" flag: strconv.ParseUint: parsing "-1": invalid syntax'],
  ['--link 0', (i) => add(i, '--datatype', '7', '--link', '0'), 5, 'invalid object ID'],
  ['negative --alignment', (i) => add(i, '--datatype', '7', '--alignment', '-4096'), 2, 'invalid alignment: -4096 (0 to 1073741824)'],
  ['name of 129 bytes', (i) => add(i, '--datatype', '7', '--filename', 'n'.repeat(129)), 2, 'name value too large'],
  ['bad --time', (i) => add(i, '--datatype', '7', '--time', '12:00'), 2, /^invalid time "12:00"/],
  // add: the image refuses
  ['second primary partition', (i) => add(i, '--datatype', '4', '--partfs', '1', '--parttype', '2', '--partarch', '2'), 8, 'image already contains a primary partition'],
  ['image that does not exist', (_, d) => add(join(d, 'none.sif'), '--datatype', '7'), 3, /^open .*none\.sif: no such file or directory$/],
  ['image that is not a SIF', (_, d) => add(join(d, 'not-sif'), '--datatype', '7'), 4, 'invalid SIF magic'],
  ['image that is a symbolic link', (_, d) => add(join(d, 'link.sif'), '--datatype', '7'), 3, /^open .*link\.sif: refusing to follow a symbolic link$/],
  // del and setprim
  ['del of an ID that is not a number', (i) => ['del', 'one', i], 2, 'while converting id: strconv.ParseUint: parsing "one": invalid syntax'],
  ['del of ID 0', (i) => ['del', '0', i], 5, 'invalid object ID'],
  ['del of a missing object', (i) => ['del', '40', i], 5, 'object not found'],
  ['compaction of an object that is not last', (i) => ['del', '--compact', '1', i], 8, 'compact not implemented for non-last object'],
  ['setprim of a missing object', (i) => ['setprim', '44', i], 5, 'object not found'],
  ['setprim of a non-partition', (i) => ['setprim', '1', i], 8, 'data object not a partition'],
  ['setprim of an ID out of range', (i) => ['setprim', '4294967296', i], 2, 'while converting id: strconv.ParseUint: parsing "4294967296": value out of range'],
];

for (const [name, args, code, message] of cases) {
  t.test(name, async (t) => {
    const dir = t.testdir({ 'not-sif': 'just text, no SIF magic here\n'.repeat(10), 'link.sif': t.fixture('symlink', 'image.sif') });
    const image = join(dir, 'image.sif');
    copyFileSync(ALL_TYPES, image);
    const before = readFileSync(image);
    const r = await runCli(args(image, dir));
    t.equal(r.code, code, 'exit code');
    t.match(r.stderr, /^sif: [^\n]+\n$/, 'one line on stderr');
    const text = r.stderr.replace(/^sif: /, '').trimEnd();
    if (typeof message === 'string') t.equal(text, message);
    else t.match(text, message);
    t.equal(r.stdout.length, 0, 'nothing on stdout');
    t.ok(readFileSync(image).equals(before), 'image byte-identical');
    t.notOk(existsSync(`${image}.lock`), 'no lock left behind');
  });
}

t.test('a full descriptor table leaves the image byte-identical', async (t) => {
  const image = join(t.testdir(), 'small.sif');
  t.equal((await runCli(['new', '--descriptors', '1', image])).code, 0);
  t.equal((await runCli(add(image, '--datatype', '7'))).code, 0);
  const before = readFileSync(image);
  const r = await runCli(add(image, '--datatype', '7'));
  t.equal(r.code, 4);
  t.equal(r.stderr, 'sif: insufficient descriptor capacity to add data object(s) to image\n');
  t.ok(readFileSync(image).equals(before));
});

t.test('a held lock fails with "image is locked", exit 7, file untouched', async (t) => {
  const image = join(t.testdir(), 'image.sif');
  copyFileSync(ALL_TYPES, image);
  const before = readFileSync(image);
  const owner = { pid: process.pid, host: (await import('node:os')).hostname(), token: 'held-by-this-test' };
  writeFileSync(`${image}.lock`, `${JSON.stringify(owner)}\n`);
  for (const args of [add(image, '--datatype', '7'), ['del', '1', image], ['setprim', '4', image], ['new', image]]) {
    const r = await runCli(args);
    t.equal(r.code, 7, args[0]!);
    t.match(r.stderr, new RegExp(`^sif: .*image\\.sif: image is locked by process ${process.pid} on .*; retry when it is done, or remove .*image\\.sif\\.lock if no writer is running\\n$`));
  }
  t.ok(readFileSync(image).equals(before));
  t.ok(existsSync(`${image}.lock`), 'a live owner keeps its lock');
});

t.test('an invalid new leaves an existing image byte-identical', async (t) => {
  const image = join(t.testdir(), 'image.sif');
  copyFileSync(ALL_TYPES, image);
  const r = await runCli(['new', '--id', 'nope', image]);
  t.equal(r.code, 2);
  t.ok(readFileSync(image).equals(readFileSync(ALL_TYPES)));
});

t.test('stdin that is the image itself (`sif add x.sif - < x.sif`): refused, not read back while appending', async (t) => {
  const image = join(t.testdir(), 'image.sif');
  copyFileSync(ALL_TYPES, image);
  const before = readFileSync(image);
  const r = spawnSync('sh', ['-c', '"$0" add --datatype 7 "$1" - < "$1"', SIF_BIN, image], { timeout: 60_000 });
  t.same({ code: r.status, stderr: r.stderr.toString() }, { code: 2, stderr: `sif: cannot add stdin (${image}) to itself\n` });
  t.ok(readFileSync(image).equals(before), 'the image unchanged');
  t.notOk(existsSync(`${image}.lock`), 'no lock left');
});
