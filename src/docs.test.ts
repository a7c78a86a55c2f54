/**
 * The examples in the docs really run: every ```console block in the files
 * below is `$ command` followed by what it prints (stdout and stderr), run
 * by bash with bin/ first on PATH.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, withReference } from './test-support/reference.js';

const DOCS_WITH_EXAMPLES = ['docs/json.md', 'docs/errors.md', 'docs/compat.md', 'docs/writing.md', 'docs/attestations.md'];

interface Example {
  command: string;
  output: string;
}

export function consoleExamples(markdown: string): Example[] {
  const blocks = [...markdown.matchAll(/^```console\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  return blocks.map((block) => {
    const [first, ...rest] = block.split('\n');
    return { command: first!.replace(/^\$ /, ''), output: rest.join('\n') };
  });
}

for (const doc of DOCS_WITH_EXAMPLES) {
  withReference(t, `${doc} examples`, ['go-sif', 'siftool', 'jq'], async (t) => {
    const examples = consoleExamples(readFileSync(join(REPO_ROOT, doc), 'utf8'));
    t.ok(examples.length > 0, `${examples.length} examples`);
    for (const { command, output } of examples) {
      const r = spawnSync('bash', ['-c', `exec 2>&1\n${command}`], {
        cwd: REPO_ROOT,
        env: { ...process.env, PATH: `${join(REPO_ROOT, 'bin')}:${process.env.PATH}`, NO_COLOR: '1' },
      });
      t.equal(r.stdout.toString(), output, command);
    }
  });
}
