/**
 * Subjects against a SIF image: a subject named `NAME#object=ID` is object ID
 * (sha256 of its data), any other is the whole file, as `sif digest` names
 * them (statement.ts). The file and the named objects are hashed in one run
 * of the digest engine; objects the statement does not name are extra only
 * when it names objects at all (a file digest covers every object).
 */
import { SifImage } from '../image/image.js';
import { imageSha256, type ImageSha256 } from './image-digests.js';
import type { Subject } from './statement.js';
import type { SubjectCheck, SubjectMatcher, SubjectReport } from './subjects.js';

const OBJECT_NAME = /^(.*)#object=(\d{1,10})$/;

const objectIdOf = (name: string) => {
  const m = OBJECT_NAME.exec(name);
  return m ? Number(m[2]) : undefined;
};

export const matchImageSubjects: SubjectMatcher = async (statement, path, options) => {
  const image = await SifImage.open(path);
  try {
    const named = new Set(statement.subject.map((s) => objectIdOf(s.name)));
    const digests = await imageSha256(image, options, (d) => named.has(d.id));
    return compareImageSubjects(
      statement.subject,
      digests,
      image.descriptors.map((d) => d.id),
    );
  } finally {
    await image.close();
  }
};

/** Each subject against the digests; `ids` are every object of the image. */
export function compareImageSubjects(subjects: readonly Subject[], digests: ImageSha256, ids: readonly number[]): SubjectReport {
  const byId = new Map(digests.objects.map((o) => [o.descriptor.id, o.sha256]));
  const checks = subjects.map((s): SubjectCheck => {
    const id = objectIdOf(s.name);
    const actual = id === undefined ? digests.file : byId.get(id);
    const [alg, hex] = 'sha256' in s.digest ? ['sha256', s.digest.sha256] : Object.entries(s.digest)[0]!;
    const expected = `${alg}:${hex}`;
    if (actual === undefined) return { name: s.name, status: 'missing', expected };
    return { name: s.name, status: alg === 'sha256' && hex === actual ? 'matched' : 'mismatched', expected, actual: `sha256:${actual}` };
  });
  const objectSubjects = subjects.filter((s) => objectIdOf(s.name) !== undefined);
  const base = OBJECT_NAME.exec(objectSubjects[0]?.name ?? '')?.[1] ?? '';
  const named = new Set(objectSubjects.map((s) => objectIdOf(s.name)));
  const extra = objectSubjects.length === 0 ? [] : ids.filter((id) => !named.has(id)).map((id) => `${base}#object=${id}`);
  return { subjects: checks, extra };
}
