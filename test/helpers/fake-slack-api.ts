import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SLACK_SURFACE } from '../../src/slack/index.js';

// A local Slack Web API for end-to-end tests: checks the bearer token, records every call, answers
// like Slack, and rejects payloads over Slack's limits the way Slack does (invalid_blocks), so a
// renderer that overflows fails the test instead of passing silently. Also serves response_url.
// It keeps the messages it accepted, with their metadata, and serves them back through
// conversations.history and conversations.replies — only to a token with the history scope, and
// paged as Slack pages them. Files go in as files.uploadV2 sends them: files.getUploadURLExternal
// (only with the files:write scope) hands out an upload URL on this server, the bytes are posted
// there, and files.completeUploadExternal shares them in a channel or thread as a message.

export interface RecordedCall {
  method: string;
  token: string | null;
  body: Record<string, unknown>;
  /** What the fake answered. */
  ok: boolean;
  response: Record<string, unknown>;
  error?: string;
  /** The fault injected into this call, when there was one (see failNext). */
  fault?: string;
  at: number;
}

export interface RecordedResponse {
  id: string;
  body: Record<string, unknown>;
  at: number;
}

export interface FakeSlackApiOptions {
  botToken: string;
  appToken?: string;
  botUserId?: string;
  botId?: string;
  /** The bot token's scopes; by default the ones the app declares (manifest.yml). */
  scopes?: readonly string[];
}

/** A message as the fake keeps it (and as conversations.history shows it). */
export interface StoredMessage {
  type: 'message';
  ts: string;
  text: string;
  blocks?: unknown;
  thread_ts?: string;
  user: string;
  bot_id: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** The text it was posted with (chat.update replaces `text`); the fake's own, not shown to the app. */
  postedText: string;
}

/** A file as the fake keeps it: what was uploaded, and where it was shared. */
export interface StoredFile {
  id: string;
  filename: string;
  /** What getUploadURLExternal was told the length would be. */
  length: number;
  altText: string | null;
  bytes: Buffer | null;
  title: string | null;
  /** Set by files.completeUploadExternal. */
  shared: { channel: string; threadTs: string | null; comment: string; ts: string } | null;
}

/**
 * What failNext injects. `status`: an HTTP error (500, 503…) before Slack did anything. `hang`:
 * no answer at all (the client's timeout fires). `drop`: the connection is cut without an answer.
 * With `processed`, a hang or drop happens after Slack did the work — the message is posted but
 * the answer is lost, which is what makes retrying chat.postMessage unsafe.
 */
export type Fault =
  | { error: string }
  | { retryAfterSeconds: number }
  /** With `processed`, Slack did the work and then answered the error (a 500 after the post). */
  | { status: number; processed?: boolean }
  | { hang: true; processed?: boolean }
  | { drop: true; processed?: boolean };

const LIMITS = {
  blocks: 50,
  homeBlocks: 100,
  section: 3_000,
  fields: 10,
  field: 2_000,
  header: 150,
  context: 10,
  buttonText: 75,
  buttonValue: 2_000,
};

/** Slack's Block Kit rules, checked independently of src/render/slack-limits.ts. */
export function blockProblems(blocks: unknown, maxBlocks = LIMITS.blocks): string[] {
  if (blocks === undefined) return [];
  if (!Array.isArray(blocks)) return ['blocks is not an array'];
  const problems: string[] = [];
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks > ${maxBlocks}`);
  // biome-ignore lint/suspicious/noExplicitAny: untrusted JSON from the app under test, checked field by field
  for (const [index, block] of (blocks as Array<Record<string, any>>).entries()) {
    const where = `block ${index} (${block.type})`;
    const len = (text: unknown): number => (typeof text === 'string' ? text.length : 0);
    if (block.type === 'section') {
      if (!block.text && !block.fields) problems.push(`${where}: empty section`);
      if (len(block.text?.text) > LIMITS.section) problems.push(`${where}: text ${len(block.text?.text)}`);
      if ((block.fields?.length ?? 0) > LIMITS.fields)
        problems.push(`${where}: ${block.fields.length} fields`);
      for (const field of block.fields ?? [])
        if (len(field.text) > LIMITS.field) problems.push(`${where}: field ${len(field.text)}`);
    } else if (block.type === 'header') {
      if (len(block.text?.text) > LIMITS.header) problems.push(`${where}: header ${len(block.text?.text)}`);
    } else if (block.type === 'context') {
      if ((block.elements?.length ?? 0) > LIMITS.context)
        problems.push(`${where}: ${block.elements.length} elements`);
    } else if (block.type === 'actions') {
      for (const button of block.elements ?? []) {
        if (len(button.text?.text) > LIMITS.buttonText)
          problems.push(`${where}: button text ${len(button.text?.text)}`);
        if (len(button.value) > LIMITS.buttonValue)
          problems.push(`${where}: button value ${len(button.value)}`);
      }
    } else if (block.type !== 'divider') {
      problems.push(`${where}: unknown block type`);
    }
  }
  return problems;
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  let raw = '';
  for await (const chunk of request) raw += chunk;
  const type = request.headers['content-type'] ?? '';
  if (type.includes('application/json')) return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  // The WebClient sends forms with nested values as JSON strings (blocks, view).
  const body: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    body[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return body;
}

export interface FakeSlackApi {
  /** The SLACK_API_URL to give the app: `http://127.0.0.1:PORT/api/`. */
  readonly apiUrl: string;
  readonly calls: RecordedCall[];
  readonly responses: RecordedResponse[];
  /** The messages of a channel, oldest first, thread replies included. */
  messagesIn(channel: string): StoredMessage[];
  /** Files uploaded (shared or not), in the order their upload URLs were handed out. */
  readonly files: StoredFile[];
  /** A response_url served by this fake. */
  responseUrl(id: string): string;
  /** Make the next `times` calls of method fail: a Slack error, a 429 with Retry-After, a 5xx, a hang or a drop. */
  failNext(method: string, fault: Fault, times?: number): void;
  /** What apps.connections.open answers (Socket Mode). */
  setSocketUrl(url: string): void;
  /** Resolves with the matching calls once there are `count` of them; rejects after timeoutMs. */
  waitForCalls(
    match: string | ((call: RecordedCall) => boolean),
    count?: number,
    timeoutMs?: number,
  ): Promise<RecordedCall[]>;
  /** Resolves with the response_url posts to id once there are `count` of them. */
  waitForResponses(id: string, count?: number, timeoutMs?: number): Promise<RecordedResponse[]>;
  close(): Promise<void>;
}

export async function startFakeSlackApi(options: FakeSlackApiOptions): Promise<FakeSlackApi> {
  const calls: RecordedCall[] = [];
  const responses: RecordedResponse[] = [];
  const faults = new Map<string, Fault[]>();
  const waiters = new Set<() => void>();
  const botUserId = options.botUserId ?? 'U0BOT';
  const botId = options.botId ?? 'B0BOT';
  let socketUrl = '';
  // Like Slack's: the time of the post in microseconds, unique and increasing within the workspace.
  let lastTsMicros = 0;
  const nextTs = (): string => {
    lastTsMicros = Math.max(Date.now() * 1_000, lastTsMicros + 1);
    return `${Math.floor(lastTsMicros / 1e6)}.${String(lastTsMicros % 1e6).padStart(6, '0')}`;
  };
  const notify = (): void => {
    for (const wake of [...waiters]) wake();
  };

  const scopes = new Set(options.scopes ?? SLACK_SURFACE.botScopes);
  const files: StoredFile[] = [];
  let origin = '';
  const channels = new Map<string, StoredMessage[]>();
  const channelMessages = (channel: string): StoredMessage[] => {
    let list = channels.get(channel);
    if (list === undefined) {
      list = [];
      channels.set(channel, list);
    }
    return list;
  };

  const answer = (
    method: string,
    token: string | null,
    body: Record<string, unknown>,
    fault: Fault | undefined,
  ): { status: number; json: Record<string, unknown>; headers?: Record<string, string> } => {
    if (fault && 'status' in fault) {
      if (fault.processed) answer(method, token, body, undefined);
      return { status: fault.status, json: { ok: false, error: `http_${fault.status}` } };
    }
    if (fault && 'retryAfterSeconds' in fault) {
      return {
        status: 429,
        json: { ok: false, error: 'ratelimited' },
        headers: { 'Retry-After': String(fault.retryAfterSeconds) },
      };
    }
    if (fault && 'error' in fault) return { status: 200, json: { ok: false, error: fault.error } };
    const expected = method === 'apps.connections.open' ? options.appToken : options.botToken;
    if (!token) return { status: 200, json: { ok: false, error: 'not_authed' } };
    if (token !== expected) return { status: 200, json: { ok: false, error: 'invalid_auth' } };
    const text = typeof body.text === 'string' ? body.text : '';
    // Slack cuts text above 40 000; the app promises to stay under 4 000, so hold it to that.
    if (text.length >= 4_000) return { status: 200, json: { ok: false, error: 'msg_too_long' } };
    switch (method) {
      case 'auth.test':
        return {
          status: 200,
          json: {
            ok: true,
            url: 'https://fake.slack/',
            team: 'Fake',
            user: 'smtp-check',
            team_id: 'T0TEAM',
            user_id: botUserId,
            bot_id: botId,
          },
        };
      case 'apps.connections.open':
        return { status: 200, json: { ok: true, url: socketUrl } };
      case 'chat.postMessage':
      case 'chat.update':
      case 'chat.postEphemeral': {
        if (!body.channel) return { status: 200, json: { ok: false, error: 'channel_not_found' } };
        if (!text && !body.blocks) return { status: 200, json: { ok: false, error: 'no_text' } };
        const problems = blockProblems(body.blocks);
        if (problems.length > 0) {
          return {
            status: 200,
            json: { ok: false, error: 'invalid_blocks', response_metadata: { messages: problems } },
          };
        }
        if (method === 'chat.update' && !body.ts)
          return { status: 200, json: { ok: false, error: 'message_not_found' } };
        if (method === 'chat.postEphemeral') return { status: 200, json: { ok: true, message_ts: nextTs() } };
        const channel = String(body.channel);
        if (method === 'chat.update') {
          const ts = String(body.ts);
          const kept = channelMessages(channel).find((message) => message.ts === ts);
          if (kept) Object.assign(kept, { text, blocks: body.blocks });
          return { status: 200, json: { ok: true, channel, ts, message: { text, ts } } };
        }
        const metadata = body.metadata as StoredMessage['metadata'] | undefined;
        if (
          metadata !== undefined &&
          (typeof metadata !== 'object' ||
            typeof metadata.event_type !== 'string' ||
            typeof metadata.event_payload !== 'object')
        ) {
          return { status: 200, json: { ok: false, error: 'invalid_metadata_format' } };
        }
        const ts = nextTs();
        channelMessages(channel).push({
          type: 'message',
          ts,
          text,
          ...(body.blocks !== undefined ? { blocks: body.blocks } : {}),
          ...(typeof body.thread_ts === 'string' ? { thread_ts: body.thread_ts } : {}),
          user: botUserId,
          bot_id: botId,
          ...(metadata ? { metadata } : {}),
          postedText: text,
        });
        return { status: 200, json: { ok: true, channel, ts, message: { text, ts } } };
      }
      case 'conversations.history':
      case 'conversations.replies':
        return readHistory(method, body);
      case 'files.getUploadURLExternal':
      case 'files.completeUploadExternal':
        return fileCall(method, body);
      case 'views.publish': {
        const view = body.view as { blocks?: unknown } | undefined;
        const problems = blockProblems(view?.blocks, LIMITS.homeBlocks);
        if (problems.length > 0) return { status: 200, json: { ok: false, error: 'invalid_blocks' } };
        return { status: 200, json: { ok: true } };
      }
      default:
        return { status: 200, json: { ok: false, error: 'unknown_method' } };
    }
  };

  // Slack's paging: newest first for history, oldest first for replies; `limit` up to 999 (100 by
  // default), `oldest`/`latest` exclusive unless `inclusive`, the cursor continues where a page ended.
  const readHistory = (
    method: 'conversations.history' | 'conversations.replies',
    body: Record<string, unknown>,
  ): { status: number; json: Record<string, unknown> } => {
    const fail = (error: string, extra: Record<string, unknown> = {}) => ({
      status: 200,
      json: { ok: false, error, ...extra },
    });
    const channel = typeof body.channel === 'string' ? body.channel : '';
    const needed = channel.startsWith('G') ? 'groups:history' : 'channels:history';
    if (!scopes.has(needed)) {
      return fail('missing_scope', { needed, provided: [...scopes].join(',') });
    }
    if (channel === '') return fail('channel_not_found');
    const limit = body.limit === undefined ? 100 : Number(body.limit);
    if (!Number.isInteger(limit) || limit < 1) return fail('invalid_limit');
    const inclusive = String(body.inclusive) === 'true' || body.inclusive === '1';
    const after = (ts: string, bound: unknown) =>
      bound === undefined || (inclusive ? Number(ts) >= Number(bound) : Number(ts) > Number(bound));
    const before = (ts: string, bound: unknown) =>
      bound === undefined || (inclusive ? Number(ts) <= Number(bound) : Number(ts) < Number(bound));
    const all = channels.get(channel) ?? [];
    let selected: StoredMessage[];
    if (method === 'conversations.history') {
      selected = all
        .filter((message) => message.thread_ts === undefined || message.thread_ts === message.ts)
        .filter((message) => after(message.ts, body.oldest) && before(message.ts, body.latest))
        .reverse();
    } else {
      if (typeof body.ts !== 'string') return fail('invalid_arguments');
      const parent = all.find((message) => message.ts === body.ts);
      if (!parent) return fail('thread_not_found');
      const replies = all.filter(
        (message) =>
          message.thread_ts === parent.ts &&
          message.ts !== parent.ts &&
          after(message.ts, body.oldest) &&
          before(message.ts, body.latest),
      );
      selected = [parent, ...replies];
    }
    const start = typeof body.cursor === 'string' && body.cursor !== '' ? Number(atob(body.cursor)) : 0;
    const page = selected.slice(start, start + Math.min(limit, 999));
    const hasMore = start + page.length < selected.length;
    const withMetadata = String(body.include_all_metadata) === 'true';
    const messages = page.map(({ metadata, postedText: _, ...message }) =>
      withMetadata && metadata ? { ...message, metadata } : message,
    );
    return {
      status: 200,
      json: {
        ok: true,
        messages,
        has_more: hasMore,
        response_metadata: { next_cursor: hasMore ? btoa(String(start + page.length)) : '' },
      },
    };
  };

  // Slack's two file calls: the upload URL (checked against the scope, as Slack does), then the
  // share, which posts a message with the file in the channel or thread.
  const fileCall = (
    method: 'files.getUploadURLExternal' | 'files.completeUploadExternal',
    body: Record<string, unknown>,
  ): { status: number; json: Record<string, unknown> } => {
    const fail = (error: string, extra: Record<string, unknown> = {}) => ({
      status: 200,
      json: { ok: false, error, ...extra },
    });
    if (!scopes.has('files:write')) {
      return fail('missing_scope', { needed: 'files:write', provided: [...scopes].join(',') });
    }
    if (method === 'files.getUploadURLExternal') {
      const length = Number(body.length);
      if (typeof body.filename !== 'string' || body.filename === '') return fail('invalid_arguments');
      if (!Number.isInteger(length) || length < 1) return fail('invalid_arguments');
      const id = `F${String(files.length + 1).padStart(8, '0')}`;
      files.push({
        id,
        filename: body.filename,
        length,
        altText: typeof body.alt_text === 'string' ? body.alt_text : null,
        bytes: null,
        title: null,
        shared: null,
      });
      return { status: 200, json: { ok: true, upload_url: `${origin}/upload/${id}`, file_id: id } };
    }
    const listed = Array.isArray(body.files) ? (body.files as Array<{ id?: unknown; title?: unknown }>) : [];
    const channel = typeof body.channel_id === 'string' ? body.channel_id : '';
    if (listed.length === 0) return fail('invalid_arguments');
    const chosen = listed.map((entry) => files.find((file) => file.id === entry.id));
    // Slack refuses to share a file whose bytes never arrived.
    if (chosen.some((file) => file === undefined || file.bytes === null)) return fail('file_not_found');
    if (channel === '')
      return { status: 200, json: { ok: true, files: chosen.map((file) => ({ id: file!.id })) } };
    const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : null;
    const comment = typeof body.initial_comment === 'string' ? body.initial_comment : '';
    const ts = nextTs();
    channelMessages(channel).push({
      type: 'message',
      ts,
      text: comment,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      user: botUserId,
      bot_id: botId,
      postedText: comment,
    });
    for (const [index, file] of chosen.entries()) {
      const title = listed[index]?.title;
      file!.title = typeof title === 'string' ? title : null;
      file!.shared = { channel, threadTs, comment, ts };
    }
    return {
      status: 200,
      json: {
        ok: true,
        files: chosen.map((file) => ({ id: file!.id, title: file!.title, name: file!.filename })),
      },
    };
  };

  /** An upload URL: the WebClient posts the bytes as multipart form data, in a part named `body`. */
  const receiveUpload = async (request: IncomingMessage, response: ServerResponse, id: string) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const file = files.find((entry) => entry.id === id);
    const form = await new Response(Buffer.concat(chunks), {
      headers: { 'content-type': request.headers['content-type'] ?? '' },
    })
      .formData()
      .catch(() => null);
    const part = form?.get('body') ?? form?.get('file');
    if (file === undefined || part === null || part === undefined || typeof part === 'string') {
      calls.push({
        method: 'upload',
        token: null,
        body: { id },
        ok: false,
        response: {},
        error: 'bad upload',
        at: Date.now(),
      });
      response.writeHead(400).end('bad upload');
      notify();
      return;
    }
    file.bytes = Buffer.from(await part.arrayBuffer());
    calls.push({
      method: 'upload',
      token: null,
      body: { id, bytes: file.bytes.length },
      ok: true,
      response: {},
      at: Date.now(),
    });
    response.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${file.bytes.length}`);
    notify();
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/upload/')) {
      await receiveUpload(request, response, url.pathname.slice('/upload/'.length));
      return;
    }
    const body = await readBody(request);
    if (url.pathname.startsWith('/response/')) {
      responses.push({ id: url.pathname.slice('/response/'.length), body, at: Date.now() });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      notify();
      return;
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const authorization = request.headers.authorization ?? '';
    const token = authorization.startsWith('Bearer ')
      ? authorization.slice(7)
      : typeof body.token === 'string'
        ? body.token
        : null;
    const fault = faults.get(method)?.shift();
    const transport = fault && ('hang' in fault || 'drop' in fault) ? fault : undefined;
    const faultName = transport
      ? `${'hang' in transport ? 'hang' : 'drop'}${transport.processed ? ' after processing' : ''}`
      : undefined;
    // A transport fault before processing: Slack never saw the call, so nothing is done.
    const result =
      transport && !transport.processed
        ? { status: 0, json: { ok: false, error: faultName } as Record<string, unknown> }
        : answer(method, token, body, transport ? undefined : fault);
    calls.push({
      method,
      token,
      body,
      ok: result.json.ok === true,
      response: result.json,
      ...(typeof result.json.error === 'string' ? { error: result.json.error } : {}),
      ...(fault
        ? {
            fault:
              faultName ??
              ('status' in fault
                ? `http ${fault.status}${fault.processed ? ' after processing' : ''}`
                : 'error' in fault
                  ? fault.error
                  : '429'),
          }
        : {}),
      at: Date.now(),
    });
    if (transport) {
      notify();
      // A hang leaves the request open until the client gives up (or close()); a drop cuts it.
      if ('drop' in transport) request.socket.destroy();
      return;
    }
    response
      .writeHead(result.status, { 'content-type': 'application/json', ...result.headers })
      .end(JSON.stringify(result.json));
    notify();
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const waitFor = <T>(collect: () => T[], count: number, timeoutMs: number, what: string): Promise<T[]> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = collect();
        if (found.length < count) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `timed out waiting for ${count} × ${what}; recorded: ${calls.map((call) => `${call.method}${call.ok ? '' : `(${call.error})`}`).join(', ')}`,
          ),
        );
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
      };
      const wake = (): void => {
        check();
      };
      waiters.add(wake);
      check();
    });

  return {
    apiUrl: `${origin}/api/`,
    calls,
    responses,
    messagesIn: (channel) => [...(channels.get(channel) ?? [])],
    files,
    responseUrl: (id) => `${origin}/response/${id}`,
    failNext(method, fault, times = 1) {
      faults.set(method, [...(faults.get(method) ?? []), ...Array.from({ length: times }, () => fault)]);
    },
    setSocketUrl(url) {
      socketUrl = url;
    },
    waitForCalls(match, count = 1, timeoutMs = 10_000) {
      const predicate = typeof match === 'string' ? (call: RecordedCall) => call.method === match : match;
      return waitFor(
        () => calls.filter(predicate),
        count,
        timeoutMs,
        typeof match === 'string' ? match : 'matching calls',
      );
    },
    waitForResponses(id, count = 1, timeoutMs = 10_000) {
      return waitFor(
        () => responses.filter((response) => response.id === id),
        count,
        timeoutMs,
        `response_url posts to ${id}`,
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
