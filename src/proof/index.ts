/**
 * Proofs with nodemailer, the library the recommended configuration is written for: a transport
 * check of the shown configuration, a login test and a send test. Like probe/, this folder opens
 * sockets (through nodemailer); everything it returns is data, failures included, and no result
 * carries a password in any encoding.
 */
export { FAILURE_KINDS, type Failure, type FailureKind, type KnownCertificate } from './describe-failure.js';
export {
  SEND_OUTCOMES,
  SEND_STAGES,
  type SendExplanation,
  type SendOutcome,
  type SendStage,
  explainSendRefusal,
  queueIdFrom,
} from './explain-send.js';
export { nodemailerVersion } from './nodemailer-version.js';
export { type SmtpReply, parseReply } from './reply.js';
export { REDACTED } from './secrets.js';
export {
  type SendTestDeps,
  type SendTestOptions,
  type SendTestResult,
  isSingleAddress,
  sendTestMessage,
} from './send-test-message.js';
export {
  CREDENTIAL_OUTCOMES,
  type CredentialOutcome,
  type CredentialTestOptions,
  type CredentialTestResult,
  PASSWORD_MECHANISMS,
  type PasswordMechanism,
  testCredentials,
} from './test-credentials.js';
export { SESSION_STEPS, type SessionStep } from './session-step.js';
export type { TranscriptDirection, TranscriptLine } from './transcript.js';
export {
  type CertificateDiagnostic,
  type ProofLimits,
  type ShownTlsOptions,
  type ShownTransportOptions,
  type TransportVerification,
  type VerifyDeps,
  diagnoseWithoutCertificateCheck,
  optionsForVerification,
  verifyTransport,
  withCertificateName,
} from './verify-transport.js';
export {
  createRecommendationVerifier,
  type RecommendationVerifierOptions,
  type VerifyRecommendation,
} from './verify-recommendation.js';
