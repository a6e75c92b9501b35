/** What an EHLO reply advertises (its keyword lines, the greeting line already removed). */
export interface EhloFacts {
  keywords: string[];
  starttls: boolean;
  /** Upper-cased AUTH mechanisms (`AUTH PLAIN LOGIN` and the old `AUTH=LOGIN` form). */
  auth: string[];
  /** SIZE in bytes; 0 when advertised without a number (no fixed limit, RFC 1870); null when absent. */
  sizeLimit: number | null;
}

export function parseEhlo(lines: string[]): EhloFacts {
  const auth = new Set<string>();
  let sizeLimit: number | null = null;
  let starttls = false;
  for (const line of lines) {
    const [keyword = '', ...params] = line.trim().split(/\s+/);
    const upper = keyword.toUpperCase();
    if (upper === 'STARTTLS') starttls = true;
    else if (upper === 'AUTH' || upper.startsWith('AUTH=')) {
      const mechanisms = upper.startsWith('AUTH=') ? [upper.slice(5), ...params] : params;
      for (const mechanism of mechanisms) if (mechanism) auth.add(mechanism.toUpperCase());
    } else if (upper === 'SIZE') {
      const size = Number(params[0] ?? 0);
      sizeLimit = Number.isFinite(size) && size >= 0 ? size : null;
    }
  }
  return { keywords: lines, starttls, auth: [...auth], sizeLimit };
}

// Cisco ASA/PIX "ESMTP inspection" replaces the banner text with asterisks (nmap's service probes
// match `220 [\*\d ]{2,300}`) and overwrites keywords it does not allow with X, so STARTTLS becomes
// `XXXXXXXA`.
const MASKED_BANNER = /^[*\d\s]{2,}$/;
const MASKED_KEYWORD = /^X{4,}A?$/i;

/** Whether a greeting's text (after the code) is a masked banner like `*****` (`2*0**0***`). */
export function isMaskedBanner(greetingLines: string[]): boolean {
  const first = greetingLines[0]?.trim() ?? '';
  return MASKED_BANNER.test(first) && (first.match(/\*/g)?.length ?? 0) >= 2;
}

/** Whether EHLO keywords show a masked command (STARTTLS as `XXXXXXXA`). */
export function hasMaskedKeyword(keywords: string[]): boolean {
  return keywords.some((line) => MASKED_KEYWORD.test(line.trim()));
}
