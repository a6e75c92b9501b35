const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A value as jsonb text. A server's banner can hold NUL and broken UTF-16, which jsonb refuses;
 * they become U+FFFD, as every renderer shows them anyway.
 */
export function toJsonb(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'string' ? item.replaceAll('\u0000', '\ufffd').replace(LONE_SURROGATE, '\ufffd') : item,
  );
}
