import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

// The floors of src/ as the README's "How it is built" draws them. A room (a folder of src/, or a
// top-level file) imports only rooms on lower floors, so no two rooms import each other; settings
// are read in config.ts alone. A new room must be given its floor here, which is the point.

const FLOORS: Record<string, number> = {
  text: 0,
  util: 0,
  'env-file': 0,
  log: 1,
  metrics: 1,
  probe: 1,
  database: 2,
  diagnose: 2,
  policy: 2,
  posture: 2,
  'posture-report': 3,
  check: 3,
  proof: 3,
  'watch-model': 3,
  'config-parts': 4,
  render: 4,
  store: 4,
  vantage: 4,
  config: 5,
  fleet: 5,
  watch: 6,
  chat: 7,
  'fleet-context': 8,
  cli: 9,
  slack: 9,
  console: 10,
  main: 11,
};

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const IMPORT =
  /^\s*(?:import|export)\s+(?:type\s+)?(?:[^;'"]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
const ENV_READ = /\benv(?:\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]|\.([A-Z][A-Z0-9_]*)\b)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function roomOf(path: string): string {
  const [first = '', second] = relative(SRC, path).split('/');
  return second === undefined ? first.replace(/\.ts$/, '') : first;
}

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = normalize(join(dirname(from), spec));
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** Comments say why, and may name files: only code counts. */
function code(path: string): string {
  return readFileSync(path, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

const files = sourceFiles(SRC);

describe('the floors of src/', () => {
  test('every room has a floor', () => {
    const rooms = [...new Set(files.map(roomOf))].sort();
    expect(rooms.filter((room) => FLOORS[room] === undefined)).toEqual([]);
  });

  test('a room imports only rooms on lower floors', () => {
    const upward: string[] = [];
    for (const file of files) {
      const room = roomOf(file);
      for (const match of code(file).matchAll(IMPORT)) {
        const target = resolveImport(file, match[1] ?? match[2] ?? '');
        if (target === null || roomOf(target) === room) continue;
        const floor = FLOORS[room] ?? -1;
        const targetFloor = FLOORS[roomOf(target)] ?? -1;
        if (targetFloor >= floor) {
          upward.push(
            `${relative(SRC, file)} (${room}, floor ${floor}) imports ${relative(SRC, target)} (floor ${targetFloor})`,
          );
        }
      }
    }
    expect(upward).toEqual([]);
  });

  test('settings are read in config.ts alone', () => {
    const reads = files
      .filter((file) => relative(SRC, file) !== 'config.ts')
      .flatMap((file) =>
        [...code(file).matchAll(ENV_READ)].map((match) => `${relative(SRC, file)}: ${match[1] ?? match[2]}`),
      );
    expect(reads).toEqual([]);
  });
});
