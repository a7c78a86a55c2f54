/**
 * Names of remote images: `oras://REGISTRY/REPO[:TAG][@sha256:HEX]` parsed as
 * go-containerregistry parses them for Apptainer (default registry
 * index.docker.io with `library/` for one-part names, default tag `latest`),
 * and `https://`/`http://` URLs of a `.sif` file.
 */
import { UsageError } from '../errors.js';

export interface OrasReference {
  /** host[:port] */
  readonly registry: string;
  readonly repository: string;
  /** A tag or a `sha256:` digest. */
  readonly reference: string;
  /** Whether `reference` is a digest: the manifest must hash to it. */
  readonly byDigest: boolean;
}

const DOCKER_HUB = 'index.docker.io';
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Parses `oras://…` (the scheme is optional); a malformed name is a usage error. */
export function parseOrasReference(target: string): OrasReference {
  const name = target.replace(/^oras:\/\//i, '').replace(/^\/\//, '');
  const bad = (why: string) => new UsageError(`${target}: not a valid oras reference: ${why}`);
  let rest = name;
  let reference = 'latest';
  let byDigest = false;
  const at = rest.indexOf('@');
  if (at >= 0) {
    reference = rest.slice(at + 1);
    if (!DIGEST.test(reference)) throw bad('the digest must be sha256: and 64 hex digits');
    byDigest = true;
    rest = rest.slice(0, at);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  const isRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  let registry = isRegistry ? first : DOCKER_HUB;
  let repository = isRegistry ? rest.slice(slash + 1) : rest;
  const colon = repository.lastIndexOf(':');
  if (colon >= 0) {
    const tag = repository.slice(colon + 1);
    if (!TAG.test(tag)) throw bad(`invalid tag ${JSON.stringify(tag)}`);
    if (!byDigest) reference = tag;
    repository = repository.slice(0, colon);
  }
  if (registry === 'docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (!REPOSITORY.test(repository)) throw bad(`invalid repository ${JSON.stringify(repository)}`);
  return { registry, repository, reference, byDigest };
}

/** The reference as users write it. */
export const formatOrasReference = (r: OrasReference): string =>
  `oras://${r.registry}/${r.repository}${r.byDigest ? '@' : ':'}${r.reference}`;
