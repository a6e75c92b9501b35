export { createRunCheck, limitsFor } from './run-check.js';
export type { EgressCanary, RunCheckDeps } from './run-check.js';
export {
  MAX_PORTS_PER_CHECK,
  parseCheckRequest,
  parseCheckWords,
  parsePorts,
  parseTarget,
} from './parse-check-request.js';
export type { CheckOptions, ParseResult, TargetSpec } from './parse-check-request.js';
export type { CheckHooks, CheckPlan, CheckPriority, CheckRequest, RunCheck } from './types.js';
export { createAdmission, createAsyncAdmission, portsRefusal } from './admission.js';
export type { Admission, AdmissionOptions, Admit, AsyncAdmissionOptions, AsyncAdmit } from './admission.js';
export { limitConcurrency, targetKey } from './limit-concurrency.js';
export type { ConcurrencyLimits, HoldTarget, LimitedRunCheck } from './limit-concurrency.js';
export {
  MAX_SELECTORS,
  parseDomainName,
  parseDomainWords,
  parseSelectors,
  parseSendingIp,
} from './parse-domain-request.js';
export { createProbePort25, type ProbePort25Deps } from './probe-port25.js';
