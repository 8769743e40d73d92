import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { parseEuroAmount } from './domain/money.js';

const channelId = z.string().regex(/^[CG][A-Z0-9]{8,}$/, 'expected a Slack channel id (C0123456789)');
const userId = z.string().regex(/^[UW][A-Z0-9]{8,}$/, 'expected a Slack user id (U0123456789)');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time HH:MM');
const euro = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const cents = parseEuroAmount(String(value));
  if (cents === null) {
    ctx.addIssue({ code: 'custom', message: 'expected an amount in euros such as "5,00"', continue: true });
    return z.NEVER;
  }
  return cents;
});

const teamSchema = z.strictObject({
  key: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'expected a short lower-case key (noord, oost-2)'),
  name: z.string().min(1),
  channel: channelId,
  members: z.array(userId).default([]),
});

const mtSchema = z
  .strictObject({
    channel: channelId,
    members: z.array(userId).default([]),
    usergroup: z
      .string()
      .regex(/^S[A-Z0-9]{8,}$/, 'expected a Slack user group id (S0123456789)')
      .optional(),
    quorum: z.number().int().min(1).default(3),
    voteTermWorkdays: z.number().int().min(1).max(30).default(3),
  })
  .refine((mt) => mt.members.length > 0 || mt.usergroup !== undefined, {
    message: 'expected members or a usergroup',
    path: ['members'],
  })
  .refine((mt) => mt.members.length === 0 || mt.quorum <= new Set(mt.members).size, {
    message: 'the quorum is larger than the number of members: no vote could ever close',
    path: ['quorum'],
  });

const contactSchema = z.strictObject({
  name: z.string().min(1),
  address: z.string().default(''),
  phone: z.string().default(''),
  email: z.string().default(''),
  url: z.string().default(''),
});

/** The corporation as the letters show it; everything but the name may be left out and is then not printed. */
const senderSchema = contactSchema.extend({
  department: z.string().default(''),
  signatory: z.string().default(''),
  visitingAddress: z.string().default(''),
  openingHours: z.string().default(''),
  iban: z.string().default(''),
});

/**
 * Every threshold of the procedure, with the default the customer or the law gives.
 * The comments name the source so a reviewer can check the number.
 */
export const configSchema = z
  .object({
    timezone: z.literal('Europe/Amsterdam').default('Europe/Amsterdam'),
    dailyRunAt: hhmm.default('07:00'),
    detectionWorkday: z.number().int().min(1).max(15).default(8), // P1.a: "7e of 8e werkdag"
    minimumArrears: euro.default(500), // below this a balance is not arrears
    reminderTermDays: z.number().int().min(14).default(14), // P1.b and art. 6:96 lid 6 BW: at least 14 days
    cardTermDays: z.number().int().min(1).default(7), // P2.d.2
    bailiffTermDays: z.number().int().min(1).default(14), // P3.b
    maxArrangementMonths: z.number().int().min(1).max(24).default(6), // P2.c.4
    probationYears: z.number().int().min(1).default(2), // P4.a.1
    paidBeforeEvictionHours: z.number().int().min(0).default(24), // P4.a
    holidays: z
      .strictObject({
        // Good Friday and Liberation Day are not generally paid days off in the Netherlands.
        goodFriday: z.boolean().default(false),
        liberationDay: z.boolean().default(false),
      })
      .default({ goodFriday: false, liberationDay: false }),
    teams: z.array(teamSchema).default([]),
    mt: mtSchema.optional(),
    letters: z
      .strictObject({
        sender: senderSchema,
        debtHelp: contactSchema, // P1: the Traverse leaflet's contact details
        bailiff: contactSchema.optional(), // the addressee of the handover summary (P3.b)
        templatesDir: z.string().min(1).optional(), // adapted letter texts; default the built-in templates/letters
      })
      .optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.teams.forEach((team, i) => {
      const first = seen.get(team.key);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['teams', i, 'key'], message: `duplicate team key "${team.key}" (also teams[${first}])` });
      }
      seen.set(team.key, i);
    });
  });

export type Config = z.output<typeof configSchema>;
export type TeamConfig = Config['teams'][number];

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  }
  return out || '(root)';
}

/** Validates a parsed config object and lists every problem with its path. */
export function parseConfig(raw: unknown, source = 'configuration'): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw new ConfigError(
      source,
      result.error.issues.flatMap((issue) =>
        // Name each unknown key by its own path: `mt.voteTermWorkday: unknown key`.
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => `${issuePath([...issue.path, key])}: unknown key`)
          : [`${issuePath(issue.path)}: ${issue.message}`],
      ),
    );
  }
  return result.data;
}

export interface ConfigLocation {
  /** `--config FILE` */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * `--config FILE`, else `HUURWACHT_CONFIG`, else `./huurwacht.yml`. Only the last may be absent
 * (then the defaults apply and no teams exist); a file named explicitly must exist.
 */
export function loadConfig(location: ConfigLocation = {}): { config: Config; source: string | null } {
  const env = location.env ?? process.env;
  const cwd = location.cwd ?? process.cwd();
  const named = location.file || env.HUURWACHT_CONFIG || undefined; // an empty variable counts as unset
  const path = resolve(cwd, named ?? 'huurwacht.yml');
  if (!existsSync(path)) {
    if (named) throw new ConfigError(path, ['file not found']);
    return { config: parseConfig({}, 'defaults'), source: null };
  }
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      throw new ConfigError(path, [`${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${err.message}`]);
    }
    throw err;
  }
  return { config: parseConfig(raw, path), source: path };
}
