// How many vantages one check or watch asks, for every surface that asks: chat, watches, the terminal.

/**
 * Vantages one check may ask at once besides the own network (the bot's, or the terminal's), which
 * is always probed too and does not count: each is a job, a matrix row and a thread reply.
 */
export const MAX_VANTAGES = 8;

/**
 * `from all`: the own network first (when listed), then the first MAX_VANTAGES other vantages in
 * the order given; `leftOut` names the others, to be said.
 */
export function limitVantages(names: readonly string[], own: string): { names: string[]; leftOut: string[] } {
  const others = [...new Set(names)].filter((name) => name !== own);
  return {
    names: [...(names.includes(own) ? [own] : []), ...others.slice(0, MAX_VANTAGES)],
    leftOut: others.slice(MAX_VANTAGES),
  };
}
