/** Registry names, challenges and Docker config.json credentials, as go-containerregistry reads them. */
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSifError } from '../errors.js';
import { startStub } from '../test-support/registry.js';
import { dockerCredentials, parseChallenge, RegistryAuth } from './auth.js';
import { HttpClient } from './http-client.js';
import { formatOrasReference, parseOrasReference } from './reference.js';

t.test('oras references', async (t) => {
  const cases: [ref: string, registry: string, repository: string, reference: string][] = [
    ['oras://ghcr.io/acme/tools:1.4', 'ghcr.io', 'acme/tools', '1.4'],
    ['oras://127.0.0.1:5000/ci/base', '127.0.0.1:5000', 'ci/base', 'latest'],
    ['oras://localhost/x:y', 'localhost', 'x', 'y'],
    ['oras://busybox', 'index.docker.io', 'library/busybox', 'latest'],
    ['oras://docker.io/acme/x:1', 'index.docker.io', 'acme/x', '1'],
    ['oras://acme/x:1', 'index.docker.io', 'acme/x', '1'],
    [`oras://r.example/a/b@sha256:${'a'.repeat(64)}`, 'r.example', 'a/b', `sha256:${'a'.repeat(64)}`],
    [`//r.example/a:tag@sha256:${'b'.repeat(64)}`, 'r.example', 'a', `sha256:${'b'.repeat(64)}`],
  ];
  for (const [ref, registry, repository, reference] of cases) {
    const parsed = parseOrasReference(ref);
    t.same({ registry: parsed.registry, repository: parsed.repository, reference: parsed.reference }, { registry, repository, reference }, ref);
  }
  t.equal(formatOrasReference(parseOrasReference('oras://r.example/a')), 'oras://r.example/a:latest');
  for (const bad of ['oras://r.example/A:1', 'oras://r.example/a:-x', 'oras://r.example/a@sha256:12', 'oras://r.example/a@md5:' + '0'.repeat(32)]) {
    t.throws(() => parseOrasReference(bad), { code: 'SIF_USAGE' }, bad);
  }
});

t.test('WWW-Authenticate challenges', async (t) => {
  t.same(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"'), {
    scheme: 'bearer',
    params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' },
  });
  t.same(parseChallenge('Basic realm=sif-test'), { scheme: 'basic', params: { realm: 'sif-test' } });
  t.same(parseChallenge('Bearer realm="a\\"b"'), { scheme: 'bearer', params: { realm: 'a"b' } });
  t.same(parseChallenge(''), { scheme: '', params: {} });
});

t.test("Docker's config.json", async (t) => {
  const dir = t.testdir();
  const env = { DOCKER_CONFIG: dir };
  t.equal(await dockerCredentials('r.example', env), undefined, 'no file: anonymous');
  const write = (auths: object) => writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths }));
  write({ 'https://r.example': { auth: Buffer.from('u:p:q').toString('base64') }, 'other.example': { auth: 'eDp5' } });
  t.same(await dockerCredentials('r.example', env), { username: 'u', password: 'p:q' }, 'a URL key; the password may hold colons');
  write({ 'r.example': { username: 'v', password: 'w' } });
  t.same(await dockerCredentials('r.example', env), { username: 'v', password: 'w' }, 'username and password fields');
  write({ 'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw').toString('base64') } });
  t.same(await dockerCredentials('index.docker.io', env), { username: 'hub', password: 'pw' }, "Docker Hub's key");
  t.equal(await dockerCredentials('r.example', env), undefined, 'no entry');
  write({ 'r.example': { auth: Buffer.from('nocolon').toString('base64') } });
  t.equal(await dockerCredentials('r.example', env), undefined, 'an entry without a password');
  writeFileSync(join(dir, 'config.json'), '{');
  await t.rejects(dockerCredentials('r.example', env), { code: 'SIF_USAGE', message: /config.json: not valid JSON/ });
  // A second t.testdir() would recreate the same directory, so HOME lives inside it.
  const home = join(dir, 'home');
  mkdirSync(join(home, '.docker'), { recursive: true });
  writeFileSync(join(home, '.docker/config.json'), JSON.stringify({ auths: { 'r.example': { username: 'h', password: 'i' } } }));
  t.same(await dockerCredentials('r.example', { HOME: home }), { username: 'h', password: 'i' }, '~/.docker without DOCKER_CONFIG');
});

t.test('challenges answered once; bad token replies', async (t) => {
  const client = new HttpClient({ backoffMs: 1 });
  const anonymous = new RegistryAuth('http://r.example', 'repository:a:pull', undefined);
  t.equal(await anonymous.challenge('Basic realm=x', client), false, 'Basic without credentials: nothing to try');
  t.equal(await anonymous.challenge('Negotiate', client), false, 'an unknown scheme');
  t.equal(await anonymous.challenge(null, client), false, 'no challenge');
  const withCreds = new RegistryAuth('http://r.example', 'repository:a:pull', { username: 'u', password: 'p' });
  t.equal(await withCreds.challenge('Basic realm=x', client), true);
  t.equal(withCreds.headerFor(new URL('http://r.example/v2/')), `Basic ${Buffer.from('u:p').toString('base64')}`);
  t.equal(withCreds.headerFor(new URL('http://storage.example/blob')), undefined, 'never to another origin');
  t.equal(await withCreds.challenge('Basic realm=x', client), false, 'the same credentials are not tried twice');

  const replies = ['not json', '{"expires_in":60}', '{"access_token":"tok"}'];
  let n = 0;
  const server = await startStub((_req, res) => res.writeHead(200).end(replies[n++]));
  t.teardown(() => server.stop());
  const challenge = `Bearer realm="${server.url('token')}",service="s"`;
  const bearer = () => new RegistryAuth('http://r.example', 'repository:a:pull', undefined);
  const failure = async (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => (isSifError(e) ? { code: e.code, message: e.message } : e));
  t.match(await failure(bearer().challenge(challenge, client)), { code: 'SIF_REMOTE', message: /the token reply is not JSON/ });
  t.match(await failure(bearer().challenge(challenge, client)), { code: 'SIF_REMOTE', message: /the token reply has no token/ });
  const auth = bearer();
  t.equal(await auth.challenge(challenge, client), true, 'access_token is a token too');
  t.equal(auth.headerFor(new URL('http://r.example/v2/')), 'Bearer tok');
  t.equal(await auth.challenge(challenge, client), false, 'the same realm and scope are not asked twice');
  t.match(server.log[0], /^GET \/token\?service=s&scope=repository%3Aa%3Apull$/);
});
