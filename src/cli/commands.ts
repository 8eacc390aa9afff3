import type { Command } from './command.js';
import { controllerCommand } from './controller-command.js';
import { crmCommand } from './crm-command.js';
import { ctlCommand } from './ctl/ctl-command.js';
import { dmeCommand } from './dme-command.js';
import { healthCommand } from './health-command.js';
import { upCommand } from './up-command.js';

/**
 * Every subcommand of `cloudletd`, in the order `help` lists them. Roles (controller, crm, dme, up, ctl,
 * fake-infra) register here as they are built.
 */
export function allCommands(): readonly Command[] {
  return [upCommand, controllerCommand, crmCommand, dmeCommand, healthCommand, ctlCommand];
}
