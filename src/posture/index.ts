export { createPostureDns, type PostureDnsOptions, reverseName } from './dns.js';
export { createTransportDeps, type TransportOptions } from './transport-deps.js';
export * from './providers.js';
export type * from './types.js';
export { DNS_QUESTION_TYPES, SPF_ERROR_KINDS, SPF_RESULTS, SPF_TERM_KINDS } from './types.js';
export type * from './transport-types.js';
export { DNSSEC_STATUSES } from './transport-types.js';
export { notProbed, port25EvidenceOf, sawCertificate, serverRefusedTls } from './port25-evidence.js';
