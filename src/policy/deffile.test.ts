import t from 'tap';
import { headerFingerprints, parseDefinition, parseHeader } from './deffile.js';

const KEY1 = '0C5B8C9A5FFC44E2A0AC79851CD6FA281D476DD1';
const KEY2 = '78F8AD36B0DCB84B707F23853D608DAE21C8CA10';

t.test("the e2e buildWithFingerprint definitions parse as Apptainer's", async (t) => {
  type Case = [def: string, fingerprints: string[]];
  const cases: Case[] = [
    [`Bootstrap: localimage\nFrom: /tmp/s.sif\nFingerprints: ${KEY1}\n`, [KEY1]],
    [`Bootstrap: localimage\nFrom: /tmp/s.sif\nFingerprints: ${KEY1},${KEY2}\n`, [KEY1, KEY2]],
    ['Bootstrap: localimage\nFrom: /tmp/s.sif\nFingerprints:\n', []],
  ];
  for (const [def, fingerprints] of cases) {
    const [stage] = parseDefinition(def);
    t.same(stage, { header: stage?.header, bootstrap: 'localimage', from: '/tmp/s.sif', fingerprints }, def);
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
  const [stage] = parseDefinition(def);
  t.equal(stage?.bootstrap, 'localimage');
  t.equal(stage?.from, 'base.sif');
  t.same(stage?.fingerprints, [KEY1, KEY2]);
  t.same(stage?.header, { bootstrap: 'localimage', from: 'base.sif', fingerprints: `${KEY1.toLowerCase()}, ${KEY2}` });
});

t.test('CRLF line endings and a header ending at the first section', async (t) => {
  const [stage] = parseDefinition(`Bootstrap: library\r\nFrom: alpine:3.19\r\n%runscript\r\nFingerprints: ${KEY1}\r\n`);
  t.same(stage, { header: { bootstrap: 'library', from: 'alpine:3.19' }, bootstrap: 'library', from: 'alpine:3.19', fingerprints: [] });
});

t.test('multi-stage definitions give one header per stage', async (t) => {
  const def = `# preamble\nBootstrap: docker\nFrom: alpine\nStage: build\n%post\n  true\nbootstrap: localimage\nFrom: x.sif\nFingerprints: ${KEY2}\n`;
  const stages = parseDefinition(def);
  t.equal(stages.length, 2);
  t.same(stages.map((s) => [s.bootstrap, s.from, s.fingerprints]), [['docker', 'alpine', []], ['localimage', 'x.sif', [KEY2]]]);
});

t.test("doHeader's corner cases", async (t) => {
  t.same(parseHeader('OtherURL1: http://a\notherurl22: http://b'), { otherurl1: 'http://a', otherurl22: 'http://b' });
  t.same(parseHeader('Bootstrap: a\\n\\\n  b'), { bootstrap: 'a\nb' }, 'a literal \\n before the backslash becomes a newline');
  t.same(parseHeader(`Fingerprints: ${KEY1},\\\n# comment ends it\nFrom: x`), { fingerprints: `${KEY1},`, from: 'x' }, 'a comment line ends a continuation');
  t.throws(() => parseHeader('Bootstrap localimage'), { code: 'SIF_USAGE', message: 'failed to parse deffile header: header key Bootstrap localimage had no val' });
  t.throws(() => parseHeader('Bootstrap: x\nFingerprint: y'), { message: 'failed to parse deffile header: invalid header keyword found: fingerprint' });
  t.throws(() => parseHeader('otherurl: x'), { message: /invalid header keyword found: otherurl$/ });
  // Apptainer only continues a non-empty value: an empty one makes the next line a key of its own.
  t.throws(() => parseHeader(`Fingerprints: \\\n${KEY1}`), { message: `failed to parse deffile header: header key ${KEY1} had no val` });
});

t.test('Fingerprints: normalisation', async (t) => {
  t.same(headerFingerprints(undefined), []);
  t.same(headerFingerprints('   '), []);
  t.same(headerFingerprints(` ${KEY1} , ${KEY2.toLowerCase()} `), [KEY1, KEY2]);
  t.throws(() => headerFingerprints('1D476DD1'), { code: 'SIF_USAGE', message: /^definition file header Fingerprints: fingerprint "1D476DD1" is 8 hex digits/ });
  t.throws(() => headerFingerprints(`${KEY1},`), { message: /empty fingerprint in list/ });
});

t.test('files without stages', async (t) => {
  t.throws(() => parseDefinition(''), { code: 'SIF_USAGE', message: 'no stages found in definition file' });
  t.throws(() => parseDefinition('# only a comment\n\n'), { message: 'no stages found in definition file' });
  const [stage] = parseDefinition('%post\n  true\n');
  t.same(stage?.header, {}, 'sections without a header: no bootstrap');
  t.equal(stage?.bootstrap, '');
});
