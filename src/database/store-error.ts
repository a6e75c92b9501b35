/** Infrastructure failure of the watch store: the file or database cannot be read, migrated or written. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  /** The data file concerned (":memory:" for the in-memory store; host/database for PostgreSQL). */
  readonly file: string;
  /**
   * True when the store is out of reach for now (a database restart or failover): retrying later
   * may work, and nothing was changed.
   */
  readonly unavailable: boolean;

  constructor(message: string, options: { file: string; cause?: unknown; unavailable?: boolean }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.file = options.file;
    this.unavailable = options.unavailable ?? false;
  }
}
