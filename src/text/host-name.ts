/**
 * A DNS name as it is compared: lower case (DNS names are case-insensitive, RFC 4343) and without
 * the root's trailing dot, so `MX.Example.com.` and `mx.example.com` are one name.
 */
export function bareHostName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
