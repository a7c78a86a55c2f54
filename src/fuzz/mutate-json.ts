/**
 * Mutations of the signed metadata JSON: duplicate and case-folded keys,
 * trailing data, deep nesting, edge numbers, malformed digests, missing,
 * repeated and shuffled objects. The verify target re-signs the result, so
 * the metadata parser (not the signature check) is what sees it.
 */
import { GENERIC_MUTATORS, type Mutator } from './mutate.js';
import type { Prng } from './prng.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const text = (b: Buffer) => b.toString('utf8');
const bytes = (s: string) => Buffer.from(s, 'utf8');

/** Applies `edit` to the parsed document; inputs that are not JSON pass through unchanged. */
function onDocument(name: string, edit: (rng: Prng, doc: { [key: string]: Json }) => Json): Mutator {
  return {
    name,
    apply(rng, input) {
      let doc: Json;
      try {
        doc = JSON.parse(text(input)) as Json;
      } catch {
        return Buffer.from(input);
      }
      if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return Buffer.from(input);
      try {
        return bytes(JSON.stringify(edit(rng, doc)));
      } catch {
        return Buffer.from(input); // nesting too deep for JSON.stringify (an earlier step made it)
      }
    },
  };
}

const objectsOf = (doc: { [key: string]: Json }): Json[] => (Array.isArray(doc.objects) ? doc.objects : []);

const NUMBER_EDGES: Json[] = [-1, 0, 1, 1.5, 4294967295, 4294967296, 2 ** 53, 1e300, -0, '1', null, true, [], {}];

const objectSet = onDocument('json-objects', (rng, doc) => {
  const objects = [...objectsOf(doc)];
  const i = objects.length > 0 ? rng.int(objects.length) : 0;
  switch (rng.int(5)) {
    case 0:
      objects.splice(i, 1); // fewer objects than the group has
      break;
    case 1:
      if (objects[i] !== undefined) objects.splice(i, 0, objects[i]!); // the same object twice
      break;
    case 2:
      objects.reverse();
      break;
    case 3: {
      const o = objects[i];
      if (o && typeof o === 'object' && !Array.isArray(o)) objects[i] = { ...o, relativeId: rng.pick(NUMBER_EDGES) };
      break;
    }
    default: {
      // shuffle relative IDs between entries, digests staying put
      const ids = objects.map((o) => (o && typeof o === 'object' && !Array.isArray(o) ? o.relativeId : null));
      ids.push(ids.shift()!);
      objects.forEach((o, k) => {
        if (o && typeof o === 'object' && !Array.isArray(o)) o.relativeId = ids[k] ?? null;
      });
    }
  }
  return { ...doc, objects };
});

const DIGEST_EDITS: ((d: string, rng: Prng) => string)[] = [
  (d) => d.replace(/^[^:]*/, 'sha1'),
  (d) => d.replace(/^[^:]*/, 'SHA256'),
  (d) => d.replace(/^[^:]*/, 'sha512_256'),
  (d) => d.replace(/^[^:]*:/, ''),
  (d) => `${d}:00`,
  (d) => d.toUpperCase(),
  (d) => d.slice(0, -2),
  (d) => `${d}00`,
  (d) => `${d.slice(0, -1)}g`,
  (d) => d.slice(0, -1),
  (d, rng) => d.replace(/[0-9a-f](?=[0-9a-f]*$)/, (c) => ((parseInt(c, 16) + 1 + rng.int(14)) % 16).toString(16)),
];

const digests = onDocument('json-digest', (rng, doc) => {
  const edit = (d: Json): Json => (typeof d === 'string' ? rng.pick(DIGEST_EDITS)(d, rng) : rng.pick(NUMBER_EDGES));
  const objects = objectsOf(doc).map((o) => o);
  const header = doc.header && typeof doc.header === 'object' && !Array.isArray(doc.header) ? doc.header : {};
  if (objects.length === 0 || rng.chance(0.3)) return { ...doc, header: { ...header, digest: edit(header.digest ?? null) } };
  const i = rng.int(objects.length);
  const o = objects[i];
  if (o && typeof o === 'object' && !Array.isArray(o)) {
    const field = rng.pick(['descriptorDigest', 'objectDigest']);
    objects[i] = { ...o, [field]: edit(o[field] ?? null) };
  }
  return { ...doc, objects };
});

const version = onDocument('json-version', (rng, doc) => ({ ...doc, version: rng.pick([0, 2, '1', 1.0, true, null, -1, 1e0, []]) }));

/** Text edits that JSON.stringify cannot express. */
const KEY_VARIANTS = ['"Version"', '"VERSION"', '"\\u0076ersion"', '"version "', '"__proto__"', '"constructor"', '"relativeID"', '"objectdigest"', '"\u212aey"'];

const textual: Mutator = {
  name: 'json-text',
  apply(rng, input) {
    let s = text(input).replace(/\n$/, '');
    switch (rng.int(8)) {
      case 0: // duplicate a key, same or other value, possibly case-folded
        s = s.replace(/"(version|header|objects|relativeId|digest|objectDigest|descriptorDigest)":([^,{}[\]]+|\{[^{}]*\}|\[[^\]]*\])/, (m, k: string, v: string) =>
          `${m},"${rng.chance(0.5) ? k : k.toUpperCase()}":${rng.chance(0.5) ? v : '0'}`,
        );
        break;
      case 1:
        s += rng.pick(['x', ' {}', '\n\n', '\u0000', ']', '}', ',', '{"version":1}', ' ']);
        break;
      case 2: {
        const depth = rng.pick([100, 10000, 200000]);
        s = s.replace(/"version":1/, `"version":${'['.repeat(depth)}1${']'.repeat(depth)}`);
        break;
      }
      case 3:
        s = s.replace(/"(version|relativeId|header)"/, () => rng.pick(KEY_VARIANTS));
        break;
      case 4:
        s = s.replace(/\{/, `{${rng.pick(['"extra":1,', '"__proto__":{"polluted":1},', '"":0,', `"${'k'.repeat(10000)}":0,`])}`);
        break;
      case 5:
        s = rng.pick(['\ufeff', ' ', '\t\n', '[', '"']) + s;
        break;
      case 6:
        s = JSON.stringify(JSON.parse(s.length > 0 ? s : 'null'), null, rng.pick([1, 2, '\t']));
        break;
      default: {
        // Number literals JSON.parse reads as integers that Go's decoder may refuse.
        const literal = rng.pick(['-0', '1e0', '0.0', '1.0', '01', '1E400', '-1', '0x1', '4294967296', 'NaN', '10E-1']);
        s = rng.chance(0.5) ? s.replace(/"relativeId":\d+/, `"relativeId":${literal}`) : s.replace(/"version":1/, `"version":${literal}`);
      }
    }
    return bytes(s);
  },
};

const safeText: Mutator = {
  name: 'json-safe-text',
  apply(rng, input) {
    try {
      return textual.apply(rng, input, []);
    } catch {
      return Buffer.from(input); // not JSON to begin with (an earlier step broke it)
    }
  },
};

/** Mostly structural edits that keep the text JSON, so the parser's checks (not its syntax errors) are reached. */
export const JSON_MUTATORS: readonly Mutator[] = [
  objectSet,
  objectSet,
  digests,
  digests,
  version,
  safeText,
  safeText,
  safeText,
  ...GENERIC_MUTATORS.filter((m) => ['flip-bits', 'splice', 'repeat-chunk'].includes(m.name)),
];
