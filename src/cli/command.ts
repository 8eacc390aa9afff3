import type { LogFormat, Logger, LogLevel } from '../core/logger.js';

/** What a subcommand gets from the entry point: its own arguments, the environment, output streams and a signal. */
export interface CommandContext {
  /** Arguments after the subcommand name. */
  readonly argv: readonly string[];
  /** The process environment (read only here, in the cli layer). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Aborted on SIGTERM/SIGINT; a command stops gracefully when it fires. */
  readonly signal: AbortSignal;
  /** Creates the command's logger once its flags (level, format) are known. */
  readonly createLogger: (options: { level: LogLevel; format: LogFormat }) => Logger;
}

/** A `cloudletd` subcommand. `run` resolves to the process exit code; it never calls `process.exit` itself. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  run(context: CommandContext): Promise<number>;
}
