/**
 * Keyservers that misbehave, played by a STUB (test-support/hkp-stub.ts) for
 * what sks cannot do: 401, JSON errors, keys.openpgp.org's CRLF index, the
 * wrong key, HTML without a key, no answer, a body that never ends. Remote
 * lookup must then warn and leave the signer unknown: never a pass, never a
 * hang. Also the exact requests sif sends, and remote.yaml credentials.
 */
import t, { type Test } from 'tap';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { runCli, SIF_BIN } from '../test-support/cli.js';
import { endless, silent, stalled, startHkpStub } from '../test-support/hkp-stub.js';
import { GO_IMAGES, withReference } from '../test-support/reference.js';
import { freshKey, signedImage } from '../test-support/signed.js';

withReference(t, 'remote lookup and key commands against a stub keyserver', ['go-sif'], async (t: Test) => {
  const root = t.testdir({ home: {}, empty: {} });
  const signer = await freshKey('ecc', 'Remote Signer');
  const other = await freshKey('ecc', 'Someone Else');
  const { image } = await signedImage(root, join(GO_IMAGES, 'one-group.sif'), signer);
  const fp = signer.getFingerprint().toUpperCase();
  const { armor, enums } = await import('openpgp');
  const armoredBoth = armor(enums.armor.publicKey, new Uint8Array([...signer.toPublic().write(), ...other.toPublic().write()]));
  const armored = (k: typeof signer) => k.toPublic().armor();
  const stub = await startHkpStub(t, {
    ok: (_q, res) => res.writeHead(200, { 'Content-Type': 'application/pgp-keys' }).end(armored(signer)),
    html: (_q, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<html><pre>${armored(signer)}</pre></html>`),
    nokey: (_q, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body>Welcome</body></html>'),
    other: (_q, res) => res.writeHead(200).end(armored(other)),
    e404: (_q, res) => res.writeHead(404).end('Not found'),
    e500: (_q, res) => res.writeHead(500).end('boom'),
    e401: (_q, res) => res.writeHead(401).end(),
    json400: (_q, res) => res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"error":{"code":400,"message":"Invalid search query!"}}'),
    silent,
    stalled,
    endless,
    openpgp: (_q, res) =>
      res
        .writeHead(200, { 'Content-Type': 'text/plain' })
        .end(`info:1:1\r\npub:${fp}:22:256:1580000000::\r\nuid:Remote%20Signer%20%3Ctest%40example.com%3E:1580000000::\r\n`),
    miscount: (_q, res) => res.writeHead(200).end(`info:1:2\npub:${fp}:1:2048:1580000000::\nuid:One\n`),
    pushed: (_q, res) => res.writeHead(200).end('Upload successful. Please note that identity information will only be published after verification.'),
    two: (_q, res) => res.writeHead(200).end(armoredBoth),
    garbage: (_q, res) => res.writeHead(200).end('-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n'),
    secret: (_q, res) => res.writeHead(200).end(signer.armor()),
    // For refresh: the signer's key is answered with another one, anything else fails.
    mixed: (q, res) => (q.url!.includes(fp.toLowerCase()) ? res.writeHead(200).end(armored(other)) : res.writeHead(503).end()),
    auth: (q, res) => (q.headers.authorization === 'Bearer s3cret' ? res.writeHead(200).end(armored(signer)) : res.writeHead(401).end()),
  });
  const env = { HOME: join(root, 'home'), SIF_SYSTEM_REMOTE_YAML: join(root, 'none.yaml'), TZ: 'UTC', SIF_KEYSERVER_TIMEOUT: '0.5' };
  writeFileSync(join(root, 'no-global'), '');
  const verify = (...flags: string[]) => verifyIn(env, ...flags);
  const verifyIn = (e: NodeJS.ProcessEnv, ...flags: string[]) => runCli(['verify', '--keysdir', join(root, 'empty'), '--global-keyring', join(root, 'no-global'), ...flags, image], e);

  t.test('a key the keyserver holds verifies, asked for by the full fingerprint', async (t: Test) => {
    const r = await verify('--url', stub.url('ok'));
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout.toString(), /^\[REMOTE\] +Signing entity: Remote Signer/m);
    t.equal(stub.requests.at(-1)!.url, `/ok/pks/lookup?exact=on&op=get&search=0x${fp.toLowerCase()}`, "Apptainer's query, sorted, by fingerprint");
    const html = await verify('--url', stub.url('html'));
    t.equal(html.code, 0, `an armor block inside HTML (SKS without options=mr): ${html.stderr}`);
    const fallback = await verify('--url', stub.url('e500'), '--url', stub.url('ok'));
    t.equal(fallback.code, 0, `a failing keyserver falls back to the next: ${fallback.stderr}`);
  });

  const misbehaving: [mode: string, warning: RegExp][] = [
    ['other', /answered with another key \([0-9A-F]{40}\); not used/],
    ['e404', /no matching keys found for fingerprint/],
    ['e500', /failed to get key: 500 Internal Server Error/],
    ['e401', /unauthorized or missing token/],
    ['nokey', /holds no armored public key/],
    ['silent', /no complete answer within 0.5 s/],
    ['stalled', /no complete answer within 0.5 s/],
    ['endless', /reply larger than 16777216 bytes/],
  ];
  for (const [mode, warning] of misbehaving) {
    t.test(`a keyserver that misbehaves (${mode}): a warning and an unknown signer`, async (t: Test) => {
      // The endless reply must meet the size limit, not the deadline: a deadline only bounds the test.
      const r = await verifyIn(mode === 'endless' ? { ...env, SIF_KEYSERVER_TIMEOUT: '120' } : env, '--url', stub.url(mode));
      t.equal(r.code, 13, 'unknown signer, never a pass');
      t.match(r.stderr, /^sif: warning: failed to get key material for [0-9A-F]{40}: /m);
      t.match(r.stderr, warning);
    });
  }

  t.test('a signer a keyring holds is never looked up', async (t: Test) => {
    const keyring = join(root, 'signer.pub.asc');
    writeFileSync(keyring, armored(signer));
    const before = stub.requests.length;
    const r = await verify('--url', stub.url('e500'), '--keyring', keyring);
    t.same([r.code, stub.requests.length], [0, before], 'no request');
    t.match(r.stdout.toString(), /^\[LOCAL\] /m);
  });

  t.test('a keyserver that sends secret key material: only the public part is used', async (t: Test) => {
    const r = await verify('--url', stub.url('secret'));
    t.equal(r.code, 0, r.stderr);
    const pulled = await runCli(['key', 'pull', '-u', stub.url('secret'), '--keysdir', join(root, 'secretpull'), fp], env);
    t.same([pulled.code, pulled.stderr.split('\n').at(-2)], [6, 'sif: the keyserver sent private key material; nothing stored']);
  });

  t.test('pull: replies Apptainer refuses', async (t: Test) => {
    const keysdir = join(root, 'refused');
    const two = await runCli(['key', 'pull', '-u', stub.url('two'), '--keysdir', keysdir, fp], env);
    t.same([two.code, two.stderr], [2, 'sif: pull failed: unable to pull key from server: server returned more than one key for unique fingerprint\n']);
    const garbage = await runCli(['key', 'pull', '-u', stub.url('garbage'), '--keysdir', keysdir, fp], env);
    t.equal(garbage.code, 2);
    t.match(garbage.stderr, /^sif: pull failed: unable to pull key from server: \/garbage\/pks\/lookup|^sif: pull failed: unable to pull key from server: http:/);
    const failed = await runCli(['key', 'pull', '-u', stub.url('e500'), '--keysdir', keysdir, fp], env);
    t.same([failed.code, failed.stderr], [2, 'sif: pull failed: unable to pull key from server: failed to get key: 500 Internal Server Error\n']);
  });

  t.test('refresh: keys the server lacks, answers with the wrong key, fails on', async (t: Test) => {
    const keysdir = join(root, 'refreshing');
    const both = join(root, 'both.asc');
    writeFileSync(both, armoredBoth);
    t.equal((await runCli(['key', 'import', '--keysdir', keysdir, both], env)).code, 0);
    const r = await runCli(['key', 'refresh', '-u', stub.url('mixed'), '--keysdir', keysdir], env);
    t.equal(r.code, 2);
    t.match(r.stdout.toString(), `${fp}: the key server answered with another key; not used\n0 key(s) updated in keyring of trust `);
    t.match(r.stderr, /sif: warning: [0-9A-F]{40}: failed to get key: 503 Service Unavailable\n/);
    t.match(r.stderr, /sif: refresh failed for 1 key\(s\); the others were refreshed\n$/);
    const missing = await runCli(['key', 'refresh', '-u', stub.url('e404'), '--keysdir', keysdir], env);
    t.equal(missing.code, 0, missing.stderr);
    t.match(missing.stdout.toString(), `${fp}: not on the key server\n`);
  });

  t.test('an unreachable keyserver', async (t: Test) => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const search = await runCli(['key', 'search', '-u', `http://127.0.0.1:${closed}`, 'x'], env);
    t.match(search.stderr, /^sif: search failed: failed to get key: Get "http:\/\/127\.0\.0\.1:\d+\/pks\/lookup\?fingerprint=on&op=index&options=mr&search=x&x-pagesize=256": connect ECONNREFUSED/);
    const keysdir = join(root, 'unreachable');
    writeFileSync(join(root, 'signer-u.asc'), armored(signer));
    await runCli(['key', 'import', '--keysdir', keysdir, join(root, 'signer-u.asc')], env);
    const push = await runCli(['key', 'push', '-u', `http://127.0.0.1:${closed}`, '--keysdir', keysdir, fp], env);
    t.match(push.stderr, /^sif: push failed: key server did not accept PGP key: Post "http:\/\/127\.0\.0\.1:\d+\/pks\/add": connect ECONNREFUSED/);
    const r = await verify('--url', `hkp://127.0.0.1:${closed}`);
    t.equal(r.code, 13);
    t.match(r.stderr, /warning: failed to get key material for [0-9A-F]{40}: failed to get key: Get "http:\/\/127\.0\.0\.1:\d+\/pks\/lookup\?exact=on&op=get&search=0x[0-9a-f]{40}": connect ECONNREFUSED/);
  });

  t.test('bad flags and settings', async (t: Test) => {
    const both = await verify('--url', stub.url('ok'), '--local');
    t.same([both.code, both.stderr], [2, 'sif: --local and --url contradict each other: pass one of them\n']);
    const scheme = await verify('--url', 'ftp://example.org');
    t.same([scheme.code, scheme.stderr], [2, 'sif: unsupported protocol scheme "ftp" in keyserver URL "ftp://example.org"\n']);
    const timeout = await runCli(['key', 'search', '-u', stub.url('ok'), 'x'], { ...env, SIF_KEYSERVER_TIMEOUT: 'soon' });
    t.same([timeout.code, timeout.stderr], [2, 'sif: SIF_KEYSERVER_TIMEOUT="soon": expected a number of seconds above 0\n']);
  });

  t.test('search: requests, keys.openpgp.org replies, errors', async (t: Test) => {
    const r = await runCli(['key', 'search', '-u', stub.url('openpgp'), 'test@example.com'], env);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout.toString(), `Showing 1 results\n\nKEY ID    BITS  NAME/EMAIL\n${fp.slice(-8)}  256   Remote Signer <test@example.com>\n`);
    t.equal(stub.requests.at(-1)!.url, '/openpgp/pks/lookup?fingerprint=on&op=index&options=mr&search=test%40example.com&x-pagesize=256');
    await runCli(['key', 'search', '-u', stub.url('openpgp'), fp.slice(-8)], env);
    t.match(stub.requests.at(-1)!.url, `&search=0x${fp.slice(-8)}&`, 'upper-case hex gets 0x');
    const long = await runCli(['key', 'search', '-l', '-u', stub.url('openpgp'), 'x'], env);
    t.equal(long.stdout.toString().split('\n')[3], `${fp}  unknown    256   2020-01-26 00:53:20 +0000 UTC                   [enabled]  Remote Signer <test@example.com>`);
    const miscount = await runCli(['key', 'search', '-u', stub.url('miscount'), 'x'], env);
    t.equal(miscount.code, 2);
    t.match(miscount.stdout.toString(), /^Showing -1 results\n\nKEY ID/);
    t.equal(miscount.stderr, 'sif: search failed: failed to convert machine readable to human readable output correctly\n');
    const json = await runCli(['key', 'search', '-u', stub.url('json400'), 'x'], env);
    t.same([json.code, json.stderr], [2, 'sif: search failed: failed to get key: 400 Bad Request: Invalid search query!\n']);
    const denied = await runCli(['key', 'search', '-u', stub.url('e401'), 'x'], env);
    t.match(denied.stderr, /^sif: search failed: unauthorized or missing token \(http:\/\/127\.0\.0\.1:\d+: log in with "apptainer keyserver login URL"/);
  });

  t.test('push: the form Apptainer posts, and the server\'s words', async (t: Test) => {
    const keysdir = join(root, 'pushkeys');
    const pub = join(root, 'signer.asc');
    writeFileSync(pub, armored(signer));
    t.equal((await runCli(['key', 'import', '--keysdir', keysdir, pub], env)).code, 0);
    const r = await runCli(['key', 'push', '-u', stub.url('pushed'), '--keysdir', keysdir, fp], env);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stderr, 'sif: keyserver response: Upload successful. Please note that identity information will only be published after verification.\n');
    const req = stub.requests.at(-1)!;
    t.same([req.method, req.url, req.headers['content-type']], ['POST', '/pushed/pks/add', 'application/x-www-form-urlencoded']);
    t.match(req.body, /^keytext=-----BEGIN\+PGP\+PUBLIC\+KEY\+BLOCK-----%0A/);
    const missing = await runCli(['key', 'push', '-u', stub.url('pushed'), '--keysdir', keysdir, 'A'.repeat(40)], env);
    t.same([missing.code, missing.stderr], [6, 'sif: could not find the requested key\n']);
    const length = await runCli(['key', 'push', '-u', stub.url('pushed'), '--keysdir', keysdir, 'ABCD'], env);
    t.same([length.code, length.stderr], [2, 'sif: please provide a keyid(16 chars) or a full fingerprint(40 chars)\n']);
    const refused = await runCli(['key', 'push', '-u', stub.url('e500'), '--keysdir', keysdir, fp], env);
    t.same([refused.code, refused.stderr], [2, 'sif: push failed: key server did not accept PGP key: 500 Internal Server Error\n']);
    const empty = await runCli(['key', 'push', '-u', stub.url('pushed'), '--keysdir', join(root, 'nothing'), fp], env);
    t.same([empty.code, empty.stderr.split('\n').at(-2)], [6, 'sif: no public keys in local store to choose from']);
  });

  t.test("remote.yaml: the active remote's keyserver, with its stored credential", async (t: Test) => {
    const home = join(root, 'yamlhome');
    mkdirSync(join(home, '.apptainer'), { recursive: true });
    writeFileSync(
      join(home, '.apptainer', 'remote.yaml'),
      [
        'Active: DefaultRemote',
        'Remotes:',
        '    DefaultRemote:',
        '        URI: cloud.apptainer.org',
        '        System: true',
        '        Exclusive: false',
        '        Keyservers:',
        '            - URI: https://keys.openpgp.org',
        '              Skip: true',
        '              External: false',
        '              Insecure: false',
        `            - URI: ${stub.url('auth')}`,
        '              Skip: false',
        '              External: true',
        '              Insecure: false',
        'Credentials:',
        `    - URI: ${stub.url('auth')}`,
        '      Auth: Bearer s3cret',
        '      Insecure: false',
        '',
      ].join('\n'),
    );
    const pulled = join(root, 'yamlkeys');
    const r = await runCli(['key', 'pull', '--keysdir', pulled, fp], { ...env, HOME: home });
    t.equal(r.code, 0, r.stderr);
    t.equal(stub.requests.at(-1)!.headers.authorization, 'Bearer s3cret');
    const explicit = await runCli(['key', 'pull', '-u', stub.url('auth'), '--keysdir', pulled, fp], { ...env, HOME: home });
    t.match(explicit.stderr, /unauthorized or missing token/, '-u sends no stored credential, as Apptainer');
  });

  t.test('TLS: verified, unless remote.yaml says Insecure; NODE_EXTRA_CA_CERTS adds a CA', async (t: Test) => {
    const key = join(root, 'tls.key');
    const cert = join(root, 'tls.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '2'], { stdio: 'ignore' });
    const tls = await startHkpStub(t, { ok: (_q, res) => res.writeHead(200).end(armored(signer)), slow: silent }, { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') });
    const home = join(root, 'tlshome');
    mkdirSync(join(home, '.apptainer'), { recursive: true });
    const remoteYaml = (insecure: boolean, mode = 'ok') =>
      writeFileSync(
        join(home, '.apptainer', 'remote.yaml'),
        `Active: R\nRemotes:\n  R:\n    URI: example.org\n    Keyservers:\n      - URI: ${tls.url(mode)}\n        External: true\n        Insecure: ${insecure}\n`,
      );
    const tlsEnv = { ...env, HOME: home };
    remoteYaml(false);
    const verified = await runCli(['key', 'pull', '--keysdir', join(root, 'tls1'), fp], tlsEnv);
    t.equal(verified.code, 2);
    t.match(verified.stderr, /^sif: pull failed: unable to pull key from server: failed to get key: Get "https:\/\/127\.0\.0\.1:\d+\/ok\/pks\/lookup\?exact=on&op=get&search=0x[0-9a-f]{40}": self.signed certificate/);
    // A real process (Node reads NODE_EXTRA_CA_CERTS at start-up), run asynchronously: the stub answers from this one.
    const withCa = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(SIF_BIN, ['key', 'pull', '--keysdir', join(root, 'tls2'), fp], { env: { ...process.env, ...tlsEnv, NODE_EXTRA_CA_CERTS: cert } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    t.equal(withCa.code, 0, `trusted through NODE_EXTRA_CA_CERTS: ${withCa.stderr}`);
    remoteYaml(true);
    const insecure = await runCli(['key', 'pull', '--keysdir', join(root, 'tls3'), fp], tlsEnv);
    t.equal(insecure.code, 0, `Insecure: true skips verification, as Apptainer: ${insecure.stderr}`);
    remoteYaml(true, 'slow');
    const slow = await runCli(['key', 'pull', '--keysdir', join(root, 'tls4'), fp], tlsEnv);
    t.match(slow.stderr, /no complete answer within 0\.5 s/, 'the deadline holds without fetch too');
  });
});
