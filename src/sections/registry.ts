/**
 * Every analysis section, in the order `alliance report` runs and prints them. A new
 * analysis is a folder under src/sections/ (its options, its Section) added here; the
 * report then accepts it under report.sections, reads its config section, runs it and
 * writes its tables, charts, headlines and references, and a command is
 * `sectionCommand(section, ...)` in src/cli/commands/.
 */
import type { Section } from './section.js';
import { validateSection } from './validate/index.js';
import { describeSection } from './describe/index.js';
import { correlateSection } from './correlate/index.js';
import { trendSection } from './trend/index.js';
import { modelSection } from './model/index.js';
import { rupturesSection } from './ruptures/index.js';

export const SECTIONS: readonly Section[] = [validateSection, describeSection, correlateSection, trendSection, modelSection, rupturesSection];

export const SECTION_NAMES: readonly string[] = SECTIONS.map((s) => s.name);

export function getSection(name: string): Section | undefined {
  return SECTIONS.find((s) => s.name === name);
}
