// The diagnosis room's door: other folders import from here, never from the files behind it.
export { buildChecklistSteps } from './checklist.js';
export type { ChecklistInput, ChecklistStep } from './checklist.js';
export { buildConfigSnippets, describeSecurity } from './config-snippets.js';
export type { ConfigChoice } from './config-snippets.js';
export { describePortClass } from './describe-port-class.js';
export type { ClassGroup, PortClassInfo } from './knowledge/port-classes.js';
export { PORT_CLASS_TABLE } from './knowledge/port-classes.js';
export { diagnoseHost } from './diagnose-host.js';
export { formatMs } from './evidence.js';
export {
  compareSeverity,
  DEFAULT_PORTS,
  IMPLICIT_TLS_PORTS,
  roleForPort,
  STANDARD_PORTS,
} from './knowledge/ports.js';
export { EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, exitCodeFor } from './verdict.js';
export { CERT_CRITICAL_DAYS, CERT_EXPIRING_DAYS } from './knowledge/certificates.js';
export { policyRefusal } from './policy-refusal.js';
export type { PortPlan } from './knowledge/providers.js';
export {
  everyProviderPort,
  matchProvider,
  planPorts,
  portsToProbe,
  providerAlternates,
  providerPorts,
} from './knowledge/providers.js';
export type * from './types.js';
export { FINDING_IDS, SEVERITIES } from './types.js';
export { rankRecommendations } from './recommend.js';
