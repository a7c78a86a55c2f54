/** Where "~" is: $HOME, and never the current directory when HOME is empty. */
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { EXIT_CODES } from './cli/exit-codes.js';
import { homeDirectory } from './home.js';
import { resolveKeysDir } from './keys/paths.js';
import { remoteYamlPaths } from './keyserver/remote-config.js';
import { SIF_BIN } from './test-support/cli.js';
import { nobodyCanRunSif } from './test-support/processes.js';

t.test('HOME, else the password database', async (t) => {
  const account = userInfo().homedir;
  t.equal(homeDirectory({ HOME: '/home/jane' }), '/home/jane');
  t.equal(homeDirectory({}), account, 'unset');
  t.equal(homeDirectory({ HOME: '' }), account, 'empty: not the current directory');
  t.equal(resolveKeysDir({ env: { HOME: '' } }), join(account, '.apptainer/keys'));
  t.equal(remoteYamlPaths({ HOME: '' }).user, join(account, '.apptainer/remote.yaml'));
});

// A uid the password database does not know, as in many containers, with no HOME.
const notRoot = process.getuid?.() === 0 ? false : 'switching to another uid needs root';
t.test('no HOME and no account: sif asks for --keysdir', { skip: notRoot }, async (t) => {
  if (!nobodyCanRunSif(t)) return;
  const stranger = 54321;
  t.throws(() => execFileSync('getent', ['passwd', String(stranger)], { stdio: 'ignore' }), `uid ${stranger} has no account here`);
  // Through sh without NODE_OPTIONS: tap's coverage hooks would ride along and write where this uid may not.
  const script = 'unset NODE_OPTIONS; exec "$0" "$@"';
  const r = spawnSync('sh', ['-c', script, process.execPath, SIF_BIN, 'key', 'list'], { uid: stranger, gid: stranger, env: { PATH: process.env.PATH } });
  t.same(
    { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() },
    { code: EXIT_CODES.SIF_USAGE, stdout: '', stderr: 'sif: no home directory for the keyrings (HOME is unset and the account has none): give --keysdir or set HOME\n' },
  );
});
