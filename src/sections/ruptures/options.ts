/**
 * The `ruptures:` section of a --config file and the ruptures flags -> RupturesOptions
 * (shared by `alliance ruptures` and the report's ruptures section).
 */
import { normalizeBy } from '../../names.js';
import { UserError } from '../../errors.js';
import type { RupturesOptions } from '../../analysis/ruptures.js';
import { readSection, tableKeys, type OptionTable } from '../../config/option-table.js';

/** Every ruptures option: its flag and help, its config key, its type and range. */
export const RUPTURES_TABLE = [
  {
    key: 'ruptureDrop',
    type: 'number',
    arg: '<points>',
    range: { min: 0, minExclusive: true },
    example: '5',
    // The drop in points or as a multiple of the SD: two ways to give one setting, so a
    // flag for either sets aside the other's config value (a flag wins over the config).
    alternatives: ['ruptureSd'],
    description: 'a rupture is a drop of at least this many points from the previous rated session (default: 2 x the pooled within-client SD of the alliance)',
  },
  {
    key: 'ruptureSd',
    type: 'number',
    arg: '<k>',
    range: { min: 0, minExclusive: true },
    example: '2',
    alternatives: ['ruptureDrop'],
    description: 'without --rupture-drop: the drop as this multiple of the pooled within-client SD (default 2)',
  },
  {
    key: 'repairWindow',
    type: 'number',
    arg: '<sessions>',
    range: { min: 1, integer: true },
    example: '3',
    description: 'a repair must reach the pre-rupture level within this many sessions (default 3)',
  },
  {
    key: 'by',
    type: 'list',
    arg: '<cols>',
    description: 'rupture rates per therapist or group column, with confidence intervals; several columns, comma-separated, are nested (site,therapist)',
  },
  {
    key: 'minClients',
    type: 'number',
    arg: '<n>',
    range: { min: 1, integer: true },
    example: '5',
    description: 'suppress --by groups with fewer assessed clients than this (default 5)',
  },
  { key: 'clients', type: 'boolean', default: false, description: 'add the per-client tables (class, episodes; the --format csv output)' },
  {
    key: 'model',
    type: 'boolean',
    default: false,
    description: 'also fit outcome ~ session * class + (1 | client), a mixed model of outcome over sessions by rupture class (REML, Satterthwaite df)',
  },
] as const satisfies OptionTable;

/** Config keys of the `ruptures:` section (camelCase; kebab-case accepted). */
export const SECTION_KEYS = tableKeys(RUPTURES_TABLE);

/** Flags (and the `ruptures:` config section; explicit flags win) -> analysis options. */
export function rupturesOptions(
  flags: Record<string, unknown>,
  section: Record<string, unknown> = {},
  explicit = new Set<string>(),
  configPath = 'config',
  lines?: Record<string, number>,
  /** The config is the only source (the report): every option is named by its key. */
  only = false,
): RupturesOptions {
  const { values: t, names: n } = readSection(RUPTURES_TABLE, 'ruptures', { flags, section, explicit, configPath, lines, only });
  const o: RupturesOptions = {};
  o.ruptureDrop = t.ruptureDrop;
  o.ruptureSd = t.ruptureSd;
  // Both from the same place (two flags, or two keys of the config): nothing says which
  // was meant. A flag for one and the config for the other never get here: the flag won
  // (the rows' alternatives, readTable).
  if (o.ruptureDrop !== undefined && o.ruptureSd !== undefined) {
    throw new UserError(
      `${n.name('ruptureDrop')} and ${n.name('ruptureSd')} cannot be combined`,
      n.place(
        ['ruptureDrop', 'ruptureSd'],
        `Give the drop in points (${n.name('ruptureDrop')}) or as a multiple of the within-client SD (${n.name('ruptureSd')}), not both`,
      ),
    );
  }
  o.repairWindow = t.repairWindow;
  if (t.by !== undefined) o.by = normalizeBy(t.by);
  o.minClients = t.minClients;
  o.clients = t.clients ?? false;
  if (t.model) o.model = true;
  return o;
}
