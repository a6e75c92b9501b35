import type { Duplex } from 'node:stream';
import { socketFailure } from './socket-failure.js';
import type { ProbeFailure, ProbeLimits, SmtpReply } from './types.js';

/** A failure without its stage: the reader does not know which stage its caller is in. */
export type ReadFailure = Omit<ProbeFailure, 'stage'>;

export type ReadResult =
  | { ok: true; reply: SmtpReply; raw: string[] }
  | { ok: false; failure: ReadFailure; truncated: boolean };

type Caps = Pick<ProbeLimits, 'maxLineBytes' | 'maxReplyBytes' | 'maxReplyLines'>;

const REPLY_LINE = /^(\d{3})([ -]?)(.*)$/s;
// The first bytes of an SMTP session are three digits; anything else (HTTP, SSH-2.0, TLS records)
// is known to be foreign after four bytes, without waiting for a line end that may never come.
const SMTP_START = /^\d{3}(?:[ -]|\r|\n)/;
const QUOTE_BYTES = 120;

/** The first bytes a server sent, as kept in `ProbeFailure.firstBytes`. */
export function firstBytesOf(bytes: Buffer): string {
  return bytes.subarray(0, QUOTE_BYTES).toString('latin1');
}

export function quote(bytes: Buffer): string {
  return JSON.stringify(firstBytesOf(bytes));
}

/**
 * Reads SMTP replies from a socket with every read capped: a line longer than maxLineBytes, a
 * reply over maxReplyBytes or maxReplyLines, or unread replies piling up past maxReplyBytes stop
 * the reading (`oversized`, truncated) and destroy the socket, so a hostile server can neither
 * hang the probe nor grow its memory. Failures are values; nothing here throws.
 */
export class ReplyReader {
  readonly #socket: Duplex;
  readonly #caps: Caps;
  #partial: Buffer = Buffer.alloc(0);
  #lines: string[] = [];
  #replyBytes = 0;
  #queuedBytes = 0;
  #sawBytes = false;
  #heard: Buffer = Buffer.alloc(0);
  readonly #onFirstBytes: (() => void) | undefined;
  readonly #queue: Array<{ reply: SmtpReply; raw: string[]; bytes: number }> = [];
  #terminal: { failure: ReadFailure; truncated: boolean } | null = null;
  #wake: (() => void) | null = null;
  readonly #onData = (chunk: Buffer) => this.#receive(chunk);
  readonly #onError = (error: Error) => this.#end(socketFailure(error));
  readonly #onEnd = () => this.#end({ kind: 'closed', message: 'the server closed the connection' });

  /** `onFirstBytes` is called once, when the server has sent anything at all. */
  constructor(socket: Duplex, caps: Caps, onFirstBytes?: () => void) {
    this.#socket = socket;
    this.#caps = caps;
    this.#onFirstBytes = onFirstBytes;
    socket.on('data', this.#onData);
    socket.on('error', this.#onError);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onEnd);
  }

  /**
   * The next reply, or why there is none within timeoutMs. With `stallMs`, a reply whose current
   * line has started but not ended after stallMs ends the read at once: a server that trickles
   * bytes without finishing a line is judged on what it sent, not waited on for the whole timeout.
   * Complete lines of an unfinished multi-line reply (`220-` and then a greet pause) are not a stall.
   */
  async read(timeoutMs: number, stallMs?: number): Promise<ReadResult> {
    const queued = this.#take();
    if (queued) return queued;
    if (this.#terminal) return { ok: false, ...this.#terminal };
    if (timeoutMs <= 0) return timeout(0);
    return new Promise<ReadResult>((resolve) => {
      let stallTimer: NodeJS.Timeout | undefined;
      const done = (result: ReadResult) => {
        clearTimeout(timer);
        clearTimeout(stallTimer);
        this.#wake = null;
        resolve(result);
      };
      const timer = setTimeout(() => done(timeout(timeoutMs)), timeoutMs);
      if (stallMs !== undefined && stallMs < timeoutMs) {
        stallTimer = setTimeout(() => {
          if (this.#partial.length === 0) return;
          done({
            ok: false,
            failure: {
              kind: 'timeout',
              message: `the server sent ${this.#heard.length >= QUOTE_BYTES ? 'at least ' : ''}${this.#heard.length} bytes in ${stallMs} ms without ending a line: ${quote(this.#heard)}`,
              firstBytes: firstBytesOf(this.#heard),
            },
            truncated: false,
          });
        }, stallMs);
      }
      this.#wake = () => {
        const next = this.#take();
        if (!next && !this.#terminal) return;
        done(next ?? { ok: false, ...this.#terminal! });
      };
    });
  }

  /**
   * Stops reading and forgets everything buffered. Used before a STARTTLS handshake: bytes the
   * server sent after "220 Ready to start TLS" are plaintext injection and must never be taken
   * for replies inside TLS (RFC 3207 §6).
   */
  detach(): void {
    this.#socket.off('data', this.#onData);
    this.#socket.off('error', this.#onError);
    this.#socket.off('end', this.#onEnd);
    this.#socket.off('close', this.#onEnd);
    this.#partial = Buffer.alloc(0);
    this.#lines = [];
    this.#queue.length = 0;
    this.#terminal = { failure: { kind: 'other', message: 'reader detached' }, truncated: false };
  }

  #take(): ReadResult | null {
    const next = this.#queue.shift();
    if (!next) return null;
    this.#queuedBytes -= next.bytes;
    return { ok: true, reply: next.reply, raw: next.raw };
  }

  #end(failure: ReadFailure, truncated = false): void {
    if (this.#terminal) return;
    this.#terminal = { failure, truncated };
    this.#wake?.();
  }

  #oversized(message: string): void {
    this.#end({ kind: 'oversized', message }, true);
    this.#partial = Buffer.alloc(0);
    this.#lines = [];
    this.#socket.destroy();
  }

  #receive(chunk: Buffer): void {
    if (this.#terminal) return;
    if (this.#heard.length === 0 && chunk.length > 0) this.#onFirstBytes?.();
    if (this.#heard.length < QUOTE_BYTES) {
      this.#heard = Buffer.concat([this.#heard, chunk.subarray(0, QUOTE_BYTES - this.#heard.length)]);
    }
    let buffer = this.#partial.length > 0 ? Buffer.concat([this.#partial, chunk]) : chunk;
    if (!this.#sawBytes && buffer.length >= 4 && this.#queue.length === 0 && this.#lines.length === 0) {
      this.#sawBytes = true;
      if (!SMTP_START.test(buffer.subarray(0, 4).toString('latin1'))) {
        this.#end({
          kind: 'not-smtp',
          message: `the server's first bytes are not an SMTP reply: ${quote(buffer)}`,
          firstBytes: firstBytesOf(buffer),
        });
        return;
      }
    }
    let newline = buffer.indexOf(0x0a);
    while (newline !== -1) {
      const line = buffer.subarray(0, newline);
      buffer = buffer.subarray(newline + 1);
      if (!this.#line(line)) return;
      newline = buffer.indexOf(0x0a);
    }
    if (buffer.length > this.#caps.maxLineBytes) {
      this.#oversized(`a reply line exceeded ${this.#caps.maxLineBytes} bytes without ending`);
      return;
    }
    this.#partial = Buffer.from(buffer);
    if (this.#queue.length > 0) this.#wake?.();
  }

  /** Takes one line (without its LF); false when reading must stop. */
  #line(bytes: Buffer): boolean {
    const caps = this.#caps;
    if (bytes.length > caps.maxLineBytes) {
      this.#oversized(`a reply line of ${bytes.length} bytes exceeded ${caps.maxLineBytes} bytes`);
      return false;
    }
    this.#replyBytes += bytes.length + 1;
    if (this.#replyBytes + this.#queuedBytes > caps.maxReplyBytes) {
      this.#oversized(`replies exceeded ${caps.maxReplyBytes} bytes`);
      return false;
    }
    const text = bytes.toString('latin1').replace(/\r$/, '');
    const match = REPLY_LINE.exec(text);
    if (!match) {
      this.#end({
        kind: 'not-smtp',
        message: `not an SMTP reply line: ${quote(bytes)}`,
        firstBytes: firstBytesOf(bytes),
      });
      return false;
    }
    this.#lines.push(text);
    if (match[2] === '-') {
      if (this.#lines.length >= caps.maxReplyLines) {
        this.#oversized(`a reply exceeded ${caps.maxReplyLines} lines`);
        return false;
      }
      return true;
    }
    const raw = this.#lines;
    const reply: SmtpReply = { code: Number(match[1]), lines: raw.map((line) => line.slice(4)) };
    this.#queue.push({ reply, raw, bytes: this.#replyBytes });
    this.#queuedBytes += this.#replyBytes;
    this.#lines = [];
    this.#replyBytes = 0;
    return true;
  }
}

function timeout(ms: number): ReadResult {
  return { ok: false, failure: { kind: 'timeout', message: `no reply within ${ms} ms` }, truncated: false };
}
