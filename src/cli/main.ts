#!/usr/bin/env node
import { createLogger } from '../core/logger.js';
import { isCodedError } from '../core/errors.js';
import type { Command, CommandContext } from './command.js';
import { allCommands } from './commands.js';
import { EXIT_USAGE } from './usage-error.js';
import { packageVersion } from './version.js';

function usage(commands: readonly Command[]): string {
  const width = Math.max(8, ...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: cloudletd <command> [flags]',
    '',
    'Edge-cloud control plane, wire-compatible with edgeproto.',
    '',
    'commands:',
    ...(lines.length > 0 ? lines : ['  (none yet)']),
    `  ${'help'.padEnd(width)}  show this help`,
    `  ${'version'.padEnd(width)}  print the version`,
    '',
    'Run `cloudletd <command> --help` for the flags of a command.',
  ].join('\n');
}

/** Builds the root AbortController from SIGTERM/SIGINT. A second signal exits at once. */
function rootSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error(`received ${name}`));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return controller.signal;
}

async function main(argv: readonly string[]): Promise<number> {
  const commands = allCommands();
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage(commands) + '\n');
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === 'version' || name === '--version' || name === '-v') {
    process.stdout.write(`cloudletd ${packageVersion()}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`cloudletd: unknown command "${name}"; run \`cloudletd help\` for the list\n`);
    return EXIT_USAGE;
  }
  const context: CommandContext = {
    argv: rest,
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    signal: rootSignal(),
    createLogger: (options) => createLogger(options),
  };
  try {
    return await command.run(context);
  } catch (e) {
    const code = isCodedError(e) ? e.code : 'UNKNOWN';
    process.stderr.write(`cloudletd ${name}: ${code}: ${e instanceof Error ? e.message : String(e)}\n`);
    return isCodedError(e) && e.code === 'INVALID_ARGUMENT' ? EXIT_USAGE : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
