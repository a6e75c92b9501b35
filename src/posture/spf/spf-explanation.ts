import type { PostureDns } from '../types.js';
import {
  type SpfMacroContext,
  expandSpfMacros,
  expandedDomainName,
  scanDomainSpec,
  scanMacroString,
} from './spf-macros.js';

/**
 * RFC 7208 §6.2: the explanation a failing record gives, from the TXT record its `exp=` names,
 * macros expanded. Not counted toward any limit. Undefined whenever §6.2 says to go on as if there
 * were no `exp=` (no answer, no record or several, bad macros). The text is the domain's: data.
 */
export async function spfExplanation(
  dns: PostureDns,
  exp: { domain: string; spec: string },
  macros: Omit<SpfMacroContext, 'domain'>,
): Promise<string | undefined> {
  const context = { ...macros, domain: exp.domain };
  const scan = scanDomainSpec(exp.spec);
  if (!scan.ok) return undefined;
  const name = expandedDomainName(scan.hasMacros ? expandSpfMacros(exp.spec, context) : exp.spec);
  if (name === null) return undefined;
  const answer = await dns.txt(name);
  if (answer.kind !== 'records' || answer.records.length !== 1) return undefined;
  const text = (answer.records[0] ?? []).join('');
  if (!scanMacroString(text, { explanation: true }).ok) return undefined;
  return expandSpfMacros(text, context);
}
