import { afterEach, describe, expect, test, vi } from 'vitest';
import { requireNamespaces } from '../helpers/netns.js';
import { requireInfrastructure } from '../helpers/postgres.js';

// What a test needs from the machine (PostgreSQL, network namespaces) follows one rule: there, the
// tests run; missing, they are skipped with the reason — except under CI, where the file fails.

describe('requireInfrastructure()', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  test('there: null, and nothing said, under CI or not', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.stubEnv('CI', '');
    expect(requireInfrastructure('PostgreSQL', null)).toBeNull();
    vi.stubEnv('CI', 'true');
    expect(requireInfrastructure('PostgreSQL', null)).toBeNull();
    expect(warn).not.toHaveBeenCalled();
  });

  test('missing outside CI: the reason to skip with, said on the console', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.stubEnv('CI', '');
    expect(requireInfrastructure('a network namespace with nftables', 'making one needs root')).toBe(
      'making one needs root',
    );
    expect(warn).toHaveBeenCalledWith(
      'tests that need a network namespace with nftables skipped: making one needs root',
    );
  });

  test('missing under CI: throws, naming what and why', () => {
    vi.stubEnv('CI', 'true');
    expect(() => requireInfrastructure('PostgreSQL', 'PostgreSQL is not installed')).toThrow(
      'PostgreSQL is required under CI: PostgreSQL is not installed',
    );
  });

  test('requireNamespaces() answers by the same rule on this machine', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.stubEnv('CI', '');
    const reason = requireNamespaces();
    if (reason === null) return;
    vi.stubEnv('CI', 'true');
    expect(() => requireNamespaces()).toThrow(
      `a network namespace with nftables is required under CI: ${reason}`,
    );
  });
});
