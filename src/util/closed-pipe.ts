// `smtp-check host | head -1`: the reader may leave before the output ends. As with `git log | head`
// that is not an error. Node ignores SIGPIPE, so the write fails with EPIPE instead; without a
// listener that 'error' event ends the process with a stack trace and exit code 1.

interface ErrorEmitter {
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}

/**
 * Treats EPIPE on the stream as "nobody reads any more": onClosed runs once, later writes are
 * dropped by the destroyed stream. Any other write error is rethrown as before.
 */
export function onClosedPipe(stream: ErrorEmitter, onClosed: () => void = () => {}): void {
  let closed = false;
  stream.on('error', (error) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
      if (!closed) {
        closed = true;
        onClosed();
      }
      return;
    }
    throw error;
  });
}
