/** Key types `sif key newpair` creates. Kept apart from generate.ts so the CLI can list them without loading openpgp. */
export const KEY_ALGORITHMS = ['rsa4096', 'rsa3072', 'ed25519'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];
