import type { CommandModule } from 'yargs';
import { UsageError } from '../../../errors.js';
import type { Keyring } from '../../../keys/keyring.js';
import type { KeySelector } from '../../../keys/list.js';
import { askLine } from '../../prompt.js';
import { write, type Io } from '../../io.js';
import { goLocalZone } from '../../render/go-local-time.js';
import { renderKeyListing } from '../../render/key-list.js';
import { keyringLocation, locationOptions, parseKeyIndex, printWarnings, type LocationArgs } from './options.js';

interface ExportArgs extends LocationArgs {
  outfile: string;
  secret: boolean;
  armor: boolean;
  fingerprint?: string;
  keyidx?: string;
  force: boolean;
}

/** With no key named: Apptainer's interactive choice on a terminal, a clear error without one. */
async function askForKey(io: Io, ring: Keyring, secret: boolean): Promise<KeySelector> {
  if (!io.stdinIsTTY) throw new UsageError('name the key to export with --fingerprint or --keyidx (no terminal to ask on)');
  if (ring.entries.length === 0) return {};
  const { describeEntry } = await import('../../../keys/describe.js');
  await write(io.stderr, renderKeyListing(ring.entries.map(describeEntry), goLocalZone(io.env)));
  const answer = await askLine(io, `Enter # of ${secret ? 'private' : 'public'} key to use : `, 'a key index');
  return { index: parseKeyIndex(answer) };
}

export function exportCommand(io: Io): CommandModule<object, ExportArgs> {
  return {
    command: 'export <outfile>',
    describe: "Write one key to a file ('-' for stdout), binary or --armor",
    builder: (y) =>
      locationOptions(y)
        .positional('outfile', { type: 'string', demandOption: true, describe: "output file, or '-' for stdout" })
        .option('secret', { alias: 's', type: 'boolean', default: false, describe: 'export a private key (still encrypted with its passphrase)' })
        .option('armor', { alias: 'a', type: 'boolean', default: false, describe: 'ASCII-armored output' })
        .option('fingerprint', { type: 'string', describe: 'the key to export (40 hex digits, any case)' })
        .option('keyidx', { alias: 'k', type: 'string', describe: 'the key to export, by its index in sif key list' })
        .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'overwrite an existing output file' })
        .conflicts('fingerprint', 'keyidx'),
    handler: async (a) => {
      const location = keyringLocation(a, io);
      const { openKeyring, selectEntry } = await import('../../../keys/list.js');
      const { exportedKey, writeExportFile } = await import('../../../keys/export.js');
      const { value: ring, warnings } = await openKeyring(location, a.secret);
      await printWarnings(io, warnings);
      const named = a.fingerprint !== undefined || a.keyidx !== undefined;
      const selector = named ? { fingerprint: a.fingerprint, index: a.keyidx === undefined ? undefined : parseKeyIndex(a.keyidx) } : await askForKey(io, ring, a.secret);
      const entry = selectEntry(ring, selector);
      const bytes = exportedKey(entry, a.armor);
      if (a.outfile === '-') return write(io.stdout, bytes);
      await writeExportFile(a.outfile, bytes, a.secret, a.force);
      await write(io.stdout, `${a.secret ? 'Private' : 'Public'} key with fingerprint ${entry.fingerprint} correctly exported to file: ${a.outfile}\n`);
    },
  };
}
