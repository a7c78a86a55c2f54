/** The digest algorithms of SIF's signed metadata (names, sizes), below everything that hashes. */

/** The digest algorithms of the signed metadata, named as the reference names them. */
export type DigestAlg = 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'sha512_224' | 'sha512_256';

/** Byte length of each algorithm's digest. */
export const DIGEST_SIZES: Readonly<Record<DigestAlg, number>> = {
  sha224: 28,
  sha256: 32,
  sha384: 48,
  sha512: 64,
  sha512_224: 28,
  sha512_256: 32,
};

export const isDigestAlg = (s: string): s is DigestAlg => Object.hasOwn(DIGEST_SIZES, s);
