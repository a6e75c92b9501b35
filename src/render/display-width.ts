// How many terminal columns text takes, for lines that must fit the terminal (live progress is
// redrawn by moving the cursor up one row per line, which a wrapped line breaks).

type Range = readonly [number, number];

// Zero width: combining marks, zero-width and direction marks, variation selectors.
const ZERO_WIDTH: Range[] = [
  [0x0300, 0x036f],
  [0x200b, 0x200f],
  [0x20d0, 0x20ff],
  [0xfe00, 0xfe0f],
];
// Two columns: East Asian wide characters and emoji. Counting a doubtful one as two is the safe
// side: the line is then at most a column short, never a column over.
const WIDE: Range[] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x23e9, 0x23f3],
  [0x2600, 0x27bf],
  [0x2e80, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f000, 0x1faff],
  [0x20000, 0x3fffd],
];

const within = (ranges: Range[], code: number): boolean =>
  ranges.some(([from, to]) => code >= from && code <= to);

function charWidth(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (within(ZERO_WIDTH, code)) return 0;
  return within(WIDE, code) ? 2 : 1;
}

// Colour and cursor sequences take no room.
const SGR = /\u001b\[[0-9;?]*[A-Za-z]/g;

export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text.replace(SGR, '')) width += charWidth(char);
  return width;
}

/** Cuts plain text (no escape sequences) to at most maxColumns, with "…" when cut. */
export function fitColumns(text: string, maxColumns: number): string {
  if (displayWidth(text) <= maxColumns) return text;
  if (maxColumns <= 0) return '';
  let out = '';
  let width = 0;
  for (const char of text) {
    const next = charWidth(char);
    if (width + next > maxColumns - 1) break;
    out += char;
    width += next;
  }
  return `${out}…`;
}

/**
 * Wraps one line at spaces so no piece is wider than maxColumns; a word longer than the line is
 * cut into pieces. Continuation lines get `indent`.
 */
export function wrapColumns(line: string, maxColumns: number, indent = '  '): string[] {
  if (displayWidth(line) <= maxColumns) return [line];
  const lines: string[] = [];
  let current = '';
  const room = (): number => maxColumns - displayWidth(current);
  const push = (): void => {
    lines.push(current.trimEnd());
    current = indent;
  };
  for (const word of line.split(/(?<= )/)) {
    if (displayWidth(word.trimEnd()) <= room()) {
      current += word;
      continue;
    }
    if (current.trim() !== '') push();
    let rest = word;
    while (displayWidth(rest.trimEnd()) > room()) {
      let piece = '';
      for (const char of rest) {
        if (displayWidth(piece + char) > room()) break;
        piece += char;
      }
      if (piece === '') break;
      current += piece;
      rest = rest.slice(piece.length);
      push();
    }
    current += rest;
  }
  if (current.trim() !== '') lines.push(current.trimEnd());
  return lines;
}
