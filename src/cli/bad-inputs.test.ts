/**
 * The bad-input corpus (scripts/gen-bad-inputs.ts) through every reading
 * command: one `sif: …` line and the documented exit code for what we reject,
 * siftool's exact output for what we accept, Go's text where Go rejects too,
 * no big allocation, and the file never changed.
 */
import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateBadInputs, type BadInput } from '../../scripts/gen-bad-inputs.js';
import { runCli, runTool, spawnCli, type CliResult } from '../test-support/cli.js';
import { oracle } from '../test-support/oracle.js';
import { GO_IMAGES, withReference } from '../test-support/reference.js';
import { EXIT_CODES } from './exit-codes.js';
import { SifImage } from '../image/image.js';

const ONE_LINE = /^sif: [^\n]*\n$/;
const IDS = ['0', '1', '2', '3', '4', '5', '6'];

const digestDir = (dir: string) =>
  Object.fromEntries(readdirSync(dir).sort().map((f) => [f, createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')]));

const commandsFor = (image: string, ids: string[]) => [
  ['list', image],
  ['header', image],
  ...ids.flatMap((id) => [['info', id, image], ['dump', id, image]]),
];

/** Where we print on purpose what siftool 2.8.3 does not (docs/compat.md). */
function siftoolWouldPrint(c: BadInput, args: string[], ours: CliResult): Buffer | undefined {
  if (c.file === 'descriptor-unknown-hash.sif' && args[0] === 'list') {
    // siftool drops the type column and the newline of the row; we end the row.
    return Buffer.from(ours.stdout.toString('latin1').replace('|Signature (unknown hash)\n', ''), 'latin1');
  }
  return undefined;
}

/**
 * Our message where siftool fails to select an object. siftool decides "no
 * objects in image" from DescriptorsFree == DescriptorsTotal and checks ID 0
 * only while scanning objects; we check the ID first and count the objects in
 * use (docs/compat.md). Undefined when we find the object siftool refused.
 */
function ourSelectionMessage(goMessage: string, args: string[], ids: number[]): string | undefined {
  const selection = ['no objects in image', 'object not found', 'invalid object ID'];
  if (!selection.includes(goMessage)) return goMessage;
  if (args[1] === '0') return 'invalid object ID';
  if (ids.length === 0) return 'no objects in image';
  return ids.includes(Number(args[1])) ? undefined : 'object not found';
}

async function objectIds(path: string): Promise<number[]> {
  const image = await SifImage.open(path);
  await image.close();
  return image.descriptors.map((d) => d.id);
}

function assertOneLineError(t: Test, got: CliResult, code: keyof typeof EXIT_CODES, message: string, label: string): void {
  t.equal(got.code, EXIT_CODES[code], `${label}: exit code of ${code}`);
  t.equal(got.stdout.length, 0, `${label}: nothing on stdout`);
  t.match(got.stderr, ONE_LINE, `${label}: one line on stderr`);
  t.ok(got.stderr.startsWith(`sif: ${message}`), `${label}: ${JSON.stringify(got.stderr)} starts with "sif: ${message}"`);
}

withReference(t, 'bad inputs', ['siftool', 'go', 'go-sif'], async (t) => {
  const dir = t.testdir();
  const manifest = generateBadInputs(dir);
  const before = digestDir(dir);
  const again = t.testdir();
  generateBadInputs(again);
  t.same(digestDir(again), before, 'the generator is deterministic');
  const rssBefore = process.resourceUsage().maxRSS;

  t.test('rejected files: one line, documented exit code, Go text where Go rejects', async (t) => {
    for (const c of manifest.filter((m) => m.error)) {
      const image = join(dir, c.file);
      const message = c.error!.message.replace('{path}', image);
      for (const args of commandsFor(image, ['1'])) {
        assertOneLineError(t, await runCli(args), c.error!.code, message, `${c.file} ${args[0]}`);
      }
      const go = oracle<{ ok: boolean; error?: string; panic?: string }>('loadcheck', image);
      if (c.go === 'rejects') t.ok(go.error && message.startsWith(go.error), `${c.file}: Go says "${go.error}", we say "${message}"`);
      else if (c.go === 'panics') t.ok(go.panic, `${c.file}: the Go loader panics (${go.panic}); we report "${message}"`);
      else t.ok(go.ok, `${c.file}: the Go loader accepts it; we are stricter (docs/compat.md)`);
    }
  });

  t.test('accepted files read exactly as siftool reads them', async (t) => {
    for (const c of manifest.filter((m) => !m.error)) {
      const image = join(dir, c.file);
      t.ok(oracle<{ ok: boolean }>('loadcheck', image).ok, `${c.file}: the Go loader accepts it too`);
      const ids = await objectIds(image);
      for (const args of commandsFor(image, IDS)) {
        const label = `${c.file} ${args.slice(0, -1).join(' ')}`;
        const want = runTool('siftool', args);
        const got = await runCli(args);
        if (want.code === 0) {
          t.equal(got.code, 0, `${label}: exit code`);
          t.ok((siftoolWouldPrint(c, args, got) ?? got.stdout).equals(want.stdout), `${label}: stdout as siftool`);
          continue;
        }
        const goMessage = /^Error: ([^\n]*)/.exec(want.stderr)?.[1] ?? '';
        const ours = ourSelectionMessage(goMessage, args, ids);
        if (ours === undefined) {
          t.equal(got.code, 0, `${label}: siftool says "${goMessage}" from the free count; we read the object (docs/compat.md)`);
          continue;
        }
        t.match(got.stderr, ONE_LINE, `${label}: one line`);
        t.ok(got.stderr.startsWith(`sif: ${ours}`), `${label}: ${JSON.stringify(got.stderr)} starts with "sif: ${ours}"`);
        t.not(got.code, 0, `${label}: fails`);
      }
    }
  });

  t.test('real processes', async (t) => {
    for (const file of ['header-bad-magic.sif', 'header-total-huge.sif', 'truncated-at-032770.sif']) {
      const c = manifest.find((m) => m.file === file)!;
      const got = spawnCli(['list', join(dir, file)]);
      assertOneLineError(t, got, c.error!.code, c.error!.message, `${file} (process)`);
      t.notMatch(got.stderr, /\bat .*\.js:\d+/, 'no stack trace');
    }
    const debug = spawnCli(['list', join(dir, 'header-bad-magic.sif')], { env: { SIF_DEBUG: '1' } });
    t.match(debug.stderr, /^sif: invalid SIF magic\nFormatError: invalid SIF magic\n\s+at /, 'SIF_DEBUG=1 adds the stack');
  });

  t.test('nothing big was allocated and no file changed', async (t) => {
    const grownMiB = (process.resourceUsage().maxRSS - rssBefore) / 1024;
    t.ok(grownMiB < 100, `peak RSS grew by ${grownMiB.toFixed(1)} MiB`);
    t.same(digestDir(dir), before, 'every file is unchanged');
  });
});

withReference(t, 'the generator runs from the command line', ['go-sif'], async (t) => {
  const dir = t.testdir();
  const r = runTool('node', ['--import', '@tapjs/typescript/import', 'scripts/gen-bad-inputs.ts', dir, GO_IMAGES]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout.toString(), /^\d+ bad inputs written to /);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as BadInput[];
  t.ok(manifest.length > 80, `${manifest.length} cases`);
});
