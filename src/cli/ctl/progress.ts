/**
 * Progress of a streamed change on stderr: on a terminal one line rewritten in place (cleared when done), otherwise
 * one plain line per message, so logs and pipes keep every step.
 */

const CLEAR_LINE = '\r\x1b[2K';

/** Writes the progress messages of one object (`<label>: <message>`). */
export class ProgressLine {
  private shown = false;

  /** `interactive`: rewrite one line in place (a TTY); otherwise write plain lines. */
  constructor(
    private readonly stderr: NodeJS.WritableStream,
    private readonly interactive: boolean,
    private readonly label: string,
  ) {}

  /** Shows `message` (blank messages are skipped; newlines in it become spaces). */
  update(message: string): void {
    const text = message.replace(/\s+/g, ' ').trim();
    if (text === '') return;
    const line = `${this.label}: ${text}`;
    if (!this.interactive) {
      this.stderr.write(line + '\n');
      return;
    }
    const columns = (this.stderr as { columns?: number }).columns ?? 120;
    this.stderr.write(CLEAR_LINE + (line.length >= columns ? line.slice(0, Math.max(columns - 2, 1)) + '…' : line));
    this.shown = true;
  }

  /** Ends the progress: on a terminal the live line is cleared. Idempotent. */
  done(): void {
    if (this.shown) this.stderr.write(CLEAR_LINE);
    this.shown = false;
  }
}
