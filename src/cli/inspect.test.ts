import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { descriptorLayout, headerLayout, partitionExtraLayout } from '../format/layout.js';
import { corpusImages, FIXTURES, GO_IMAGES, withReference } from '../test-support/reference.js';
import { runCli, runTool, spawnCli } from '../test-support/cli.js';

/** Objects OCI types print as upstream HEAD, which 2.8.3 does not know (docs/compat.md). */
const isOciImage = (path: string) => basename(path).startsWith('one-object-oci');

withReference(t, 'list, header, info and dump match siftool 2.8.3 on every corpus image', ['siftool', 'go-sif', 'shared'], async (t) => {
  for (const image of corpusImages()) {
    for (const cmd of ['list', 'header'] as const) {
      if (cmd === 'list' && isOciImage(image)) continue;
      const want = runTool('siftool', [cmd, image]);
      const got = await runCli([cmd, image]);
      t.equal(got.code, 0, `${cmd} ${image} exit code`);
      t.equal(got.stdout.toString('latin1'), want.stdout.toString('latin1'), `${cmd} ${image}`);
    }
    for (let id = 1; id <= 8; id++) {
      const want = runTool('siftool', ['info', String(id), image]);
      if (want.code !== 0) continue;
      if (!isOciImage(image)) {
        const got = await runCli(['info', String(id), image]);
        t.equal(got.stdout.toString('latin1'), want.stdout.toString('latin1'), `info ${id} ${image}`);
      }
      const dump = await runCli(['dump', String(id), image]);
      t.ok(dump.stdout.equals(runTool('siftool', ['dump', String(id), image]).stdout), `dump ${id} ${image}`);
    }
  }
});

withReference(t, 'OCI objects print as upstream HEAD does', ['shared'], async (t) => {
  const blob = `${FIXTURES}/sylabs-sif-head/images/one-object-oci-blob.sif`;
  const list = await runCli(['list', blob]);
  t.match(list.stdout.toString(), /\|32176-33023 +\|OCI\.Blob\n$/);
  const info = await runCli(['info', '1', blob]);
  t.match(info.stdout.toString(), /  Data Type:  OCI\.Blob\n[\s\S]*  Digest:     sha256:a88b15e95042f7d5a1327c03c57e10bdc1cf5f5efc2968fc73c12b6f5b00c731\n$/);
  const index = await runCli(['info', '1', `${FIXTURES}/sylabs-sif-head/images/one-object-oci-root-index.sif`]);
  t.match(index.stdout.toString(), /Data Type:  OCI\.RootIndex\n[\s\S]*Digest:     sha256:2dc692f0dcaf7e3cb30db2d5d61004e4319f13db84331b65f066481c0f94cffb\n$/);
});

withReference(t, 'the real bin/sif process prints the same as siftool', ['siftool', 'go-sif'], async (t) => {
  const image = `${GO_IMAGES}/two-groups-signed.sif`;
  for (const args of [['list', image], ['header', image], ['info', '4', image]]) {
    const got = spawnCli(args);
    t.equal(got.code, 0);
    t.equal(got.stderr, '');
    t.same(got.stdout, runTool('siftool', args).stdout, args.join(' '));
  }
});

withReference(t, 'loong64 (arch code 13) prints as upstream HEAD does', ['siftool', 'go-sif'], async (t) => {
  const bytes = readFileSync(join(GO_IMAGES, 'one-group.sif'));
  const loong = Buffer.from('13\0');
  headerLayout.encode({ ...headerLayout.decode(bytes), arch: loong }, bytes);
  const extraAt = 4096 + descriptorLayout.offsets.extra;
  partitionExtraLayout.encode({ ...partitionExtraLayout.decode(bytes, extraAt), arch: loong }, bytes, extraAt);
  const image = join(t.testdir(), 'loong64.sif');
  writeFileSync(image, bytes);

  const header = (await runCli(['header', image])).stdout.toString();
  const siftoolHeader = runTool('siftool', ['header', image]).stdout.toString();
  t.match(header, /^Version:              01\nPrimary Architecture: loong64\n/);
  t.notMatch(siftoolHeader, /Primary Architecture/, '2.8.3 does not know the code and leaves the line out');
  const list = (await runCli(['list', image])).stdout.toString();
  t.equal(list, runTool('siftool', ['list', image]).stdout.toString().replace('Raw/System/unknown', 'Raw/System/loong64'));
  t.match((await runCli(['info', '1', image])).stdout.toString(), /  Architecture:     loong64\n$/);
});
