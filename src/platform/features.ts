import type { AppInstRuntime, OperationContext } from './operation.js';
import type { AppInst } from '../gen/edgeproto/app_inst.js';

/** What RunCommand asks for: a command in one of the AppInst's containers. */
export interface ExecCommand {
  /** The AppInst's key string. */
  readonly key: string;
  readonly appInst: AppInst;
  readonly command: string;
  /** A container id from runtime_info, or empty for the first one. */
  readonly containerId: string;
}

/** The outcome of a command that ran. A command that could not be run at all rejects instead. */
export interface ExecResult {
  readonly output: string;
  readonly exitCode: number;
}

/** Running a command inside an AppInst (ExecApi.RunCommand). */
export interface ExecCapability {
  /** Runs `command.command`; rejects NOT_FOUND when the AppInst or container does not exist. Honors ctx.signal. */
  run(command: ExecCommand, ctx: OperationContext): Promise<ExecResult>;
}

/** The last lines of an AppInst's log. */
export interface LogsCapability {
  tail(key: string, lines: number, ctx: OperationContext): Promise<string>;
}

/** Live runtime facts and usage of one AppInst. */
export interface RuntimeCapability {
  /** NOT_FOUND when the AppInst does not exist on the platform. */
  appInstRuntime(key: string, ctx: OperationContext): Promise<AppInstRuntime>;
}

/** Optional powers of a driver; an absent entry means the driver does not have it (never a stub that throws). */
export interface PlatformFeatures {
  readonly exec?: ExecCapability;
  readonly logs?: LogsCapability;
  readonly runtime?: RuntimeCapability;
}
