/**
 * The two parsers of caller-supplied JSON (an existing SAP signatures file,
 * a statement checked against the in-toto Go rules) on mangled input: a
 * SifError or a verdict, never another exception.
 */
import t from 'tap';
import { isSifError } from '../errors.js';
import { Prng } from '../fuzz/prng.js';
import { parseSapSignatures } from './sap-aicore.js';
import { statementProblem } from './statement.js';

const SEEDS = [
  '{"dummy-model":"6ae8a75555209fd6c44157c0aed8016e763ff435a19cf186f76863140143ff72","sif-image":"abc"}',
  JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'x', digest: { sha256: 'ab'.repeat(32) } }], predicateType: 'u', predicate: {} }),
];
const ALPHABET = '{}[]":,0123456789abcdef-_.\\ \u0000\u00e9tnrufls';

function mangle(rng: Prng, text: string): string {
  const chars = [...text];
  for (let n = 1 + rng.int(4); n > 0; n--) {
    const at = rng.int(chars.length + 1);
    const op = rng.int(3);
    if (op === 0) chars.splice(at, 1);
    else if (op === 1) chars.splice(at, 0, ALPHABET[rng.int(ALPHABET.length)]!);
    else chars.splice(at, rng.int(8));
  }
  return chars.join('');
}

t.test('mangled JSON: a SifError or a verdict, nothing else', async (t) => {
  const rng = new Prng('attest-hostile-json');
  let refused = 0;
  for (let i = 0; i < 3000; i++) {
    const text = mangle(rng, SEEDS[i % SEEDS.length]!);
    try {
      const parsed = parseSapSignatures(text, 'f');
      for (const v of Object.values(parsed)) if (typeof v !== 'string') t.fail(`non-string accepted: ${text}`);
    } catch (e) {
      if (!isSifError(e, 'SIF_USAGE')) t.fail(`${text}: ${String(e)}`);
      refused++;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      continue;
    }
    const problem = statementProblem(value);
    t.ok(problem === undefined || typeof problem === 'string');
  }
  t.ok(refused > 0, `${refused} refused`);
});

t.test('a million subjects: checked without a crash', async (t) => {
  const subject = Array.from({ length: 1_000_000 }, (_, i) => ({ name: `x#object=${i}`, digest: { sha256: i === 999_999 ? 'AB'.repeat(32) : 'ab'.repeat(32) } }));
  t.equal(statementProblem({ _type: 'https://in-toto.io/Statement/v1', subject, predicateType: 'u', predicate: {} }), 'subject 999999: digest sha256 is not lowercase hex');
});
