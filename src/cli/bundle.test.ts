/**
 * The bundled CLI (dist/bundle/, scripts/build-cli.mjs) still finds what its
 * dependencies read from beside their own files in node_modules/.
 */
import t from 'tap';
import { spawnCli } from '../test-support/cli.js';

t.test("yargs' translations are found: help in the user's language, as unbundled", async (t) => {
  const r = spawnCli(['--help'], { env: { LC_ALL: 'de_DE.UTF-8' } });
  t.equal(r.code, 0);
  t.match(r.stdout.toString(), /^Kommandos:$/m);
});
