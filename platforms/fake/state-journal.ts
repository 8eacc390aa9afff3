/**
 * An append-only JSON-lines journal of keyed records: the fake platform's memory across restarts.
 *
 * Each mutation appends one line (`{"t":"put","r":<record>}` or `{"t":"del","k":<key>}`) with one synchronous
 * write on an fd opened for appending, so a mutation costs one small write however many records there are, and a
 * process killed at any moment (SIGKILL) leaves every line it wrote before, plus at most one torn last line. Lines
 * are not fsynced: the journal survives the process dying, not the machine losing power (enough for a fake).
 *
 * Opening replays the file, ignores a torn last line (a line counts only once its newline is written) and cuts it
 * off, and compacts when the file holds many more lines than live records: all records are written to a temp
 * file, fsynced and renamed over the journal. The same compaction runs while appending, so the file stays within
 * a constant factor of the live records.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { internal } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';

/** Options of {@link StateJournal.open}. */
export interface StateJournalOptions<T> {
  /** Directory of the journal file (created when missing and `persist`). */
  readonly dir: string;
  /** File name inside `dir`, e.g. `fake-platform.jsonl`. */
  readonly file: string;
  /** false: the file is read if it exists, but nothing is ever written (dry runs). */
  readonly persist: boolean;
  /** Checks a replayed record; records that fail are skipped with a warning. */
  readonly validate: (value: unknown) => value is T;
  readonly log: Logger;
  /**
   * Compaction happens when the file has more than `max(compactMinLines, 3 × live records)` lines.
   * Default 1000.
   */
  readonly compactMinLines?: number;
}

type Line<T> = { t: 'put'; r: T } | { t: 'del'; k: string };

/** Keyed records kept in memory and journaled to one file. Synchronous; one writer per file. */
export class StateJournal<T extends { readonly key: string }> {
  private readonly records = new Map<string, T>();
  private fd: number | undefined;
  private lineCount = 0;
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly options: StateJournalOptions<T>,
  ) {}

  /**
   * Opens (or starts) the journal: replays it, drops a torn last line, compacts if worthwhile. Throws INTERNAL
   * when the file cannot be read or written.
   */
  static open<T extends { readonly key: string }>(options: StateJournalOptions<T>): StateJournal<T> {
    const journal = new StateJournal<T>(join(options.dir, options.file), options);
    try {
      journal.replay();
      if (options.persist) {
        mkdirSync(options.dir, { recursive: true });
        if (journal.lineCount > journal.compactLimit()) journal.compact();
        else journal.fd = openSync(journal.path, 'a');
      }
    } catch (e) {
      journal.close();
      throw internal(`cannot open the fake platform journal ${journal.path}: ${(e as Error).message}`, e);
    }
    return journal;
  }

  /** Number of live records. */
  get size(): number {
    return this.records.size;
  }

  /** Number of lines in the journal file (what compaction looks at). */
  get lines(): number {
    return this.lineCount;
  }

  get(key: string): T | undefined {
    return this.records.get(key);
  }

  /** The live records, in the order their keys were first put (a key deleted and put again goes last). */
  values(): IterableIterator<T> {
    return this.records.values();
  }

  /** Sets the record of `record.key` and journals it. */
  put(record: T): void {
    this.assertOpen();
    this.records.set(record.key, record);
    this.append({ t: 'put', r: record });
  }

  /** Removes the record of `key`; journals only when there was one. Returns whether there was. */
  delete(key: string): boolean {
    this.assertOpen();
    if (!this.records.delete(key)) return false;
    this.append({ t: 'del', k: key });
    return true;
  }

  /** Rewrites the file with one line per live record (temp file, fsync, rename). No-op when not persisting. */
  compact(): void {
    if (!this.options.persist) return;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      let chunk = '';
      for (const r of this.records.values()) {
        chunk += JSON.stringify({ t: 'put', r } satisfies Line<T>) + '\n';
        if (chunk.length > 1 << 20) {
          writeAll(fd, chunk);
          chunk = '';
        }
      }
      writeAll(fd, chunk);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    syncDir(this.options.dir);
    this.lineCount = this.records.size;
    this.fd = openSync(this.path, 'a');
  }

  /** Closes the file. Idempotent; later mutations throw INTERNAL. */
  close(): void {
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private compactLimit(): number {
    return Math.max(this.options.compactMinLines ?? 1000, 3 * this.records.size);
  }

  private assertOpen(): void {
    if (this.closed) throw internal('fake platform journal is closed');
  }

  private append(line: Line<T>): void {
    if (!this.options.persist) return;
    if (this.fd === undefined) throw internal('fake platform journal is not open');
    writeAll(this.fd, JSON.stringify(line) + '\n');
    this.lineCount++;
    if (this.lineCount > this.compactLimit()) this.compact();
  }

  private replay(): void {
    if (!existsSync(this.path)) return;
    const content = readFileSync(this.path, 'utf8');
    const end = content.lastIndexOf('\n') + 1;
    if (end < content.length) {
      this.options.log.warn({ file: this.path, bytes: content.length - end }, 'ignoring torn last line of the journal');
      if (this.options.persist) truncateSync(this.path, Buffer.byteLength(content.slice(0, end)));
    }
    let lineNo = 0;
    for (const text of content.slice(0, end).split('\n')) {
      lineNo++;
      if (text === '') continue;
      this.lineCount++;
      const line = parseLine(text);
      if (line?.t === 'put' && this.options.validate(line.r)) {
        this.records.set(line.r.key, line.r);
      } else if (line?.t === 'del') {
        this.records.delete(line.k);
      } else {
        this.options.log.warn({ file: this.path, line: lineNo }, 'skipping a corrupt journal line');
      }
    }
  }
}

function parseLine<T>(text: string): Line<T> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const line = value as { t?: unknown; r?: unknown; k?: unknown };
    if (line.t === 'put' && typeof line.r === 'object' && line.r !== null) return line as Line<T>;
    if (line.t === 'del' && typeof line.k === 'string') return line as Line<T>;
    return undefined;
  } catch {
    return undefined;
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

/** fsync of the directory so the rename is durable; not supported everywhere, so failures are ignored. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
