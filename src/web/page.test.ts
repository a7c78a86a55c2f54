/**
 * The web page (dist/web/, served by `bin/sif web`) in headless chromium
 * gives the CLI's answers: for every corpus image the `sif list` and
 * `sif header` text, for hostile files the CLI's one-line error, for signed
 * and tampered images the `sif verify` verdict and text with the same keys;
 * `?url=` reads an image over CORS with Range requests, and the page asks
 * nothing of any other origin. Screenshots of each state go to .tap/web-screenshots/.
 */
import t, { type Test } from 'tap';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { generateBadInputs } from '../../scripts/gen-bad-inputs.js';
import { launchBrowser, missingChromium, screenshot, SCREENSHOTS, settled, startSifWeb } from '../test-support/browser.js';
import { runCli, type CliResult } from '../test-support/cli.js';
import { caExtensions, leafExtensions, makePki } from '../test-support/pki.js';
import { corpusImages, FIXTURES, GO_IMAGES, GO_SIF, REPO_ROOT, whenAvailable, missingReference } from '../test-support/reference.js';

const GO_KEY = join(GO_SIF, 'test/keys/private.asc');
const HEAD_KEY = join(FIXTURES, 'sylabs-sif-head/keys/private.asc');
const APPTAINER_KEY = join(FIXTURES, 'apptainer/keys/pgp-public.asc');
const HEAD = join(FIXTURES, 'sylabs-sif-head');
const PEM_KEY = (name: string) => join(HEAD, `keys/${name}-public.pem`);
const CERTS = join(FIXTURES, 'apptainer/certs');
const keyFor = (image: string) => (image.includes('/apptainer/') ? APPTAINER_KEY : image.includes('/sylabs-sif-head/') ? HEAD_KEY : GO_KEY);

const ownImages = () => readdirSync(join(REPO_ROOT, 'testdata/images')).map((f) => join(REPO_ROOT, 'testdata/images', f));
const verifyRegressions = () => readdirSync(join(REPO_ROOT, 'testdata/fuzz-regressions/verify')).map((f) => join(REPO_ROOT, 'testdata/fuzz-regressions/verify', f));

/** A copy of a one-group image (objects 1 and 2, as the Go corpus lays them out) with one bit of object 2 flipped. */
function tamperedCopy(image: string, copy: string): string {
  const bytes = readFileSync(image);
  bytes[36864 + 100]! ^= 1;
  writeFileSync(copy, bytes);
  return copy;
}

/** What the page shows for a CLI run: its stdout, or its error line as the page names the file (by its base name). */
const cliError = (r: CliResult, path: string) => (/^sif: (.*)$/m.exec(r.stderr)?.[1] ?? r.stderr).split(path).join(basename(path));

const missing = missingChromium() ?? missingReference('go-sif', 'shared');

let browser: Browser;
let origin: string;
/** An empty keys directory: the CLI reads only the keys a test names. */
let noKeys: string;

async function openPage(query = ''): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => t.fail(`page error: ${e.message}`));
  await page.goto(`${origin}${query}`);
  return page;
}

/** Opens `path` through the file input; resolves with the state the page reaches (loaded or error). */
async function openImage(page: Page, path: string): Promise<string> {
  // Choosing a file sets the state to loading at once (the change event), then to loaded or error.
  await page.getByTestId('image-input').setInputFiles(path);
  return settled(page, ['loading']);
}

async function verifyWith(page: Page, keys: string[], chain: { intermediates?: string[]; roots?: string[] } = {}): Promise<{ verdict: string; text: string }> {
  await page.getByTestId('key-input').setInputFiles(keys);
  await page.getByTestId('cert-intermediates').setInputFiles(chain.intermediates ?? []);
  await page.getByTestId('cert-roots').setInputFiles(chain.roots ?? []);
  await page.getByTestId('verify-button').click();
  await settled(page, ['loaded', 'verifying']);
  return { verdict: (await page.getByTestId('verify-verdict').textContent())!, text: (await page.getByTestId('verify-output').textContent())! };
}

whenAvailable(t, 'the web page in chromium', missing, async (t) => {
  const web = await startSifWeb();
  t.teardown(() => void web.child.kill());
  t.match(web.url, /^http:\/\/127\.0\.0\.1:\d+\/$/, 'sif web prints its URL');
  origin = web.url;
  browser = await launchBrowser();
  t.teardown(() => browser.close());
  noKeys = t.testdir();
  t.comment(`screenshots: ${SCREENSHOTS}`);

  t.test('every corpus image lists and heads as sif list and sif header print it', async (t) => {
    const page = await openPage();
    await screenshot(page, 'idle');
    for (const image of [...corpusImages(), ...ownImages()]) {
      const state = await openImage(page, image);
      const list = await runCli(['list', image]);
      if (list.code !== 0) {
        t.equal(state, 'error', `${basename(image)}: refused`);
        t.equal(await page.getByTestId('image-error').textContent(), `sif: ${cliError(list, image)}`, `${basename(image)}: the CLI's message`);
        continue;
      }
      t.equal(state, 'loaded', basename(image));
      t.equal(await page.getByTestId('sif-list').textContent(), list.stdout.toString('utf8'), `${basename(image)}: sif list`);
      t.equal(await page.getByTestId('sif-header').textContent(), (await runCli(['header', image])).stdout.toString('utf8'), `${basename(image)}: sif header`);
    }
    await openImage(page, join(GO_IMAGES, 'one-group-signed.sif'));
    await page.getByRole('button', { name: 'Details of object 1' }).click();
    t.equal(await page.getByTestId('object-info').textContent(), (await runCli(['info', '1', join(GO_IMAGES, 'one-group-signed.sif')])).stdout.toString('utf8'), 'details: sif info');
    const download = page.waitForEvent('download');
    await page.getByTestId('download-2').click();
    const saved = join(t.testdir(), 'object-2.bin');
    await (await download).saveAs(saved);
    t.ok(readFileSync(saved).equals((await runCli(['dump', '2', join(GO_IMAGES, 'one-group-signed.sif')])).stdout), 'download: sif dump');
    await screenshot(page, 'loaded');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'loaded-phone');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'loaded-phone-dark');
    await page.close();
  });

  t.test('hostile files: the CLI message on the page, no hang', async (t) => {
    const dir = t.testdir();
    const page = await openPage();
    let refused = 0;
    for (const bad of generateBadInputs(dir)) {
      const path = join(dir, bad.file);
      const state = await openImage(page, path);
      const list = await runCli(['list', path]);
      if (list.code === 0) {
        t.equal(await page.getByTestId('sif-list').textContent(), list.stdout.toString('utf8'), `${bad.file}: listed as the CLI lists it`);
        continue;
      }
      refused++;
      t.equal(state, 'error', `${bad.file}: refused`);
      t.equal(await page.getByTestId('image-error').textContent(), `sif: ${cliError(list, path)}`, `${bad.file}: ${bad.what}`);
      if (refused === 1) await screenshot(page, 'hostile');
    }
    t.ok(refused > 10, `${refused} refused`);
    await page.close();
  });

  t.test('signed, unsigned, tampered and hostile-signature images: the verdict and text of sif verify with the same keys', async (t) => {
    const keysDir = t.testdir();
    const tampered = tamperedCopy(join(GO_IMAGES, 'one-group-signed.sif'), join(keysDir, 'tampered.sif'));
    const page = await openPage();
    let verified = 0;
    let failed = 0;
    for (const image of [...corpusImages(), ...verifyRegressions(), tampered]) {
      const key = keyFor(image);
      if ((await openImage(page, image)) !== 'loaded') continue;
      const got = await verifyWith(page, [key]);
      const cli = await runCli(['verify', '--keyring', key, '--keysdir', keysDir, image]);
      const want = cli.code === 0 ? 'verified' : `failed: ${cliError(cli, image)}`;
      t.equal(got.verdict, want, `${basename(image)}: verdict`);
      t.equal(got.text, cli.stdout.toString('utf8'), `${basename(image)}: per-signature text`);
      if (got.verdict === 'verified') {
        if (verified++ === 0) await screenshot(page, 'verified');
      } else if (failed++ === 0 || image === tampered) {
        await screenshot(page, image === tampered ? 'tampered' : 'failed');
      }
    }
    t.ok(verified >= 3, `${verified} verified`);
    t.ok(failed >= 3, `${failed} failed`);
    await page.close();
  });

  t.test('keys pasted verify as key files do; a bad key is the CLI message', async (t) => {
    const image = join(FIXTURES, 'apptainer/images/one-group-signed-pgp.sif');
    const page = await openPage();
    await openImage(page, image);
    await page.getByTestId('key-paste').fill(readFileSync(APPTAINER_KEY, 'utf8'));
    await page.getByTestId('verify-button').click();
    await settled(page, ['loaded', 'verifying']);
    t.equal(await page.getByTestId('verify-verdict').textContent(), 'verified');
    const dir = t.testdir();
    const junk = join(dir, 'junk.asc');
    writeFileSync(junk, '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot base64 at all\n-----END PGP PUBLIC KEY BLOCK-----\n');
    await page.getByTestId('key-paste').fill('');
    const got = await verifyWith(page, [junk]);
    const cli = await runCli(['verify', '--keyring', junk, '--keysdir', dir, image]);
    t.equal(got.verdict, `failed: ${cliError(cli, junk)}`);
    await page.close();
  });

  t.test('required fingerprints: the verdict and text of sif verify --fingerprints', async (t) => {
    const dir = t.testdir();
    const page = await openPage();
    const cases: [string, string][] = [
      [join(GO_IMAGES, 'one-group-signed.sif'), '12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84'],
      [join(GO_IMAGES, 'one-group-signed.sif'), '12045c8c0b1004d058de4beda20c27ee7ff7ba84, 0000000000000000000000000000000000000000'],
      [join(GO_IMAGES, 'two-groups-signed.sif'), '12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84'],
      [join(GO_IMAGES, 'one-group.sif'), '12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84'],
      [join(GO_IMAGES, 'one-group-signed.sif'), '12045C8C'],
    ];
    for (const [image, fingerprints] of cases) {
      await openImage(page, image);
      await page.getByTestId('fingerprints').fill(fingerprints);
      const got = await verifyWith(page, [GO_KEY]);
      const cli = await runCli(['verify', '--keyring', GO_KEY, '--keysdir', dir, '--fingerprints', fingerprints, image]);
      t.equal(got.verdict, cli.code === 0 ? 'verified' : `failed: ${cliError(cli, image)}`, `${basename(image)} --fingerprints ${fingerprints}: verdict`);
      t.equal(got.text, cli.stdout.toString('utf8').split(image).join(basename(image)), `${basename(image)} --fingerprints ${fingerprints}: text`);
    }
    await screenshot(page, 'fingerprints');
    await page.close();
  });

  /** The page's verdict and text for `keys`, and the CLI's for `args` (paths named by their base names, as the page names files). */
  async function sameAsCli(t: Test, page: Page, image: string, keys: string[], args: string[], chain: { intermediates?: string[]; roots?: string[] } = {}, what = basename(image)) {
    const got = await verifyWith(page, keys, chain);
    const cli = await runCli(['verify', '--keysdir', noKeys, ...args, image]);
    const named = (text: string) => [image, ...keys].reduce((s, p) => s.split(p).join(basename(p)), text);
    t.equal(got.verdict, cli.code === 0 ? 'verified' : `failed: ${named(cliError(cli, image))}`, `${what}: verdict`);
    t.equal(got.text, named(cli.stdout.toString('utf8')), `${what}: text`);
    return got;
  }

  t.test('DSSE images and PEM public keys: the verdict and text of sif verify --key', async (t) => {
    const dir = t.testdir();
    const tampered = tamperedCopy(join(HEAD, 'images/one-group-signed-dsse.sif'), join(dir, 'tampered-dsse.sif'));
    const images = [join(HEAD, 'images/one-group-signed-dsse.sif'), join(HEAD, 'images/two-groups-signed-dsse.sif'), join(FIXTURES, 'apptainer/images/one-group-signed-dsse.sif'), tampered];
    const page = await openPage();
    let verified = 0;
    for (const image of images) {
      await openImage(page, image);
      for (const keys of [['ed25519'], ['rsa'], ['ecdsa'], ['ecdsa', 'rsa']]) {
        const files = keys.map(PEM_KEY);
        const got = await sameAsCli(t, page, image, files, files.flatMap((k) => ['--key', k]), {}, `${basename(image)} --key ${keys.join(',')}`);
        if (got.verdict === 'verified' && verified++ === 0) await screenshot(page, 'dsse-verified');
      }
    }
    t.ok(verified >= 4, `${verified} verified`);
    // A pasted PEM key reads as a key file does.
    const image = join(HEAD, 'images/one-group-signed-dsse.sif');
    await openImage(page, image);
    await page.getByTestId('key-paste').fill(readFileSync(PEM_KEY('ed25519'), 'utf8'));
    const pasted = await verifyWith(page, []);
    t.equal(pasted.verdict, 'verified', 'a pasted PEM key');
    t.equal(pasted.text, (await runCli(['verify', '--keysdir', dir, '--key', PEM_KEY('ed25519'), image])).stdout.toString('utf8'), 'pasted: text');
    await page.getByTestId('key-paste').fill('');
    // A PEM file that is no public key: the CLI's message.
    const privateKey = join(HEAD, 'keys/ed25519-private.pem');
    await sameAsCli(t, page, image, [privateKey], ['--key', privateKey], {}, 'a private key as --key');
    await page.close();
  });

  t.test('a mixed PGP + DSSE image: each signature checked with material of its kind', async (t) => {
    const dir = t.testdir();
    const mixed = join(dir, 'mixed.sif');
    writeFileSync(mixed, readFileSync(join(FIXTURES, 'apptainer/images/one-group-signed-pgp.sif')));
    t.equal((await runCli(['sign', '-q', '--key', join(HEAD, 'keys/ed25519-private.pem'), mixed])).code, 0, 'signed with a PEM key too');
    const page = await openPage();
    await openImage(page, mixed);
    const cases: [string, string[], string[]][] = [
      ['both kinds of key', [APPTAINER_KEY, PEM_KEY('ed25519')], ['--keyring', APPTAINER_KEY, '--key', PEM_KEY('ed25519')]],
      ['the PGP key only', [APPTAINER_KEY], ['--keyring', APPTAINER_KEY]],
      ['the PEM key only', [PEM_KEY('ed25519')], ['--key', PEM_KEY('ed25519')]],
      ['the wrong PEM key', [APPTAINER_KEY, PEM_KEY('rsa')], ['--keyring', APPTAINER_KEY, '--key', PEM_KEY('rsa')]],
    ];
    for (const [what, keys, args] of cases) {
      const got = await sameAsCli(t, page, mixed, keys, args, {}, `mixed, ${what}`);
      if (what === 'both kinds of key') {
        t.equal(got.verdict, 'verified', 'mixed: verified with both');
        await screenshot(page, 'mixed-verified');
      }
    }
    // Required signers name PGP fingerprints and DSSE key IDs alike, as --fingerprints does.
    const both = [APPTAINER_KEY, PEM_KEY('ed25519')];
    for (const fingerprints of ['F34371D0ACD5D09EB9BD853A80600A5FA11BBD29,SHA256:x6l8ZblpSSXGaPMCzySedWg88BwIFcz8jlPb6el0mFs', 'SHA256:13cNV0A11AxgIQYCvlDmJlRi0CjRtjnYF47RzrMhlaU']) {
      await page.getByTestId('fingerprints').fill(fingerprints);
      await sameAsCli(t, page, mixed, both, ['--keyring', APPTAINER_KEY, '--key', PEM_KEY('ed25519'), '--fingerprints', fingerprints], {}, `mixed, --fingerprints ${fingerprints}`);
    }
    await page.close();
  });

  t.test('certificate chains: the verdict and text of sif verify --certificate --certificate-intermediates --certificate-roots', async (t) => {
    const dir = t.testdir();
    const image = join(HEAD, 'images/one-group-signed-dsse.sif');
    const rsaChain = (name: string, leaf: { extensions?: string[]; days?: number } = {}) =>
      makePki(join(dir, name), [
        { name: 'root', key: 'ed25519', extensions: caExtensions(), serial: 100 },
        { name: 'intermediate', issuer: 'root', key: 'ec', extensions: caExtensions({ pathlen: 0 }), serial: 101 },
        { name: 'leaf', issuer: 'intermediate', keyFile: join(FIXTURES, 'apptainer/keys/rsa-private.pem'), extensions: leaf.extensions ?? leafExtensions(), days: leaf.days, serial: 102 },
      ]);
    const good = rsaChain('good');
    const other = makePki(join(dir, 'other'), [{ name: 'root', key: 'ec', extensions: caExtensions() }]);
    const serverOnly = rsaChain('server', { extensions: leafExtensions({ eku: 'serverAuth' }) });
    const expired = rsaChain('expired', { days: -1 });
    const stranger = makePki(join(dir, 'stranger'), [
      { name: 'root', key: 'ec', extensions: caExtensions() },
      { name: 'leaf', issuer: 'root', key: 'ec', extensions: leafExtensions() },
    ]);
    const fixture = { leaf: join(CERTS, 'leaf.pem'), intermediate: join(CERTS, 'intermediate.pem'), root: join(CERTS, 'root.pem') };
    const cases: [string, Record<string, string>, boolean, Record<string, string>?][] = [
      ['the fixture chain', fixture, true],
      ['a chain made with openssl', good, true],
      ['no intermediates', good, false],
      ['another root', good, true, other],
      ['a serverAuth leaf', serverOnly, true],
      ['an expired leaf', expired, true],
      ['a trusted certificate of a key that did not sign', stranger, false],
    ];
    const page = await openPage();
    await openImage(page, image);
    let verified = 0;
    for (const [what, pki, withIntermediates, roots = pki] of cases) {
      const chain = { intermediates: withIntermediates ? [pki.intermediate!] : [], roots: [roots.root!] };
      const args = ['--certificate', pki.leaf!, ...(withIntermediates ? ['--certificate-intermediates', pki.intermediate!] : []), '--certificate-roots', roots.root!];
      const got = await sameAsCli(t, page, image, [pki.leaf!], args, chain, what);
      if (got.verdict === 'verified' && verified++ === 0) await screenshot(page, 'certificate-verified');
    }
    t.equal(verified, 2, 'the good chains verify');
    // No roots given: the page has no system roots, and says so.
    const none = await verifyWith(page, [good.leaf!], { intermediates: [good.intermediate!] });
    t.equal(none.verdict, "failed: leaf.pem: no root certificates given: the web page has no system roots; give the chain's roots (as --certificate-roots)");
    await page.close();
  });

  t.test('?url= reads an image over CORS with Range requests; no other origin is asked', async (t) => {
    const image = join(FIXTURES, 'apptainer/images/one-group-signed-pgp.sif');
    const bytes = readFileSync(image);
    const ranges: string[] = [];
    const server = createServer((req, res) => {
      const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'range', 'access-control-expose-headers': 'content-range, content-length, etag' };
      if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
      const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (!m) return void res.writeHead(200, { ...cors, 'content-length': bytes.length }).end(bytes);
      ranges.push(req.headers.range!);
      const start = Number(m[1]);
      const end = Math.min(Number(m[2]), bytes.length - 1);
      res.writeHead(206, { ...cors, 'content-range': `bytes ${start}-${end}/${bytes.length}`, 'content-length': end - start + 1 });
      res.end(bytes.subarray(start, end + 1));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.teardown(() => server.close());
    const imageUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/one-group-signed-pgp.sif`;

    const context = await browser.newContext();
    const foreign: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith(imageUrl)) return route.continue();
      foreign.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    await page.goto(`${origin}?url=${encodeURIComponent(imageUrl)}`);
    await page.waitForFunction(() => ['loaded', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 60_000 });
    t.equal(await page.getByTestId('sif-list').textContent(), (await runCli(['list', image])).stdout.toString('utf8'), 'sif list of the URL');
    t.ok(ranges.length > 0, `Range requests: ${ranges.join(', ')}`);
    const got = await verifyWith(page, [APPTAINER_KEY]);
    t.equal(got.verdict, 'verified', 'verified over the URL');
    await page.getByTestId('image-input').setInputFiles(image);
    await page.waitForFunction(() => document.body.dataset.state === 'loaded');
    t.equal((await verifyWith(page, [APPTAINER_KEY])).verdict, 'verified', 'and from the file');
    t.same(foreign, [], 'no request to any other origin');
    await screenshot(page, 'url');
    await context.close();
  });
});
