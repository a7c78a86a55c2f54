/** `--json`: the values match the Go reader, and the keys match docs/json.md exactly. */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateBadInputs } from '../../scripts/gen-bad-inputs.js';
import { dataTypeName } from '../format/constants.js';
import { runCli } from '../test-support/cli.js';
import { oracle } from '../test-support/oracle.js';
import { corpusImages, GO_IMAGES, REPO_ROOT, withReference } from '../test-support/reference.js';

type Json = Record<string, unknown>;
const EXTRAS = ['partition', 'signature', 'cryptoMessage', 'sbom', 'oci'] as const;

/** Field names of the first table after `marker` in docs/json.md, in order. */
function documentedFields(marker: string): string[] {
  const doc = readFileSync(join(REPO_ROOT, 'docs/json.md'), 'utf8');
  const after = doc.slice(doc.indexOf(marker) + marker.length);
  const table = /\n(\|[^\n]*\n)+/.exec(after)![0];
  return [...table.matchAll(/^\| `([a-zA-Z]+)` \|/gm)].map((m) => m[1]!);
}

const json = async (args: string[]) => {
  const r = await runCli(args);
  if (r.code !== 0) throw new Error(`sif ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout.toString()) as Json;
};

withReference(t, 'list, info and header --json agree with the Go reader and with docs/json.md on every corpus image', ['go', 'go-sif', 'shared'], async (t) => {
  const headerKeys = documentedFields('## Header');
  const objectKeys = documentedFields('## Object');
  const extraKeys = Object.fromEntries(EXTRAS.map((e) => [e, documentedFields(`\`${e}\` (`)]));
  const seen = new Set<string>();
  for (const image of corpusImages()) {
    const go = oracle<Json & { objects: Json[] }>('load', image);
    const header = await json(['header', '--json', image]);
    t.same(Object.keys(header), headerKeys, `${image}: header keys as documented`);
    t.match(header, { id: go.id, arch: go.primaryArch, descriptorsFree: go.descriptorsFree, descriptorsTotal: go.descriptorsTotal, dataOffset: go.dataOffset, dataSize: go.dataSize }, `${image}: header values as Go reads them`);
    const { objects } = (await json(['list', '--json', image])) as { objects: Json[] };
    t.equal(objects.length, go.objects.length, `${image}: object count`);
    for (const [i, o] of objects.entries()) {
      const want = go.objects[i]!;
      const extra = Object.keys(o).slice(objectKeys.length);
      t.same(Object.keys(o).slice(0, objectKeys.length), objectKeys, `${image} ${o.id}: object keys as documented`);
      t.ok(extra.length <= 1, 'at most one type-specific object');
      for (const e of extra) {
        t.same(Object.keys(o[e] as Json), extraKeys[e], `${image} ${o.id}: ${e} keys as documented`);
        seen.add(e);
      }
      const goType = o.type === 'OCI.RootIndex' || o.type === 'OCI.Blob' ? 'Unknown' : o.type;
      t.same(
        [o.id, goType, o.groupId ?? 0, o.linkedId ?? 0, o.linkIsGroup && o.linkedId !== null, o.offset, o.size, o.name],
        [want.id, want.dataType, want.groupId, want.linkedId, want.linkIsGroup && want.linkedId !== 0, want.offset, want.size, want.name],
        `${image} ${o.id}: values as Go reads them`,
      );
      t.equal(dataTypeName(o.dataType as number), o.type);
      t.same(await json(['info', '--json', String(o.id), image]), o, `${image}: info --json ${o.id} is the list entry`);
    }
  }
  t.same([...seen].sort(), [...EXTRAS].sort(), 'the corpus exercises every type-specific object');
});

withReference(t, 'values only broken images hold', ['go-sif'], async (t) => {
  const dir = t.testdir();
  generateBadInputs(dir, GO_IMAGES);
  const extreme = await json(['header', '--json', join(dir, 'header-times-extreme.sif')]);
  t.equal(extreme.createdAt, '9223372036854775807', 'int64 beyond 2^53 is a decimal string');
  t.equal(extreme.modifiedAt, '-9223372036854775808');
  const sig = await json(['info', '--json', '4', join(dir, 'descriptor-unknown-hash.sif')]);
  t.same(sig.signature, { hashType: 9, hash: null, fingerprint: '12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84' }, 'an unknown hash code still shows the fingerprint');
  const dsse = await json(['info', '--json', '5', join(dir, 'descriptor-no-fingerprint.sif')]);
  t.same(dsse.signature, { hashType: 1, hash: 'SHA-256', fingerprint: null });
  const part = await json(['info', '--json', '1', join(dir, 'descriptor-unknown-fs-part-arch.sif')]);
  t.same(part.partition, { fsType: 9, fs: 'Unknown', partType: 9, part: 'Unknown', arch: 'unknown' });
  const sbom = await json(['info', '--json', '1', join(dir, 'descriptor-unknown-sbom-format.sif')]);
  t.same(sbom.sbom, { formatType: 42, format: 'unknown' });
  const name = await json(['info', '--json', '1', join(dir, 'descriptor-hostile-name.sif')]);
  t.equal(name.name, 'a\tb\nc\ufffd\ufffdd\ufffde', 'invalid UTF-8 becomes U+FFFD');
  const empty = await json(['list', '--json', join(dir, 'header-total-zero.sif')]);
  t.same(empty, { objects: [] });
});

withReference(t, 'times: null for the zero time, Unix seconds otherwise', ['go-sif'], async (t) => {
  const timed = await json(['info', '--json', '1', join(GO_IMAGES, 'one-object-time.sif')]);
  t.match(timed, { createdAt: 1593475316, modifiedAt: 1593475316 });
  const deterministic = await json(['header', '--json', join(GO_IMAGES, 'one-group.sif')]);
  t.match(deterministic, { createdAt: null, modifiedAt: null, launchScript: '', arch: '386' });
  const legacy = await json(['header', '--json', join(GO_IMAGES, 'one-group-signed-legacy.sif')]);
  t.match(legacy, { launchScript: '#!/usr/bin/env run-singularity\n', id: '6ecc76b7-a497-4f7f-9ebd-8da2a04c6be1', createdAt: 1590175859 });
});
