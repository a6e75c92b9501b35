import { Writable } from 'node:stream';

/** A writable that keeps everything written to it, as text, in `sink.printed`. */
export function captureOutput(): { sink: { printed: string }; output: Writable } {
  const sink = { printed: '' };
  const output = new Writable({
    write(chunk, _encoding, done) {
      sink.printed += String(chunk);
      done();
    },
  });
  return { sink, output };
}
