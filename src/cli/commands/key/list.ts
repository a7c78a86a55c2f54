import type { CommandModule } from 'yargs';
import { write, type Io } from '../../io.js';
import { goLocalZone } from '../../render/go-local-time.js';
import { toJsonText } from '../../render/json.js';
import { keyListJson, listingHeader, renderKeyListing } from '../../render/key-list.js';
import { keyringLocation, locationOptions, printWarnings, type LocationArgs } from './options.js';

interface ListArgs extends LocationArgs {
  secret: boolean;
  json: boolean;
}

export function listKeysCommand(io: Io): CommandModule<object, ListArgs> {
  return {
    command: 'list',
    describe: 'List the keys of the public (or private) keyring, as Apptainer 1.3+ lists them',
    builder: (y) =>
      locationOptions(y)
        .option('secret', { alias: 's', type: 'boolean', default: false, describe: 'list the private keyring (the indexes sif sign --keyidx takes)' })
        .option('json', { type: 'boolean', default: false, describe: 'print JSON (schema in docs/keys.md)' }),
    handler: async (a) => {
      const location = keyringLocation(a, io);
      const { listKeys } = await import('../../../keys/list.js');
      const { value, warnings } = await listKeys(location, a.secret);
      await printWarnings(io, warnings);
      const text = a.json
        ? toJsonText(keyListJson(value.path, a.secret, value.keys))
        : listingHeader(a.secret, value.path) + renderKeyListing(value.keys, goLocalZone(io.env));
      await write(io.stdout, text);
    },
  };
}
