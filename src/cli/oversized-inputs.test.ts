/**
 * Every file sif reads whole, given `/dev/zero` (endless, and 0 bytes to stat)
 * or an endless stdin: one line and the documented exit code, at once.
 * `sif verify --keyring /dev/zero` used to read until the kernel killed it.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../test-support/cli.js';
import { GO_IMAGES } from '../test-support/reference.js';
import { EXIT_CODES } from './exit-codes.js';

const Z = '/dev/zero';

t.test('/dev/zero where a file is read whole', { skip: existsSync(Z) ? false : 'no /dev/zero here' }, async (t) => {
  const image = join(GO_IMAGES, 'one-group-signed.sif');
  const keysDir = t.testdir();
  const over64 = (what: string) => `sif: ${Z}: over 64 MiB, too large for ${what}\n`;
  const cases: [args: string[], code: keyof typeof EXIT_CODES, stderr: string][] = [
    [['verify', '--keyring', Z, image], 'SIF_USAGE', over64('a key file')],
    [['verify', '--ecl', Z, image], 'SIF_USAGE', over64('an ECL file')],
    [['verify', '--key', Z, image], 'SIF_KEY_INVALID', `sif: ${Z}: too large for a PEM key file (over 1048576 bytes)\n`],
    [['verify', '--certificate', Z, image], 'SIF_KEY_INVALID', `sif: ${Z}: too large for a PEM certificate file (over 4194304 bytes)\n`],
    [['key', 'import', '--keysdir', keysDir, Z], 'SIF_USAGE', over64('a key file')],
    [['bootstrap-check', Z], 'SIF_USAGE', over64('a definition file')],
    [['digest', '--predicate-type', 'x', '--predicate', Z, image], 'SIF_USAGE', over64('a predicate file')],
    [['verify-artifacts', '--sap-aicore', Z, `a=${image}`], 'SIF_USAGE', `sif: ${Z}: over 16 MiB, not a signatures file\n`],
  ];
  for (const [args, code, stderr] of cases) {
    const r = await runCli(args);
    t.same({ code: r.code, stderr: r.stderr }, { code: EXIT_CODES[code], stderr }, args.slice(0, 2).join(' '));
  }
  const endless = Buffer.alloc((64 << 20) + 1);
  const fromStdin = await runCli(['key', 'import', '--keysdir', keysDir, '-'], {}, endless);
  t.same({ code: fromStdin.code, stderr: fromStdin.stderr }, { code: EXIT_CODES.SIF_USAGE, stderr: 'sif: stdin: over 64 MiB, too large for a key file\n' }, 'key import -');
});
