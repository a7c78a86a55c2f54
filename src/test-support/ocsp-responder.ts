/**
 * A real OCSP responder for tests: `openssl ocsp` serving an index file,
 * started on an ephemeral port in a throwaway folder, killed at teardown and
 * bounded by `-nrequest`. Requests only ever go to 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { freePort } from './ports.js';

export { freePort };

export interface IndexEntry {
  /** The certificate's serial, decimal as given to makePki. */
  readonly serial: number;
  readonly subject: string;
  /** Revoked at this time, with an optional CRL reason name (keyCompromise, …). */
  readonly revoked?: { at: Date; reason?: string };
}

const asn1Time = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';

/**
 * Serves OCSP answers for certificates issued by `ca` on `port`, signed with
 * `signer`/`signerKey`; `extra` adds openssl flags (-resp_no_certs, -nmin …).
 */
export async function startResponder(
  t: Test,
  options: { dir: string; port: number; ca: string; signer: string; signerKey: string; entries: readonly IndexEntry[]; extra?: readonly string[]; requests?: number },
): Promise<string> {
  const index = join(options.dir, `index-${options.port}.txt`);
  const far = asn1Time(new Date(Date.now() + 365 * 86400_000));
  writeFileSync(
    index,
    options.entries
      .map((e) => {
        const serial = e.serial.toString(16).toUpperCase().padStart(2, '0');
        const revoked = e.revoked ? asn1Time(e.revoked.at) + (e.revoked.reason ? `,${e.revoked.reason}` : '') : '';
        return `${e.revoked ? 'R' : 'V'}\t${far}\t${revoked}\t${serial.length % 2 ? `0${serial}` : serial}\tunknown\t${e.subject}\n`;
      })
      .join(''),
  );
  const args = ['ocsp', '-index', index, '-port', String(options.port), '-CA', options.ca, '-rsigner', options.signer, '-rkey', options.signerKey];
  args.push('-nrequest', String(options.requests ?? 8), ...(options.extra ?? []));
  const child = spawn('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('waiting for OCSP client connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`openssl ocsp exited (${code}): ${err}`)));
  });
  return `http://127.0.0.1:${options.port}`;
}
