import { greetingLine, quote } from '../evidence.js';
import { finding, type PortRule } from '../rule.js';

// nmap matches `220 [\*\d ]{2,300}` as "Cisco PIX sanitized smtpd"; ESMTP inspection also turns
// EHLO keywords into XXXX.
const MASKED_BANNER = /^[*\d ]*\*[*\d ]*$/;
const MASKED_KEYWORD = /^X{4,}A?\b/;

export function isMaskedBanner(text: string): boolean {
  return text.length >= 2 && MASKED_BANNER.test(text);
}

export const bannerMasked: PortRule = {
  id: 'banner-masked',
  check(port) {
    // starttls-stripped already reports the middlebox, with this evidence.
    if (port.class === 'starttls-stripped') return [];
    const banner = greetingLine(port);
    const maskedBanner = banner !== null && isMaskedBanner(banner);
    const maskedKeyword = [...port.ehlo, ...port.ehloBeforeTls].find((line) => MASKED_KEYWORD.test(line));
    if (!maskedBanner && !maskedKeyword) return [];
    const evidence = maskedBanner ? `banner ${quote(banner)}` : `EHLO shows ${quote(maskedKeyword ?? '')}`;
    return [
      finding(
        'banner-masked',
        'warning',
        port.port,
        `a middlebox masks the SMTP session on ${port.port} (${evidence}): a firewall inspects and rewrites SMTP`,
        [
          'Disable ESMTP inspection on the firewall in between (Cisco ASA/PIX: `no inspect esmtp`); it breaks STARTTLS and newer SMTP extensions.',
        ],
      ),
    ];
  },
};
