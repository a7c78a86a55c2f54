/**
 * A strict reader for the YAML Apptainer writes to remote.yaml (go-yaml's
 * Marshal output, or the hand-written file it ships): block mappings, block
 * sequences, plain, single- and double-quoted scalars, `{}`/`[]`, comments.
 * Anything else — anchors, aliases, tags, flow collections with content,
 * block scalars, several documents, tabs in indentation, duplicate keys — is
 * refused with the line it is on, rather than read differently from go-yaml.
 */
import { UsageError } from '../errors.js';

export type YamlValue = string | boolean | null | YamlMap | YamlValue[];
export interface YamlMap {
  readonly [key: string]: YamlValue;
}

interface Line {
  readonly no: number;
  readonly indent: number;
  readonly text: string;
}

/** Parses `text`; `source` names the file in errors. */
export function parseYamlSubset(text: string, source: string): YamlValue {
  const fail = (no: number, why: string): never => {
    throw new UsageError(`${source}: line ${no}: ${why} (sif reads the YAML subset Apptainer writes)`);
  };
  const lines = toLines(text, fail);
  if (lines.length === 0) return null;
  let i = 0;

  const block = (indent: number): YamlValue => (lines[i]!.text.startsWith('-') && isItem(lines[i]!.text) ? sequence(indent) : mapping(indent));

  const mapping = (indent: number): YamlMap => {
    const out: Record<string, YamlValue> = {};
    while (i < lines.length && lines[i]!.indent === indent && !isItem(lines[i]!.text)) {
      const line = lines[i++]!;
      const m = /^([A-Za-z0-9_.-]+|"[^"\\]*"|'[^']*'):(?:[ ]+(.*))?$/.exec(line.text);
      if (!m) fail(line.no, 'expected "key: value"');
      const key = scalarText(m![1]!, line.no, fail);
      if (Object.hasOwn(out, key)) fail(line.no, `duplicate key ${JSON.stringify(key)}`);
      out[key] = m![2] !== undefined && m![2] !== '' ? scalar(m![2], line.no, fail) : nested(indent);
    }
    return out;
  };

  const nested = (parent: number): YamlValue => {
    const next = lines[i];
    if (next === undefined) return null;
    if (next.indent > parent) return block(next.indent);
    if (next.indent === parent && isItem(next.text)) return sequence(parent); // go-yaml's "key:\n- item"
    return null;
  };

  const sequence = (indent: number): YamlValue[] => {
    const out: YamlValue[] = [];
    while (i < lines.length && lines[i]!.indent === indent && isItem(lines[i]!.text)) {
      const line = lines[i]!;
      const rest = line.text.replace(/^-[ ]*/, '');
      if (rest === '') {
        i++;
        out.push(nested(indent));
      } else if (/^([A-Za-z0-9_.-]+|"[^"\\]*"|'[^']*'):(?:[ ]|$)/.test(rest)) {
        // "- key: value" opens a mapping whose keys line up with "key".
        lines[i] = { no: line.no, indent: indent + (line.text.length - rest.length), text: rest };
        out.push(mapping(lines[i]!.indent));
      } else {
        i++;
        out.push(scalar(rest, line.no, fail));
      }
    }
    return out;
  };

  const root = block(lines[0]!.indent);
  if (i < lines.length) fail(lines[i]!.no, 'unexpected indentation');
  return root;
}

const isItem = (text: string) => text === '-' || text.startsWith('- ');

function toLines(text: string, fail: (no: number, why: string) => never): Line[] {
  const out: Line[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const no = index + 1;
    const body = stripComment(raw).trimEnd();
    if (body.trim() === '') return;
    if (body === '---' && out.length === 0) return;
    if (body === '---' || body === '...') fail(no, 'several YAML documents');
    const indent = body.length - body.trimStart().length;
    if (/^[ ]*\t/.test(body) || body.slice(0, indent).includes('\t')) fail(no, 'tab in indentation');
    out.push({ no, indent, text: body.slice(indent) });
  });
  return out;
}

/** The line without a `#` comment (one at the start or after a space, outside quotes). */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) return line.slice(0, i);
  }
  return line;
}

function scalar(text: string, no: number, fail: (no: number, why: string) => never): YamlValue {
  if (text === '{}') return {};
  if (text === '[]') return [];
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^(null|Null|NULL|~)$/.test(text)) return null;
  return scalarText(text, no, fail);
}

function scalarText(text: string, no: number, fail: (no: number, why: string) => never): string {
  if (text.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(text)) fail(no, 'unterminated single-quoted string');
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (text.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\["\\/bfnrt0]|\\u[0-9A-Fa-f]{4})*"$/.test(text)) fail(no, 'unsupported double-quoted string');
    return JSON.parse(text.replace(/\\0/g, '\\u0000').replace(/\\\//g, '/')) as string;
  }
  if (/^[&*!|>%@`{[]/.test(text) || /: |\s#/.test(text)) fail(no, `unsupported YAML ${JSON.stringify(text)}`);
  return text;
}
