/** `sif web`: serves the web page (inspect and verify in a browser, docs/web.md) on 127.0.0.1 and prints its URL. */
import type { CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { onInterrupt } from '../../interrupts.js';
import { write, type Io } from '../io.js';

interface WebArgs {
  port: number;
}

export function webCommand(io: Io): CommandModule<object, WebArgs> {
  return {
    command: 'web',
    describe: 'Serve the web page that inspects and verifies images in the browser, on 127.0.0.1 (docs/web.md)',
    builder: (y) => y.option('port', { type: 'number', default: 0, describe: 'port to listen on (default: a free one)' }),
    handler: async (a) => {
      if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not ${String(a.port)}`);
      const { serveWeb, WEB_ROOT } = await import('../web-server.js');
      const { server, url } = await serveWeb(WEB_ROOT, a.port);
      // Serves until interrupted: Ctrl-C closes the server and ends as every command does (exit 130).
      onInterrupt(() => server.close());
      await write(io.stdout, `${url}\n`);
      await new Promise((resolve) => server.once('close', resolve));
    },
  };
}
