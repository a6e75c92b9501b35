import { STATUS_CODES, type IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { rootCertificates } from 'node:tls';
import { truncate } from '../text/sanitize.js';
import { describeFailure } from './describe-failure.js';
import type { MtaStsFetch } from './transport-types.js';
import type { DnsAnswer, PostureDns } from './types.js';

// The policy fetch as RFC 8461 §3.3 has senders do it: HTTPS to `mta-sts.<domain>`, a certificate
// valid for that name, no redirects followed, a 200 with `text/plain`. What a sender would not
// accept is reported as unreachable, with the reason, since senders then act as if there were no
// policy. The bot dials only addresses the caller's target policy allows, so a domain cannot point
// it at a private network, and it asks the report's DNS, never the system's lookup.

export const MTA_STS_POLICY_PATH = '/.well-known/mta-sts.txt';
/** Senders stop reading past this; a policy is a few lines, so more is a misconfigured server. */
export const MAX_POLICY_BYTES = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 5_000;
const HTTPS_PORT = 443;
// A host with many addresses must not hold the report: the first few stand for the rest.
const MAX_ADDRESSES = 4;
const MAX_QUOTED = 200;

export interface MtaStsFetchOptions {
  /** The reason an address may not be dialled, or null when it may (the caller's target policy). */
  allowAddress: (address: string, host: string) => string | null;
  /** CA certificates (PEM) trusted besides Node's bundled roots. */
  ca?: string[];
  /** 443 unless a test server listens elsewhere. */
  port?: number;
  /** For the connection and the whole body, over every address tried. */
  timeoutMs?: number;
}

export interface PolicyDownload {
  fetch: MtaStsFetch;
  /** The policy's text, when `fetch.outcome` is `fetched`. */
  text: string | null;
}

interface Attempt {
  fetch: Omit<MtaStsFetch, 'url'>;
  text: string | null;
  /** The connection failed before any HTTP answer: another address of the host may do better. */
  tryNext: boolean;
}

/** Fetches `https://mta-sts.<domain>/.well-known/mta-sts.txt`. Never throws: a failure is a value. */
export async function fetchMtaStsPolicy(
  dns: PostureDns,
  domain: string,
  options: MtaStsFetchOptions,
): Promise<PolicyDownload> {
  const host = `mta-sts.${domain}`;
  const url = `https://${host}${MTA_STS_POLICY_PATH}`;
  try {
    const resolved = await resolvePolicyHost(dns, host, options.allowAddress);
    if ('problem' in resolved) {
      return { fetch: { url, outcome: 'unreachable', problem: resolved.problem }, text: null };
    }
    const attempt = await tryAddresses(resolved.addresses, host, options);
    return { fetch: { url, ...attempt.fetch }, text: attempt.text };
  } catch (error) {
    const problem = `the fetch failed: ${error instanceof Error ? error.message : String(error)}`;
    return { fetch: { url, outcome: 'unreachable', problem }, text: null };
  }
}

/**
 * The host's addresses the target policy allows: A first, AAAA only when no A address may be
 * dialled (as a sender would fall back to IPv6).
 */
async function resolvePolicyHost(
  dns: PostureDns,
  host: string,
  allowAddress: MtaStsFetchOptions['allowAddress'],
): Promise<{ addresses: string[] } | { problem: string }> {
  const answers: Array<[string, DnsAnswer<string>]> = [];
  const refused: string[] = [];
  for (const type of ['A', 'AAAA'] as const) {
    const answer = type === 'A' ? await dns.a(host) : await dns.aaaa(host);
    answers.push([type, answer]);
    const allowed: string[] = [];
    for (const address of answer.kind === 'records' ? answer.records : []) {
      const reason = allowAddress(address, host);
      if (reason === null) allowed.push(address);
      else refused.push(`${address} (${reason})`);
    }
    if (allowed.length > 0) return { addresses: allowed.slice(0, MAX_ADDRESSES) };
  }
  if (refused.length > 0) {
    return { problem: `${host} resolves only to addresses that are not dialled: ${refused.join(', ')}` };
  }
  const failed = answers.find(([, answer]) => answer.kind === 'error');
  if (failed) return { problem: describeFailure(failed[0], host, failed[1]) };
  if (answers[0]?.[1].kind === 'nxdomain') {
    return { problem: `${host} does not exist (NXDOMAIN): senders cannot fetch the policy` };
  }
  return { problem: `${host} has no A or AAAA record: senders cannot fetch the policy` };
}

/** The one deadline of a fetch: connections and bodies, over every address tried. */
interface Deadline {
  signal: AbortSignal;
  timeoutMs: number;
}

/** Each address in turn until one gives an HTTP answer, all under one deadline. */
async function tryAddresses(
  addresses: string[],
  host: string,
  options: MtaStsFetchOptions,
): Promise<Attempt> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const deadline = { signal: controller.signal, timeoutMs };
  try {
    let attempt = unreachable(`${host}: no address to dial`);
    for (const address of addresses) {
      attempt = await getPolicy(address, host, options, deadline);
      if (!attempt.tryNext || controller.signal.aborted) break;
    }
    return attempt;
  } finally {
    clearTimeout(timer);
  }
}

function getPolicy(
  address: string,
  host: string,
  options: MtaStsFetchOptions,
  deadline: Deadline,
): Promise<Attempt> {
  const port = options.port ?? HTTPS_PORT;
  return new Promise<Attempt>((resolve) => {
    let settled = false;
    const settle = (attempt: Attempt) => {
      if (settled) return;
      settled = true;
      req.destroy();
      resolve(attempt);
    };
    const fail = (error: Error & { code?: string }) => {
      if (!deadline.signal.aborted) return settle(connectionFailure(error, host, address, port));
      settle(unreachable(`no complete answer from ${address} within ${deadline.timeoutMs / 1000} s`));
    };
    const req = request({
      host: address,
      port,
      path: MTA_STS_POLICY_PATH,
      method: 'GET',
      servername: host,
      headers: { host, accept: 'text/plain', 'user-agent': 'smtp-check (MTA-STS policy check)' },
      // A `ca` list replaces Node's store, so the bundled roots go back in with the extra CAs.
      ...(options.ca && options.ca.length > 0 ? { ca: [...rootCertificates, ...options.ca] } : {}),
      rejectUnauthorized: true,
      agent: false,
      signal: deadline.signal,
    });
    req.on('error', fail);
    req.on('response', (response) => {
      const fields = responseFields(response);
      const verdict = judgeHeaders(response, fields);
      if (verdict) return settle(verdict);
      readBody(response, fields, settle, fail);
    });
    req.end();
  });
}

type ResponseFields = Pick<MtaStsFetch, 'status' | 'contentType'>;

function responseFields(response: IncomingMessage): ResponseFields {
  const contentType = response.headers['content-type'];
  return {
    status: response.statusCode ?? 0,
    ...(contentType !== undefined ? { contentType: truncate(contentType, MAX_QUOTED) } : {}),
  };
}

function unreachable(
  problem: string,
  fields: Omit<MtaStsFetch, 'url' | 'outcome' | 'problem'> = {},
): Attempt {
  return { fetch: { outcome: 'unreachable', ...fields, problem }, text: null, tryNext: false };
}

/** What the status line and headers already decide: a redirect, another status, another media type. */
function judgeHeaders(response: IncomingMessage, fields: ResponseFields): Attempt | null {
  const status = fields.status ?? 0;
  const statusText = `HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`;
  if (status >= 300 && status < 400) {
    const location = response.headers.location;
    const redirect = location === undefined ? undefined : truncate(location, MAX_QUOTED);
    return unreachable(
      `answered ${statusText} to ${redirect ?? 'nowhere (no Location)'}: senders do not follow redirects (RFC 8461 §3.3)`,
      { ...fields, ...(redirect !== undefined ? { redirect } : {}) },
    );
  }
  if (status !== 200) return unreachable(`answered ${statusText}: senders need 200 OK`, fields);
  // Parameters (charset) do not matter: the media type does.
  const mediaType = fields.contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'text/plain') {
    const served = fields.contentType === undefined ? 'without a Content-Type' : `as ${fields.contentType}`;
    return unreachable(`the policy is served ${served}: senders need text/plain (RFC 8461 §3.3)`, fields);
  }
  const declared = Number(response.headers['content-length']);
  if (declared > MAX_POLICY_BYTES) {
    return unreachable(
      `the policy is larger than 64 KB (${declared} bytes): senders stop reading it`,
      fields,
    );
  }
  return null;
}

/** Reads the body up to MAX_POLICY_BYTES; one byte more and the policy is refused, unread. */
function readBody(
  response: IncomingMessage,
  fields: ResponseFields,
  settle: (attempt: Attempt) => void,
  fail: (error: Error) => void,
): void {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let ended = false;
  response.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes <= MAX_POLICY_BYTES) chunks.push(chunk);
    else settle(unreachable('the policy is larger than 64 KB: senders stop reading it', fields));
  });
  response.on('end', () => {
    ended = true;
    const text = Buffer.concat(chunks).toString('utf8');
    settle({ fetch: { outcome: 'fetched', ...fields, bytes }, text, tryNext: false });
  });
  response.on('error', fail);
  response.on('close', () => {
    if (ended) return;
    fail(
      Object.assign(new Error('the connection closed before the whole policy arrived'), {
        code: 'ECONNRESET',
      }),
    );
  });
}

const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ECONNRESET',
]);

/** A connection or TLS error, in words, with Node's or OpenSSL's code for the record. */
function connectionFailure(
  error: Error & { code?: string },
  host: string,
  address: string,
  port: number,
): Attempt {
  const code = error.code ?? 'ERROR';
  const words =
    certificateWords(error, host) ?? socketWords(code, address, port) ?? truncate(error.message, MAX_QUOTED);
  const attempt = unreachable(`${words} (${code})`);
  return { ...attempt, tryNext: CONNECT_FAILURES.has(code) };
}

/** Why the certificate is not one a sender accepts for the policy host (§3.3: RFC 6125 rules). */
function certificateWords(
  error: Error & { code?: string; cert?: { subjectaltname?: string } },
  host: string,
) {
  switch (error.code) {
    case 'ERR_TLS_CERT_ALTNAME_INVALID': {
      const names = error.cert?.subjectaltname?.replace(/\b(?:DNS|IP Address):/g, '');
      const named = names ? `: it names ${truncate(names, MAX_QUOTED)}` : '';
      return `the certificate is not valid for ${host}${named}`;
    }
    case 'CERT_HAS_EXPIRED':
      return `the certificate of ${host} has expired`;
    case 'CERT_NOT_YET_VALID':
      return `the certificate of ${host} is not valid yet`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return `the certificate of ${host} is self-signed or chains to a self-signed root: senders do not trust it`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `the certificate of ${host} comes from an issuer senders do not trust (or the server leaves out its intermediate certificates)`;
    default:
      return undefined;
  }
}

function socketWords(code: string, address: string, port: number): string | undefined {
  switch (code) {
    case 'ECONNREFUSED':
      return `${address} refused the connection on port ${port}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return `${address} cannot be reached`;
    case 'ECONNRESET':
      return `${address} closed the connection before the policy arrived`;
    default:
      return code.startsWith('ERR_SSL') ? `the TLS handshake with ${address} failed` : undefined;
  }
}
