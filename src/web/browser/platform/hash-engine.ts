/**
 * The web build's hash engine, in place of src/integrity/hash-engine.ts
 * (scripts/build-web.mjs substitutes it): hash-wasm's SHA-2 in WebAssembly,
 * the fastest streaming SHA-256 measured in Chromium (docs/performance.md:
 * web hashing). WebCrypto's digest() takes the whole input at once, which a
 * multi-GiB object is not. hash-wasm has no SHA-512/224 or SHA-512/256: an
 * image signed with them is refused with a message saying so.
 */
import { createSHA224, createSHA256, createSHA384, createSHA512, type IHasher } from 'hash-wasm';
import { SifError } from '../../../errors.js';
import type { DigestAlg } from '../../../integrity/digest-alg.js';
import type { StreamingHash } from '../../../integrity/hash-engine.js';

const FACTORIES: Readonly<Partial<Record<DigestAlg, () => Promise<IHasher>>>> = {
  sha224: createSHA224,
  sha256: createSHA256,
  sha384: createSHA384,
  sha512: createSHA512,
};

function factory(alg: DigestAlg): () => Promise<IHasher> {
  const make = FACTORIES[alg];
  if (!make) throw new SifError('SIF_INTERNAL', `${alg} digests are not available in the web page; verify this image with the sif CLI`);
  return make;
}

const wrap = (h: IHasher): StreamingHash => ({
  update: (bytes) => h.update(bytes),
  digest: () => Buffer.from(h.digest('binary')),
});

export async function createHash(alg: DigestAlg): Promise<StreamingHash> {
  const h = await factory(alg)();
  h.init();
  return wrap(h);
}

// hashBytes is synchronous (the checks call it between awaits) and hash-wasm
// instantiates asynchronously: one hasher per algorithm, made when this
// module loads, each used within one synchronous call so no two interleave.
const small = new Map<DigestAlg, IHasher>(await Promise.all(Object.entries(FACTORIES).map(async ([alg, make]) => [alg as DigestAlg, await make()] as const)));

/** Digest of a small in-memory value (header or descriptor integrity bytes). */
export function hashBytes(alg: DigestAlg, bytes: Uint8Array): Buffer {
  const h = small.get(alg);
  if (!h) factory(alg); // throws: the algorithm is not available
  h!.init();
  h!.update(bytes);
  return Buffer.from(h!.digest('binary'));
}
