import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutcomeService } from '../../src/cases/outcome-service.js';
import { queryRows } from '../../src/db/client.js';
import { syncTeams } from '../../src/db/teams.js';
import { addDays, formatDutchDate, todayInAmsterdam } from '../../src/domain/calendar.js';
import type { Dossier } from '../../src/dossier/dossier.js';
import { importLedger } from '../../src/ledger/import-ledger.js';
import { importTenancies } from '../../src/ledger/import-tenancies.js';
import { jsonLogger } from '../../src/log.js';
import { dossierBlocks, MAX_MESSAGE_BLOCKS, MAX_SECTION_CHARS, type Block } from '../../src/slack/blocks/dossier.js';
import * as commands from '../../src/slack/commands.js';
import { isMtMember } from '../../src/slack/commands.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { csv, scratchDir } from '../support/files.js';
import { postCommand, postInteraction } from '../support/signed.js';
import { startTestSlackApp, type TestSlackApp } from '../support/slack-app.js';

/**
 * `/huurder` and `/achterstand` end to end: the real Bolt app over HTTP, signed requests, the
 * loopback fake Web API (response_url included). Team noord: U0AAAAAAA1, U0BBBBBBB1; team zuid:
 * U0CCCCCCC1; MT: U0MTMTMT01..03. U0OUTSIDER1 is in nothing.
 *
 *   200001 noord  J. Jansen & K. Jansen  Kerkstraat 4, 1234 AB   arrears 3 months, case in contact
 *   200002 noord  P. Jansen              Dorpsstraat 1, 1234 AC  no arrears, no case
 *   200003 zuid   M. de Vries            Lindelaan 12, 5678 CD   case in escalation, overdue
 *   200004 noord  A. Bakker              Molenweg 7, 1234 AD     a case with 200 events
 */

const config = testConfig();
const files = scratchDir();
const ANNA = 'U0AAAAAAA1'; // noord
const CEES = 'U0CCCCCCC1'; // zuid
const MT1 = 'U0MTMTMT01';
const OUTSIDER = 'U0OUTSIDER1';
const SECRET_NOTE = 'GEHEIM-medische-notitie-xyz';
const today = todayInAmsterdam();

let fake: FakeSlack;
let database: TestDatabase;
let slack: TestSlackApp;
let url: string;

interface AuditRow extends Record<string, unknown> {
  id: number;
  actor: string;
  action: string;
  subject: string | null;
  detail: Record<string, unknown>;
}

async function auditRows(): Promise<AuditRow[]> {
  return queryRows<AuditRow>(database.db, sql`select id, actor, action, subject, detail from audit_log order by id`);
}

async function lastAudit(): Promise<AuditRow> {
  const rows = await auditRows();
  return rows[rows.length - 1]!;
}

async function loadData(): Promise<void> {
  await syncTeams(database.db, config);
  const header = ['contract_id', 'team', 'tenant_names', 'address', 'postcode', 'city', 'monthly_rent', 'start_date', 'phone'];
  await importTenancies(
    database,
    files.write(
      'tenancies.csv',
      csv(';', header, [
        ['200001', 'noord', 'J. Jansen & K. Jansen', 'Kerkstraat 4', '1234 AB', 'Ergens', '700,00', '2020-01-01', '06-12345678'],
        ['200002', 'noord', 'P. Jansen', 'Dorpsstraat 1', '1234 AC', 'Ergens', '650,00', '2021-03-01', ''],
        ['200003', 'zuid', 'M. de Vries', 'Lindelaan 12', '5678 CD', 'Elders', '800,00', '2019-05-01', ''],
        ['200004', 'noord', 'A. Bakker', 'Molenweg 7', '1234 AD', 'Ergens', '600,00', '2018-01-01', ''],
      ]),
    ),
    config,
    { today: '2026-07-01' },
  );
  const rows: string[][] = [];
  for (const month of ['2026-08', '2026-09', '2026-10', '2026-11']) {
    rows.push([`200001-R-${month}`, '200001', 'rent', `${month}-01`, `${month}-01`, '700,00']);
    rows.push([`200002-R-${month}`, '200002', 'rent', `${month}-01`, `${month}-01`, '650,00']);
    rows.push([`200002-P-${month}`, '200002', 'payment', '', `${month}-03`, '650,00']);
    rows.push([`200003-R-${month}`, '200003', 'rent', `${month}-01`, `${month}-01`, '800,00']);
  }
  rows.push(['200001-P-2026-08', '200001', 'payment', '', '2026-08-04', '700,00']);
  await importLedger(
    database,
    files.write('ledger.csv', csv(';', ['entry_id', 'contract_id', 'type', 'due_date', 'booking_date', 'amount'], rows)),
  );

  // Cases and events as the engine writes them (the engine's own tests cover how they get there).
  await database.db.execute(sql`
    insert into cases (contract_id, stage, opened_on, stage_since, due_on, state) values
      ('200001', 'contact', '2026-10-12', '2026-11-11', ${today}::date, '{"contactSince": "2026-11-11"}'),
      ('200003', 'escalation', '2026-09-10', '2026-11-11', ${addDays(today, -2)}::date, '{"escalation": {"since": "2026-11-11", "reason": "groei"}}'),
      ('200004', 'contact', '2026-06-10', '2026-07-10', ${addDays(today, 3)}::date, '{}')`);
  await database.db.execute(sql`
    insert into case_events (contract_id, case_id, "on", type, clause, actor, summary, data) values
      ('200001', 1, '2026-10-12', 'opened', 'P1', 'huurwacht', '14-dagenbrief verstuurd', '{}'),
      ('200001', 1, '2026-11-11', 'moved', 'P2', 'huurwacht', 'Naar contact: de achterstand groeide', '{}'),
      ('200001', 1, '2026-11-12', 'note', 'P2', ${ANNA}, 'Notitie uit de casusdraad', ${JSON.stringify({ text: SECRET_NOTE })}::jsonb)`);
  await database.db.execute(sql`
    insert into case_events (contract_id, case_id, "on", type, clause, actor, summary, data)
    select '200004', 3, date '2026-01-01' + i, 'note', null, 'huurwacht',
           'Gebeurtenis ' || i || ' ' || repeat('met een lange omschrijving ', 8), '{}'
    from generate_series(1, 200) as i`);
}

function command(text: string, user: string, name = '/huurder') {
  return postCommand(url, {
    command: name,
    text,
    user_id: user,
    user_name: 'someone',
    channel_id: 'C0NOORD0001',
    team_id: 'T0TEAMTEAM',
    trigger_id: 'trigger',
    response_url: fake.responseUrl(`cmd-${user}`),
  });
}

interface EphemeralAnswer {
  response_type: string;
  text: string;
  blocks: Block[];
}

async function ask(text: string, user = ANNA, name = '/huurder'): Promise<EphemeralAnswer> {
  const res = await command(text, user, name);
  expect(res.status).toBe(200);
  return res.json() as EphemeralAnswer;
}

function textOf(blocks: Block[]): string {
  return JSON.stringify(blocks);
}

/** Every section's texts, for the 3000-character limit. */
function sectionTexts(blocks: Block[]): string[] {
  return blocks.flatMap((b) =>
    b.type === 'section'
      ? [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)]
      : b.type === 'context'
        ? b.elements.map((e) => ('text' in e ? e.text : ''))
        : [],
  );
}

beforeAll(async () => {
  fake = await startFakeSlack();
  database = await createTestDatabase();
  await loadData();
  slack = await startTestSlackApp({ fake, database, config, features: [commands.register] });
  url = slack.url;
});

afterAll(async () => {
  await slack?.stop();
  await fake?.close();
  await database?.close();
  files.cleanup();
});

describe('/huurder', () => {
  it('answers a contract number with the dossier, ephemeral and audited', async () => {
    const answer = await ask('200001');
    expect(answer.response_type).toBe('ephemeral');
    const text = textOf(answer.blocks);
    expect(text).toContain('Dossier 200001');
    expect(text).toContain('J. Jansen &amp; K. Jansen'); // escaped for mrkdwn
    expect(text).toContain('Kerkstraat 4, 1234 AB Ergens');
    expect(text).toContain('€ 700,00 per maand');
    expect(text).toContain('€ 2.100,00 achterstand');
    expect(text).toContain('3,0 maanden');
    expect(text).toContain('contact (P2)');
    expect(text).toContain('Bel de huurder of nodig uit voor een gesprek');
    expect(text).toContain(`uiterlijk ${formatDutchDate(today)}`);
    expect(text).toContain('Notitie uit de casusdraad');
    expect(text).not.toContain(SECRET_NOTE);
    expect(answer.blocks.length).toBeLessThanOrEqual(MAX_MESSAGE_BLOCKS);

    const audit = await lastAudit();
    expect(audit).toMatchObject({ actor: ANNA, action: 'dossier.lookup', subject: '200001' });
    expect(audit.detail).toEqual({
      via: 'slack',
      command: '/huurder',
      query: '200001',
      channel: 'C0NOORD0001',
      matches: 1,
      outcome: 'dossier',
      shown: ['200001'],
      team: 'noord',
      events: 3,
    });
    expect(audit.detail.crossTeam).toBeUndefined();
    expect(JSON.stringify(audit.detail)).not.toContain(SECRET_NOTE);
  });

  it('answers a name with several matches with a pick list, and a pick with that dossier', async () => {
    const answer = await ask('jansen');
    expect(answer.response_type).toBe('ephemeral');
    const buttons = answer.blocks.flatMap((b) => (b.type === 'section' && b.accessory?.type === 'button' ? [b.accessory] : []));
    expect(buttons.map((b) => [b.action_id, b.value])).toEqual([
      [ACTIONS.pickTenancy, '200001'],
      [ACTIONS.pickTenancy, '200002'],
    ]);
    expect(textOf(answer.blocks)).toContain('2 huurovereenkomsten gevonden voor \\"jansen\\"');
    // Exactly these keys: the row is written by the search's own statement (one round trip).
    expect((await lastAudit()).detail).toEqual({
      via: 'slack',
      command: '/huurder',
      query: 'jansen',
      channel: 'C0NOORD0001',
      outcome: 'pick_list',
      matches: 2,
      shown: ['200001', '200002'],
    });

    const before = fake.callsTo('response_url').length;
    const res = await postInteraction(url, {
      type: 'block_actions',
      user: { id: ANNA, username: 'anna', team_id: 'T0TEAMTEAM' },
      team: { id: 'T0TEAMTEAM', domain: 'test' },
      api_app_id: 'A0HUURWACHT',
      container: { type: 'message', message_ts: '1700000000.000100', is_ephemeral: true },
      channel: { id: 'C0NOORD0001', name: 'wijkteam-noord' },
      trigger_id: 'trigger',
      response_url: fake.responseUrl('pick'),
      actions: [{ type: 'button', action_id: ACTIONS.pickTenancy, block_id: 'b1', value: '200002', action_ts: '1700000001.000' }],
    });
    expect(res.status).toBe(200);
    await fake.waitFor((calls) => calls.filter((c) => c.method === 'response_url').length > before);
    const reply = fake.callsTo('response_url').at(-1)!.body as unknown as EphemeralAnswer & { replace_original: boolean };
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.replace_original).toBe(true);
    expect(textOf(reply.blocks)).toContain('Dossier 200002');
    expect(textOf(reply.blocks)).toContain('Dorpsstraat 1, 1234 AC Ergens');
    expect(textOf(reply.blocks)).toContain('Zaak:* geen');
    const audit = await lastAudit();
    expect(audit).toMatchObject({ actor: ANNA, action: 'dossier.lookup', subject: '200002' });
    expect(audit.detail).toMatchObject({ picked: '200002', outcome: 'dossier', shown: ['200002'] });
  });

  it('answers postcode and house number; a look-up across teams is allowed and marked in the audit log', async () => {
    const answer = await ask('5678cd 12');
    const text = textOf(answer.blocks);
    expect(text).toContain('Dossier 200003 · Wijkteam Zuid');
    expect(text).toContain('teambespreking (P3.a)');
    expect(text).toContain('(verlopen)');
    const audit = await lastAudit();
    expect(audit).toMatchObject({ actor: ANNA, subject: '200003' });
    expect(audit.detail).toMatchObject({ query: '5678cd 12', outcome: 'dossier', team: 'zuid', crossTeam: true });

    // The MT sees every team's tenancies; its look-ups are marked as MT, not as cross-team.
    await ask('5678 CD 12', MT1);
    expect((await lastAudit()).detail).toMatchObject({ outcome: 'dossier', mt: true, crossTeam: true });
    // Cees of team zuid: his own tenancy.
    await ask('200003', CEES);
    expect((await lastAudit()).detail.crossTeam).toBeUndefined();
  });

  it('says so in Dutch when nothing matches, and audits it', async () => {
    const answer = await ask('Zzzonbekend');
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toBe('Geen huurovereenkomst gevonden');
    expect(textOf(answer.blocks)).toContain('Geen huurovereenkomst gevonden voor \\"Zzzonbekend\\"');
    expect(await lastAudit()).toMatchObject({ actor: ANNA, subject: null });
    expect((await lastAudit()).detail).toEqual({
      via: 'slack',
      command: '/huurder',
      query: 'Zzzonbekend',
      channel: 'C0NOORD0001',
      outcome: 'no_match',
      matches: 0,
    });
  });

  it('explains its use when the text is empty', async () => {
    const before = (await auditRows()).length;
    const answer = await ask('   ');
    expect(answer.response_type).toBe('ephemeral');
    expect(textOf(answer.blocks)).toContain('Gebruik:');
    expect(textOf(answer.blocks)).toContain('postcode + huisnummer');
    // Nothing was looked up, so nothing to audit.
    expect((await auditRows()).length).toBe(before);
  });

  it('refuses someone outside the teams and the MT, shows nothing and audits the refusal', async () => {
    const answer = await ask('200001', OUTSIDER);
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toBe('Geen toegang');
    const text = textOf(answer.blocks);
    expect(text).toContain('geen toegang');
    expect(text).not.toContain('Jansen');
    expect(text).not.toContain('Kerkstraat');
    expect(await lastAudit()).toMatchObject({
      actor: OUTSIDER,
      action: 'dossier.lookup',
      subject: null,
      detail: { query: '200001', outcome: 'refused' },
    });

    // A pick button from an old message does not help either.
    const before = fake.callsTo('response_url').length;
    await postInteraction(url, {
      type: 'block_actions',
      user: { id: OUTSIDER },
      team: { id: 'T0TEAMTEAM' },
      channel: { id: 'C0NOORD0001' },
      response_url: fake.responseUrl('pick-outsider'),
      actions: [{ type: 'button', action_id: ACTIONS.pickTenancy, block_id: 'b1', value: '200001', action_ts: '1' }],
    });
    await fake.waitFor((calls) => calls.filter((c) => c.method === 'response_url').length > before);
    expect(textOf((fake.callsTo('response_url').at(-1)!.body as unknown as EphemeralAnswer).blocks)).not.toContain('Kerkstraat');
    expect(await lastAudit()).toMatchObject({ actor: OUTSIDER, subject: '200001', detail: { picked: '200001', outcome: 'refused' } });
  });

  it('keeps a long history within Block Kit limits and points to huurwacht dossier for the rest', async () => {
    const answer = await ask('200004');
    expect(answer.blocks.length).toBeLessThanOrEqual(MAX_MESSAGE_BLOCKS);
    for (const text of sectionTexts(answer.blocks)) expect(text.length).toBeLessThanOrEqual(MAX_SECTION_CHARS);
    const text = textOf(answer.blocks);
    expect(text).toContain('Gebeurtenis 200 '); // the newest
    expect(text).not.toContain('Gebeurtenis 1 '); // the oldest is left out
    expect(text).toMatch(/… en nog 1[89]\d gebeurtenissen, zie `huurwacht dossier 200004`/);
    expect(sectionTexts(answer.blocks).join('').length).toBeLessThan(12_000); // far from msg_blocks_too_long
  });

  it('answers through the response_url when the database is too slow for the 3-second window', async () => {
    const before = fake.callsTo('response_url').length;
    // Holds the tenants table for 2.6 s: the search waits, the acknowledgement must not.
    const holder = database.db.transaction(async (tx) => {
      await tx.execute(sql`lock table tenants in access exclusive mode`);
      await new Promise((resolve) => setTimeout(resolve, 2600));
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    const answer = await ask('200001');
    expect(Date.now() - started).toBeLessThan(2900);
    expect(answer.text).toBe('Even zoeken…');
    await holder;
    await fake.waitFor((calls) => calls.filter((c) => c.method === 'response_url').length > before, 5000);
    const late = fake.callsTo('response_url').at(-1)!.body as unknown as EphemeralAnswer;
    expect(late.response_type).toBe('ephemeral');
    expect(textOf(late.blocks)).toContain('Dossier 200001');
  });

  it('audited every look-up: one row per question, refusals included', async () => {
    const rows = (await auditRows()).filter((r) => r.action === 'dossier.lookup');
    // contract, name, pick, postcode x3, no match, refusal, refused pick, long history, slow.
    expect(rows).toHaveLength(11);
    for (const row of rows) expect(row.detail.via).toBe('slack');
  });

  it('audits a pick of a tenancy that no longer exists once, as no match', async () => {
    const before = (await auditRows()).length;
    const result = await commands.pickTenant(
      { database, config, outcomes: createOutcomeService({ database, config }), log: jsonLogger(() => {}) },
      { userId: ANNA, teams: [config.teams[0]!], mt: false },
      '299999',
      'C0NOORD0001',
    );
    expect(result.outcome).toBe('no_match');
    const rows = await auditRows();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({ actor: ANNA, subject: '299999', detail: { picked: '299999', outcome: 'no_match' } });
  });
});

describe('/achterstand', () => {
  it("gives a team member their team's overview", async () => {
    const answer = await ask('', ANNA, '/achterstand');
    expect(answer.response_type).toBe('ephemeral');
    const text = textOf(answer.blocks);
    expect(text).toContain('Wijkteam Noord');
    expect(text).not.toContain('Wijkteam Zuid');
    expect(text).toContain('2 open zaken');
    expect(text).toContain('contact 2');
    expect(text).toContain('totale achterstand € 2.100,00'); // 200001; 200004 has no ledger
    expect(text).toContain('taken vandaag: 1 · verlopen: 0');
    expect(text).toContain('*200001* Kerkstraat 4 · contact · vandaag');
    expect(text).not.toContain('200004'); // due in 3 days: not today
    expect(answer.blocks.length).toBeLessThanOrEqual(MAX_MESSAGE_BLOCKS);
    expect(await lastAudit()).toMatchObject({
      actor: ANNA,
      action: 'overview.lookup',
      detail: { outcome: 'overview', teams: ['noord'], shown: ['200001'] },
    });
  });

  it('gives an MT member every team', async () => {
    const answer = await ask('', MT1, '/achterstand');
    const text = textOf(answer.blocks);
    expect(text).toContain('Wijkteam Noord');
    expect(text).toContain('Wijkteam Zuid');
    expect(text).toContain('totale achterstand € 3.200,00'); // 200003: four months of € 800
    expect(text).toContain(`*200003* Lindelaan 12 · bespreking · verlopen ${formatDutchDate(addDays(today, -2))}`);
    expect(text).toContain('MT-overzicht van alle teams');
    expect(await lastAudit()).toMatchObject({ actor: MT1, action: 'overview.lookup', detail: { teams: ['noord', 'zuid'], mt: true } });
  });

  it('refuses an outsider and audits it', async () => {
    const answer = await ask('', OUTSIDER, '/achterstand');
    expect(answer.text).toBe('Geen toegang');
    expect(textOf(answer.blocks)).not.toContain('Wijkteam');
    expect(await lastAudit()).toMatchObject({ actor: OUTSIDER, action: 'overview.lookup', detail: { outcome: 'refused' } });
  });
});

describe('MT membership by Slack user group', () => {
  it('asks the user group once and caches it; a failed look-up refuses', async () => {
    const withGroup = testConfig({ mt: { channel: 'C0MT0000001', usergroup: 'S0MTGROUP01', members: [] } });
    let calls = 0;
    const client = {
      usergroups: {
        users: {
          list: async () => {
            calls++;
            return { ok: true, users: ['U0GROUPMT1'] };
          },
        },
      },
    } as unknown as Parameters<typeof isMtMember>[1];
    // Asked by many at once on a cold cache: one call to Slack.
    const answers = await Promise.all([
      isMtMember(withGroup, client, 'U0GROUPMT1'),
      isMtMember(withGroup, client, 'U0NOTINGRP'),
      isMtMember(withGroup, client, 'U0GROUPMT1'),
    ]);
    expect(answers).toEqual([true, false, true]);
    expect(await isMtMember(withGroup, client, 'U0NOTINGRP')).toBe(false);
    expect(calls).toBe(1);
    const failing = {
      usergroups: {
        users: {
          list: async () => {
            throw new Error('missing_scope');
          },
        },
      },
    } as unknown as Parameters<typeof isMtMember>[1];
    const other = testConfig({ mt: { channel: 'C0MT0000001', usergroup: 'S0OTHERGRP1', members: [] } });
    expect(await isMtMember(other, failing, 'U0GROUPMT1')).toBe(false);
  });
});

describe('dossierBlocks', () => {
  const base: Dossier = {
    contractId: 'H-1',
    team: 'noord',
    teamName: 'Wijkteam Noord',
    tenants: ['A <script> & B'],
    address: 'Straat 1, 1234 AB Plaats',
    phone: null,
    email: null,
    monthlyRentCents: 70000,
    startDate: '2020-01-01',
    endDate: null,
    earlierVerdictDate: null,
    balanceCents: 0,
    asOf: '2026-12-01',
    monthsInArrears: 0,
    probationUntil: null,
    ledger: { entries: 0, chargedCents: 0, paidCents: 0, lastPaymentOn: null, lastPaymentCents: null, months: [] },
    earlySignal: null,
    case: null,
    events: [],
  };

  it('stays within the limits for any history, however long its summaries', () => {
    const event = (i: number, summary: string) => ({
      on: '2026-01-01',
      type: 'x',
      clause: 'P3.a',
      actor: 'U0AAAAAAA1',
      summary: `${i} ${summary}`,
    });
    for (const n of [0, 1, 20, 21, 500]) {
      const { blocks } = dossierBlocks({ ...base, events: Array.from({ length: n }, (_, i) => event(i, 'kort')) });
      const all = textOf(blocks);
      if (n > 20) expect(all).toContain(`… en nog ${n - 20} gebeurtenis`);
      else expect(all).not.toContain('… en nog');
      expect(all).toContain('&lt;script&gt; &amp; B');
    }
    for (const n of [1, 21, 500]) {
      const { blocks } = dossierBlocks({ ...base, events: Array.from({ length: n }, (_, i) => event(i, 'x'.repeat(5000))) });
      expect(blocks.length).toBeLessThanOrEqual(MAX_MESSAGE_BLOCKS);
      for (const text of sectionTexts(blocks)) expect(text.length).toBeLessThanOrEqual(MAX_SECTION_CHARS);
      const shown = (textOf(blocks).match(/xxx…/g) ?? []).length;
      expect(shown).toBeGreaterThan(0);
      if (shown < n) expect(textOf(blocks)).toContain(`… en nog ${n - shown} `);
    }
  });
});
