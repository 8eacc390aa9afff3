import type { Logger } from '../core/logger.js';
import type { Store } from '../store/store.js';

const PREFIX = 'journal/';

/** The two kinds of instance the CRM reconciles. */
export type InstKind = 'ClusterInst' | 'AppInst';

/** A platform operation that started and has not ended. */
export interface JournalEntry {
  readonly kind: InstKind;
  /** The instance's key string. */
  readonly key: string;
  readonly op: 'create' | 'update' | 'delete';
  /** Epoch ms when it started. */
  readonly startedAt: number;
  /** Set when it was cancelled by a shutdown (the next start resumes or cleans it up). */
  readonly cancelledAt?: number;
}

const storeKey = (kind: InstKind, key: string): string => `${PREFIX}${kind}/${key}`;

/**
 * The operation journal: every platform create/update/delete is recorded in the local store **before** it starts
 * (`begin` resolves only once the record is durable) and removed when it ends. After a crash or a shutdown the
 * entries left say what was in flight; the CRM reconciles those keys first and either completes them (the desired
 * object still wants them) or cleans them up. Entries are mirrored in memory for cheap reads.
 */
export class OperationJournal {
  private readonly entries = new Map<string, JournalEntry>();

  constructor(private readonly store: Store, private readonly log: Logger) {}

  /** Loads the entries a previous run left. Call once, before any `begin`. */
  async load(): Promise<readonly JournalEntry[]> {
    const page = await this.store.list(PREFIX);
    let startAfter: string | undefined;
    let kvs = page.kvs;
    let more = page.more;
    for (;;) {
      for (const kv of kvs) {
        try {
          const entry = JSON.parse(Buffer.from(kv.value).toString('utf8')) as JournalEntry;
          this.entries.set(storeKey(entry.kind, entry.key), entry);
        } catch (err) {
          this.log.warn({ key: kv.key, err }, 'journal entry unreadable, dropped');
          await this.store.txn({ success: [{ delete: { key: kv.key } }] });
        }
      }
      if (!more) break;
      startAfter = kvs[kvs.length - 1]?.key;
      const next = await this.store.list(PREFIX, { startAfter });
      kvs = next.kvs;
      more = next.more;
    }
    return [...this.entries.values()];
  }

  /** The open entry of an instance, if any. */
  get(kind: InstKind, key: string): JournalEntry | undefined {
    return this.entries.get(storeKey(kind, key));
  }

  /** Open entries. */
  all(): JournalEntry[] {
    return [...this.entries.values()];
  }

  /** Records that `op` starts on the instance; resolves when durable. Replaces an older entry of the same key. */
  async begin(kind: InstKind, key: string, op: JournalEntry['op']): Promise<void> {
    const entry: JournalEntry = { kind, key, op, startedAt: Date.now() };
    await this.write(entry);
  }

  /** Marks the entry cancelled (a shutdown stopped it); it stays for the next start. */
  async cancel(kind: InstKind, key: string): Promise<void> {
    const entry = this.get(kind, key);
    if (entry) await this.write({ ...entry, cancelledAt: Date.now() });
  }

  /** Removes the entry (the operation ended, successfully or not). Idempotent. */
  async end(kind: InstKind, key: string): Promise<void> {
    const k = storeKey(kind, key);
    if (!this.entries.has(k)) return;
    this.entries.delete(k);
    await this.store.txn({ success: [{ delete: { key: k } }] });
  }

  private async write(entry: JournalEntry): Promise<void> {
    const k = storeKey(entry.kind, entry.key);
    await this.store.txn({ success: [{ put: { key: k, value: Buffer.from(JSON.stringify(entry), 'utf8') } }] });
    this.entries.set(k, entry);
  }
}
