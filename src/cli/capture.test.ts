import t from 'tap';
import { join } from 'node:path';
import { sparseImage } from '../test-support/sparse.js';
import { captureMain } from './capture.js';

t.test('captures stdout, stderr and the exit code', async (t) => {
  const image = join(t.testdir(), 'image.sif');
  await sparseImage(image, [4096]);
  const list = await captureMain(['list', image]);
  t.equal(list.code, 0, list.stderr);
  t.match(list.stdout.toString(), /^-+\nID +\|GROUP/);
  const bad = await captureMain(['list', join(image, 'missing')]);
  t.not(bad.code, 0);
  t.match(bad.stderr, /^sif: [^\n]+\n$/);
});

t.test('on a terminal, prompts read the input', async (t) => {
  const args = ['key', 'newpair', '--keysdir', join(t.testdir(), 'keys'), '-N', 'Tty', '-E', 'tty@example.com', '--algorithm', 'ed25519'];
  const r = await captureMain(args, { tty: true, input: 'no comment\n\n\n', env: { TZ: 'UTC' } });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /^Enter optional comment .*: Enter a passphrase : \nRetype your passphrase : \n/);
});
