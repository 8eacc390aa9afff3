/**
 * Command-line handling of the bench runner: which sections to run.
 */
import type { Section } from './types.js';

const SECTION_NAME = /^[a-z0-9_-]+$/;

/** A section name on the command line that is not registered. The runner exits with code 2. */
export class UnknownSectionError extends Error {
  constructor(
    readonly unknown: readonly string[],
    readonly valid: readonly string[],
  ) {
    super(
      `unknown bench section${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}; ` +
        `valid sections: ${valid.join(', ')}`,
    );
    this.name = 'UnknownSectionError';
  }
}

/** Checks the registry: names well-formed and unique. Throws an Error naming the offending section. */
export function validateRegistry(sections: readonly Section[]): void {
  const seen = new Set<string>();
  for (const s of sections) {
    if (!SECTION_NAME.test(s.name)) {
      throw new Error(`bench section name '${s.name}' must match ${String(SECTION_NAME)}`);
    }
    if (seen.has(s.name)) throw new Error(`bench section '${s.name}' is registered twice`);
    seen.add(s.name);
  }
}

/**
 * Picks the sections named in `args` (registry order, duplicates collapsed); no names means all of them.
 * Throws {@link UnknownSectionError} when a name is not registered.
 */
export function selectSections(sections: readonly Section[], args: readonly string[]): Section[] {
  if (args.length === 0) return [...sections];
  const valid = sections.map((s) => s.name);
  const wanted = new Set(args);
  const unknown = [...wanted].filter((n) => !valid.includes(n));
  if (unknown.length > 0) throw new UnknownSectionError(unknown, valid);
  return sections.filter((s) => wanted.has(s.name));
}
