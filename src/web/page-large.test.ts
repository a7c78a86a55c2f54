/**
 * A signed 1 GiB image (sparse: no disk) verifies in the page, as with
 * `sif verify`, its objects hashed in Web Workers with the progress bar
 * moving; reads are Blob slices, so the tab never holds the image.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signImage } from '../integrity/sign.js';
import { launchBrowser, missingChromium, screenshot, settled, startSifWeb } from '../test-support/browser.js';
import { runCli } from '../test-support/cli.js';
import { whenAvailable } from '../test-support/reference.js';
import { freshKey } from '../test-support/signed.js';
import { sparseImage } from '../test-support/sparse.js';

const MiB = 1 << 20;

whenAvailable(t, 'a 1 GiB image verifies in the page with the progress bar moving', missingChromium(), async (t) => {
  const dir = t.testdir();
  const image = join(dir, 'big.sif');
  await sparseImage(image, [512 * MiB, 256 * MiB, 256 * MiB]);
  const key = await freshKey();
  await signImage(image, { key });
  const keyring = join(dir, 'key.asc');
  writeFileSync(keyring, key.toPublic().armor());
  t.equal((await runCli(['verify', '--keyring', keyring, '--keysdir', dir, image])).code, 0, 'sif verify passes');

  const web = await startSifWeb();
  t.teardown(() => void web.child.kill());
  const browser = await launchBrowser();
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.goto(web.url);
  await page.getByTestId('image-input').setInputFiles(image);
  t.equal(await settled(page, ['idle', 'loading']), 'loaded');
  await page.getByTestId('key-input').setInputFiles(keyring);
  await page.getByTestId('verify-button').click();
  // The bar's value each time it changes, until the verdict: each hashed chunk moves it.
  const seen = await page.evaluate(
    () =>
      new Promise<number[]>((resolve) => {
        const bar = document.querySelector<HTMLProgressElement>('[data-testid="verify-progress"]')!;
        const values: number[] = [];
        const sample = () => {
          if (values.at(-1) !== bar.value / bar.max) values.push(bar.value / bar.max);
          if (document.body.dataset.state === 'verifying') requestAnimationFrame(sample);
          else resolve(values);
        };
        sample();
      }),
  );
  await screenshot(page, 'large-verified');
  t.equal(await page.getByTestId('verify-verdict').textContent(), 'verified');
  const moving = seen.filter((v) => v > 0 && v < 1);
  t.ok(moving.length >= 3, `the bar moved: ${moving.length} values between empty and full`);
  t.same(moving, [...moving].sort((a, b) => a - b), 'and only forward');
});
