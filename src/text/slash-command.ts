/** The Slack command, as the manifest declares it and as every message that names it writes it. */
export const SLASH_COMMAND = '/smtp-check';
