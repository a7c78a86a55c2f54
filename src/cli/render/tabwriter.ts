/**
 * Go's text/tabwriter with flags 0 and ' ' padding, on raw bytes, so that
 * siftool's aligned output is reproduced exactly even when names or launch
 * scripts hold tabs, newlines, invalid UTF-8 or tabwriter's 0xFF escape byte.
 */

const ESCAPE = 0xff;

interface Cell {
  start: number;
  size: number;
  width: number;
}

/** Go's utf8.RuneCount: each invalid byte counts as one rune. */
export function runeCount(b: Uint8Array, start = 0, end = b.length): number {
  let n = 0;
  for (let i = start; i < end; n++) i += validSequenceLength(b, i, end);
  return n;
}

function validSequenceLength(b: Uint8Array, i: number, end: number): number {
  const c0 = b[i]!;
  if (c0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < end && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c0 >= 0xc2 && c0 <= 0xdf) return cont(1) ? 2 : 1;
  if (c0 >= 0xe0 && c0 <= 0xef) {
    const lo = c0 === 0xe0 ? 0xa0 : 0x80;
    const hi = c0 === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 1;
  }
  if (c0 >= 0xf0 && c0 <= 0xf4) {
    const lo = c0 === 0xf0 ? 0x90 : 0x80;
    const hi = c0 === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 1;
  }
  return 1;
}

export function tabwrite(input: Buffer, padding: number): Buffer {
  const out: Buffer[] = [];
  let lines: Cell[][] = [[]];
  let cell: Cell = { start: 0, size: 0, width: 0 };
  let segmentStart = 0;
  let inEscape = false;

  const grow = (end: number) => {
    cell.width += runeCount(input, segmentStart, end);
    cell.size = end - cell.start;
    segmentStart = end;
  };
  const terminateCell = (): number => {
    const line = lines[lines.length - 1]!;
    line.push(cell);
    return line.length;
  };
  const flush = () => {
    if (cell.size > 0) {
      if (inEscape) {
        grow(cell.start + cell.size);
        cell.width -= 2;
        inEscape = false;
      }
      terminateCell();
    }
    format(input, lines, [], 0, lines.length, padding, out);
    lines = [[]];
  };

  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (inEscape) {
      if (ch === ESCAPE) {
        grow(i + 1);
        cell.width -= 2; // the escape bytes are printed but not counted
        inEscape = false;
      }
      continue;
    }
    if (ch === 0x09 || ch === 0x0b || ch === 0x0a || ch === 0x0c) {
      grow(i);
      const cells = terminateCell();
      cell = { start: i + 1, size: 0, width: 0 };
      segmentStart = i + 1;
      if (ch === 0x0a || ch === 0x0c) {
        lines.push([]);
        if (ch === 0x0c || cells === 1) flush();
      }
    } else if (ch === ESCAPE) {
      grow(i);
      inEscape = true;
    }
  }
  grow(input.length);
  flush();
  return Buffer.concat(out);
}

function format(input: Buffer, lines: Cell[][], widths: number[], line0: number, line1: number, padding: number, out: Buffer[]): void {
  const column = widths.length;
  for (let current = line0; current < line1; current++) {
    if (column >= lines[current]!.length - 1) continue;
    writeLines(input, lines, widths, line0, current, out);
    line0 = current;
    let width = 0;
    for (; current < line1; current++) {
      const line = lines[current]!;
      if (column >= line.length - 1) break;
      width = Math.max(width, line[column]!.width + padding);
    }
    format(input, lines, [...widths, width], line0, current, padding, out);
    line0 = current;
  }
  writeLines(input, lines, widths, line0, line1, out);
}

function writeLines(input: Buffer, lines: Cell[][], widths: number[], line0: number, line1: number, out: Buffer[]): void {
  for (let i = line0; i < line1; i++) {
    lines[i]!.forEach((c, j) => {
      out.push(input.subarray(c.start, c.start + c.size));
      if (j < widths.length) out.push(Buffer.alloc(Math.max(0, widths[j]! - c.width), 0x20));
    });
    if (i + 1 < lines.length) out.push(Buffer.from('\n'));
  }
}
