/**
 * Makes a switch exhaustive: the compiler rejects the call when a case is missing, and a value the
 * types ruled out (a new class in stored JSON, say) fails loudly instead of falling through.
 */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
