// What the terminal command writes to and reads its time from: a leaf, so run-cli.ts and the
// live displays it drives (waiting-display.ts) both import it without importing each other.

export interface CliIo {
  /** `columns`: the terminal's width (read at every redraw, so a resize is followed). */
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Repeats fn every ms until the returned function is called (setInterval; tests drive it). */
  every?: (ms: number, fn: () => void) => () => void;
  /** The clock for deadlines and elapsed seconds, in ms (Date.now; tests set it). */
  now?: () => number;
  /** NO_COLOR (https://no-color.org) turns colour off. */
  noColor: boolean;
}
