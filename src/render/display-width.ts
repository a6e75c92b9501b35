import stringWidth from 'string-width';

// How many terminal columns text takes, for lines that must fit the terminal (live progress is
// redrawn by moving the cursor up one row per line, which a wrapped line breaks).
//
// string-width (sindresorhus, with get-east-asian-width from the Unicode data) counts as terminals
// do: ⭐ and other emoji-presentation symbols, CJK and fullwidth forms take two columns; a joined
// emoji (👨‍👩‍👧) or one with a skin tone (👍🏽) is one grapheme of two columns; combining marks and
// zero-width characters take none; escape sequences are left out. A hand-kept table of ranges
// missed ⭐ and drifted with every Unicode release, and a line one column too wide breaks a redraw.

export function displayWidth(text: string): number {
  return stringWidth(text);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Text cut into what a terminal draws as one cell or two: a joined emoji or a letter with its
 * combining marks is never split (half of one would be drawn as two other symbols).
 */
function cells(text: string): string[] {
  return Array.from(graphemes.segment(text), (part) => part.segment);
}

/** Cuts plain text (no escape sequences) to at most maxColumns, with "…" when cut. */
export function fitColumns(text: string, maxColumns: number): string {
  if (displayWidth(text) <= maxColumns) return text;
  if (maxColumns <= 0) return '';
  let out = '';
  let width = 0;
  for (const cell of cells(text)) {
    const next = displayWidth(cell);
    if (width + next > maxColumns - 1) break;
    out += cell;
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
      for (const cell of cells(rest)) {
        if (displayWidth(piece + cell) > room()) break;
        piece += cell;
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
