/** Infrastructure failure of the watch store: the file cannot be read, parsed, migrated or written. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  /** The data file concerned (":memory:" for the in-memory store). */
  readonly file: string;

  constructor(message: string, options: { file: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.file = options.file;
  }
}
