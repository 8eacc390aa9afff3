/**
 * The one list of bench sections, in the order `npm run bench` runs them.
 * To add a section: write `bench/sections/<name>.ts` exporting a {@link Section}, then list it here.
 */
import type { Section } from '../lib/types.js';
import { controllerSection } from './controller.js';
import { crmSection } from './crm.js';
import { dmeSection } from './dme.js';
import { dockerSection } from './docker.js';
import { notifySection } from './notify.js';
import { restSection } from './rest.js';
import { wireSection } from './wire.js';

export const sections: readonly Section[] = [wireSection, notifySection, controllerSection, crmSection, dockerSection, dmeSection, restSection];
