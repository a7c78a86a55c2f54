/** `sif new`, `sif del` and `sif setprim`: thin wrappers over createImage and editImage. */
import type { Argv, CommandModule } from 'yargs';
import type { EditOptions } from '../../image/write/types.js';
import { parseId } from '../args.js';
import { parseIntFlag, parseTime } from '../flags.js';

export interface EditArgs {
  image: string;
  deterministic: boolean;
  time?: string;
  lockTimeout?: string;
}

/** --deterministic, --time and --lock-timeout, shared by every command that writes. */
export const editFlags = <T>(y: Argv<T>) =>
  y
    .option('deterministic', {
      type: 'boolean',
      default: false,
      describe: 'store Go\'s zero time (and, for new, the nil UUID) so the output is reproducible',
    })
    .option('time', { type: 'string', describe: 'time to record: RFC 3339 or Unix seconds [default: now]' })
    .option('lock-timeout', {
      type: 'string',
      describe: 'seconds to wait while another writer holds the image\'s lock [default: 0]',
    });

export function editOptions(a: EditArgs): EditOptions {
  const seconds = a.lockTimeout === undefined ? 0 : parseIntFlag('lock-timeout', a.lockTimeout, 32, false);
  return {
    deterministic: a.deterministic,
    lockTimeoutMs: seconds * 1000,
    ...(a.time !== undefined ? { time: parseTime(a.time) } : {}),
  };
}

const imagePositional = <T>(y: Argv<T>) => y.positional('image', { type: 'string', demandOption: true, describe: 'SIF image' });
const idPositional = <T>(y: Argv<T>) => y.positional('id', { type: 'string', demandOption: true, describe: 'object ID' });

interface NewArgs extends EditArgs {
  id?: string;
  launchScript?: string;
  descriptors?: string;
}

export function newCommand(): CommandModule<object, NewArgs> {
  return {
    command: 'new <image>',
    describe: 'Create an empty SIF image, replacing any file there (as siftool new)',
    builder: (y) =>
      editFlags(
        imagePositional(y)
          .option('id', { type: 'string', describe: 'image UUID, or "nil" [default: random]' })
          .option('launch-script', { type: 'string', describe: 'launch script, at most 31 bytes [default: none]' })
          .option('descriptors', { type: 'string', describe: 'number of descriptor slots [default: 48]' }),
      ),
    handler: async (a) => {
      const { createImage } = await import('../../image/write/create.js'); // loaded only when writing
      await createImage(a.image, {
        ...editOptions(a),
        ...(a.id !== undefined ? { id: a.id } : {}),
        ...(a.launchScript !== undefined ? { launchScript: a.launchScript } : {}),
        ...(a.descriptors !== undefined ? { descriptors: parseIntFlag('descriptors', a.descriptors, 64, true) } : {}),
      });
    },
  };
}

interface DelArgs extends EditArgs {
  id: string;
  zero: boolean;
  compact: boolean;
}

export function delCommand(): CommandModule<object, DelArgs> {
  return {
    command: 'del <id> <image>',
    describe: 'Delete a data object (as siftool del)',
    builder: (y) =>
      editFlags(
        imagePositional(idPositional(y))
          .option('zero', { type: 'boolean', default: false, describe: "overwrite the object's data with zeros" })
          .option('compact', { type: 'boolean', default: false, describe: 'shrink the file when the object is the last one' }),
      ),
    handler: async (a) => {
      const id = parseId(a.id);
      const { editImage } = await import('../../image/write/editor.js');
      await editImage(a.image, (e) => e.deleteObject(id, { zero: a.zero, compact: a.compact }), editOptions(a));
    },
  };
}

export function setprimCommand(): CommandModule<object, EditArgs & { id: string }> {
  return {
    command: 'setprim <id> <image>',
    describe: 'Make a system partition the primary one (as siftool setprim)',
    builder: (y) => editFlags(imagePositional(idPositional(y))),
    handler: async (a) => {
      const id = parseId(a.id);
      const { editImage } = await import('../../image/write/editor.js');
      await editImage(a.image, (e) => e.setPrimary(id), editOptions(a));
    },
  };
}
