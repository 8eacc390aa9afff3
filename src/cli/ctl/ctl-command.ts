/**
 * `cloudletd ctl`: parses the command line, builds the request (usage errors exit 2 before anything is sent),
 * connects to the controller's API and runs the verb. Errors are one line on stderr: `error: <CODE>: <message>`
 * for a refused call (exit 1), `error: <message>` plus a hint for a usage error (exit 2).
 */
import type { WriteStream } from 'node:tty';
import { Code, isCodedError } from '../../core/errors.js';
import { ApiClient } from '../api-client.js';
import type { Command, CommandContext } from '../command.js';
import { CTL_EXIT, type CtlContext } from './context.js';
import { CTL_VERBS, parseCtlArgs, type CtlRun, type ParsedCtlArgs } from './ctl-args.js';
import { ctlHelp, kindHelp, verbHelp } from './ctl-help.js';
import { findKind, type CtlKind } from './kinds.js';
import { readBodyFile, requestObject, updateFields, type RequestObject } from './object-body.js';
import { runChange, runShow } from './verbs.js';

/** The request of a verb on a kind, built and checked before anything is sent. */
interface Prepared {
  readonly kind: CtlKind;
  readonly request: RequestObject;
}

async function prepare(run: CtlRun, signal: AbortSignal): Promise<Prepared | undefined> {
  const { kind } = run;
  if (!kind) return undefined;
  const body = run.file === undefined ? {} : await readBodyFile(kind, run.file, signal);
  const request = requestObject(kind, run.fields, body);
  if (run.verb !== 'update') return { kind, request };
  const fields = updateFields(kind, request.json);
  return { kind, request: { json: request.json, message: { ...(request.message as object), fields } } };
}

async function execute(ctx: CtlContext, run: CtlRun, prepared: Prepared | undefined): Promise<number> {
  if (!prepared) {
    // apply -f FILE and the data-file delete -f FILE: loaded only when used.
    const dataFile = await import('./apply.js');
    const file = run.file ?? '';
    return run.verb === 'apply' ? dataFile.applyFile(ctx, file) : dataFile.deleteFile(ctx, file);
  }
  const { kind, request } = prepared;
  switch (run.verb) {
    case 'show':
      return runShow(ctx, kind, request.message, run.output);
    case 'create':
    case 'update':
    case 'delete':
      return runChange(ctx, kind, run.verb, request);
    default:
      return CTL_EXIT.usage;
  }
}

function helpText(parsed: ParsedCtlArgs & { help: true }): string {
  if (parsed.verb && parsed.kind) return kindHelp(parsed.verb, parsed.kind);
  if (parsed.verb) return verbHelp(parsed.verb);
  return ctlHelp();
}

function hintOf(argv: readonly string[]): string {
  const verbAt = argv.findIndex((a) => (CTL_VERBS as readonly string[]).includes(a));
  if (verbAt < 0) return 'cloudletd ctl --help';
  const kind = findKind(argv[verbAt + 1] ?? '');
  return `cloudletd ctl ${argv[verbAt] ?? ''}${kind ? ` ${kind.name}` : ''} --help`;
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ').replace(/\s*Resolution note:\s*$/, '').trim();
}

/**
 * `cloudletd ctl`: see {@link parseCtlArgs} for the command line and {@link runChange} / {@link runShow} for what
 * the verbs do. Resolves to the exit code: 0 done; 1 the API refused, an object ended in *_ERROR, a deadline
 * passed or SIGTERM/SIGINT interrupted (the context's signal cancels the calls); 2 a usage error (unknown verb,
 * kind, flag or field, bad value, unreadable `-f` file). `--help` prints on stdout and resolves 0. Never throws.
 */
export const ctlCommand: Command = {
  name: 'ctl',
  summary: 'client of the controller API: create, update, delete, show objects; apply -f / delete -f data files',
  async run(context: CommandContext): Promise<number> {
    let parsed: ParsedCtlArgs | undefined;
    let prepared: Prepared | undefined;
    try {
      parsed = parseCtlArgs(context.argv, context.env);
      if (parsed.help) {
        context.stdout.write(helpText(parsed) + '\n');
        return CTL_EXIT.ok;
      }
      prepared = await prepare(parsed, context.signal);
    } catch (err) {
      const usage = isCodedError(err) && err.code === Code.INVALID_ARGUMENT;
      context.stderr.write(usage ? `error: ${messageOf(err)}\nsee: ${hintOf(context.argv)}\n` : `error: ${isCodedError(err) ? err.code : 'UNKNOWN'}: ${messageOf(err)}\n`);
      return usage ? CTL_EXIT.usage : CTL_EXIT.apiError;
    }
    const run = parsed;
    const api = new ApiClient(run.settings.addr, { defaultTimeoutMs: run.settings.timeoutMs });
    const ctx: CtlContext = {
      api, stdout: context.stdout, stderr: context.stderr, signal: context.signal,
      interactive: (context.stderr as Partial<WriteStream>).isTTY === true,
      timeoutMs: run.settings.timeoutMs, waitTimeoutMs: run.settings.waitTimeoutMs,
    };
    try {
      return await execute(ctx, run, prepared);
    } catch (err) {
      if (context.signal.aborted) {
        context.stderr.write(`error: ${Code.CANCELLED}: interrupted (${messageOf(context.signal.reason)})\n`);
      } else {
        context.stderr.write(`error: ${isCodedError(err) ? err.code : Code.UNKNOWN}: ${messageOf(err)}\n`);
      }
      return CTL_EXIT.apiError;
    } finally {
      api.close();
    }
  },
};
