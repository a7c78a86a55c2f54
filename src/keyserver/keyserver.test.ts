/**
 * The keyserver modules without a network: URL normalisation as
 * container-key-client's, Go's query encoding, the strict remote.yaml reader,
 * Apptainer's keyserver choice (SyncFrom, Skip, External credentials,
 * cloud.apptainer.org), and `key pull`'s argument checks in Go's wording.
 */
import t, { type Test } from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseKeyservers, explicitKeyservers, keyserverTimeoutMs } from './choose.js';
import { pullKeyHex } from './key-id.js';
import { remoteYamlKeyservers } from './remote-config.js';
import { goQueryString, normalizeKeyserverUrl } from './url.js';
import { parseYamlSubset } from './yaml-subset.js';

t.test('keyserver URLs', async (t: Test) => {
  type Case = [input: string, normalized: string];
  const cases: Case[] = [
    ['hkp://keys.example.org', 'http://keys.example.org:11371/'],
    ['hkp://keys.example.org:80', 'http://keys.example.org/'],
    ['hkps://keys.example.org', 'https://keys.example.org/'],
    ['https://keys.example.org/base', 'https://keys.example.org/base/'],
    ['http://127.0.0.1:8080/?q=1#x', 'http://127.0.0.1:8080/'],
  ];
  for (const [input, normalized] of cases) t.equal(normalizeKeyserverUrl(input), normalized, input);
  t.throws(() => normalizeKeyserverUrl('ldap://keys.example.org'), { code: 'SIF_USAGE', message: /unsupported protocol scheme "ldap"/ });
  t.throws(() => normalizeKeyserverUrl('keys.example.org'), { code: 'SIF_USAGE', message: /invalid keyserver URL/ });
  t.equal(goQueryString({ search: "a b!*'()~@", op: 'index' }), 'op=index&search=a+b%21%2A%27%28%29~%40', "sorted keys, Go's QueryEscape");
});

t.test('remote.yaml: the YAML subset', async (t: Test) => {
  t.same(parseYamlSubset('', 'f'), null);
  t.same(parseYamlSubset("---\n# c\na: 'x''y' # note\nb: \"q\\n\"\nc:\n- 1\n- k: v\n  l: true\nd: {}\ne: ~\n", 'f'), {
    a: "x'y",
    b: 'q\n',
    c: ['1', { k: 'v', l: true }],
    d: {},
    e: null,
  });
  type Bad = [text: string, message: RegExp];
  const bad: Bad[] = [
    ['a: &x 1', /line 1: unsupported YAML "&x 1"/],
    ['a: [1, 2]', /unsupported YAML/],
    ['a: 1\na: 2', /line 2: duplicate key "a"/],
    ['a:\n\tb: 1', /tab in indentation/],
    ['a: 1\n---\nb: 2', /several YAML documents/],
    ['a: 1\n   b: 2', /line 2: unexpected indentation/],
    ["a: 'open", /unterminated single-quoted string/],
    ['just text', /expected "key: value"/],
  ];
  for (const [text, message] of bad) t.throws(() => parseYamlSubset(text, 'remote.yaml'), { code: 'SIF_USAGE', message }, text);
});

t.test("Apptainer's keyserver choice", async (t: Test) => {
  const root = t.testdir({ home: { '.apptainer': {} }, etc: {} });
  const user = join(root, 'home', '.apptainer', 'remote.yaml');
  const system = join(root, 'etc', 'remote.yaml');
  const env = { HOME: join(root, 'home'), SIF_SYSTEM_REMOTE_YAML: system };

  const none = await chooseKeyservers([], env);
  t.same(none, { servers: [{ url: 'https://keys.openpgp.org/' }], warning: 'No default remote in use, falling back to default keyserver: https://keys.openpgp.org' });

  // The file Apptainer ships: cloud.apptainer.org, whose keyserver is hard-coded.
  writeFileSync(system, 'Active: DefaultRemote\nRemotes:\n  DefaultRemote:\n    URI: cloud.apptainer.org\n    System: true\n    Exclusive: false\n');
  t.same(await chooseKeyservers([], env), { servers: [{ url: 'https://keys.openpgp.org/', authorization: undefined }], warning: undefined });

  writeFileSync(
    system,
    [
      'Active: DefaultRemote',
      'Remotes:',
      '  DefaultRemote:',
      '    URI: cloud.apptainer.org',
      '    System: true',
      '    Keyservers:',
      '    - URI: https://skipped.example.org',
      '      Skip: true',
      '    - URI: hkp://one.example.org',
      '      External: true',
      '      Insecure: true',
      '    - URI: https://two.example.org',
      '      External: true',
    ].join('\n'),
  );
  writeFileSync(user, 'Active: DefaultRemote\nRemotes: {}\nCredentials:\n- URI: http://one.example.org:11371\n  Auth: Basic dTpw\n  Insecure: true\n');
  t.same(await remoteYamlKeyservers(env, true), [
    { url: 'http://one.example.org:11371/', authorization: 'Basic dTpw', insecure: true },
    { url: 'https://two.example.org/', authorization: undefined, insecure: false },
  ], 'verify: every keyserver not skipped, in order, with its stored credential');
  t.same((await remoteYamlKeyservers(env, false))!.length, 1, 'search, pull, push: the primary one');

  writeFileSync(user, 'Active: Mine\nRemotes:\n  Mine:\n    URI: library.example.org\n    System: false\n    Token: tok\n');
  await t.rejects(remoteYamlKeyservers(env, true), { code: 'SIF_KEYSERVER', message: /remote "Mine" \(library\.example\.org\) lists no Keyservers/ });
  writeFileSync(user, 'Active: Mine\nRemotes:\n  Mine:\n    URI: library.example.org\n    Keyservers:\n    - URI: https://keys.example.org\n    Token: tok\n');
  t.same(await remoteYamlKeyservers(env, true), [{ url: 'https://keys.example.org/', authorization: 'Bearer tok', insecure: false }], "the remote's own keyserver gets its token");
  writeFileSync(user, 'Active: Mine\nRemotes:\n  Mine:\n    URL: typo\n');
  await t.rejects(remoteYamlKeyservers(env, true), { code: 'SIF_USAGE', message: /Remotes\.Mine: field URL not found/ }, 'unknown fields are refused, as go-yaml KnownFields');
  writeFileSync(user, 'Active: [1]\n');
  await t.rejects(remoteYamlKeyservers(env, true), { code: 'SIF_USAGE' });
  writeFileSync(user, 'Active: x\nRemotes:\n  x:\n    System: maybe\n');
  await t.rejects(remoteYamlKeyservers(env, true), { message: /Remotes\.x\.System must be true or false/ });
  mkdirSync(join(root, 'dir.yaml'));
  await t.rejects(remoteYamlKeyservers({ ...env, SIF_SYSTEM_REMOTE_YAML: join(root, 'dir.yaml') }, true), { code: 'SIF_IO' }, 'an unreadable file is an error, not a silent default');

  t.same(explicitKeyservers(['hkps://a.example.org'], { SIF_KEYSERVER: 'https://b.example.org' }), [{ url: 'https://a.example.org/' }], '-u first');
  t.same(explicitKeyservers([], { SIF_KEYSERVER: 'https://b.example.org, hkp://c.example.org', APPTAINER_URL: 'https://d.example.org' }).map((s) => s.url), [
    'https://b.example.org/',
    'http://c.example.org:11371/',
  ], 'then $SIF_KEYSERVER, a comma-separated list');
  t.same(explicitKeyservers([], { APPTAINER_URL: 'https://d.example.org' }).map((s) => s.url), ['https://d.example.org/'], 'then $APPTAINER_URL');
  t.same(await chooseKeyservers([], { ...env, SIF_KEYSERVER: 'https://b.example.org' }), { servers: [{ url: 'https://b.example.org/' }], warning: undefined });
  t.equal(keyserverTimeoutMs({}), 5000);
  t.equal(keyserverTimeoutMs({ SIF_KEYSERVER_TIMEOUT: '0.25' }), 250);
  t.throws(() => keyserverTimeoutMs({ SIF_KEYSERVER_TIMEOUT: '-1' }), { code: 'SIF_USAGE' });
});

t.test("key pull's argument, in Go's words", async (t: Test) => {
  t.equal(pullKeyHex('ABCDEF01'), 'abcdef01');
  type Case = [arg: string, message: string];
  const cases: Case[] = [
    ['0xABCDEF01', "failed to decode fingerprint: encoding/hex: invalid byte: U+0078 'x'"],
    ['ABCDEF0', 'failed to decode fingerprint: encoding/hex: odd length hex string'],
    ['ABCDEF0x', "failed to decode fingerprint: encoding/hex: invalid byte: U+0078 'x'"],
    ['ABCDEF0\u00e9', 'failed to decode fingerprint: encoding/hex: invalid byte: U+00C3'],
    ['ABCDEF0123456789', 'not a valid key length: only accepts 8, or 40 chars'],
  ];
  for (const [arg, message] of cases) t.throws(() => pullKeyHex(arg), { code: 'SIF_USAGE', message }, arg);
});
