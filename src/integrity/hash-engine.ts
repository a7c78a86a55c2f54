/**
 * The hashing primitive of the digest engine, behind one small interface so
 * that each platform brings its own: this module is Node's (node:crypto, with
 * SHA-NI about 1.6 GB/s: docs/performance.md), which the CLI and the library
 * use. The web build (scripts/build-web.mjs) substitutes
 * src/web/browser/platform/hash-engine.ts, a streaming SHA-2 in WebAssembly,
 * since WebCrypto has no streaming digest. Nothing else imports a hash.
 */
import { createHash as nodeCreateHash } from 'node:crypto';
import type { DigestAlg } from './digest-alg.js';

/** A digest fed chunk by chunk. */
export interface StreamingHash {
  update(bytes: Uint8Array): unknown;
  digest(): Buffer;
}

const NODE_NAMES: Readonly<Record<DigestAlg, string>> = {
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
};

/** A new streaming hash (a promise: a WebAssembly engine may need to instantiate one). */
export const createHash = async (alg: DigestAlg): Promise<StreamingHash> => nodeCreateHash(NODE_NAMES[alg]);

/** Digest of a small in-memory value (header or descriptor integrity bytes). */
export const hashBytes = (alg: DigestAlg, bytes: Uint8Array): Buffer => nodeCreateHash(NODE_NAMES[alg]).update(bytes).digest();
