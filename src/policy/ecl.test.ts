import t from 'tap';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecGroup } from './decide.js';
import { loadEcl, parseEcl, selectExecGroup, validateEcl, type EclConfig } from './ecl.js';

const KEY1 = 'F34371D0ACD5D09EB9BD853A80600A5FA11BBD29';
const KEY2 = '7064B1D6EFF01B1262FED3F03581D99FE87EAFD1';

t.test("Apptainer's KitchenSink golden config loads", async (t) => {
  // The text go-toml writes for syecl_test's KitchenSinkLegacy (testdata/configs).
  const text = `activated = true
legacyinsecure = true

[[execgroup]]
  dirpath = "/var/data1"
  keyfp = ["${KEY1}", "${KEY2}"]
  mode = "whitelist"
  tagname = "name"

[[execgroup]]
  dirpath = "/var/data2"
  keyfp = ["${KEY1}", "${KEY2}"]
  mode = "whitestrict"
  tagname = "name"

[[execgroup]]
  dirpath = "/var/data3"
  keyfp = ["${KEY1}"]
  mode = "blacklist"
  tagname = "name"
`;
  const c = await parseEcl(text);
  t.same(c, {
    activated: true,
    legacyinsecure: true,
    execgroup: [
      { tagname: 'name', mode: 'whitelist', dirpath: '/var/data1', keyfp: [KEY1, KEY2] },
      { tagname: 'name', mode: 'whitestrict', dirpath: '/var/data2', keyfp: [KEY1, KEY2] },
      { tagname: 'name', mode: 'blacklist', dirpath: '/var/data3', keyfp: [KEY1] },
    ],
  });
  t.same(await parseEcl(''), { activated: false, legacyinsecure: false, execgroup: [] }, 'an empty file is deactivated');
});

t.test('malformed files are usage errors naming the file', async (t) => {
  type Case = [text: string, message: RegExp];
  const cases: Case[] = [
    ['activated = ', /^while loading ECL configuration x\.toml: /],
    ['activated = "yes"', /: activated must be true or false$/],
    ['legacyinsecure = 1', /: legacyinsecure must be true or false$/],
    ['activate = true', /: unknown key activate \(known: activated, legacyinsecure, execgroup\)$/],
    ['execgroup = 3', /: execgroup must be an array of tables/],
    ['execgroup = [1]', /: execgroup\[0\] must be a table$/],
    ['[[execgroup]]\nkeyfps = []', /: unknown key execgroup\[0\]\.keyfps /],
    ['[[execgroup]]\nkeyfp = "ABC"', /: execgroup\[0\]\.keyfp must be an array of strings$/],
    ['[[execgroup]]\nkeyfp = [1]', /: execgroup\[0\]\.keyfp must be an array of strings$/],
    ['[[execgroup]]\nmode = 1', /: execgroup\[0\]\.mode must be a string$/],
  ];
  for (const [text, message] of cases) await t.rejects(parseEcl(text, 'x.toml'), { code: 'SIF_USAGE', message }, text);
});

t.test("ValidateConfig's cases and messages", async (t) => {
  const dir = t.testdir({ images: {}, real: {} });
  symlinkSync(join(dir, 'real'), join(dir, 'link'));
  const group = (g: Partial<ExecGroup>): ExecGroup => ({ tagname: 'name', mode: 'whitelist', dirpath: '', keyfp: [], ...g });
  const config = (...execgroup: ExecGroup[]): EclConfig => ({ activated: true, legacyinsecure: false, execgroup });
  const images = join(dir, 'images');
  type Case = [name: string, c: EclConfig, message?: string];
  const cases: Case[] = [
    ['DuplicatePaths', config(group({ dirpath: images }), group({ dirpath: images })), `a specific dirpath can only appear in one execgroup: ${images}`],
    ['DuplicateEmptyPaths', config(group({}), group({})), 'a specific dirpath can only appear in one execgroup: '],
    ['RelativePath', config(group({ dirpath: 'testdata' })), undefined],
    ['SymlinkPath', config(group({ dirpath: join(dir, 'link') })), 'all execgroup dirpath`s should be fully cleaned with symlinks resolved'],
    ['TrailingSlash', config(group({ dirpath: `${images}/` })), 'all execgroup dirpath`s should be fully cleaned with symlinks resolved'],
    ['MissingPath', config(group({ dirpath: join(dir, 'nope') })), `lstat ${join(dir, 'nope')}: no such file or directory`],
    ['BadMode', config(group({ mode: 'bad' as 'whitelist' })), 'the mode field can only be either: whitelist, whitestrict, blacklist'],
    ['EmptyMode', config(group({ mode: '' as 'whitelist' })), 'the mode field can only be either: whitelist, whitestrict, blacklist'],
    ['BadFingerprint', config(group({ keyfp: ['bad'] })), 'expecting a 40 chars hex fingerprint string'],
    ['ShortFingerprint', config(group({ keyfp: [KEY1.slice(0, 16)] })), 'expecting a 40 chars hex fingerprint string'],
    ['Deactivated', { activated: false, legacyinsecure: false, execgroup: [] }],
    ['Activated', config()],
    ['WhiteList', config(group({ dirpath: images, keyfp: [KEY1, KEY2.toLowerCase()] }))],
    ['KitchenSink', config(group({ dirpath: images, keyfp: [KEY1] }), group({ mode: 'whitestrict', dirpath: join(dir, 'real') }), group({ mode: 'blacklist' }))],
  ];
  for (const [name, c, message] of cases) {
    if (name === 'RelativePath') {
      await t.rejects(validateEcl(c), { code: 'SIF_USAGE' }, name);
    } else if (message === undefined) {
      await t.resolves(validateEcl(c), name);
    } else {
      await t.rejects(validateEcl(c), { code: 'SIF_USAGE', message: `while validating ECL configuration: ${message}` }, name);
    }
  }
});

t.test('loadEcl reads, parses and validates', async (t) => {
  const dir = t.testdir({ 'ecl.toml': 'activated = true\n[[execgroup]]\nmode = "blacklist"\n', 'bad.toml': '[[execgroup]]\nmode = "greylist"\n' });
  t.same(await loadEcl(join(dir, 'ecl.toml')), { activated: true, legacyinsecure: false, execgroup: [{ tagname: '', mode: 'blacklist', dirpath: '', keyfp: [] }] });
  await t.rejects(loadEcl(join(dir, 'bad.toml')), { code: 'SIF_USAGE', message: /the mode field can only be either/ });
  await t.rejects(loadEcl(join(dir, 'missing.toml')), { code: 'SIF_NOT_FOUND', message: `open ${join(dir, 'missing.toml')}: no such file or directory` });
});

t.test('execgroup selection by the image directory', async (t) => {
  const dir = t.testdir({ a: { 'img.sif': 'x' }, b: { 'img.sif': 'x' }, c: { 'img.sif': 'x' } });
  mkdirSync(join(dir, 'links'));
  symlinkSync(join(dir, 'b', 'img.sif'), join(dir, 'links', 'to-b.sif'));
  writeFileSync(join(dir, 'links', 'plain.sif'), 'x');
  const groups: ExecGroup[] = [
    { tagname: 'a', mode: 'whitelist', dirpath: join(dir, 'a'), keyfp: [] },
    { tagname: 'fallback', mode: 'blacklist', dirpath: '', keyfp: [] },
    { tagname: 'b', mode: 'whitestrict', dirpath: join(dir, 'b'), keyfp: [] },
  ];
  const config: EclConfig = { activated: true, legacyinsecure: false, execgroup: groups };
  t.equal((await selectExecGroup(config, join(dir, 'a', 'img.sif'))).tagname, 'a');
  t.equal((await selectExecGroup(config, join(dir, 'b', 'img.sif'))).tagname, 'b', 'an exact match wins over an earlier fallback');
  t.equal((await selectExecGroup(config, join(dir, 'links', 'to-b.sif'))).tagname, 'b', 'symlinks resolve to the real directory');
  t.equal((await selectExecGroup(config, join(dir, 'c', 'img.sif'))).tagname, 'fallback');
  const noFallback: EclConfig = { ...config, execgroup: groups.filter((g) => g.dirpath !== '') };
  const image = join(dir, 'c', 'img.sif');
  await t.rejects(selectExecGroup(noFallback, image), { code: 'SIF_NOT_IN_EXECGROUP', message: `while checking container image with ECL: ${image} not part of any execgroup` });
  await t.rejects(selectExecGroup({ ...config, execgroup: [] }, image), { code: 'SIF_NOT_IN_EXECGROUP' }, 'activated without execgroups');
  await t.rejects(selectExecGroup(config, join(dir, 'none.sif')), { code: 'SIF_NOT_FOUND' });
});
