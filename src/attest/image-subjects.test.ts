/** Subjects against an image's digests: each status, and when objects are extra. */
import t from 'tap';
import type { Descriptor } from '../format/descriptor.js';
import { compareImageSubjects } from './image-subjects.js';
import { subjectsHold } from './subjects.js';

const H = (c: string) => c.repeat(64);
const digests = { file: H('f'), objects: [1, 2].map((id) => ({ descriptor: { id } as Descriptor, sha256: H(String(id)) })) };
const IDS = [1, 2, 3];

t.test('the file only: every object is covered, nothing is extra', async (t) => {
  const r = compareImageSubjects([{ name: 'renamed.sif', digest: { sha256: H('f') } }], { file: H('f'), objects: [] }, IDS);
  t.same(r, { subjects: [{ name: 'renamed.sif', status: 'matched', expected: `sha256:${H('f')}`, actual: `sha256:${H('f')}` }], extra: [] });
  t.ok(subjectsHold(r));
});

t.test('objects: matched, mismatched, missing, another algorithm, and the unnamed extra', async (t) => {
  const r = compareImageSubjects(
    [
      { name: 'a.sif#object=1', digest: { sha256: H('1') } },
      { name: 'a.sif#object=2', digest: { sha256: H('0') } },
      { name: 'a.sif#object=9', digest: { sha256: H('9') } },
      { name: 'a.sif', digest: { sha512: H('f') + H('f') } },
    ],
    digests,
    IDS,
  );
  t.same(
    r.subjects.map((s) => [s.name, s.status]),
    [
      ['a.sif#object=1', 'matched'],
      ['a.sif#object=2', 'mismatched'],
      ['a.sif#object=9', 'missing'],
      ['a.sif', 'mismatched'],
    ],
  );
  t.equal(r.subjects[3]!.expected, `sha512:${H('f')}${H('f')}`, 'a digest we do not compute is reported as it is, never a match');
  t.same(r.extra, ['a.sif#object=3']);
  t.notOk(subjectsHold(r));
});
