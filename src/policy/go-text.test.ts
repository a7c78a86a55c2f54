/** Our Go text rules against Go's own (scripts/oracle gotext), over every code point. */
import t from 'tap';
import { oracle } from '../test-support/oracle.js';
import { withReference } from '../test-support/reference.js';
import { COMMENT, REFERENCE } from './build-args.js';
import { parseStage, STAGE_START } from './deffile.js';
import { fitsScanBuffer, goCleanPath, goIsSpace, goLines, goScanLines, goToLower, goTrimSpace } from './go-text.js';

interface Tables {
  version: string;
  space: number[];
  lower: [from: number, to: number][];
  assigned: [lo: number, hi: number][];
}

const isSurrogate = (cp: number) => cp >= 0xd800 && cp <= 0xdfff;

withReference(t, "Go's unicode.IsSpace and strings.ToLower, code point by code point", ['go', 'go-sif'], async (t) => {
  const go = oracle<Tables>('gotext', 'tables');
  const space = new Set(go.space);
  const lower = new Map(go.lower);
  const assigned = (cp: number) => go.assigned.some(([lo, hi]) => cp >= lo && cp <= hi);
  const spaceDiffs: number[] = [];
  const lowerDiffs: string[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (isSurrogate(cp)) continue;
    if (goIsSpace(cp) !== space.has(cp)) spaceDiffs.push(cp);
    const ours = goToLower(String.fromCodePoint(cp));
    const theirs = String.fromCodePoint(lower.get(cp) ?? cp);
    // A case pair Unicode added after Go's tables: Apptainer's newer Go has it, as Node does.
    if (ours !== theirs && assigned(cp)) lowerDiffs.push(`U+${cp.toString(16)} → ${JSON.stringify(ours)}, Go ${JSON.stringify(theirs)}`);
  }
  t.same(spaceDiffs, [], `IsSpace (Go's Unicode ${go.version})`);
  t.same(lowerDiffs, [], `ToLower (Go's Unicode ${go.version})`);
});

withReference(t, "Go's strings.TrimSpace, strings.ToLower and filepath.Clean on the inputs that differ from JavaScript's", ['go', 'go-sif'], async (t) => {
  const texts = ['\uFEFFbase.sif\uFEFF', ' base.sif\u0085', '\u00A0From\u3000', 'FİNGERPRINTS', 'ΟΔΟΣ', 'Kelvin\u212A', 'ſtage', '\t\v\f\r\n x \u2028\u2029'];
  t.same(texts.map((s) => [goTrimSpace(s), goToLower(s)]), oracle('gotext', 'trim', ...texts));
  const paths = ['', '.', './', 'base.sif', './base.sif', 'a/../b.sif', 'defs/', '//x//y/', '/../a', '../../a/./b/', 'a/b/../../..', '/'];
  t.same(paths.map(goCleanPath), oracle('gotext', 'clean', ...paths));
});

t.test("bufio.ScanLines' lines", async (t) => {
  type Case = [text: string, lines: string[]];
  const cases: Case[] = [['', []], ['a', ['a']], ['a\n', ['a']], ['a\r\nb', ['a', 'b']], ['a\n\n', ['a', '']], ['\r\n', ['']], ['a\rb\r\r\n', ['a\rb\r']]];
  for (const [text, lines] of cases) t.same(goScanLines(text), lines, JSON.stringify(text));
});

withReference(t, "Go's RE2 on the patterns Apptainer reads definition files with", ['go', 'go-sif'], async (t) => {
  const match = (re: string, texts: string[]) => oracle<(string[][] | null)[]>('gotext', 'match', re, ...texts).map((m) => m ?? []);
  const stages = ['Bootstrap: a\nbootstrap: b', 'x\nBOOTſTRAP: b', 'x\rbootstrap: b', 'x\u2028bootstrap: b', 'x\n bootstrap: b', 'bootstrapping:'];
  t.same(stages.map((s) => [...s.matchAll(STAGE_START)].map((m) => [m[0]])), match('(?mi)^bootstrap:', stages), 'stage starts');
  const refs = ['{{ A }}', '{{A}}{{ b_1 }}', '{{\tA\n}}', '{{\vA}}', '{{\u00A0A}}', '{{ A-B }}', '{{ É }}', '{{{ A }}}', '{{ A } }'];
  t.same(refs.map((s) => [...s.matchAll(REFERENCE)].map((m) => [m[0], m[1]])), match('{{\\s*(\\w+)\\s*}}', refs), 'references');
  const comments = ['\n# x ', '\n#!', '#', '\n#\n', 'a #b', '\n  #!#x', '\n#\u00e9'];
  t.same(comments.map((s) => COMMENT.test(s)), match('\\s*[#][^!]\\s*.*', comments).map((m) => m.length > 0), 'comment look-back');
});

withReference(t, "bufio.Scanner's 64 KiB buffer: where Apptainer fails with \"token too long\"", ['go', 'go-sif'], async (t) => {
  const K64 = 64 * 1024;
  const a = (n: number) => 'a'.repeat(n);
  const lineTexts = [`${a(K64 - 1)}\n`, `${a(K64)}\n`, a(K64 - 1), a(K64), `x\n${a(K64 - 3)}`, `x\n${a(K64 - 2)}`, `${'é'.repeat(K64 / 2 - 1)}\r\n`, `${'é'.repeat(K64 / 2)}\n`, `ok\n${a(K64)}\nnever\n`];
  const lines = oracle<{ tokens: number; error: string }[]>('gotext', 'scan', 'lines', ...lineTexts);
  const ours = lineTexts.map((text) => {
    const all = goLines(text);
    const fit = all.findIndex((_, i) => !fitsScanBuffer(all, i, i));
    return { tokens: fit < 0 ? all.length : fit, error: fit < 0 ? '' : 'bufio.Scanner: token too long' };
  });
  t.same(ours, lines, 'ScanLines');
  const header = 'Bootstrap: docker\nFrom: ';
  const defs = [K64 - 40, K64 - 32, K64 - 31, K64 - 30, K64 - 26, K64 - 25, K64 - 24, K64 - 13, K64 - 12].flatMap((n) => [`${header}${a(n)}\n%post\necho\n`, `${header}${a(n)}\n%post`, `${header}${a(n)}\n`, `${header}x\n%post\n${a(n)}\n%test\n`]);
  // A few at a time: argv holds at most 2 MiB.
  const sections = defs.flatMap((_, i) => (i % 8 === 0 ? oracle<{ tokens: number; error: string }[]>('gotext', 'scan', 'sections', ...defs.slice(i, i + 8)) : []));
  const verdicts = defs.map((def) => {
    try {
      parseStage(def);
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  });
  t.same(verdicts, sections.map((s) => s.error), 'definition sections');
  t.ok(verdicts.includes('') && verdicts.includes('bufio.Scanner: token too long'), 'both sides of the limit');
});
