/**
 * `sif digest --format sap-aicore | tekton-result | tekton-artifacts | slsa`:
 * each output checked against the shape in docs/attestations.md (typed checks
 * of what SAP AI Core, Tekton and the in-toto Go library's SLSA validator
 * accept), its digests equal to sha256sum of the file and of the dumped
 * Def.FILE object.
 */
import t, { type Test } from 'tap';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GO_IMAGES, withReference } from '../test-support/reference.js';
import { runCli, runTool } from '../test-support/cli.js';
import { statementProblem, type Statement } from '../attest/statement.js';
import { SAP_SIGNATURE_MAX_LENGTH } from '../attest/sap-aicore.js';
import { SIF_BUILD_TYPE, SLSA_PROVENANCE_V1 } from '../attest/slsa.js';
import type { ArtifactOutputsResult, ProvenanceArtifacts } from '../attest/tekton.js';

const sha256sum = (path: string) => runTool('sha256sum', [path]).stdout.toString().split(' ')[0]!;
const HEX64 = /^[0-9a-f]{64}$/;

async function digest(args: string[]): Promise<string> {
  const r = await runCli(['digest', ...args]);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout.toString();
}

/** An image with a definition file object (Def.FILE), and the definition file itself. */
async function imageWithDefinition(dir: string): Promise<{ image: string; def: string }> {
  const def = join(dir, 'app.def');
  writeFileSync(def, 'Bootstrap: localimage\nFrom: base.sif\n');
  const image = join(dir, 'app.sif');
  for (const args of [['new', image], ['add', '--datatype', '1', image, def], ['add', '--datatype', '4', '--partfs', '4', '--parttype', '1', '--partarch', '2', image, def]]) {
    const r = await runCli(args);
    if (r.code !== 0) throw new Error(r.stderr);
  }
  return { image, def };
}

/** `AICORE_ARTIFACT_SIGNATURES`: a flat object of strings within SAP's limit. */
function checkSap(t: Test, value: unknown): asserts value is Record<string, string> {
  t.ok(typeof value === 'object' && value !== null && !Array.isArray(value), 'a JSON object');
  for (const [k, v] of Object.entries(value as object)) {
    t.equal(typeof v, 'string', `${k}: a string`);
    t.ok((v as string).length <= SAP_SIGNATURE_MAX_LENGTH, `${k}: within SAP's limit`);
  }
}

withReference(t, 'sap-aicore: {globalName: sha256 hex}, merged into --sap-file', ['go-sif'], async (t) => {
  const image = join(GO_IMAGES, 'one-group.sif');
  const F = sha256sum(image);
  const printed = JSON.parse(await digest(['-f', 'sap-aicore', image])) as unknown;
  checkSap(t, printed);
  t.same(printed, { 'one-group.sif': F });

  const dir = t.testdir({ 'sigs.json': '{"dummy-model":"abc"}' });
  const file = join(dir, 'sigs.json');
  t.equal(await digest(['-f', 'sap-aicore', '--name', 'sif-image', '--sap-file', file, image]), '', 'nothing printed');
  const two = join(GO_IMAGES, 'two-groups.sif');
  await digest(['-f', 'sap-aicore', '--name', 'other', '--sap-file', file, two]);
  const merged = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  checkSap(t, merged);
  t.same(merged, { 'dummy-model': 'abc', 'sif-image': F, other: sha256sum(two) }, 'several outputs of one step');
  const created = join(dir, 'new.json');
  await digest(['-f', 'sap-aicore', '--sap-file', created, image]);
  t.same(JSON.parse(readFileSync(created, 'utf8')), { 'one-group.sif': F }, 'a missing file is created');
  t.equal(statSync(created).mode & 0o777, 0o644);
});

withReference(t, 'sap-aicore: a hostile --sap-file is refused and left as it was', ['go-sif'], async (t) => {
  const image = join(GO_IMAGES, 'one-group.sif');
  const cases: Record<string, [string, RegExp]> = {
    'not-json.json': ['{"a":', /^sif: .*not-json\.json: not JSON: .*\n$/],
    'array.json': ['["a"]', /^sif: .*array\.json: not a JSON object\n$/],
    'number.json': ['{"a":1}', /^sif: .*number\.json: the value of "a" is not a string\n$/],
    'nested.json': ['{"a":{"b":"c"}}', /^sif: .*nested\.json: the value of "a" is not a string\n$/],
    'long.json': [JSON.stringify({ a: 'x'.repeat(SAP_SIGNATURE_MAX_LENGTH + 1) }), /^sif: .*long\.json: the value of "a" is over SAP's 256-character limit\n$/],
  };
  const dir = t.testdir(Object.fromEntries(Object.entries(cases).map(([k, [text]]) => [k, text])));
  for (const [name, [text, stderr]] of Object.entries(cases)) {
    const r = await runCli(['digest', '-f', 'sap-aicore', '--sap-file', join(dir, name), image]);
    t.equal(r.code, 2, name);
    t.match(r.stderr, stderr);
    t.equal(readFileSync(join(dir, name), 'utf8'), text, `${name} unchanged`);
  }
  const unreadable = await runCli(['digest', '-f', 'sap-aicore', '--sap-file', dir, image]);
  t.equal(unreadable.code, 3, 'a directory');
  t.match(unreadable.stderr, /^sif: [^\n]+\n$/);
});

withReference(t, 'tekton-result: the *ARTIFACT_OUTPUTS object Chains reads', ['go-sif'], async (t) => {
  const image = join(GO_IMAGES, 'one-group.sif');
  const text = await digest(['-f', 'tekton-result', image]);
  t.notOk(text.endsWith('\n'), 'the exact bytes of a result file');
  const value = JSON.parse(text) as ArtifactOutputsResult;
  t.same(Object.keys(value).sort(), ['digest', 'isBuildArtifact', 'uri'], 'the properties Chains declares');
  t.equal(value.isBuildArtifact, 'true', 'the string "true", not a boolean');
  t.equal(value.uri, 'pkg:generic/one-group.sif', 'a generic purl, never an OCI reference');
  t.match(value.digest, /^sha256:[0-9a-f]{64}$/, 'alg:hex, as go-digest parses it');
  t.equal(value.digest, `sha256:${sha256sum(image)}`);
  t.equal(JSON.parse(await digest(['-f', 'tekton-result', '--name', 'my image.sif', image])).uri, 'pkg:generic/my%20image.sif', 'names are percent-encoded');
  const r = await runCli(['digest', '-f', 'tekton-result', '--name', 'x'.repeat(2000), image]);
  t.equal(r.code, 2);
  t.match(r.stderr, /^sif: the result would be \d+ bytes, over 1024: choose a shorter --name\n$/);
});

withReference(t, 'tekton-artifacts: provenance.json as Tekton shipped it', ['go-sif'], async (t) => {
  const { image, def } = await imageWithDefinition(t.testdir());
  const F = sha256sum(image);
  const check = (value: ProvenanceArtifacts) => {
    for (const a of [...(value.inputs ?? []), ...value.outputs]) {
      t.equal(typeof a.name, 'string');
      for (const v of a.values) {
        t.match(v.uri, /^pkg:generic\//);
        for (const hex of Object.values(v.digest)) t.match(hex, HEX64, 'a digest map of hex');
      }
    }
  };
  const plain = JSON.parse(await digest(['-f', 'tekton-artifacts', image])) as ProvenanceArtifacts;
  check(plain);
  t.same(plain, { outputs: [{ name: 'sif', buildOutput: true, values: [{ uri: `pkg:generic/app.sif?checksum=sha256:${F}`, digest: { sha256: F } }] }] });
  const withInput = JSON.parse(await digest(['-f', 'tekton-artifacts', '--input', def, image])) as ProvenanceArtifacts;
  check(withInput);
  t.same(withInput.inputs, [{ name: 'definition', values: [{ uri: 'pkg:generic/app.def', digest: { sha256: sha256sum(def) } }] }]);
  t.same(withInput.outputs, plain.outputs);
});

withReference(t, "slsa: Provenance v1 from the image's Def.FILE object or --input", ['go-sif'], async (t) => {
  const dir = t.testdir();
  const { image, def } = await imageWithDefinition(dir);
  const F = sha256sum(image);
  const dumped = join(dir, 'dumped.def');
  writeFileSync(dumped, (await runCli(['dump', '1', image])).stdout);

  const st = JSON.parse(
    await digest(['-f', 'slsa', '--builder-id', 'https://ci.example/runner', '--invocation-id', 'run-7', '--started-on', '2026-01-01T00:00:00Z', '--finished-on', '2026-01-01T00:05:00.5+01:00', image]),
  ) as Statement;
  t.equal(statementProblem(st), undefined, 'the Go statement rules');
  t.equal(st.predicateType, SLSA_PROVENANCE_V1);
  t.same(st.subject, [{ name: 'app.sif', digest: { sha256: F } }], 'outputs only in subject');
  const p = st.predicate as { buildDefinition: { buildType: string; externalParameters: object; resolvedDependencies: unknown[] }; runDetails: { builder: { id: string }; metadata: object } };
  t.equal(p.buildDefinition.buildType, SIF_BUILD_TYPE);
  t.ok(Object.keys(p.buildDefinition.externalParameters).length > 0, 'non-empty externalParameters (Go validator)');
  t.same(p.buildDefinition.externalParameters, { definitionFile: 'app.sif#object=1', output: 'app.sif' });
  t.same(p.buildDefinition.resolvedDependencies, [{ name: 'app.sif#object=1', digest: { sha256: sha256sum(dumped) } }], 'the Def.FILE object');
  t.equal(p.runDetails.builder.id, 'https://ci.example/runner');
  t.same(p.runDetails.metadata, { invocationId: 'run-7', startedOn: '2026-01-01T00:00:00Z', finishedOn: '2026-01-01T00:05:00.5+01:00' });

  const given = JSON.parse(await digest(['-f', 'slsa', '--builder-id', 'b', '--input', def, image])) as Statement;
  t.same((given.predicate as typeof p).buildDefinition.resolvedDependencies, [{ name: 'app.def', digest: { sha256: sha256sum(def) } }]);
  t.notOk('metadata' in (given.predicate as typeof p).runDetails, 'no empty metadata');

  const refused: [string[], RegExp][] = [
    [['-f', 'slsa', image], /^sif: --format slsa needs --builder-id\n$/],
    [['-f', 'slsa', '--builder-id', '', image], /^sif: --builder-id must not be empty\n$/],
    [['-f', 'slsa', '--builder-id', 'b', '--started-on', 'yesterday', image], /^sif: --started-on "yesterday" is not an RFC 3339 time/],
    [['-f', 'slsa', '--builder-id', 'b', '--finished-on', '2026-13-01T00:00:00Z', image], /^sif: --finished-on "2026-13-01T00:00:00Z" is not an RFC 3339 time/],
    [['-f', 'slsa', '--builder-id', 'b', join(GO_IMAGES, 'one-group.sif')], /^sif: the image has no definition file object \(Def\.FILE\): give the definition file with --input\n$/],
    [['-f', 'in-toto', '--builder-id', 'b', image], /^sif: --builder-id is for --format slsa, not in-toto\n$/],
    [['-f', 'slsa', '--predicate-type', 'u', '--builder-id', 'b', image], /^sif: --predicate-type is for --format in-toto, not slsa\n$/],
  ];
  for (const [args, stderr] of refused) {
    const r = await runCli(['digest', ...args]);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, stderr);
    t.equal(r.stdout.length, 0);
  }
  const missing = await runCli(['digest', '-f', 'slsa', '--builder-id', 'b', '--input', join(dir, 'nope.def'), image]);
  t.equal(missing.code, 3);
  t.match(missing.stderr, /^sif: [^\n]*nope\.def[^\n]*\n$/);
});
