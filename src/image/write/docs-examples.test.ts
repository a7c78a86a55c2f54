/** The ```js examples of docs/writing.md run as written, against the built package. */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test-support/reference.js';

const examples = [...readFileSync(join(REPO_ROOT, 'docs/writing.md'), 'utf8').matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

t.test('docs/writing.md library examples', async (t) => {
  t.equal(examples.length, 2);
  // Inside the repository, so that `import … from 'sif'` resolves to this package.
  const dir = t.testdir();
  cpSync(join(REPO_ROOT, 'testdata/inputs'), join(dir, 'testdata/inputs'), { recursive: true });
  const outputs = examples.map((code, i) => {
    writeFileSync(join(dir, `example-${i}.mjs`), code);
    const r = spawnSync(process.execPath, [`example-${i}.mjs`], { cwd: dir });
    t.equal(r.status, 0, r.stderr.toString());
    return r.stdout.toString();
  });
  t.equal(outputs[0], '1@32768 2@39068\n', 'the output the doc states');
  const list = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/sif'), 'list', join(dir, 'app.sif')]).stdout.toString();
  t.match(list, /\n3 +\|NONE +\|1   \(G\) \|39326-\d+ +\|Signature \(SHA-256\)\n$/);
});
