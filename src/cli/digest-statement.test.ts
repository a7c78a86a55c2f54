/**
 * `sif digest` (in-toto): every digest equals sha256sum of the file or of the
 * object `sif dump` writes, and the signed metadata's objectDigest and
 * descriptorDigest; the statement passes the in-toto Go library's rules.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GO_IMAGES, withReference } from '../test-support/reference.js';
import { runCli, runTool } from '../test-support/cli.js';
import { SIF_OBJECTS_PREDICATE_TYPE, statementProblem, type Statement } from '../attest/statement.js';

const sha256sum = (path: string) => runTool('sha256sum', [path]).stdout.toString().split(' ')[0];
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function statementOf(args: string[]): Promise<Statement> {
  const r = await runCli(['digest', ...args]);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.toString()) as Statement;
}

/** objectDigest and descriptorDigest of every object the image's signatures cover, by ID. */
async function signedMetadata(image: string, sigIds: number[]): Promise<Map<number, { objectDigest: string; descriptorDigest: string }>> {
  const out = new Map<number, { objectDigest: string; descriptorDigest: string }>();
  for (const sig of sigIds) {
    const dumped = (await runCli(['dump', String(sig), image])).stdout.toString();
    const info = JSON.parse((await runCli(['info', '--json', String(sig), image])).stdout.toString()) as { linkedId: number };
    const md = JSON.parse(/^\{"version".*$/m.exec(dumped)![0]) as { objects: { relativeId: number; objectDigest: string; descriptorDigest: string }[] };
    // Both images sign whole groups whose first object has ID 1 (group 1) or 3 (group 2).
    const first = info.linkedId === 1 ? 1 : 3;
    for (const o of md.objects) out.set(first + o.relativeId, { objectDigest: o.objectDigest, descriptorDigest: o.descriptorDigest });
  }
  return out;
}

withReference(t, 'every subject digest equals sha256sum and the signed metadata', ['go-sif'], async (t) => {
  for (const [file, sigIds] of [['one-group-signed.sif', [3]], ['two-groups-signed.sif', [4, 5]]] as const) {
    const image = join(GO_IMAGES, file);
    const st = await statementOf([image]);
    t.equal(statementProblem(st), undefined, `${file}: the Go rules accept it`);
    t.equal(st.predicateType, SIF_OBJECTS_PREDICATE_TYPE);
    t.same(st.predicate, {});
    t.same(st.subject[0], { name: file, digest: { sha256: sha256sum(image) } }, `${file}: the file`);
    const listed = JSON.parse((await runCli(['list', '--json', image])).stdout.toString()) as { objects: { id: number }[] };
    t.same(st.subject.slice(1).map((s) => s.name), listed.objects.map((o) => `${file}#object=${o.id}`), 'one subject per object, in ID order');
    const signed = await signedMetadata(image, [...sigIds]);
    t.equal(signed.size, st.subject.length - 1 - sigIds.length, 'every signed object compared');
    for (const s of st.subject.slice(1)) {
      const id = Number(s.name.split('=')[1]);
      t.equal(s.digest.sha256, sha256((await runCli(['dump', String(id), image])).stdout), `${s.name}: sha256 of sif dump`);
      const md = signed.get(id);
      if (md) {
        t.equal(`sha256:${s.digest.sha256}`, md.objectDigest, `${s.name}: the metadata's objectDigest`);
        t.equal(s.annotations?.['sif.descriptorDigest'], md.descriptorDigest, `${s.name}: the metadata's descriptorDigest`);
      }
    }
  }
});

withReference(t, 'annotations, --name, --predicate-type and --predicate', ['go-sif'], async (t) => {
  const image = join(GO_IMAGES, 'two-groups.sif');
  const plain = await statementOf([image]);
  t.same(
    plain.subject.slice(1).map((s) => [s.annotations?.['sif.group'], s.annotations?.['sif.dataType']]),
    [[1, 'FS'], [1, 'FS'], [2, 'FS']],
  );
  const named = await statementOf(['--name', 'release.sif', image]);
  t.same(named.subject.map((s) => s.name), ['release.sif', 'release.sif#object=1', 'release.sif#object=2', 'release.sif#object=3']);

  const dir = t.testdir({ 'p.json': '{"builder":{"id":"ci"}}', 'array.json': '[1]', 'bad.json': '{"a":' });
  const withPredicate = await statementOf(['--predicate-type', 'https://example.com/p/v1', '--predicate', join(dir, 'p.json'), image]);
  t.equal(withPredicate.predicateType, 'https://example.com/p/v1');
  t.same(withPredicate.predicate, { builder: { id: 'ci' } });
  t.same((await statementOf(['--predicate-type', 'https://example.com/p/v1', image])).predicate, {}, 'a type alone: an empty predicate');

  const refused: [string[], number, RegExp][] = [
    [['--predicate', join(dir, 'p.json'), image], 2, /^sif: --predicate needs --predicate-type\n$/],
    [['--predicate-type', 'u', '--predicate', join(dir, 'array.json'), image], 2, /^sif: predicate .*array\.json: not a JSON object\n$/],
    [['--predicate-type', 'u', '--predicate', join(dir, 'bad.json'), image], 2, /^sif: predicate .*bad\.json: not JSON: .*\n$/],
    [['--predicate-type', 'u', '--predicate', join(dir, 'missing.json'), image], 3, /^sif: .*missing\.json.*\n$/],
    [['--name', '', image], 2, /^sif: --name must not be empty\n$/],
  ];
  for (const [args, code, stderr] of refused) {
    const r = await runCli(['digest', ...args]);
    t.equal(r.code, code, args.join(' '));
    t.match(r.stderr, stderr);
    t.equal(r.stdout.length, 0, 'nothing on stdout');
  }
});

withReference(t, 'hostile images: one line, exit 4, the file untouched', ['go-sif'], async (t) => {
  const whole = readFileSync(join(GO_IMAGES, 'one-group.sif'));
  const dir = t.testdir();
  const cases = { 'not-sif.sif': Buffer.from('hello, not an image\n'.repeat(20)), 'truncated.sif': whole.subarray(0, whole.length - 100) };
  for (const [name, bytes] of Object.entries(cases)) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const r = await runCli(['digest', path]);
    t.equal(r.code, 4, name);
    t.match(r.stderr, /^sif: [^\n]+\n$/, `${name}: ${r.stderr.trim()}`);
    t.equal(r.stdout.length, 0);
    t.same(readFileSync(path), bytes, `${name} unchanged`);
  }
});

t.test('the in-toto Go library rules', async (t) => {
  const hex = 'ab'.repeat(32);
  const good = { _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'x', digest: { sha256: hex } }], predicateType: 'u', predicate: {} };
  t.equal(statementProblem(good), undefined);
  t.equal(statementProblem({ ...good, _type: 'https://in-toto.io/Statement/v0.1' }), undefined, 'the legacy type');
  t.equal(statementProblem({ ...good, subject: [{ name: 'x', digest: { myalg: 'zz' } }] }), 'subject 0: digest myalg is not lowercase hex');
  t.equal(statementProblem({ ...good, subject: [{ name: 'x', digest: { myalg: 'abc' } }] }), undefined, 'unknown algorithms: any length');
  const bad: [unknown, string][] = [
    [[], 'a statement must be a JSON object'],
    [{ ...good, _type: 'x' }, 'wrong statement type "x"'],
    [{ ...good, subject: [] }, 'at least one subject required'],
    [{ ...good, subject: ['x'] }, 'subject 0: not a JSON object'],
    [{ ...good, subject: [{ name: 'x' }] }, 'subject 0: a digest is required'],
    [{ ...good, subject: [{ name: 'x', digest: {} }] }, 'subject 0: a digest is required'],
    [{ ...good, subject: [{ name: 'x', digest: { sha256: hex.toUpperCase() } }] }, 'subject 0: digest sha256 is not lowercase hex'],
    [{ ...good, subject: [{ name: 'x', digest: { sha256: 'ab' } }] }, 'subject 0: digest sha256 has 1 bytes'],
    [{ ...good, subject: [{ name: 'x', digest: { sha256: 1 } }] }, 'subject 0: digest sha256 is not lowercase hex'],
    [{ ...good, predicateType: '' }, 'predicateType required'],
    [{ ...good, predicate: undefined }, 'predicate required (a JSON object)'],
    [{ ...good, predicate: null }, 'predicate required (a JSON object)'],
  ];
  for (const [value, problem] of bad) t.equal(statementProblem(value), problem, problem);
});
