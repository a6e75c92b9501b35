import { networkInterfaces } from 'node:os';

/**
 * The namespace scripts add nftables rules and bind 0.0.0.0 on the real SMTP ports: harmless in a
 * namespace that has nothing but `lo`, not on a real machine. They refuse to run anywhere else.
 */
export function assertLoopbackOnly(script: string): void {
  const interfaces = Object.keys(networkInterfaces());
  if (interfaces.some((name) => name !== 'lo')) {
    throw new Error(
      `${script} must run in a loopback-only network namespace (found ${interfaces.join(', ')}); npm run bench puts it there`,
    );
  }
}
