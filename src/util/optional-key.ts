/**
 * `{ [key]: value }` when there is a value, `{}` otherwise, to spread into an object: an optional
 * key then appears only with a value, and `undefined` never reaches JSON as a key.
 */
export function optionalKey<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
