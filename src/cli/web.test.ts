/**
 * `sif web`: serves dist/web/ on 127.0.0.1 and prints the URL; only files
 * under that directory, GET and HEAD only; a bad --port is a usage error, a
 * taken one an I/O error; Ctrl-C ends it as it ends every command.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { SIF_BIN, spawnCli } from '../test-support/cli.js';
import { serveWeb } from './web-server.js';

t.test('sif web serves the built page on 127.0.0.1, prints the URL, and stops on Ctrl-C', async (t) => {
  const child = spawn(SIF_BIN, ['web'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const index = await fetch(url);
  t.equal(index.status, 200);
  t.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  t.match(await index.text(), /data-testid="image-input"/);
  const app = await fetch(new URL('assets/app.js', url));
  t.equal(app.headers.get('content-type'), 'text/javascript; charset=utf-8');
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  child.kill('SIGINT');
  const [code] = (await once(child, 'exit')) as [number];
  t.same([code, stderr], [130, 'sif: interrupted by SIGINT\n']);
});

t.test('only files under the root, GET and HEAD only', async (t) => {
  const root = t.testdir({ 'index.html': '<!doctype html>', assets: { 'x.css': 'body{}', 'data.bin': 'xx' } });
  const { server, url } = await serveWeb(root, 0);
  t.teardown(() => server.close());
  const get = (path: string, method = 'GET') => fetch(`${url}${path}`, { method });
  t.equal((await get('')).status, 200, 'the index');
  t.equal((await get('assets/x.css')).headers.get('content-type'), 'text/css; charset=utf-8');
  t.equal((await get('assets/data.bin')).headers.get('content-type'), 'application/octet-stream');
  t.equal((await get('assets/x.css?v=1')).status, 200, 'a query is ignored');
  const head = await get('assets/x.css', 'HEAD');
  t.same([head.status, head.headers.get('content-length'), await head.text()], [200, '6', '']);
  t.equal((await get('assets/')).status, 404, 'a directory without an index');
  t.equal((await get('missing.js')).status, 404);
  t.equal((await get('%2e%2e/%2e%2e/package.json')).status, 404, 'nothing above the root');
  t.equal((await get('%zz')).status, 404, 'a malformed escape');
  const post = await get('', 'POST');
  t.same([post.status, post.headers.get('allow')], [405, 'GET, HEAD']);
});

t.test('no page built, a bad port, a taken port: one line and the documented exit code', async (t) => {
  await t.rejects(serveWeb(t.testdir(), 0), { code: 'SIF_NOT_FOUND', message: /index\.html: the web page is not built \(run npm run build\)$/ });
  for (const port of ['-1', '65536', '1.5', 'x']) {
    const r = spawnCli(['web', '--port', port]);
    t.equal(r.code, 2, `--port ${port}`);
    t.match(r.stderr, /^sif: --port must be a number from 0 to 65535, not \S+\n$/);
  }
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.teardown(() => taken.close());
  const { port } = taken.address() as { port: number };
  const r = spawnCli(['web', '--port', String(port)]);
  t.equal(r.code, 3);
  t.match(r.stderr, new RegExp(`^sif: 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*\\n$`));
});
