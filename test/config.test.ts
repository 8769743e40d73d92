import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../src/config.js';
import { scratchDir } from './support/files.js';

const files = scratchDir();
afterAll(() => files.cleanup());

const REPO = fileURLToPath(new URL('..', import.meta.url));

/** The problems of a ConfigError (fails the test when the call does not throw one). */
function problemsOf(fn: () => unknown): { error: ConfigError; problems: string[] } {
  let caught: unknown = null;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const error = caught as ConfigError;
  return { error, problems: error.problems };
}

const validTeam = { key: 'noord', name: 'Wijkteam Noord', channel: 'C0123456789', members: ['U0AAAAAAAA'] };

describe('parseConfig: defaults of DATA-FORMATS.md', () => {
  it('an empty file gives every documented default', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      timezone: 'Europe/Amsterdam',
      dailyRunAt: '07:00',
      detectionWorkday: 8, // P1.a
      minimumArrears: 500, // "5,00" in cents
      reminderTermDays: 14, // P1.b
      cardTermDays: 7, // P2.d.2
      bailiffTermDays: 14, // P3.b
      maxArrangementMonths: 6, // P2.c.4
      probationYears: 2, // P4.a.1
      paidBeforeEvictionHours: 24, // P4.a
      holidays: { goodFriday: false, liberationDay: false },
      teams: [],
    });
    expect(config.mt).toBeUndefined();
    // A YAML file with only comments parses to null: same defaults.
    expect(parseConfig(null)).toEqual(config);
  });

  it('reads minimumArrears in euros, with a decimal comma or point, as integer cents', () => {
    expect(parseConfig({ minimumArrears: '5,00' }).minimumArrears).toBe(500);
    expect(parseConfig({ minimumArrears: '12.5' }).minimumArrears).toBe(1250);
    expect(parseConfig({ minimumArrears: 7 }).minimumArrears).toBe(700);
    expect(parseConfig({ minimumArrears: '0' }).minimumArrears).toBe(0);
  });

  it('fills the defaults of a team and of the MT', () => {
    const config = parseConfig({
      teams: [{ key: 'oost-2', name: 'Oost 2', channel: 'C0123456789' }],
      mt: { channel: 'G0123456789', usergroup: 'S0123456789' },
    });
    expect(config.teams).toEqual([{ key: 'oost-2', name: 'Oost 2', channel: 'C0123456789', members: [] }]);
    expect(config.mt).toEqual({ channel: 'G0123456789', members: [], usergroup: 'S0123456789', quorum: 3, voteTermWorkdays: 3 });
  });
});

describe('parseConfig: an invalid configuration lists every problem with its path', () => {
  it('reports a bad channel, a bad amount, an unknown key and more, all at once', () => {
    const { error, problems } = problemsOf(() =>
      parseConfig(
        {
          minimumArrears: '1.234,56',
          dailyRunAt: '7:00',
          detectionWorkday: 0,
          reminderTermDays: 10, // art. 6:96 BW: at least 14 days
          timezone: 'Europe/London',
          colour: 'blue',
          teams: [validTeam, { key: 'zuid', name: 'Wijkteam Zuid', channel: '#zuid', members: ['jan'] }],
        },
        'huurwacht.yml',
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'teams[1].channel: expected a Slack channel id (C0123456789)',
        'teams[1].members[0]: expected a Slack user id (U0123456789)',
        'minimumArrears: expected an amount in euros such as "5,00"',
        'dailyRunAt: expected a time HH:MM',
        expect.stringMatching(/^detectionWorkday: /),
        expect.stringMatching(/^reminderTermDays: /),
        expect.stringMatching(/^timezone: /),
        'colour: unknown key',
      ]),
    );
    expect(problems).toHaveLength(8);
    expect(error.source).toBe('huurwacht.yml');
    expect(error.message).toMatch(/^Invalid configuration huurwacht\.yml:\n/);
    for (const problem of problems) expect(error.message).toContain(`  - ${problem}`);
  });

  it('refuses a duplicate team key, naming both places', () => {
    const { problems } = problemsOf(() =>
      parseConfig({ teams: [validTeam, { ...validTeam, name: 'Ander team', channel: 'C0123456780' }] }),
    );
    expect(problems).toEqual(['teams[1].key: duplicate team key "noord" (also teams[0])']);
  });

  it('reports a duplicate team key together with other problems', () => {
    const { problems } = problemsOf(() => parseConfig({ dailyRunAt: '25:00', teams: [validTeam, { ...validTeam, channel: 'nope' }] }));
    expect(problems).toEqual(
      expect.arrayContaining([
        'dailyRunAt: expected a time HH:MM',
        'teams[1].channel: expected a Slack channel id (C0123456789)',
        'teams[1].key: duplicate team key "noord" (also teams[0])',
      ]),
    );
  });

  it('reports a duplicate team key even when minimumArrears is also wrong', () => {
    const { problems } = problemsOf(() => parseConfig({ minimumArrears: 'vijf', teams: [validTeam, validTeam] }));
    expect(problems).toEqual(
      expect.arrayContaining([
        'minimumArrears: expected an amount in euros such as "5,00"',
        'teams[1].key: duplicate team key "noord" (also teams[0])',
      ]),
    );
  });

  it('refuses a bad team key and a missing team name', () => {
    const { problems } = problemsOf(() => parseConfig({ teams: [{ key: 'Noord Oost', channel: 'C0123456789' }] }));
    expect(problems).toEqual(
      expect.arrayContaining([
        'teams[0].key: expected a short lower-case key (noord, oost-2)',
        expect.stringMatching(/^teams\[0\]\.name: /),
      ]),
    );
  });

  it('the MT needs members or a user group', () => {
    expect(problemsOf(() => parseConfig({ mt: { channel: 'C0987654321' } })).problems).toEqual([
      'mt.members: expected members or a usergroup',
    ]);
    expect(problemsOf(() => parseConfig({ mt: { channel: 'C0987654321', members: [] } })).problems).toEqual([
      'mt.members: expected members or a usergroup',
    ]);
    expect(parseConfig({ mt: { channel: 'C0987654321', members: ['U0CCCCCCCC'], quorum: 1 } }).mt?.members).toEqual(['U0CCCCCCCC']);
    expect(problemsOf(() => parseConfig({ mt: { channel: 'C0987654321', members: ['U0CCCCCCCC', 'U0DDDDDDDD'] } })).problems).toEqual([
      'mt.quorum: the quorum is larger than the number of members: no vote could ever close',
    ]);
    expect(parseConfig({ mt: { channel: 'C0987654321', usergroup: 'S0123456789' } }).mt?.usergroup).toBe('S0123456789');
    expect(problemsOf(() => parseConfig({ mt: { channel: 'C0987654321', usergroup: 'mt-leden' } })).problems).toEqual([
      'mt.usergroup: expected a Slack user group id (S0123456789)',
    ]);
  });
});

describe('loadConfig: which file', () => {
  const teamYaml = (key: string) => `teams:\n  - key: ${key}\n    name: Team ${key}\n    channel: C0123456789\n`;
  const flagFile = files.write('flag.yml', teamYaml('vlag'));
  const envFile = files.write('env.yml', teamYaml('omgeving'));
  const cwdWithFile = join(files.dir, 'with-default');
  const cwdEmpty = join(files.dir, 'empty');
  mkdirSync(cwdWithFile);
  mkdirSync(cwdEmpty);
  files.write('with-default/huurwacht.yml', teamYaml('standaard'));

  const teamKey = (result: ReturnType<typeof loadConfig>) => result.config.teams[0]?.key;

  it('--config wins over HUURWACHT_CONFIG and ./huurwacht.yml', () => {
    const result = loadConfig({ file: flagFile, env: { HUURWACHT_CONFIG: envFile }, cwd: cwdWithFile });
    expect(teamKey(result)).toBe('vlag');
    expect(result.source).toBe(flagFile);
  });

  it('HUURWACHT_CONFIG wins over ./huurwacht.yml', () => {
    const result = loadConfig({ env: { HUURWACHT_CONFIG: envFile }, cwd: cwdWithFile });
    expect(teamKey(result)).toBe('omgeving');
    expect(result.source).toBe(envFile);
  });

  it('else ./huurwacht.yml in the working directory', () => {
    const result = loadConfig({ env: {}, cwd: cwdWithFile });
    expect(teamKey(result)).toBe('standaard');
    expect(result.source).toBe(join(cwdWithFile, 'huurwacht.yml'));
  });

  it('an empty HUURWACHT_CONFIG counts as unset', () => {
    expect(teamKey(loadConfig({ env: { HUURWACHT_CONFIG: '' }, cwd: cwdWithFile }))).toBe('standaard');
    expect(loadConfig({ env: { HUURWACHT_CONFIG: '' }, cwd: cwdEmpty }).source).toBeNull();
  });

  it('a relative --config is read from the working directory', () => {
    expect(teamKey(loadConfig({ file: 'huurwacht.yml', env: {}, cwd: cwdWithFile }))).toBe('standaard');
  });

  it('a missing ./huurwacht.yml gives the defaults', () => {
    const result = loadConfig({ env: {}, cwd: cwdEmpty });
    expect(result.source).toBeNull();
    expect(result.config).toEqual(parseConfig({}));
  });

  it('a missing file named by --config or HUURWACHT_CONFIG is an error', () => {
    const missing = join(files.dir, 'nope.yml');
    expect(problemsOf(() => loadConfig({ file: missing, env: {}, cwd: cwdWithFile })).problems).toEqual(['file not found']);
    const viaEnv = problemsOf(() => loadConfig({ env: { HUURWACHT_CONFIG: missing }, cwd: cwdWithFile }));
    expect(viaEnv.problems).toEqual(['file not found']);
    expect(viaEnv.error.message).toContain(missing);
  });

  it('a YAML syntax error names the line and column', () => {
    const file = files.write('syntax.yml', 'detectionWorkday: 8\nteams:\n  - key: noord\n    name: [Wijkteam Noord\n');
    const { error, problems } = problemsOf(() => loadConfig({ file, env: {} }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^line \d+, column \d+: /);
    expect(error.message).toContain(file);

    const tabs = files.write('tabs.yml', 'teams:\n  - key: noord\n\t name: x\n');
    expect(problemsOf(() => loadConfig({ file: tabs, env: {} })).problems[0]).toMatch(/^line 3, column 1: /);
  });

  it('validation problems of a file name the file and every path', () => {
    const file = files.write(
      'invalid.yml',
      [
        'minimumArrears: "5 euro"',
        'teams:',
        '  - key: noord',
        '    name: Wijkteam Noord',
        '    channel: C0123456789',
        '  - key: zuid',
        '    name: Wijkteam Zuid',
        '    channel: zuid-kanaal',
        'slack:',
        '  token: xoxb-secret',
      ].join('\n'),
    );
    const { error, problems } = problemsOf(() => loadConfig({ file, env: {} }));
    expect(error.source).toBe(file);
    expect(problems).toEqual(
      expect.arrayContaining([
        'teams[1].channel: expected a Slack channel id (C0123456789)',
        'minimumArrears: expected an amount in euros such as "5,00"',
        'slack: unknown key',
      ]),
    );
    expect(problems).toHaveLength(3);
  });
});

describe('huurwacht.example.yml', () => {
  const example = resolve(REPO, 'huurwacht.example.yml');

  it('exists and parses without errors', async () => {
    // Another engineer writes it at the same time: give it a moment to appear.
    for (let i = 0; i < 60 && !existsSync(example); i++) await new Promise((r) => setTimeout(r, 1000));
    const { config, source } = loadConfig({ file: example, env: {} });
    expect(source).toBe(example);
    expect(config.teams.length).toBeGreaterThan(0);
    expect(config.mt).toBeDefined();
    expect(config.letters).toBeDefined();
  }, 90_000);

  it('documents the defaults: its values equal the built-in defaults', () => {
    const { config } = loadConfig({ file: example, env: {} });
    const defaults = parseConfig({});
    const { teams: _t, mt: _m, letters: _l, ...documented } = config;
    const { teams: _dt, mt: _dm, letters: _dl, ...builtIn } = defaults;
    expect(documented).toEqual(builtIn);
  });
});

describe('nested keys', () => {
  it('a misspelt nested key is an error, not a silent default', () => {
    expect(() => parseConfig({ mt: { channel: 'C0987654321', members: ['U0CCCCCCCC'], quorum: 1, voteTermWorkday: 5 } })).toThrow(
      'mt.voteTermWorkday: unknown key',
    );
    expect(() => parseConfig({ holidays: { goodfriday: true } })).toThrow('holidays.goodfriday: unknown key');
  });
});
