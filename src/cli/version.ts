import { readFileSync } from 'node:fs';

/**
 * The package version, read from package.json next to the sources (`../../package.json` from src/cli, and
 * `../../../package.json` from the built dist/src/cli). Reads the file on every call; call it once.
 */
export function packageVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cloudletd' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0-unknown';
}
