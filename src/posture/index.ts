export { createPostureDns, type PostureDnsOptions, reverseName } from './dns.js';
export * from './providers.js';
export type * from './types.js';
export { DNS_QUESTION_TYPES, SPF_ERROR_KINDS, SPF_RESULTS, SPF_TERM_KINDS } from './types.js';
