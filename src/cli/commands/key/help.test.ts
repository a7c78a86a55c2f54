import t from 'tap';
import { spawnCli } from '../../../test-support/cli.js';
import { matchGolden } from '../../../test-support/golden.js';

t.test('--help of every key subcommand matches its golden file', async (t) => {
  for (const sub of ['newpair', 'list', 'import', 'export', 'remove', 'search', 'pull', 'push', 'refresh']) {
    const r = spawnCli(['key', sub, '--help'], { env: { NO_COLOR: '1' } });
    t.equal(r.code, 0);
    t.equal(r.stderr, '');
    matchGolden(t, `help/key-${sub}.txt`, r.stdout, `sif key ${sub} --help`);
  }
  const bare = spawnCli(['key']);
  t.equal(bare.code, 2);
  t.equal(bare.stderr.split('\n').at(-2), 'sif: specify a key command: newpair, list, import, export, remove, search, pull, push or refresh');
});
