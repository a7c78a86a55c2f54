/** Build arguments as Apptainer's internal/pkg/build/args applies them (args.go, reader.go). */
import t from 'tap';
import { applyBuildArgs, definitionWithBuildArgs, readBuildArgs, readDefaults } from './build-args.js';

const map = (o: Record<string, string>) => new Map(Object.entries(o));
const apply = (raw: string, given: Record<string, string>, defaults: Record<string, string> = {}) => applyBuildArgs(raw, map(given), map(defaults), new Set());

t.test('{{ NAME }} is replaced: --build-arg over the file over %arguments', async (t) => {
  t.equal(apply('From: {{ BASE }}\n', { BASE: 'a.sif' }), 'From: a.sif\n');
  t.equal(apply('From: {{BASE}}/{{  TAG\t}}\n', { BASE: 'a' }, { TAG: '1', BASE: 'no' }), 'From: a/1\n');
  t.equal(apply('From: {{ X }}\n', { X: '$& $1' }), 'From: $& $1\n', 'values are literal');
  t.equal(apply('From: {{ A }}\n', { A: 'x-{{ B }}-{{ C }}-{{ B }}' }, { B: 'b' }), 'From: x-b-{{ C }}-b\n', 'one level of nesting; unknown ones stay');
  t.equal(apply('From: {{ A-B }} {{\u00A0A }} {{\vA }}\n', {}), 'From: {{ A-B }} {{\u00A0A }} {{\vA }}\n', "RE2's \\w and \\s are ASCII, and \\s has no \\v");
  t.throws(() => apply('From: {{ NOPE }}\n', {}), { code: 'SIF_USAGE', message: "build var NOPE is not defined through either --build-arg (--build-arg-file) or 'arguments' section" });
});

t.test('a "#" (not "#!") before a reference on its line leaves it as written', async (t) => {
  t.equal(apply('# From: {{ A }}\nFrom: {{ A }}\n', { A: 'x' }), '# From: {{ A }}\nFrom: x\n');
  t.equal(apply('#!/bin/sh {{ A }}\n', { A: 'x' }), '#!/bin/sh x\n');
  t.equal(apply('From: a#{{ A }}\n', { A: 'x' }), 'From: a#x\n', 'a "#" right before it is followed by nothing else');
  t.equal(apply('{{ A }} # {{ A }}\n', { A: 'x' }), 'x # {{ A }}\n');
  t.equal(apply('x # y\n{{ A }}{{ A }}\n', { A: 'x' }), 'x # y\nxx\n', 'the look-back stops at the line start');
  const consumed = new Set<string>();
  applyBuildArgs('# {{ SKIPPED }}\n{{ USED }}\n', map({ USED: '1', SKIPPED: '2' }), map({}), consumed);
  t.same([...consumed], ['USED'], 'a commented reference uses nothing');
});

t.test('--build-arg and --build-arg-file: KEY=VALUE, trimmed as Go trims', async (t) => {
  const warnings: string[] = [];
  const args = readBuildArgs(['A = 1 ', 'B=x=y', 'C=\u0085z\u0085'], { path: 'args.txt', text: 'A=from file\r\nD=d\n\nbad line\n=v\n' }, (w) => warnings.push(w));
  t.same(Object.fromEntries(args), { A: '1', B: 'x=y', C: 'z', D: 'd' });
  t.same(warnings, [
    'Skipping "" in build arg file: "" is not a key=value pair',
    'Skipping "bad line" in build arg file: "bad line" is not a key=value pair',
    'Skipping "=v" in build arg file: missing key portion in "=v"',
  ]);
  t.throws(() => readBuildArgs(['novalue'], undefined, () => undefined), { code: 'SIF_USAGE', message: '"novalue" is not a key=value pair' });
  t.throws(() => readBuildArgs([' =v'], undefined, () => undefined), { message: 'missing key portion in " =v"' });
});

t.test('%arguments defaults: blank and comment lines ignored, bad lines skipped', async (t) => {
  const warnings: string[] = [];
  t.same(Object.fromEntries(readDefaults('  A=1\n# B=2\n\nC\n', (w) => warnings.push(w))), { A: '1' });
  t.same(warnings, ['Skipping "C" in \'arguments\' section: "C" is not a key=value pair']);
});

t.test('a whole definition: each stage with its own defaults; unused arguments stop the build', async (t) => {
  const def = 'Bootstrap: localimage\nFrom: {{ BASE }}\n%arguments\nBASE=one.sif\nBootstrap: localimage\nFrom: {{ BASE }}\n%arguments\nBASE=two.sif\n';
  const warn = () => undefined;
  t.same(definitionWithBuildArgs(def, { given: map({}), warn }).map((s) => s.header?.from), ['one.sif', 'two.sif']);
  t.same(definitionWithBuildArgs(def, { given: map({ BASE: 'x.sif' }), warn }).map((s) => s.header?.from), ['x.sif', 'x.sif']);
  const given = map({ BASE: 'x.sif', ZED: '1', ALPHA: '2' });
  t.throws(() => definitionWithBuildArgs(def, { given, warn }), {
    code: 'SIF_USAGE',
    message: 'unused build args: ALPHA ZED. Use option --warn-unused-build-args to show a warning instead of a fatal message',
  });
  const warnings: string[] = [];
  definitionWithBuildArgs(def, { given, warnUnused: true, warn: (w) => warnings.push(w) });
  t.same(warnings, ['Unused build args: ALPHA ZED']);
  t.throws(() => definitionWithBuildArgs('Bootstrap: docker\nFrom: {{ X }}\n', { given: map({ X: 'a\nbogus' }), warn }), { message: 'failed to parse deffile header: header key bogus had no val' }, 'the substituted stage is parsed again');
  t.throws(() => definitionWithBuildArgs('\n%help\n{{ X }}', { given: map({ X: '' }), warn }), { message: 'empty definition file' }, 'a stage the substitution empties');
});

t.test("a line longer than bufio.Scanner's 64 KiB buffer", async (t) => {
  const long = `X=${'a'.repeat(64 * 1024)}\n`;
  const warn = () => undefined;
  t.throws(() => readBuildArgs([], { path: 'args.txt', text: `A=1\n${long}` }, warn), { code: 'SIF_USAGE', message: 'error reading build arg file "args.txt": bufio.Scanner: token too long' });
  t.same(Object.fromEntries(readDefaults(`A=1\n${long}B=2\n`, warn)), { A: '1' }, '%arguments silently ends there');
});
