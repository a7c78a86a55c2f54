import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, withReference } from '../../../test-support/reference.js';

/** Every ```sh block of docs/keys.md, in order: the examples must really run. */
const examples = () => [...readFileSync(join(REPO_ROOT, 'docs/keys.md'), 'utf8').matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

withReference(t, 'the shell examples in docs/keys.md run as written', ['gpg'], async (t) => {
  const blocks = examples();
  t.ok(blocks.length >= 5, 'examples found');
  const dir = t.testdir();
  // A short TMPDIR: the examples' `mktemp -d` may become a GNUPGHOME, and gpg-agent's socket path is limited.
  const tmp = mkdtempSync(join(tmpdir(), 'sifdoc-'));
  t.teardown(() => {
    for (const d of readdirSync(tmp)) spawnSync('gpgconf', ['--homedir', join(tmp, d), '--kill', 'all']);
    rmSync(tmp, { recursive: true, force: true });
  });
  const r = spawnSync('bash', ['--norc', '-euo', 'pipefail', '-c', blocks.join('\n')], {
    cwd: dir,
    env: { PATH: `${join(REPO_ROOT, 'bin')}:${process.env.PATH}`, HOME: dir, TMPDIR: tmp, TZ: 'UTC' },
  });
  t.equal(r.status, 0, r.stderr.toString());
  const out = r.stdout.toString();
  t.match(out, /^Generating Entity and OpenPGP Key Pair\.\.\. done\n/);
  t.match(out, /Private key listing \(.*\/keys\/pgp-secret\):\n\n0\)  User:              Jane Doe \(CI signing\) <jane@example\.com>\n/);
  t.match(out, /"algorithm": "eddsa"/);
  t.match(out, /Key with fingerprint [0-9A-F]{40} successfully added to the private keyring\n/);
  t.match(out, /Key with fingerprint [0-9A-F]{40} removed from .*pgp-public\n$/);
  t.match(r.stderr.toString(), /gpg: key [0-9A-F]{16}: public key "Jane Doe \(CI signing\) <jane@example\.com>" imported/);
});
