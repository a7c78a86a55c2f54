/**
 * Test keys made the two ways users make them: by gpg (in a throw-away
 * GNUPGHOME) and by openpgp.js. Each is written as armored secret and public
 * key files.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';

export interface TestKey {
  readonly label: string;
  /** Upper-case 40-hex primary fingerprint. */
  readonly fingerprint: string;
  readonly secretPath: string;
  readonly publicPath: string;
  readonly passphrase: string | undefined;
}

const gpgEnv = (home: string) => ({ ...process.env, GNUPGHOME: home });

function gpg(home: string, args: string[], input?: string): Buffer {
  return execFileSync('gpg', ['--batch', '--yes', '--pinentry-mode', 'loopback', ...args], {
    env: gpgEnv(home),
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/**
 * A fresh GNUPGHOME in the system temp folder (gpg-agent's socket path must be
 * short); call `stopGpg` when done so no agent is left running.
 */
export function gpgHome(): string {
  return mkdtempSync(join(tmpdir(), 'sif-gpg-'));
}

export function stopGpg(home: string): void {
  spawnSync('gpgconf', ['--kill', 'all'], { env: gpgEnv(home) });
  rmSync(home, { recursive: true, force: true });
}

/** A gpg-made key: `algo` is 'rsa2048' or 'ed25519' (EdDSA legacy), signing-capable primary. */
export function gpgKey(home: string, dir: string, algo: 'rsa2048' | 'ed25519', passphrase?: string): TestKey {
  const uid = `gpg ${algo} <${algo}@example.com>`;
  // The passphrase goes to gpg on stdin (--passphrase-fd 0), never in its argv.
  gpg(home, ['--passphrase-fd', '0', '--quick-gen-key', uid, algo, 'sign', 'never'], `${passphrase ?? ''}\n`);
  const colons = gpg(home, ['--with-colons', '--list-keys', uid]).toString();
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)![1]!;
  const secretPath = join(dir, `gpg-${algo}.sec.asc`);
  const publicPath = join(dir, `gpg-${algo}.pub.asc`);
  writeFileSync(secretPath, gpg(home, ['--passphrase-fd', '0', '--armor', '--export-secret-keys', fingerprint], `${passphrase ?? ''}\n`));
  writeFileSync(publicPath, gpg(home, ['--armor', '--export', fingerprint]));
  return { label: `gpg ${algo}`, fingerprint, secretPath, publicPath, passphrase };
}

/** A gpg-made Ed25519 key whose primary key may only certify: a subkey signs (Apptainer's [REMOTE] case). */
export function gpgSubkeySigner(home: string, dir: string): TestKey {
  const uid = 'gpg subkey signer <subkey@example.com>';
  gpg(home, ['--passphrase-fd', '0', '--quick-gen-key', uid, 'ed25519', 'cert', 'never'], '\n');
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg(home, ['--with-colons', '--list-keys', uid]).toString())![1]!;
  gpg(home, ['--passphrase-fd', '0', '--quick-add-key', fingerprint, 'ed25519', 'sign', 'never'], '\n');
  const secretPath = join(dir, 'gpg-subkey-signer.sec.asc');
  const publicPath = join(dir, 'gpg-subkey-signer.pub.asc');
  writeFileSync(secretPath, gpg(home, ['--passphrase-fd', '0', '--armor', '--export-secret-keys', fingerprint], '\n'));
  writeFileSync(publicPath, gpg(home, ['--armor', '--export', fingerprint]));
  return { label: 'gpg subkey signer', fingerprint, secretPath, publicPath, passphrase: undefined };
}

/** An openpgp.js-made v4 key: 'ecc' (Ed25519 legacy) or 'rsa' (2048 bits). */
export async function openpgpKey(dir: string, type: 'ecc' | 'rsa', passphrase?: string): Promise<TestKey> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type,
    ...(type === 'rsa' ? { rsaBits: 2048 } : {}),
    userIDs: [{ name: `openpgp.js ${type}`, email: `${type}@example.com` }],
    ...(passphrase ? { passphrase } : {}),
    format: 'armored',
  });
  const key = await openpgp.readKey({ armoredKey: publicKey });
  const secretPath = join(dir, `openpgp-${type}.sec.asc`);
  const publicPath = join(dir, `openpgp-${type}.pub.asc`);
  writeFileSync(secretPath, privateKey);
  writeFileSync(publicPath, publicKey);
  return { label: `openpgp.js ${type}`, fingerprint: key.getFingerprint().toUpperCase(), secretPath, publicPath, passphrase };
}

/** `gpg --verify` of a clear-signed text with only `publicPath` imported. */
export function gpgVerify(home: string, publicPath: string, clearSigned: Buffer): { code: number; stderr: string } {
  spawnSync('gpg', ['--batch', '--import', publicPath], { env: gpgEnv(home) });
  const r = spawnSync('gpg', ['--batch', '--verify'], { env: gpgEnv(home), input: clearSigned });
  return { code: r.status ?? -1, stderr: r.stderr.toString() };
}
