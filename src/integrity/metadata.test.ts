import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SifImage } from '../image/image.js';
import { GO_IMAGES, GO_SIF, withReference } from '../test-support/reference.js';
import { ObjectDigests, type DigestAlg } from './digest.js';
import { buildMetadata, encodeMetadata, parseMetadata } from './metadata.js';

const GOLDEN = join(GO_SIF, 'pkg/integrity/testdata/TestGetImageMetadata');

withReference(t, "metadata JSON is byte-identical to the reference's goldens", ['go-sif'], async (t) => {
  const image = await SifImage.open(join(GO_IMAGES, 'one-group.sif'));
  t.teardown(() => image.close());
  const digests = new ObjectDigests(image);
  const [od1, od2] = image.descriptors;
  const cases: [string, typeof image.descriptors, DigestAlg][] = [
    ['Object1', [od1!], 'sha256'],
    ['Object2', [od2!], 'sha256'],
    ['SHA224', [od2!, od1!], 'sha224'],
    ['SHA256', [od1!, od2!], 'sha256'],
    ['SHA384', [od1!, od2!], 'sha384'],
    ['SHA512', [od1!, od2!], 'sha512'],
  ];
  for (const [name, objects, alg] of cases) {
    const json = encodeMetadata(await buildMetadata(image, digests, objects, 1, alg));
    const golden = readFileSync(join(GOLDEN, `${name}.golden`), 'utf8');
    t.equal(`${json}\n`, golden, name);
    t.equal(encodeMetadata(parseMetadata(golden)), json, `${name} parses back`);
  }
});

const D = (alg: string, n: number) => `"${alg}:${'ab'.repeat(n)}"`;
const doc = (objects = `[{"relativeId":0,"descriptorDigest":${D('sha256', 32)},"objectDigest":${D('sha512_256', 32)}}]`) =>
  `{"version":1,"header":{"digest":${D('sha224', 28)}},"objects":${objects}}`;

t.test('parsing accepts what Go reads the same way', async (t) => {
  const md = parseMetadata(`${doc()}\n`);
  t.equal(md.header.digest.alg, 'sha224');
  t.equal(md.objects[0]!.objectDigest.alg, 'sha512_256');
  t.equal(parseMetadata(doc().replace('"version":1', '"version":1,"future":{"a":[1,{"b":2}]}')).version, 1, 'unknown keys are ignored');
  t.equal(parseMetadata(doc().replaceAll('ab', 'AB')).header.digest.value[0], 0xab, 'upper-case hex');
  t.same(parseMetadata(doc('[]')).objects, []);
});

t.test('parsing rejects what is ambiguous or malformed', async (t) => {
  const cases: [string, RegExp][] = [
    ['not json', /^metadata is not JSON: /],
    [`${doc()} {}`, /^metadata is not JSON: /],
    ['[]', /^metadata: not an object$/],
    [doc().replace('"version":1', '"version":1,"version":1'), /^duplicate key "version"$/],
    [doc().replace('"version":1', '"Version":1'), /^metadata: ambiguous key "Version"$/],
    [doc().replace('"objectDigest"', '"objectDigeſt"'), /^objects\[0\]: ambiguous key "objectDigeſt"$/],
    [doc().replace('"version":1,', ''), /^metadata: version missing$/],
    [doc().replace('"version":1', '"version":2'), /^unsupported metadata version 2$/],
    [doc().replace('"objects":[', '"objects":{"a":['), /^metadata is not JSON/],
    [doc('{}'), /^metadata objects: not an array$/],
    [doc('[1]'), /^objects\[0\]: not an object$/],
    [doc().replace('"relativeId":0', '"relativeId":-1'), /^objects\[0\]\.relativeId: not a uint32$/],
    [doc().replace('"relativeId":0', '"relativeId":1.5'), /^objects\[0\]\.relativeId: not a uint32$/],
    [doc().replace(D('sha224', 28), '"sha224"'), /^digest malformed$/],
    [doc().replace(D('sha224', 28), '"sha224:ab:cd"'), /^digest malformed$/],
    [doc().replace(D('sha224', 28), '"sha224:abc"'), /^digest malformed$/],
    [doc().replace(D('sha224', 28), '"sha224:zz"'), /^digest malformed$/],
    [doc().replace(D('sha224', 28), D('sha224', 27)), /^digest malformed$/],
    [doc().replace(D('sha224', 28), D('md5', 16)), /^hash algorithm unsupported$/],
    [doc().replace(D('sha224', 28), '7'), /^digest malformed$/],
    [doc().replace(`"digest":${D('sha224', 28)}`, `"digest":${D('sha224', 28)},"digest":${D('sha224', 28)}`), /^duplicate key "digest"$/],
  ];
  for (const [text, message] of cases) t.throws(() => parseMetadata(text), { message }, text.slice(0, 80));
});
