/**
 * X.509 and OCSP target: the input is read as a DER certificate (parsed, then
 * verified as the leaf of the fixture chain), as PEM text (the
 * `--certificate` and pool reader), and as the OCSP responder's answer about
 * the fixture leaf (the whole `--ocsp-verify` path, transport injected). Each
 * must end in a value or a typed SifError. Seeds: the fixture certificates
 * (PEM and DER) and the OCSP messages of testdata/ocsp.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificate } from '../integrity/x509/certificate.js';
import { verifyChain } from '../integrity/x509/chain.js';
import { checkRevocation } from '../integrity/x509/ocsp-check.js';
import { certificatesFromPem, firstCertificateFromPem, pemBlocks } from '../integrity/x509/pem.js';
import { readSeeds, seedDirs, type Seed } from './corpus.js';
import { GENERIC_MUTATORS, stack } from './mutate.js';
import { Tally } from './outcome.js';
import type { FuzzTarget } from './target.js';

/** Inside the fixture chain's validity, after the OCSP seeds' thisUpdate. */
const AT = new Date('2028-01-01T00:00:00Z');

function x509Seeds(): Seed[] {
  const files = readSeeds(seedDirs('x509'), ['.pem', '.der']);
  const der = files.flatMap((s) => pemBlocks(s.bytes.toString('latin1')).map((b) => ({ name: `${s.name} (DER)`, bytes: Buffer.from(b.der) })));
  return [...files, ...der];
}

let fixture: { chain: ReturnType<typeof parseCertificate>[] } | undefined;

/** The fixture chain leaf → intermediate → root, read once. */
function fixtureChain() {
  if (!fixture) {
    const dir = seedDirs('x509')[0]!;
    const cert = (name: string) => certificatesFromPem(readFileSync(join(dir, `${name}.pem`), 'latin1'))[0]!;
    fixture = { chain: [cert('leaf'), cert('intermediate'), cert('root')] };
  }
  return fixture.chain;
}

export const x509Target: FuzzTarget = {
  name: 'x509',
  extension: '.der',
  seeds: x509Seeds,
  mutate: (rng, seed, donors) => stack(rng, seed, GENERIC_MUTATORS, donors, 3),
  async run(input) {
    const tally = new Tally();
    const [leaf, intermediate, root] = fixtureChain();
    const cert = tally.run('parse certificate', () => parseCertificate(input));
    if (cert) await tally.runAsync('verify chain', () => verifyChain(cert, { intermediates: [intermediate!], roots: [root!], now: AT }));
    tally.run('read --certificate', () => firstCertificateFromPem(input.toString('latin1')));
    const pem = tally.run('read PEM pool', () => certificatesFromPem(input.toString('latin1')));
    for (const c of pem ?? []) await tally.runAsync('verify PEM chain', () => verifyChain(c, { intermediates: [intermediate!], roots: [root!], now: AT }));
    await tally.runAsync('OCSP answer', () => checkRevocation([leaf!, intermediate!, root!], { now: AT, transport: async () => input }));
    return tally;
  },
};
