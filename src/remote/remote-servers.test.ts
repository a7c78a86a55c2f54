/**
 * Remote images against real servers: every corpus image served over HTTP
 * (with Range, and by a server that ignores it) and from Debian's
 * docker-registry gives the local file's list, header, info, JSON and verify
 * output; push writes Apptainer's manifest; pull checks and writes atomically;
 * Basic auth (htpasswd), Docker's config.json and the Bearer-token flow.
 */
import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { createImage } from '../image/write/create.js';
import { captureCli } from '../test-support/cli.js';
import { corpusImages, GO_IMAGES, GO_SIF, whenAvailable, withReference } from '../test-support/reference.js';
import { haveRegistry, startFileServer, startRegistry } from '../test-support/registry.js';
import { signedImage } from '../test-support/signed.js';

const KEYRING = join(GO_SIF, 'test/keys/private.asc');
const SIGNED = join(GO_IMAGES, 'one-group-signed.sif');

/** What a user sees of an image through the CLI, with the image's name taken out. */
async function outputs(target: string, flags: string[] = []) {
  const out: Record<string, unknown> = {};
  const runs: [string, string[]][] = [
    ['list', ['list']],
    ['json', ['list', '--json']],
    ['header', ['header']],
    ['info', ['info', '1']],
    ['dump', ['dump', '1']],
    ['verify', ['verify', '--keyring', KEYRING]],
    ['legacy', ['verify', '--legacy-insecure', '--keyring', KEYRING]],
    ['policy', ['verify', '--json', '--fingerprints', '12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84', '--keyring', KEYRING]],
  ];
  for (const [name, args] of runs) {
    const r = await captureCli([...args, ...flags, target]);
    out[name] = { code: r.code, stdout: r.stdout.toString('hex'), stderr: r.stderr.split(target).join('IMG') };
  }
  return out;
}

withReference(t, 'every corpus image reads the same over HTTP, with Range and without, as from its file', ['go-sif'], async (t) => {
  const images = corpusImages();
  const files = Object.fromEntries(images.map((p, i) => [`${i}.sif`, p]));
  for (const ranges of [true, false]) {
    const server = await startFileServer(files, { ranges });
    t.teardown(() => server.stop());
    for (const [i, path] of images.entries()) {
      const url = server.url(`${i}.sif`);
      const local = await outputs(path);
      t.same(await outputs(url), local, `${basename(path)} ${ranges ? 'with' : 'without'} Range`);
    }
  }
});

t.test('an ECL covers a remote image only by an execgroup without a dirpath', async (t) => {
  const server = await startFileServer({ 'a.sif': SIGNED });
  t.teardown(() => server.stop());
  const dir = t.testdir();
  const ecl = (dirpath: string) => {
    const path = join(dir, `${dirpath === '' ? 'any' : 'dir'}.toml`);
    writeFileSync(path, `activated = true\n[[execgroup]]\ntagname = "g"\nmode = "whitelist"\ndirpath = "${dirpath}"\nkeyfp = ["12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84"]\n`);
    return path;
  };
  let r = await captureCli(['verify', '--keyring', KEYRING, '--ecl', ecl(''), server.url('a.sif')]);
  t.equal(r.code, 0, r.stderr);
  r = await captureCli(['verify', '--keyring', KEYRING, '--ecl', ecl(GO_IMAGES), server.url('a.sif')]);
  t.equal(r.code, 12);
  t.match(r.stderr, /not part of any execgroup/);
});

t.test('list fetches the front of the image only', async (t) => {
  const server = await startFileServer({ 'a.sif': SIGNED });
  t.teardown(() => server.stop());
  const r = await captureCli(['list', server.url('a.sif')]);
  t.equal(r.code, 0);
  t.same(server.log, ['GET /a.sif bytes=0-32767'], 'one request, for 32 KiB');
});

t.test('verify streams large objects, not one request per chunk, with Range and without', async (t) => {
  const dir = t.testdir();
  const unsigned = join(dir, 'unsigned.sif');
  await createImage(unsigned, { objects: [0, 1].map(() => ({ dataType: 0x4002, groupId: 1, data: randomBytes(5 << 20) })) });
  const { image, keyring } = await signedImage(dir, unsigned);
  const size = readFileSync(image).length;
  for (const ranges of [true, false]) {
    const server = await startFileServer({ 'a.sif': image }, { ranges });
    t.teardown(() => server.stop());
    const r = await captureCli(['verify', '--keyring', keyring, server.url('a.sif')]);
    t.equal(r.code, 0, r.stderr);
    if (ranges) {
      const ranges = server.log.map((l) => /bytes=(\d+)-(\d+)$/.exec(l)!).map((m) => [Number(m[1]), Number(m[2])] as const);
      const streams = ranges.filter(([first, last]) => last === size - 1 && last - first >= 5 << 20);
      t.ok(streams.length >= 1, `the objects are read by streams to the end: ${server.log.join(', ')}`);
      t.ok(server.log.length <= 6, `${server.log.length} requests for two 5 MiB objects (10 chunks of the digest engine)`);
    } else {
      t.ok(server.log.length <= 4, `${server.log.length} whole-body passes`);
    }
  }
});

whenAvailable(t, 'docker-registry: push, list, verify, pull', haveRegistry() ? undefined : 'docker-registry or htpasswd not installed', async (t) => {
  const registry = await startRegistry();
  t.teardown(() => registry.stop());
  const dir = t.testdir();

  // Apptainer's manifest, byte for byte (remote.md §5), with the created time fixed.
  const { pushImage } = await import('./push.js');
  const ref = `oras://${registry.host}/sif/one:v1`;
  const pushed = await pushImage(SIGNED, ref, { noHttps: true, created: new Date('2024-05-06T07:08:09.123Z') });
  const bytes = readFileSync(SIGNED);
  const want =
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",' +
    '"config":{"mediaType":"application/vnd.sylabs.sif.config.v1+json","size":2,' +
    '"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","data":"e30="},' +
    `"layers":[{"mediaType":"application/vnd.sylabs.sif.layer.v1.sif","size":${bytes.length},` +
    `"digest":"sha256:${createHash('sha256').update(bytes).digest('hex')}",` +
    '"annotations":{"org.opencontainers.image.title":"one-group-signed.sif"}}],' +
    '"annotations":{"org.opencontainers.image.created":"2024-05-06T07:08:09Z"}}';
  t.equal(pushed.manifest.toString(), want, "Apptainer's manifest");
  const stored = await fetchText(`http://${registry.host}/v2/sif/one/manifests/v1`, { accept: 'application/vnd.oci.image.manifest.v1+json' });
  t.equal(stored, want, 'the registry holds those bytes');

  // Every Go image that has an architecture, pushed by the CLI and read back.
  let n = 0;
  for (const name of readdirSync(GO_IMAGES).filter((f) => f.endsWith('.sif')).sort()) {
    const path = join(GO_IMAGES, name);
    const target = `oras://${registry.host}/sif/corpus:${n++}`;
    const push = await captureCli(['push', '--no-https', path, target]);
    if (push.code !== 0) {
      t.match(push.stderr, /unknown architecture in SIF file|is not a SIF/, `${name}: refused as Apptainer refuses it`);
      continue;
    }
    t.match(push.stderr, /^INFO: {4}Digest: sha256:[0-9a-f]{64}\nINFO: {4}Upload complete\n$/, `${name}: pushed`);
    t.same(await outputs(target, ['--no-https']), await outputs(path), `${name}: the same output from the registry`);
  }

  // pull: the same bytes, atomic, no temporary files, an existing file kept.
  const dest = join(dir, 'pulled.sif');
  let r = await captureCli(['pull', '--no-https', ref, dest]);
  t.equal(r.code, 0, r.stderr);
  t.ok(readFileSync(dest).equals(bytes), 'the pulled bytes are the image');
  r = await captureCli(['pull', '--no-https', ref, dest]);
  t.equal(r.code, 3, 'an existing file is not overwritten');
  t.match(r.stderr, /will not overwrite/);
  r = await captureCli(['pull', '--no-https', '--force', '--verify', '--keyring', KEYRING, ref, dest]);
  t.equal(r.code, 0, `verify-before-keep passes: ${r.stderr}`);
  const unsigned = join(dir, 'unsigned.sif');
  r = await captureCli(['pull', '--no-https', '--verify', '--keyring', KEYRING, `oras://${registry.host}/sif/corpus:0`, unsigned]);
  t.not(r.code, 0, 'an image that does not verify is not kept');
  t.notOk(existsSync(unsigned), 'no file');
  t.same(readdirSync(dir).sort(), ['pulled.sif'], 'no temporary file left');

  // By digest, and a digest that is not the manifest's.
  r = await captureCli(['list', '--no-https', `oras://${registry.host}/sif/one@${pushed.digest}`]);
  t.equal(r.code, 0, 'by digest');
  r = await captureCli(['list', '--no-https', `oras://${registry.host}/sif/one@sha256:${'0'.repeat(64)}`]);
  t.equal(r.code, 3, 'an unknown digest is not found');
  r = await captureCli(['list', '--no-https', `oras://${registry.host}/sif/missing:v1`]);
  t.equal(r.code, 3);
  t.match(r.stderr, /^sif: GET http:\/\/127\.0\.0\.1:\d+\/v2\/sif\/missing\/manifests\/v1: 404 not found\n$/);
  r = await captureCli(['list', `oras://${registry.host}/sif/one:v1`]);
  t.equal(r.code, 16, 'HTTPS to a plain-HTTP registry fails');
  t.match(r.stderr, /--no-https/);

  // bootstrap-check reads an oras bootstrap in place.
  const def = join(dir, 'oras.def');
  writeFileSync(def, `Bootstrap: oras\nFrom: ${registry.host}/sif/one:v1\nFingerprints: 12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84\n`);
  const local = join(dir, 'local.def');
  writeFileSync(local, `Bootstrap: localimage\nFrom: ${SIGNED}\nFingerprints: 12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84\n`);
  const remote = await captureCli(['bootstrap-check', '--no-https', '--keyring', KEYRING, def]);
  const file = await captureCli(['bootstrap-check', '--keyring', KEYRING, local]);
  t.equal(remote.code, 0, remote.stderr);
  t.equal(remote.stdout.toString().replace(`oras://${registry.host}/sif/one:v1`, 'IMG'), file.stdout.toString().replace(SIGNED, 'IMG'), 'the same report as for the file');
  writeFileSync(def, `Bootstrap: oras\nFrom: ${registry.host}/sif/one:v1\nFingerprints: ${'A'.repeat(40)}\n`);
  t.equal((await captureCli(['bootstrap-check', '--no-https', '--keyring', KEYRING, def])).code, 12, 'a missing signer refuses the build');
});

whenAvailable(t, 'docker-registry with htpasswd: Basic auth from the flags and from Docker config.json', haveRegistry() ? undefined : 'docker-registry or htpasswd not installed', async (t) => {
  const registry = await startRegistry({ user: { name: 'alice', password: 's3cret' } });
  t.teardown(() => registry.stop());
  const ref = `oras://${registry.host}/sif/one:v1`;
  let r = await captureCli(['push', '--no-https', SIGNED, ref]);
  t.equal(r.code, 17, 'anonymous push is refused');
  t.match(r.stderr, /authentication required \(401\)/);
  r = await captureCli(['push', '--no-https', '--username', 'alice', '--password-stdin', SIGNED, ref], { input: 's3cret\n' });
  t.equal(r.code, 0, r.stderr);
  r = await captureCli(['list', '--no-https', '--username', 'alice', '--password-stdin', ref], { input: 'wrong\n' });
  t.equal(r.code, 17, 'a wrong password');
  t.notMatch(r.stderr, /wrong|alice/, 'credentials never appear');
  const config = join(t.testdir(), 'docker');
  mkdirSync(config);
  writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('alice:s3cret').toString('base64') } } }));
  r = await captureCli(['verify', '--no-https', '--keyring', KEYRING, ref], { env: { DOCKER_CONFIG: config } });
  t.equal(r.code, 0, `config.json credentials: ${r.stderr}`);
  r = await captureCli(['list', '--no-https', ref], { env: { DOCKER_CONFIG: join(config, 'none') } });
  t.equal(r.code, 17, 'no credentials');
});

whenAvailable(t, 'the Bearer-token flow (a TEST TOKEN SERVER and token-checking front before the real registry)', haveRegistry() ? undefined : 'docker-registry not installed', async (t) => {
  const registry = await startRegistry();
  t.teardown(() => registry.stop());
  const scopes: string[] = [];
  const tokenServer = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    scopes.push(`${url.searchParams.get('service')} ${url.searchParams.get('scope')} ${req.headers.authorization ?? 'anonymous'}`);
    const ok = req.headers.authorization === `Basic ${Buffer.from('bob:pw').toString('base64')}`;
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? JSON.stringify({ token: 'tok-123' }) : '{}');
  });
  await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
  const realm = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
  // The front answers 401 with a Bearer challenge unless the token is given, then forwards to the registry.
  const front = createServer((req, res) => {
    if (req.headers.authorization !== 'Bearer tok-123') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="test-registry",scope="repository:sif/one:pull"` }).end();
      return;
    }
    const [host, port] = registry.host.split(':');
    const upstream = httpRequest({ host, port, path: req.url, method: req.method, headers: { ...req.headers, host: registry.host } }, (up) => {
      res.writeHead(up.statusCode!, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    tokenServer.close();
    front.closeAllConnections();
    front.close();
  });
  const host = `127.0.0.1:${(front.address() as AddressInfo).port}`;
  let r = await captureCli(['push', '--no-https', '--username', 'bob', '--password-stdin', SIGNED, `oras://${host}/sif/one:v1`], { input: 'pw' });
  t.equal(r.code, 0, r.stderr);
  t.match(scopes[0], /^test-registry repository:sif\/one:pull,push Basic /, 'push asks for pull,push with the credentials');
  r = await captureCli(['verify', '--no-https', '--username', 'bob', '--password-stdin', '--keyring', KEYRING, `oras://${host}/sif/one:v1`], { input: 'pw' });
  t.equal(r.code, 0, r.stderr);
  r = await captureCli(['list', '--no-https', `oras://${host}/sif/one:v1`]);
  t.equal(r.code, 17, 'an anonymous token request is refused');
  t.match(r.stderr, /token server refused the anonymous request/);
});

function fetchText(url: string, headers: Record<string, string>): Promise<string> {
  return fetch(url, { headers }).then((r) => r.text());
}
