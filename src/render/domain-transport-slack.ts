import type {
  AddressReverseDns,
  BlocklistResult,
  DaneHostFacts,
  DnssecNameFacts,
  MtaStsCoverage,
  Port25Evidence,
  PostureFacts,
  TlsaRecord,
} from '../posture/index.js';
import { plural } from '../text/plural.js';
import { slackCode } from '../text/sanitize.js';
import { oneLine } from './domain-spf-tree.js';
import { codeSections, listSections, slackLine } from './domain-slack-evidence.js';
import {
  type BlocklistSubject,
  blocklistSubjects,
  COVERAGE_CERTIFICATE_WORDS,
  certificateExpiry,
  certificateNames,
  coverageOk,
  DNSSEC_WORDS,
  daneState,
  isMatchingRecord,
  leafSpkiSha256,
  port25Of,
  notDialled,
  port25Phrase,
  shortHex,
  TLSA_USAGE,
  tlsaParameters,
} from './domain-transport-model.js';
import { type Block, context, section } from './slack-blocks.js';

// The transport evidence of a domain report in Slack: port 25 of each MX host, MTA-STS and TLS-RPT,
// DNSSEC and DANE, reverse DNS, blocklists. As in the other evidence replies, whatever came from
// the network (names, records, certificates, a list's TXT, a resolver's error text) reaches mrkdwn
// only inside code; the prose around it is our own words.

/** A TLSA digest in a code span: SHA-256 and SHA-512 whole, a whole certificate (type 0) cut. */
const TLSA_HEX_CHARS = 140;

const code = (text: string, maxChars = 260): string => slackCode(text, maxChars);

function names(list: readonly string[], max = 3): string {
  const shown = list.slice(0, max).map((name) => code(name));
  return `${shown.join(' ')}${list.length > max ? ` +${list.length - max} more` : ''}`;
}

// ---------------------------------------------------------------- port 25

function port25Line(evidence: Port25Evidence): string {
  const icon = notDialled(evidence) ? '🚫' : evidence.tls ? '✅' : '❌';
  // Not dialled on purpose (MX probes off, the target policy) is not "no address": the line then
  // says only why.
  const where =
    evidence.address !== null
      ? `${code(evidence.address, 60)} `
      : evidence.class === 'dns-failed'
        ? 'no address '
        : '';
  const parts = [
    `${icon} ${code(evidence.exchange)} ${where}port ${evidence.port}: ${port25Phrase(evidence)}`,
  ];
  const cert = evidence.certificate;
  if (cert) {
    const { names: shown, more } = certificateNames(cert);
    const trust = cert.trusted
      ? 'trusted'
      : `*not trusted*${cert.verifyError ? ` (${code(cert.verifyError, 80)})` : ''}`;
    parts.push(
      `certificate ${shown.map((name) => code(name, 120)).join(' ')}${more > 0 ? ` +${more} more` : ''} · ${trust} · ${cert.hostnameMatches ? 'name matches' : '*name does not match*'} · ${certificateExpiry(cert)}`,
    );
  }
  if (evidence.problem) parts.push(code(evidence.problem, 300));
  return parts.join('\n      ');
}

export function port25Blocks(facts: PostureFacts): Block[] {
  if (facts.port25.length === 0) return [];
  return [
    section('*Port 25* of each MX host, from our own probe (it waits for the greeting)'),
    ...listSections(facts.port25.map(port25Line)),
  ];
}

// ---------------------------------------------------------------- MTA-STS and TLS-RPT

function coverageLine(facts: PostureFacts, host: MtaStsCoverage): string {
  const ok = coverageOk(host);
  const icon = ok === null ? '❓' : ok ? '✅' : '❌';
  const covered =
    host.pattern === null ? '*not covered* by any `mx` pattern' : `covered by ${code(host.pattern)}`;
  let certificate = COVERAGE_CERTIFICATE_WORDS[host.certificate];
  const cert = port25Of(facts, host.exchange)?.certificate;
  if (host.certificate === 'name-mismatch' && cert) {
    certificate += ` (it names ${names(certificateNames(cert, 10).names)})`;
  }
  return `${icon} ${code(host.exchange)} ${covered} · ${certificate}`;
}

function fetchLines(facts: PostureFacts): string[] {
  const { fetch } = facts.mtaSts;
  if (fetch.outcome === 'not-asked') return [`Policy ${code(fetch.url, 500)} not fetched: no usable record.`];
  const details: string[] = [];
  if (fetch.status !== undefined) details.push(`HTTP ${fetch.status}`);
  if (fetch.contentType) details.push(code(fetch.contentType, 100));
  if (fetch.bytes !== undefined) details.push(plural(fetch.bytes, 'byte'));
  if (fetch.redirect) details.push(`redirected to ${code(fetch.redirect, 500)} (not followed)`);
  const icon = fetch.outcome === 'fetched' ? '✅' : '❌';
  const lines = [
    `${icon} Policy ${code(fetch.url, 500)} ${fetch.outcome}${details.length > 0 ? `: ${details.join(', ')}` : ''}`,
  ];
  if (fetch.problem) lines.push(`❌ ${code(fetch.problem, 400)}`);
  return lines;
}

function tlsRptBlocks(facts: PostureFacts): Block[] {
  const { tlsRpt } = facts;
  const at = code(tlsRpt.name);
  if (tlsRpt.lookupError)
    return [section(`*TLS-RPT*: no answer for ${at}: ${code(tlsRpt.lookupError, 300)}`)];
  if (tlsRpt.records.length === 0) return [section(`*TLS-RPT*: no record at ${at}.`)];
  const title =
    tlsRpt.records.length > 1
      ? `*TLS-RPT*: ${tlsRpt.records.length} v=TLSRPTv1 records at ${at}: senders use none`
      : `*TLS-RPT* at ${at}`;
  const lines = [
    ...(tlsRpt.rua.length > 0 ? [`reports go to ${names(tlsRpt.rua, 6)}`] : []),
    ...tlsRpt.problems.map((problem) => `❌ ${code(problem, 300)}`),
  ];
  return [
    ...codeSections(
      title,
      tlsRpt.records.map((text) => oneLine(text, 1_000)),
      1,
    ),
    ...(lines.length > 0 ? listSections(lines) : []),
  ];
}

export function mtaStsBlocks(facts: PostureFacts, summary: string): Block[] {
  const { mtaSts } = facts;
  const blocks: Block[] = [section(`*MTA-STS* ${summary}`)];
  const at = code(mtaSts.recordName);
  if (mtaSts.lookupError) {
    blocks.push(section(`No answer for ${at}: ${code(mtaSts.lookupError, 300)}`));
  } else if (mtaSts.records.length === 0) {
    blocks.push(section(`No record at ${at} (optional).`));
  } else {
    const title =
      mtaSts.records.length > 1
        ? `*${mtaSts.records.length} v=STSv1 records* at ${at}: senders use none`
        : `At ${at}`;
    blocks.push(
      ...codeSections(
        title,
        mtaSts.records.map((text) => oneLine(text, 1_000)),
        1,
      ),
    );
    blocks.push(
      ...listSections([
        ...mtaSts.recordProblems.map((problem) => `❌ ${code(problem, 300)}`),
        ...fetchLines(facts),
      ]),
    );
  }
  const { policy } = mtaSts;
  if (policy) {
    const maxAge = policy.maxAge === null ? '—' : `${policy.maxAge} s`;
    const lines = [
      `mode ${policy.mode === null ? '—' : `\`${policy.mode}\``} · max_age ${maxAge} · mx ${policy.mx.length > 0 ? names(policy.mx, 10) : 'none'}`,
      ...policy.problems.map((problem) => `❌ ${code(problem, 300)}`),
      ...mtaSts.coverage.map((host) => coverageLine(facts, host)),
    ];
    blocks.push(...listSections(lines));
  }
  return [...blocks, ...tlsRptBlocks(facts)];
}

// ---------------------------------------------------------------- DNSSEC and DANE

const DNSSEC_ICON = { secure: '✅', insecure: '➖', bogus: '❌', unknown: '❓' } as const;

function dnssecLine(entry: DnssecNameFacts): string {
  const parts = [DNSSEC_WORDS[entry.status]];
  const ede = entry.extendedError;
  if (ede) {
    parts.push(`EDE ${ede.code} ${code(ede.name, 60)}${ede.text ? ` ${code(ede.text, 200)}` : ''}`);
  }
  if (entry.lookupError) parts.push(code(entry.lookupError, 300));
  return `${DNSSEC_ICON[entry.status]} ${code(entry.name)} ${parts.join(' · ')}`;
}

function tlsaText(record: TlsaRecord): string {
  const usage = TLSA_USAGE[record.usage];
  return `${tlsaParameters(record)}${usage ? ` (${usage})` : ''}`;
}

function daneLine(facts: PostureFacts, host: DaneHostFacts): string {
  const state = daneState(host);
  const head = (icon: string, text: string): string => `${icon} ${code(host.exchange)} ${text}`;
  let line: string;
  switch (state) {
    case 'lookup-failed':
      line = head('❓', `no answer for TLSA: ${code(host.lookupError ?? '', 300)}`);
      break;
    case 'no-records':
      line = head('➖', 'no TLSA records (DANE not used)');
      break;
    case 'not-in-effect':
      line = head(
        host.dnssec === 'bogus' ? '❌' : '➖',
        `TLSA *not in effect*: the answer is ${DNSSEC_WORDS[host.dnssec]}, so senders ignore it`,
      );
      break;
    case 'nothing-to-match':
      line = head('❓', 'TLSA in effect; nothing to match: our probe got no certificate');
      break;
    case 'match': {
      const by = host.match?.by;
      line = head('✅', `TLSA in effect; ${by ? `${tlsaText(by)} ` : ''}matches the certificate`);
      break;
    }
    case 'mismatch':
      line = head(
        '❌',
        `TLSA in effect; *no match*: ${code(host.match?.reason ?? 'no record matches the certificate', 400)}`,
      );
      break;
  }
  const records = host.records.slice(0, 8).map((record) => {
    const mark = isMatchingRecord(host, record) ? '✅' : state === 'mismatch' ? '❌' : '•';
    return `      ${mark} ${code(`${tlsaParameters(record)} ${shortHex(record.data, TLSA_HEX_CHARS)}`, 160)}`;
  });
  if (host.records.length > 8) records.push(`      +${host.records.length - 8} more records`);
  const presented = state === 'mismatch' ? leafSpkiSha256(port25Of(facts, host.exchange)?.certificate) : null;
  if (presented) {
    records.push(
      `      the certificate's key now, as a 3 1 1 record holds it: ${code(`3 1 1 ${presented}`, 160)}`,
    );
  }
  return [line, ...records].join('\n');
}

export function dnssecDaneBlocks(facts: PostureFacts, summary: string): Block[] {
  const { dnssec } = facts;
  const blocks: Block[] = [
    section(`*DNSSEC and DANE* ${summary}`),
    ...listSections([dnssec.domain, ...dnssec.mxHosts].map(dnssecLine)),
    context(`Validated by ${code(dnssec.resolver, 100)} (its AD flag and Extended DNS Errors)`),
  ];
  if (facts.dane.length > 0) {
    blocks.push(
      section(
        `*DANE*: TLSA records at ${code('_25._tcp.<MX host>')}, against the certificate each host presented`,
      ),
      ...listSections(facts.dane.map((host) => daneLine(facts, host))),
    );
  }
  return blocks;
}

// ---------------------------------------------------------------- reverse DNS

function reverseLine(entry: AddressReverseDns): string {
  const whose = entry.role === 'sending' ? 'sending address' : `MX ${code(entry.exchange ?? '—')}`;
  if (entry.lookupError)
    return `❓ ${code(entry.address, 60)} (${whose}) no answer: ${code(entry.lookupError, 300)}`;
  const good = entry.ptr.length > 0 && entry.forwardConfirmed && entry.greetingConsistent !== false;
  const ptr =
    entry.ptr.length === 0
      ? '*no PTR record*'
      : `PTR ${names(entry.ptr, 4)} · ${entry.forwardConfirmed ? 'forward-confirmed' : '*not forward-confirmed*'}`;
  const lines = [`${good ? '✅' : '❌'} ${code(entry.address, 60)} (${whose}) ${ptr}`];
  if (entry.greetingName || entry.ehloName) {
    const verdict =
      entry.greetingConsistent === null
        ? 'nothing to compare'
        : entry.greetingConsistent
          ? 'consistent'
          : '*matches neither the PTR nor the MX name*';
    lines.push(
      `      greeting ${entry.greetingName ? code(entry.greetingName) : '—'} · EHLO ${entry.ehloName ? code(entry.ehloName) : '—'} · ${verdict}`,
    );
  }
  return lines.join('\n');
}

export function reverseDnsBlocks(facts: PostureFacts, summary: string): Block[] {
  const { addresses } = facts.reverseDns;
  if (addresses.length === 0) return [section(`*Reverse DNS* ${summary}`)];
  return [section(`*Reverse DNS* ${summary}`), ...listSections(addresses.map(reverseLine))];
}

// ---------------------------------------------------------------- blocklists

function codesText(result: BlocklistResult): string {
  const codes = result.codes.slice(0, 6);
  if (codes.length === result.meanings.length && codes.length > 0) {
    return codes
      .map((answer, index) => `${code(answer, 45)} ${slackLine(result.meanings[index] ?? '', 300)}`)
      .join('; ');
  }
  const meanings = result.meanings.slice(0, 6).map((meaning) => slackLine(meaning, 300));
  return [codes.map((answer) => code(answer, 45)).join(' '), meanings.join('; ')]
    .filter((part) => part !== '')
    .join(': ');
}

function subjectLines(subject: BlocklistSubject): string[] {
  const role =
    subject.role === 'sending'
      ? 'sending address'
      : subject.role === 'domain'
        ? 'domain'
        : subject.exchange
          ? `MX ${code(subject.exchange)}`
          : 'MX address';
  const who = `${code(subject.subject)} (${role})`;
  const lines: string[] = [];
  for (const result of subject.listed) {
    const codes = codesText(result);
    const said = result.text ? ` · the list says ${code(result.text, 300)}` : '';
    lines.push(`❌ ${who} *listed* on ${code(result.name, 80)}${codes ? `: ${codes}` : ''}${said}`);
  }
  for (const result of subject.refused) {
    const codes = codesText(result);
    lines.push(`⚠️ ${who}: ${code(result.name, 80)} *refused the question*${codes ? `: ${codes}` : ''}`);
  }
  for (const result of subject.errors) {
    const why = result.problem ? `: ${code(result.problem, 300)}` : '';
    lines.push(`❓ ${who}: no answer from ${code(result.name, 80)}${why}`);
  }
  if (subject.notListed > 0) {
    const other = lines.length > 0 ? 'other list' : 'list';
    lines.push(`✅ ${who} not listed on ${plural(subject.notListed, other)}`);
  }
  return lines;
}

export function blocklistBlocks(facts: PostureFacts, summary: string): Block[] {
  const { blocklists } = facts;
  const title = section(`*Blocklists* ${summary}`);
  if (blocklists.results.length === 0) return [title];
  return [
    title,
    ...listSections(blocklistSubjects(facts).flatMap(subjectLines)),
    context(
      `Asked through ${code(blocklists.resolver, 100)}: ${names(
        blocklists.zones.map((zone) => zone.name),
        9,
      )}`,
    ),
  ];
}
