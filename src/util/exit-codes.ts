// The exit codes of every command (the README lists them): scripts and monitors branch on them,
// so they are written here once and never change.

/** Fine: a usable port and nothing critical; a command done; a worker stopped cleanly. */
export const EXIT_OK = 0;
/** A problem found (a critical finding, no usable port, unhealthy) or the database failed. */
export const EXIT_PROBLEM = 1;
/** Bad input or settings: nothing was done. */
export const EXIT_USAGE = 2;
/** The check is fine, but a vantage asked with --from gave no verdict. */
export const EXIT_VANTAGE_SILENT = 3;
