/**
 * Asks for a password on the terminal without echoing it. Only for a terminal: the caller reads
 * SMTP_PASSWORD otherwise. Resolves null when the person cancels (Ctrl-C, or end of input with
 * nothing typed).
 */
export function promptPassword(
  input: NodeJS.ReadStream,
  output: { write(text: string): unknown },
  question: string,
): Promise<string | null> {
  return new Promise((resolve) => {
    let typed = '';
    const finish = (value: string | null): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const character of chunk.toString('utf8')) {
        if (character === '\r' || character === '\n') {
          finish(typed);
          return;
        }
        if (character === '\u0003' || character === '\u0004') {
          // Ctrl-C cancels; Ctrl-D ends the input, keeping what was typed.
          finish(character === '\u0004' && typed !== '' ? typed : null);
          return;
        }
        if (character === '\u007f' || character === '\b') typed = typed.slice(0, -1);
        else if (character >= ' ') typed += character;
      }
    };
    output.write(question);
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}
