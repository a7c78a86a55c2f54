/** renderModelCheck: what `sif verify-attestation` prints for a model. */
import t from 'tap';
import type { ModelCheck } from '../../attest/model-signing/index.js';
import { renderModelCheck } from './model-check.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

t.test('a failed check: each difference in model_signing words, then the root digests', async (t) => {
  const check: ModelCheck = {
    ok: false,
    predicateType: 'https://model_signing/signature/v1.0',
    modelName: 'm',
    rootDigest: { signed: A, ofResources: B, model: B },
    serialization: { method: 'shards', shardSize: 8, allowSymlinks: false, ignorePaths: [] },
    resources: [
      { name: 'x:0:8', verdict: 'matched', expected: { algorithm: 'sha256-sharded-8', digest: A }, actual: { algorithm: 'sha256-sharded-8', digest: A } },
      { name: 'y:0:8', verdict: 'mismatched', expected: { algorithm: 'sha256-sharded-8', digest: A }, actual: { algorithm: 'sha256-sharded-8', digest: B } },
      { name: 'gone:0:8', verdict: 'missing', expected: { algorithm: 'sha256-sharded-8', digest: A } },
      { name: 'new:0:1', verdict: 'extra', actual: { algorithm: 'sha256-sharded-8', digest: B } },
    ],
  };
  t.equal(
    renderModelCheck(check),
    `hash mismatch for 'y:0:8': expected sha256-sharded-8:${A}, actual sha256-sharded-8:${B}
missing from the model: 'gone:0:8' (sha256-sharded-8:${A})
extra file in the model: 'new:0:1' (sha256-sharded-8:${B})
model 'm': 1 of 4 resources matched (shards of 8 bytes, sha256)
root digest signed   sha256:${A} (its resources hash to sha256:${B})
root digest of model sha256:${B}
`,
  );
});

/** A passing check of one file resource, with the fields each case changes. */
const passed = (over: Partial<ModelCheck>): ModelCheck => ({
  ok: true,
  predicateType: 'https://model_signing/signature/v1.0',
  modelName: 'image.sif',
  rootDigest: { signed: A, ofResources: A, model: A },
  serialization: { method: 'files', allowSymlinks: false, ignorePaths: [] },
  resources: [{ name: '.', verdict: 'matched', expected: { algorithm: 'sha256', digest: B }, actual: { algorithm: 'sha256', digest: B } }],
  ...over,
});

t.test('a legacy statement that matched', async (t) => {
  const check = passed({ predicateType: 'https://model_signing/Digests/v0.1', modelName: undefined, rootDigest: { signed: undefined, ofResources: B, model: B } });
  t.equal(renderModelCheck(check), `model (legacy statement): 1 of 1 resources matched (files, sha256)\nroot digest of model sha256:${B}\n`);
});

t.test('a v1.0 statement that matched', async (t) => {
  t.equal(renderModelCheck(passed({})), `model 'image.sif': 1 of 1 resources matched (files, sha256)\nroot digest signed   sha256:${A}\nroot digest of model sha256:${A}\n`);
});
