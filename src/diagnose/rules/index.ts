import type { HostRule, PortRule } from '../rule.js';
import { authBeforeTls } from './auth-before-tls.js';
import { bannerMasked } from './banner-masked.js';
import { bannerNameMismatch } from './banner-name-mismatch.js';
import { certExpired } from './cert-expired.js';
import { certExpiring } from './cert-expiring.js';
import { certHostnameMismatch } from './cert-hostname-mismatch.js';
import { certSelfSigned } from './cert-self-signed.js';
import { certUntrusted } from './cert-untrusted.js';
import { deniedByPolicy } from './denied-by-policy.js';
import { dnsFailed } from './dns-failed.js';
import { egressBlocked } from './egress-blocked.js';
import { filtered } from './filtered.js';
import { greetingRejected } from './greeting-rejected.js';
import { implicitTlsOnStarttlsPort } from './implicit-tls-on-starttls-port.js';
import { intercepted } from './intercepted.js';
import { noBanner } from './no-banner.js';
import { noStarttls } from './no-starttls.js';
import { noUsablePort } from './no-usable-port.js';
import { noVerifiedConfig } from './no-verified-config.js';
import { notSmtp } from './not-smtp.js';
import { oversizedResponse } from './oversized-response.js';
import { plaintextOnImplicitTlsPort } from './plaintext-on-implicit-tls-port.js';
import { refused } from './refused.js';
import { slowBanner } from './slow-banner.js';
import { slowResponse } from './slow-response.js';
import { starttlsStripped } from './starttls-stripped.js';
import { tlsHandshakeFailed } from './tls-handshake-failed.js';
import { unreachable } from './unreachable.js';

/** Run on every port; the order is the order findings are listed in (before sorting by severity). */
export const PORT_RULES: readonly PortRule[] = [
  filtered,
  refused,
  unreachable,
  noBanner,
  slowBanner,
  greetingRejected,
  tlsHandshakeFailed,
  implicitTlsOnStarttlsPort,
  plaintextOnImplicitTlsPort,
  starttlsStripped,
  notSmtp,
  intercepted,
  oversizedResponse,
  noStarttls,
  certExpired,
  certExpiring,
  certSelfSigned,
  certUntrusted,
  certHostnameMismatch,
  authBeforeTls,
  bannerMasked,
  bannerNameMismatch,
  slowResponse,
];

/** Run once per host, after the ports are judged. */
export const HOST_RULES: readonly HostRule[] = [
  dnsFailed,
  deniedByPolicy,
  egressBlocked,
  noUsablePort,
  noVerifiedConfig,
];
