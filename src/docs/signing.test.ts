/**
 * The examples in docs/signing.md really run: each ```console block is
 * `$ command` and what it prints (stdout, then stderr), run in order in one
 * folder by bash with bin/ first on PATH.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GO_SIF, REPO_ROOT, withReference } from '../test-support/reference.js';

const blocks = (markdown: string) =>
  [...markdown.matchAll(/^```console\n([\s\S]*?)^```$/gm)].map((m) => {
    const [first, ...rest] = m[1]!.split('\n');
    return { command: first!.replace(/^\$ /, ''), output: rest.join('\n') };
  });

withReference(t, 'docs/signing.md examples', ['go-sif'], async (t) => {
  const examples = blocks(readFileSync(join(REPO_ROOT, 'docs/signing.md'), 'utf8'));
  t.ok(examples.length >= 5, `${examples.length} examples`);
  const dir = t.testdir();
  for (const { command, output } of examples) {
    const r = spawnSync('bash', ['--norc', '-c', `exec 2>&1\n${command}`], {
      cwd: dir,
      env: { PATH: `${join(REPO_ROOT, 'bin')}:${process.env.PATH}`, HOME: dir, T: join(GO_SIF, 'test') },
    });
    t.equal(r.stdout.toString(), output, command);
  }
});
