/** A loopback port for a test server that must be told its port up front (sks, docker-registry, openssl ocsp). */
import { createServer } from 'node:net';

/** A port nothing listens on at the moment of asking (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
