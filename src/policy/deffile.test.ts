import t from 'tap';
import { headerFingerprints, parseDefinition, parseHeader, parseStage } from './deffile.js';

const KEY1 = '0C5B8C9A5FFC44E2A0AC79851CD6FA281D476DD1';
const KEY2 = '78F8AD36B0DCB84B707F23853D608DAE21C8CA10';

const headers = (def: string) => parseDefinition(def).map((s) => s.header);

t.test("the e2e buildWithFingerprint definitions parse as Apptainer's", async (t) => {
  type Case = [def: string, fingerprints: string[]];
  const cases: Case[] = [
    [`Bootstrap: localimage\nFrom: /tmp/s.sif\nFingerprints: ${KEY1}\n`, [KEY1]],
    [`Bootstrap: localimage\nFrom: /tmp/s.sif\nFingerprints: ${KEY1},${KEY2}\n`, [KEY1, KEY2]],
    ['Bootstrap: localimage\nFrom: /tmp/s.sif\nFingerprints:\n', []],
  ];
  for (const [def, fingerprints] of cases) {
    const [stage] = parseDefinition(def);
    t.same(stage?.header?.from, '/tmp/s.sif', def);
    t.same(headerFingerprints(stage?.header?.fingerprints), fingerprints, def);
    t.equal(stage?.raw, def);
  }
});

t.test('keys are case-insensitive, comments are stripped, continuations join', async (t) => {
  const def = [
    '# a comment before the header',
    'BOOTSTRAP: localimage   # where from',
    'from: base.sif',
    `FingerPrints: ${KEY1.toLowerCase()}, \\`,
    `   ${KEY2}   # second signer`,
    '',
    '%post',
    '  echo "Fingerprints: ignored in sections"',
  ].join('\n');
  t.same(headers(def), [{ bootstrap: 'localimage', from: 'base.sif', fingerprints: `${KEY1.toLowerCase()}, ${KEY2}` }]);
});

t.test("Go's white space and case rules, not JavaScript's", async (t) => {
  type Case = [name: string, def: string, header: Record<string, string>];
  const cases: Case[] = [
    ['a trailing U+0085 is trimmed', 'Bootstrap: localimage\nFrom: base.sif\u0085\n', { bootstrap: 'localimage', from: 'base.sif' }],
    ['a trailing U+00A0 is trimmed', 'Bootstrap:\u00A0localimage\u00A0\nFrom: base.sif\n', { bootstrap: 'localimage', from: 'base.sif' }],
    ['a trailing U+FEFF is part of the value', 'Bootstrap: localimage\nFrom: base.sif\uFEFF\n', { bootstrap: 'localimage', from: 'base.sif\uFEFF' }],
    ['a dotted capital I lowers to i', 'Bootstrap: localimage\nFrom: b\nF\u0130NGERPRINTS: x\n', { bootstrap: 'localimage', from: 'b', fingerprints: 'x' }],
    ['U+2028 is space at the ends of a line', 'Bootstrap: localimage\u2028\nFrom: b\n', { bootstrap: 'localimage', from: 'b' }],
  ];
  for (const [name, def, header] of cases) t.same(headers(def), [header], name);
  t.throws(() => parseDefinition('\uFEFFBootstrap: localimage\nFrom: base.sif\n'), { code: 'SIF_USAGE', message: 'failed to parse deffile header: invalid header keyword found: \uFEFFbootstrap' }, 'a leading BOM is part of the first key');
  t.throws(() => parseDefinition('Bootstrap: localimage\nFROM: b\nFſ: x\n'), { message: 'failed to parse deffile header: invalid header keyword found: fſ' }, 'ſ does not lower to s');
});

t.test('CRLF line endings and a header ending at the first section', async (t) => {
  t.same(headers(`Bootstrap: library\r\nFrom: alpine:3.19\r\n%runscript\r\nFingerprints: ${KEY1}\r\n`), [{ bootstrap: 'library', from: 'alpine:3.19' }]);
  t.same(headers('Bootstrap: library\r\nFrom: a\rb\n'), [{ bootstrap: 'library', from: 'a\rb' }], 'a lone CR stays in the line');
});

t.test('stages: split at lines starting bootstrap: (any case, Go folding), after "\\n" only', async (t) => {
  const def = `# preamble\nBootstrap: docker\nFrom: alpine\nStage: build\n%post\n  true\nbootstrap: localimage\nFrom: x.sif\nFingerprints: ${KEY2}\n`;
  t.same(headers(def).map((h) => [h?.bootstrap, h?.from]), [['docker', 'alpine'], ['localimage', 'x.sif']]);
  t.equal(parseDefinition(def)[1]?.raw, `bootstrap: localimage\nFrom: x.sif\nFingerprints: ${KEY2}\n`);
  t.throws(() => parseDefinition('Bootstrap: docker\nFrom: a\nbootſtrap: localimage\nFrom: x\n'), { message: /invalid header keyword found: bootſtrap$/ }, 'ſ folds to s in the split, not in the key');
  t.same(headers('Bootstrap: docker\nFrom: a\rbootstrap: localimage\n'), [{ bootstrap: 'docker', from: 'a\rbootstrap: localimage' }], 'no split after a lone CR');
});

t.test("doHeader's corner cases", async (t) => {
  t.same(parseHeader('OtherURL1: http://a\notherurl22: http://b'), { otherurl1: 'http://a', otherurl22: 'http://b' });
  t.same(parseHeader('Bootstrap: a\\n\\\n  b'), { bootstrap: 'a\nb' }, 'a literal \\n before the backslash becomes a newline');
  t.same(parseHeader('Bootstrap: a\nFrom: b \\'), { bootstrap: 'a' }, 'a continuation at the end of the header is dropped');
  t.throws(() => parseHeader(`Fingerprints: ${KEY1},\\\n# comment\nFrom: x`), { code: 'SIF_USAGE', message: /^failed to parse deffile header: the continued fingerprints: value ends at a blank or comment line/ });
  t.throws(() => parseHeader('Bootstrap localimage'), { code: 'SIF_USAGE', message: 'failed to parse deffile header: header key Bootstrap localimage had no val' });
  t.throws(() => parseHeader('Bootstrap: x\nFingerprint: y'), { message: 'failed to parse deffile header: invalid header keyword found: fingerprint' });
  t.throws(() => parseHeader('otherurl: x'), { message: /invalid header keyword found: otherurl$/ });
  // Apptainer only continues a non-empty value: an empty one makes the next line a key of its own.
  t.throws(() => parseHeader(`Fingerprints: \\\n${KEY1}`), { message: `failed to parse deffile header: header key ${KEY1} had no val` });
  t.equal(parseHeader('# only\n\n# comments'), undefined, 'no keys: no header');
});

t.test('sections: names, app sections, %arguments', async (t) => {
  const [stage] = parseDefinition('Bootstrap: docker\nFrom: a\n%arguments\nA=1\n%post\n%ARGUMENTS x\nB=2\n%appinstall foo\n%files\n');
  t.equal(stage?.arguments, 'A=1\nB=2\n', 'every %arguments body, the name in any case');
  t.ok(parseDefinition('Bootstrap: docker\n%files\n"a b" c\n""\n" "\n\'\n'), 'quoted %files lines Apptainer parses');
  type Case = [def: string, message: string];
  const cases: Case[] = [
    ['Bootstrap: docker\n%bogus\n%other\n', 'invalid section(s) specified: bogus, other'],
    ['Bootstrap: docker\n  %post\n', 'invalid section(s) specified: '],
    ['Bootstrap: docker\n%post\tx\n', 'invalid section(s) specified: post\tx'],
    ['Bootstrap: docker\n%APPINSTALL foo\n', 'invalid section(s) specified: APPINSTALL foo'],
    ['Bootstrap: docker\n%appinstall\n', 'app section appinstall: could not be split into section name and app name'],
    ['%post\n', 'section %post: could not be split into section name and body'],
    ['Bootstrap: docker\n%files\n  a b\n  "\u0085\n', "%files: a line that is a lone \" crashes Apptainer's parser (index out of range)"],
  ];
  for (const [def, message] of cases) t.throws(() => parseDefinition(def), { code: 'SIF_USAGE', message }, JSON.stringify(def));
});

t.test('empty stages are skipped; a stage of sections alone has no header', async (t) => {
  t.throws(() => parseDefinition(''), { code: 'SIF_USAGE', message: 'no stages found in definition file' });
  t.throws(() => parseDefinition('# only a comment\n\n'), { message: 'no stages found in definition file' });
  t.equal(parseStage(''), undefined);
  t.equal(parseStage('\n%post\n%labels\n  # none\n'), undefined, 'empty sections and comment-only labels are nothing');
  t.same(parseDefinition('%post\n  true\n').map((s) => s.header), [undefined]);
  t.same(parseDefinition('%labels\n a b\n').map((s) => s.header), [undefined]);
  t.same(parseDefinition('\n%files\n').map((s) => s.header), [undefined], 'a %files section always counts');
  t.same(parseDefinition('\n%help x\n').map((s) => s.header), [undefined], 'so do section arguments');
});

t.test('Fingerprints: normalisation', async (t) => {
  t.same(headerFingerprints(undefined), []);
  t.same(headerFingerprints('   '), []);
  t.same(headerFingerprints(` ${KEY1} , ${KEY2.toLowerCase()} `), [KEY1, KEY2]);
  t.same(headerFingerprints(`${KEY1}\u0085,\u00A0${KEY2}`), [KEY1, KEY2], "Go's white space");
  t.throws(() => headerFingerprints(`${KEY1}\uFEFF`), { code: 'SIF_USAGE', message: /is not 40 hex digits/ }, 'U+FEFF is no space');
  t.throws(() => headerFingerprints('1D476DD1'), { code: 'SIF_USAGE', message: /^definition file header Fingerprints: fingerprint "1D476DD1" is 8 hex digits/ });
  t.throws(() => headerFingerprints(`${KEY1},`), { message: /empty fingerprint in list/ });
});
