export { MAX_OPEN_PER_ADDRESS, PathEvidence, openSocketsTo, watchOpenSockets } from './connect.js';
export { findInterceptedPorts, type PortIdentity } from './intercepted.js';
export { type PortProbeContext, probePort } from './probe-port.js';
export { probeHost } from './probe-host.js';
export { createResolver, describeResolver, dnsErrorMessage } from './resolve.js';
export * from './types.js';
