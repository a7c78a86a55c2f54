/**
 * siftool 2.8.3's text output for `header`, `list` and `info`, byte for byte.
 * Strings are built as latin1 so raw bytes from the image (names, launch
 * scripts) pass through unchanged, as Go prints them.
 */
import { DataType, formatTypeName, fsTypeName, GO_ZERO_TIME, messageTypeName, partTypeName, sbomFormatName } from '../../format/constants.js';
import { dataTypeName } from '../../format/constants.js';
import {
  cryptoMessageInfo,
  ociDigest,
  partitionInfo,
  sbomFormat,
  signatureInfo,
  type Descriptor,
} from '../../format/descriptor.js';
import { NIL_UUID, type Header } from '../../format/header.js';
import { goUnixTimeString, readableSize } from './go-format.js';
import { tabwrite } from './tabwriter.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const text = (b: Buffer) => b.toString('latin1');
const RULE = '-'.repeat(78);

export function renderHeader(h: Header): Buffer {
  let s = '';
  const script = text(h.launchScript);
  if (script !== '') s += `Launch Script:\t${script.endsWith('\n') ? script.slice(0, -1) : script}\n`;
  s += `Version:\t${h.version}\n`;
  if (h.arch !== 'unknown') s += `Primary Architecture:\t${h.arch}\n`;
  if (h.id !== NIL_UUID) s += `ID:\t${h.id}\n`;
  if (h.raw.createdAt !== GO_ZERO_TIME) s += `Created At:\t${goUnixTimeString(h.raw.createdAt)}\n`;
  if (h.raw.modifiedAt !== GO_ZERO_TIME) s += `Modified At:\t${goUnixTimeString(h.raw.modifiedAt)}\n`;
  s += `Descriptors Free:\t${h.raw.descriptorsFree}\n`;
  s += `Descriptors Total:\t${h.raw.descriptorsTotal}\n`;
  s += `Descriptors Offset:\t${h.raw.descriptorsOffset}\n`;
  s += `Descriptors Size:\t${readableSize(h.raw.descriptorsSize)}\n`;
  s += `Data Offset:\t${h.raw.dataOffset}\n`;
  s += `Data Size:\t${readableSize(h.raw.dataSize)}\n`;
  return tabwrite(latin1(s), 1);
}

const padRight = (s: string, width: number) => s.padEnd(width, ' ');

function listTypeColumn(d: Descriptor): string {
  const name = dataTypeName(d.dataType);
  switch (d.dataType) {
    case DataType.Partition: {
      const p = partitionInfo(d);
      return `|${name} (${fsTypeName(p.fsType)}/${partTypeName(p.partType)}/${p.arch})\n`;
    }
    case DataType.Signature:
      try {
        return `|${name} (${signatureInfo(d).hashName})\n`;
      } catch {
        // siftool prints nothing, not even the newline, when the hash code is unknown;
        // we end the row so the table stays readable (docs/compat.md).
        return `|${name} (unknown hash)\n`;
      }
    case DataType.CryptoMessage: {
      const c = cryptoMessageInfo(d);
      return `|${name} (${formatTypeName(c.formatType)}/${messageTypeName(c.messageType)})\n`;
    }
    case DataType.SBOM:
      return `|${name} (${sbomFormatName(sbomFormat(d))})\n`;
    default:
      return `|${name}\n`;
  }
}

export function renderList(descriptors: readonly Descriptor[]): Buffer {
  let s = `${RULE}\n`;
  s += `${padRight('ID', 4)} ${padRight('|GROUP', 8)} ${padRight('|LINK', 8)} ${padRight('|SIF POSITION (start-end)', 26)} |TYPE\n`;
  s += `${RULE}\n`;
  for (const d of descriptors) {
    s += `${padRight(String(d.id), 4)} `;
    s += d.groupId === 0 ? `${padRight('|NONE', 8)} ` : `|${padRight(String(d.groupId), 7)} `;
    if (d.linkedId === 0) s += `${padRight('|NONE', 8)} `;
    else if (d.linkIsGroup) s += `|${padRight(String(d.linkedId), 3)} (G) `;
    else s += `|${padRight(String(d.linkedId), 7)} `;
    s += `${padRight(`|${d.raw.offset}-${d.raw.offset + d.raw.size} `, 26)} `;
    s += listTypeColumn(d);
  }
  return latin1(s);
}

function linkText(d: Descriptor): string {
  if (d.linkedId === 0) return 'NONE';
  return d.linkIsGroup ? `${d.linkedId} (G)` : String(d.linkedId);
}

/** Throws "hash algorithm unsupported" before printing anything, as siftool does. */
export function renderInfo(d: Descriptor): Buffer {
  let s = `\tData Type:\t${dataTypeName(d.dataType)}\n`;
  s += `\tID:\t${d.id}\n`;
  s += `\tGroup ID:\t${d.groupId === 0 ? 'NONE' : d.groupId}\n`;
  s += `\tLinked ID:\t${linkText(d)}\n`;
  s += `\tOffset:\t${d.raw.offset}\n`;
  s += `\tSize:\t${d.raw.size}\n`;
  if (d.raw.createdAt !== GO_ZERO_TIME) s += `\tCreated At:\t${goUnixTimeString(d.raw.createdAt)}\n`;
  if (d.raw.modifiedAt !== GO_ZERO_TIME) s += `\tModified At:\t${goUnixTimeString(d.raw.modifiedAt)}\n`;
  if (d.name.length > 0) s += `\tName:\t${text(d.name)}\n`;
  s += infoExtraLines(d);
  return tabwrite(latin1(s), 2);
}

function infoExtraLines(d: Descriptor): string {
  switch (d.dataType) {
    case DataType.Partition: {
      const p = partitionInfo(d);
      return `\tFilesystem Type:\t${fsTypeName(p.fsType)}\n\tPartition Type:\t${partTypeName(p.partType)}\n\tArchitecture:\t${p.arch}\n`;
    }
    case DataType.Signature: {
      const sig = signatureInfo(d);
      const entity = sig.fingerprint ? `\tEntity:\t${sig.fingerprint.toString('hex').toUpperCase()}\n` : '';
      return `\tHash Type:\t${sig.hashName}\n${entity}`;
    }
    case DataType.CryptoMessage: {
      const c = cryptoMessageInfo(d);
      return `\tFormat Type:\t${formatTypeName(c.formatType)}\n\tMessage Type:\t${messageTypeName(c.messageType)}\n`;
    }
    case DataType.SBOM:
      return `\tFormat:\t${sbomFormatName(sbomFormat(d))}\n`;
    case DataType.OCIRootIndex:
    case DataType.OCIBlob:
      return `\tDigest:\t${ociDigest(d)}\n`;
    default:
      return '';
  }
}
