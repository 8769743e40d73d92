import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DailyRunRefused, runDaily, type DailyRunReport } from '../../src/daily/daily-run.js';
import { openDatabase, queryRows, type Database } from '../../src/db/client.js';
import { detectionDay } from '../../src/domain/arrears.js';
import { addDays, addWorkingDays, isWorkingDay, type IsoDate } from '../../src/domain/calendar.js';
import type { CaseState } from '../../src/domain/case-state.js';
import { collectionCostsCents } from '../../src/domain/collection-costs.js';
import { importLedger } from '../../src/ledger/import-ledger.js';
import { importTenancies } from '../../src/ledger/import-tenancies.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/db.js';
import { csv, scratchDir } from '../support/files.js';

/**
 * The daily run through the database: tenancies and ledger lines go in through the importers
 * (CSV files as the ERP writes them), the run decides, and the tests read cases, events, outbox
 * and daily_runs back. Calendar used throughout (detection day D(M) = 8th working day):
 *
 *   D(Jan 2027) = wed 13-01-2027   D(Feb 2027) = wed 10-02-2027   D(Mar 2027) = wed 10-03-2027
 */

const config = testConfig();
const files = scratchDir();
let database: TestDatabase;

const D_JAN = '2027-01-13';
const D_FEB = '2027-02-10';
const D_MAR = '2027-03-10';
const RENT = 71_235; // € 712,35

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
  files.cleanup();
});
beforeEach(async () => {
  await database.reset();
  entrySeq = 0;
});

// ---------------------------------------------------------------------------------------------
// Fixtures: tenancies.csv and ledger.csv as the ERP exports them

interface TenancyFixture {
  id: string;
  team?: 'noord' | 'zuid';
  rentCents?: number;
  endDate?: IsoDate;
}

interface LedgerLine {
  id: string;
  contract: string;
  type: 'rent' | 'costs' | 'payment' | 'credit';
  due: IsoDate | null;
  booked: IsoDate;
  cents: number;
}

let entrySeq = 0;
let fileSeq = 0;

function euros(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

async function loadTenancies(tenancies: TenancyFixture[], today: IsoDate = '2026-12-01'): Promise<void> {
  const header = ['contract_id', 'team', 'tenant_names', 'address', 'postcode', 'city', 'monthly_rent', 'start_date', 'end_date'];
  const rows = tenancies.map((t, i) => [
    t.id,
    t.team ?? 'noord',
    `T. Huurder${i}`,
    `Dorpsstraat ${i + 1}`,
    '1234 AB',
    'Ergens',
    euros(t.rentCents ?? RENT),
    '2020-01-01',
    t.endDate ?? '',
  ]);
  const file = files.write(`tenancies-${++fileSeq}.csv`, csv(',', header, rows));
  await importTenancies(database, file, config, { today });
}

async function loadLedger(lines: LedgerLine[]): Promise<void> {
  const header = ['entry_id', 'contract_id', 'type', 'due_date', 'booking_date', 'amount'];
  const rows = lines.map((l) => [l.id, l.contract, l.type, l.due ?? '', l.booked, euros(l.cents)]);
  const file = files.write(`ledger-${++fileSeq}.csv`, csv(',', header, rows));
  await importLedger(database, file);
}

/** Rent charges due (and booked) on the 1st of each month 'YYYY-MM'. */
function rents(contract: string, months: string[], cents = RENT): LedgerLine[] {
  return months.map((m) => ({
    id: `R-${contract}-${m}`,
    contract,
    type: 'rent' as const,
    due: `${m}-01`,
    booked: `${m}-01`,
    cents,
  }));
}

function payment(contract: string, booked: IsoDate, cents = RENT): LedgerLine {
  return { id: `P-${contract}-${++entrySeq}`, contract, type: 'payment', due: null, booked, cents };
}

/** Pays each month's rent on the 2nd (or the first working day after it). */
function paysOnTime(contract: string, months: string[], cents = RENT): LedgerLine[] {
  return months.map((m) => payment(contract, addWorkingDays(`${m}-01`, 1), cents));
}

const DEC_TO_MAR = ['2026-12', '2027-01', '2027-02', '2027-03'];

// ---------------------------------------------------------------------------------------------
// Reading back

interface CaseRow {
  id: number;
  contract_id: string;
  stage: string;
  opened_on: string;
  stage_since: string;
  due_on: string | null;
  closed_on: string | null;
  closed_reason: string | null;
  state: CaseState;
  version: number;
  [key: string]: unknown;
}

async function cases(): Promise<CaseRow[]> {
  return queryRows<CaseRow>(
    database.db,
    sql`select id, contract_id, stage, opened_on::text, stage_since::text, due_on::text, closed_on::text, closed_reason, state, version
        from cases order by contract_id, id`,
  );
}

async function caseOf(contract: string): Promise<CaseRow> {
  const rows = (await cases()).filter((c) => c.contract_id === contract);
  expect(rows, `cases of ${contract}`).not.toHaveLength(0);
  return rows[rows.length - 1]!;
}

interface OutboxRow {
  key: string;
  kind: string;
  channel: string;
  case_id: number | null;
  payload: Record<string, unknown>;
  [key: string]: unknown;
}

async function outbox(kind?: string): Promise<OutboxRow[]> {
  const rows = await queryRows<OutboxRow>(database.db, sql`select key, kind, channel, case_id, payload from outbox order by id`);
  return kind ? rows.filter((r) => r.kind === kind) : rows;
}

interface Counts {
  cases: number;
  events: number;
  outbox: number;
  runs: number;
  versions: number;
  [key: string]: unknown;
}

async function counts(): Promise<Counts> {
  const [row] = await queryRows<Counts>(
    database.db,
    sql`select (select count(*) from cases) as cases, (select count(*) from case_events) as events,
               (select count(*) from outbox) as outbox, (select count(*) from daily_runs) as runs,
               (select coalesce(sum(version), 0) from cases) as versions`,
  );
  return row!;
}

async function run(date: IsoDate, options: { dryRun?: boolean } = {}): Promise<DailyRunReport> {
  return runDaily(database, config, { date, ...options });
}

/** The transitions without the `on` date, as DATA-FORMATS.md lists them. */
function moves(report: DailyRunReport) {
  return report.transitions.map(({ on: _on, ...rest }) => rest);
}

// ---------------------------------------------------------------------------------------------

describe('the calendar of these tests', () => {
  it('has the detection days the fixtures assume', () => {
    expect(detectionDay(2027, 1)).toBe(D_JAN);
    expect(detectionDay(2027, 2)).toBe(D_FEB);
    expect(detectionDay(2027, 3)).toBe(D_MAR);
  });
});

describe('detection and opening (P1, P1.a, P2)', () => {
  it('P1.a opens cases on the 8th working day, not before', async () => {
    await loadTenancies([{ id: '100001' }, { id: '100002' }, { id: '100003' }]);
    await loadLedger([
      ...rents('100001', DEC_TO_MAR),
      ...paysOnTime('100001', ['2026-12', '2027-01', '2027-02']),
      ...rents('100002', DEC_TO_MAR),
      ...paysOnTime('100002', ['2026-12', '2027-01']),
      // Pays February's rent late, but on D(Feb) itself: money counts from its booking day.
      ...rents('100003', DEC_TO_MAR),
      ...paysOnTime('100003', ['2026-12', '2027-01']),
      payment('100003', D_FEB),
    ]);

    const before = await run(addDays(D_FEB, -1)); // tue 09-02-2027, the 7th working day
    expect(before).toMatchObject({ workingDay: true, detectionDay: false, transitions: [] });
    expect(await cases()).toEqual([]);

    const onD = await run(D_FEB);
    expect(onD.detectionDay).toBe(true);
    expect(moves(onD)).toEqual([{ contractId: '100002', from: null, to: 'reminder', clause: 'P1' }]);
    expect((await cases()).map((c) => [c.contract_id, c.stage, c.opened_on])).toEqual([['100002', 'reminder', D_FEB]]);
  });

  it('P1 opens a reminder with the 14-day letter: term from the day after assumed receipt, statutory costs', async () => {
    await loadTenancies([{ id: '100002' }, { id: '100004', team: 'zuid' }]);
    await loadLedger([
      ...rents('100002', DEC_TO_MAR),
      ...paysOnTime('100002', ['2026-12', '2027-01']),
      // € 150 short: the statutory minimum of € 40 applies.
      ...rents('100004', DEC_TO_MAR),
      ...paysOnTime('100004', ['2026-12', '2027-01']),
      payment('100004', '2027-02-02', RENT - 15_000),
    ]);

    await run(D_FEB);

    const full = await caseOf('100002');
    expect(full).toMatchObject({ stage: 'reminder', opened_on: D_FEB, stage_since: D_FEB, closed_on: null, version: 1 });
    expect(full.state.letter).toEqual({
      sentOn: '2027-02-10', // wednesday, the detection day
      receivedOn: '2027-02-11', // assumed receipt: the next working day
      termEndsOn: '2027-02-25', // 14 days counted from the day after receipt (12-02 is day 1)
      principalCents: RENT,
      costsCents: 10_685, // 15% of € 712,35 (Besluit BIK art. 2)
    });
    expect(full.state.letter!.costsCents).toBe(collectionCostsCents(RENT));
    // The team's task: send the letter today.
    expect(full.due_on).toBe(D_FEB);

    const small = await caseOf('100004');
    expect(small.state.letter).toMatchObject({ principalCents: 15_000, costsCents: 4_000 });

    const [event] = await queryRows<{ type: string; clause: string; on: string; actor: string; summary: string }>(
      database.db,
      sql`select type, clause, "on"::text as on, actor, summary from case_events where contract_id = '100002'`,
    );
    expect(event).toMatchObject({ type: 'case_opened', clause: 'P1', on: D_FEB, actor: 'system' });
    expect(event!.summary).toContain('14-dagenbrief');
    expect(event!.summary).toContain('25-02-2027');
  });

  it('P2 opens at contact after two late months', async () => {
    await loadTenancies([{ id: '100003' }]);
    await loadLedger([
      ...rents('100003', DEC_TO_MAR),
      payment('100003', '2026-12-02'),
      // January paid, but only after D(Jan): late at D(Jan), and late again at D(Feb).
      payment('100003', '2027-01-20'),
    ]);

    const report = await run(D_FEB); // the first run ever: nothing was open in January
    expect(moves(report)).toEqual([{ contractId: '100003', from: null, to: 'contact', clause: 'P2' }]);
    const c = await caseOf('100003');
    expect(c).toMatchObject({ stage: 'contact', opened_on: D_FEB });
    expect(c.state.contactSince).toBe(D_FEB);
    // The 14-day letter goes out with the first contact too (P1 precedes P2).
    expect(c.state.letter).toMatchObject({ sentOn: D_FEB, principalCents: RENT });
  });

  it('P2 moves reminder to contact when the arrears grew', async () => {
    await loadTenancies([{ id: '100002' }, { id: '100005' }]);
    await loadLedger([
      ...rents('100002', DEC_TO_MAR),
      payment('100002', '2026-12-02'),
      // 100005 is one month behind in January and pays February's rent: the arrears did not grow.
      ...rents('100005', DEC_TO_MAR),
      payment('100005', '2026-12-02'),
      payment('100005', '2027-02-02'),
    ]);

    const jan = await run(D_JAN);
    expect(moves(jan)).toEqual([
      { contractId: '100002', from: null, to: 'reminder', clause: 'P1' },
      { contractId: '100005', from: null, to: 'reminder', clause: 'P1' },
    ]);

    const feb = await run(D_FEB); // catches up 14-01 ... 09-02 first
    // Late two months in a row without growth (100005) is P2 too: "twee maanden na elkaar te laat".
    expect(feb.transitions).toEqual([
      { contractId: '100002', from: 'reminder', to: 'contact', clause: 'P2', on: D_FEB },
      { contractId: '100005', from: 'reminder', to: 'contact', clause: 'P2', on: D_FEB },
    ]);
    const grew = await caseOf('100002');
    expect(grew).toMatchObject({ stage: 'contact', stage_since: D_FEB, opened_on: D_JAN });
    expect(grew.state.contactSince).toBe(D_FEB);
    const summaries = await queryRows<{ contract_id: string; summary: string }>(
      database.db,
      sql`select contract_id, summary from case_events where type = 'stage_changed' and data->>'to' = 'contact' order by contract_id`,
    );
    expect(summaries[0]!.summary).toMatch(/^de achterstand groeide \(tweede maand\)/);
    expect(summaries[1]!.summary).toMatch(/^twee maanden na elkaar te laat betaald/);
  });
});

describe('progress of open cases (P1, P3, P3.c, P4.a.3)', () => {
  it('P3 escalates contact without a recorded conversation on the next detection day', async () => {
    await loadTenancies([{ id: '100003' }, { id: '100006' }]);
    const ledger: LedgerLine[] = [];
    for (const id of ['100003', '100006']) {
      // Two months behind at D(Feb); from then on the running rent is paid, so the arrears stay level.
      ledger.push(...rents(id, DEC_TO_MAR), payment(id, '2026-12-02'), payment(id, '2027-02-15'), payment(id, '2027-03-02'));
    }
    await loadLedger(ledger);

    await run(D_FEB);
    expect((await cases()).map((c) => c.stage)).toEqual(['contact', 'contact']);
    // The team records a conversation for 100006 only.
    await database.db.execute(
      sql`update cases set state = state || '{"conversationOn": "2027-02-17"}'::jsonb where contract_id = '100006'`,
    );

    const mar = await run(D_MAR);
    expect(moves(mar)).toEqual([{ contractId: '100003', from: 'contact', to: 'escalation', clause: 'P3' }]);
    const escalated = await caseOf('100003');
    expect(escalated.state.escalation).toEqual({ since: D_MAR, reason: 'geen gesprek vastgelegd sinds 10-02-2027' });
    expect((await caseOf('100006')).stage).toBe('contact');
  });

  it('P1 closes a case as paid when the balance drops to the minimum', async () => {
    await loadTenancies([{ id: '100002' }, { id: '100007' }]);
    await loadLedger([
      ...rents('100002', DEC_TO_MAR),
      ...paysOnTime('100002', ['2026-12', '2027-01']),
      ...rents('100007', DEC_TO_MAR),
      ...paysOnTime('100007', ['2026-12', '2027-01']),
    ]);
    await run(D_FEB);
    expect((await cases()).map((c) => c.stage)).toEqual(['reminder', 'reminder']);

    // Booked after the case opened: 100002 leaves exactly the minimum (€ 5,00), 100007 one cent more.
    const next = addWorkingDays(D_FEB, 1);
    await loadLedger([payment('100002', next, RENT - 500), payment('100007', next, RENT - 501)]);
    const report = await run(next);
    expect(moves(report)).toEqual([{ contractId: '100002', from: 'reminder', to: 'closed', clause: 'P1', reason: 'paid' }]);
    expect(await caseOf('100002')).toMatchObject({ stage: 'closed', closed_on: next, closed_reason: 'paid', version: 2 });
    expect((await caseOf('100007')).stage).toBe('reminder');
  });

  it('closes a case as ended when the tenancy ends (DESIGN: a case also closes when the tenancy ends)', async () => {
    await loadTenancies([{ id: '100002' }]);
    await loadLedger([...rents('100002', DEC_TO_MAR), ...paysOnTime('100002', ['2026-12', '2027-01'])]);
    await run(D_FEB);

    const next = addWorkingDays(D_FEB, 1);
    await loadTenancies([{ id: '100002', endDate: next }], next); // the ERP re-export carries the end date
    const report = await run(next);
    expect(moves(report)).toEqual([{ contractId: '100002', from: 'reminder', to: 'closed', clause: 'P1', reason: 'ended' }]);
    expect(await caseOf('100002')).toMatchObject({ stage: 'closed', closed_reason: 'ended', closed_on: next });
  });

  it('P4.a.3 a new case during probation goes straight to escalation', async () => {
    await loadTenancies([{ id: '100008' }, { id: '100009' }]);
    const ledger: LedgerLine[] = [];
    for (const id of ['100008', '100009']) ledger.push(...rents(id, DEC_TO_MAR), ...paysOnTime(id, ['2026-12', '2027-01']));
    await loadLedger(ledger);
    // An eviction postponed earlier (P4.a.1): 100008 is still on probation, 100009's probation ended.
    await database.db.execute(sql`
      insert into cases (contract_id, stage, opened_on, stage_since, closed_on, closed_reason, state, version)
      values ('100008', 'closed', '2024-03-12', '2025-06-02', '2025-06-02', 'postponed', '{"probationUntil": "2027-06-02"}', 7),
             ('100009', 'closed', '2022-03-12', '2023-01-20', '2023-01-20', 'postponed', '{"probationUntil": "2025-01-20"}', 7)`);

    const report = await run(D_FEB);
    expect(moves(report)).toEqual([
      { contractId: '100008', from: null, to: 'escalation', clause: 'P4.a.3' },
      { contractId: '100009', from: null, to: 'reminder', clause: 'P1' },
    ]);
    const probation = await caseOf('100008');
    expect(probation.state).toMatchObject({ duringProbation: true, escalation: { since: D_FEB } });
    const [event] = await queryRows<{ summary: string }>(
      database.db,
      sql`select summary from case_events where case_id = ${probation.id} and type = 'case_opened'`,
    );
    expect(event!.summary).toContain('proeftijd (tot 02-06-2027)');
    // Escalation has a card from the start.
    expect((await outbox('case_card')).map((r) => r.key)).toEqual([`card:${probation.id}:1`]);
  });

  it('P3.c bailiff term passed opens an MT vote and queues a vote message', async () => {
    await loadTenancies([{ id: '100002' }]);
    await loadLedger(rents('100002', DEC_TO_MAR));
    await run(D_FEB);
    const opened = await caseOf('100002');
    // The team handed the file to the bailiff (P3.b); its term ended on D(Feb).
    await database.db.execute(sql`
      update cases set stage = 'bailiff', stage_since = ${D_FEB}::date,
             state = state || '{"bailiff": {"handedOn": "2027-01-27", "termEndsOn": "2027-02-10"}}'::jsonb
      where id = ${opened.id}`);

    const next = addWorkingDays(D_FEB, 1);
    const report = await run(next);
    expect(moves(report)).toEqual([{ contractId: '100002', from: 'bailiff', to: 'mt_vote', clause: 'P3.c' }]);
    const voting = await caseOf('100002');
    expect(voting.stage).toBe('mt_vote');
    expect(voting.state.vote).toEqual({ kind: 'eviction', openedOn: next, closesOn: addWorkingDays(next, 3), ballots: {} });

    const votes = await outbox('mt_vote');
    expect(votes).toEqual([
      {
        key: `vote:${opened.id}:eviction:${next}`,
        kind: 'mt_vote',
        channel: 'C0MT0000001',
        case_id: opened.id,
        payload: { caseId: opened.id, contractId: '100002', kind: 'eviction', closesOn: addWorkingDays(next, 3) },
      },
    ]);
    // The case card (opened at contact, three months behind) moves along, in the team channel.
    expect((await outbox('case_card')).map((r) => [r.key, r.channel, r.payload.stage])).toEqual([
      [`card:${opened.id}:1`, 'C0NOORD0001', 'contact'],
      [`card:${opened.id}:${opened.version + 1}`, 'C0NOORD0001', 'mt_vote'],
    ]);
  });
});

describe('the run (DATA-FORMATS.md run-daily --json)', () => {
  async function twoLateTenancies() {
    await loadTenancies([{ id: '100002' }, { id: '100003', team: 'zuid' }]);
    await loadLedger([
      ...rents('100002', DEC_TO_MAR),
      ...paysOnTime('100002', ['2026-12', '2027-01']),
      ...rents('100003', DEC_TO_MAR),
      payment('100003', '2026-12-02'),
    ]);
  }

  it('reports in the JSON shape of DATA-FORMATS.md: from null for opens, to closed with a reason', async () => {
    await twoLateTenancies();
    const before = await counts();
    const opened = JSON.parse(JSON.stringify(await run(D_FEB))) as Record<string, unknown>;
    expect(opened).toEqual({
      date: D_FEB,
      workingDay: true,
      detectionDay: true,
      transitions: [
        { contractId: '100002', from: null, to: 'reminder', clause: 'P1', on: D_FEB },
        { contractId: '100003', from: null, to: 'contact', clause: 'P2', on: D_FEB },
      ],
      messagesQueued: expect.any(Number),
      caughtUp: [],
      dryRun: false,
    });
    expect(opened.messagesQueued).toBe((await counts()).outbox - before.outbox);

    const next = addWorkingDays(D_FEB, 1);
    await loadLedger([payment('100002', next)]);
    const closed = JSON.parse(JSON.stringify(await run(next))) as DailyRunReport;
    expect(closed).toMatchObject({ date: next, workingDay: true, detectionDay: false });
    expect(closed.transitions).toEqual([{ contractId: '100002', from: 'reminder', to: 'closed', clause: 'P1', reason: 'paid', on: next }]);
    // Only closes carry a reason.
    expect(opened.transitions as object[]).not.toContainEqual(expect.objectContaining({ reason: expect.anything() }));
  });

  it('a non-working day changes nothing (workingDay: false)', async () => {
    await twoLateTenancies();
    await run(D_FEB);
    const before = await counts();
    for (const day of ['2027-02-13', '2027-02-14', '2027-04-27']) {
      // saturday, sunday, Koningsdag (a tuesday)
      const report = await run(day);
      expect(report).toMatchObject({ date: day, workingDay: false, detectionDay: false, transitions: [], messagesQueued: 0 });
      expect(report.note).toContain('geen werkdag');
    }
    expect(await counts()).toEqual(before);
  });

  it('running the same date again lists no transitions and queues no messages', async () => {
    await twoLateTenancies();
    const first = await run(D_FEB);
    expect(first.transitions).toHaveLength(2);
    expect(first.messagesQueued).toBeGreaterThan(0);
    const before = await counts();

    const again = await run(D_FEB);
    expect(again).toMatchObject({ date: D_FEB, workingDay: true, transitions: [], messagesQueued: 0 });
    expect(again.note).toBe('10-02-2027 is al verwerkt: geen nieuwe overgangen');
    expect(await counts()).toEqual(before);
  });

  it('records when each run day started and finished, in that order (catch-up days too)', async () => {
    await twoLateTenancies();
    // 5 February runs alone; 10 February catches up 6 to 9 February in the same transaction.
    await run('2027-02-05');
    await run(D_FEB);
    const rows = await queryRows<{ run_date: string; ordered: boolean }>(
      database.db,
      sql`select run_date::text, finished_at >= started_at as ordered from daily_runs order by run_date`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.every((r) => r.ordered)).toBe(true);
  });

  it('a date before the last run is refused with a clear Dutch message', async () => {
    await twoLateTenancies();
    await run(D_FEB);
    const before = await counts();
    const refused = run('2027-02-09');
    await expect(refused).rejects.toBeInstanceOf(DailyRunRefused);
    await expect(refused).rejects.toThrow('09-02-2027 ligt vóór de laatste run (10-02-2027): het verleden wordt niet herschreven.');
    await expect(run('2027-02-09', { dryRun: true })).rejects.toBeInstanceOf(DailyRunRefused);
    expect(await counts()).toEqual(before);
  });

  it('catch-up: runs every missed working day in order (caughtUp)', async () => {
    await twoLateTenancies();
    const first = await run('2027-02-05'); // friday, before D(Feb)
    expect(first.transitions).toEqual([]);
    // 100002 pays on 11-02, the day after the case would open: the catch-up must see the days one by one.
    await loadLedger([payment('100002', '2027-02-11')]);

    const report = await run('2027-02-16');
    expect(report.caughtUp).toEqual(['2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12', '2027-02-15']);
    expect(report.detectionDay).toBe(false); // the detection happened on a caught-up day
    expect(report.transitions).toEqual([
      { contractId: '100002', from: null, to: 'reminder', clause: 'P1', on: D_FEB },
      { contractId: '100003', from: null, to: 'contact', clause: 'P2', on: D_FEB },
      { contractId: '100002', from: 'reminder', to: 'closed', clause: 'P1', reason: 'paid', on: '2027-02-11' },
    ]);
    const runs = await queryRows<{ run_date: string; detection_month: string | null }>(
      database.db,
      sql`select run_date::text, detection_month from daily_runs order by run_date`,
    );
    expect(runs).toEqual([
      { run_date: '2027-02-05', detection_month: null },
      { run_date: '2027-02-08', detection_month: null },
      { run_date: '2027-02-09', detection_month: null },
      { run_date: '2027-02-10', detection_month: '2027-02' },
      { run_date: '2027-02-11', detection_month: null },
      { run_date: '2027-02-12', detection_month: null },
      { run_date: '2027-02-15', detection_month: null },
      { run_date: '2027-02-16', detection_month: null },
    ]);
    expect(await caseOf('100002')).toMatchObject({ opened_on: D_FEB, closed_on: '2027-02-11', closed_reason: 'paid' });
  });

  it('catch-up skips weekends and public holidays (Koningsdag 27-04-2027)', async () => {
    await twoLateTenancies();
    await run('2027-04-23'); // friday
    const report = await run('2027-04-29');
    expect(report.caughtUp).toEqual(['2027-04-26', '2027-04-28']);
    const runs = await queryRows<{ run_date: string }>(database.db, sql`select run_date::text from daily_runs order by run_date`);
    expect(runs.map((r) => r.run_date)).toEqual(['2027-04-23', '2027-04-26', '2027-04-28', '2027-04-29']);
    for (const r of runs) expect(isWorkingDay(r.run_date)).toBe(true);
  });

  it('--dry-run changes nothing but reports the transitions the real run then makes', async () => {
    await twoLateTenancies();
    await run(D_JAN);
    const before = await counts();
    const casesBefore = await cases();

    const date = addWorkingDays(D_FEB, 1);
    const dry = await run(date, { dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.transitions.length).toBeGreaterThan(0);
    expect(await counts()).toEqual(before);
    expect(await cases()).toEqual(casesBefore);

    const real = await run(date);
    expect(real.dryRun).toBe(false);
    expect({ ...real, dryRun: true }).toEqual(dry);
    expect((await counts()).runs).toBe(before.runs + dry.caughtUp.length + 1);
  });
});

describe('messages (outbox)', () => {
  const byDayThenTeam = (key: string) => key.split(':').reverse().join(':');

  it('digests: one per team per run day, with ids, stages and dates only (no notes or health data)', async () => {
    await loadTenancies([{ id: '100002' }, { id: '100003' }, { id: '100010', team: 'zuid' }]);
    await loadLedger([
      ...rents('100002', DEC_TO_MAR),
      ...paysOnTime('100002', ['2026-12', '2027-01']),
      ...rents('100003', DEC_TO_MAR),
      payment('100003', '2026-12-02'),
      ...rents('100010', DEC_TO_MAR),
      ...paysOnTime('100010', ['2026-12', '2027-01', '2027-02']),
    ]);
    await run(D_FEB);
    // The team discussed 100003 (P3.a.1): MaSS flags in its state and a note with health data in its dossier.
    const discussed = await caseOf('100003');
    await database.db.execute(sql`
      update cases set state = state || '{"mass": {"discussedOn": "2027-02-11", "childrenInHome": true, "referralGrounds": true,
        "nuisance": false, "structuralProblems": true, "earlierVerdict": false}}'::jsonb
      where id = ${discussed.id}`);
    await database.db.execute(sql`
      insert into case_events (contract_id, case_id, "on", type, clause, actor, summary, data)
      values ('100003', ${discussed.id}, '2027-02-11', 'note', 'P3.a.1', 'U0AAAAAAA1',
              'Vermoeden van verslaving en psychiatrische problemen', '{"text": "Vermoeden van verslaving"}')`);
    await run('2027-02-12'); // catches up 11-02

    const digests = (await outbox('digest')).sort((a, b) => byDayThenTeam(a.key).localeCompare(byDayThenTeam(b.key)));
    expect(digests.map((d) => [d.key, d.channel])).toEqual([
      ['digest:noord:2027-02-10', 'C0NOORD0001'],
      ['digest:zuid:2027-02-10', 'C0ZUID00001'],
      ['digest:noord:2027-02-11', 'C0NOORD0001'],
      ['digest:zuid:2027-02-11', 'C0ZUID00001'],
      ['digest:noord:2027-02-12', 'C0NOORD0001'],
      ['digest:zuid:2027-02-12', 'C0ZUID00001'],
    ]);
    const noord = digests.find((d) => d.key === 'digest:noord:2027-02-10')!.payload;
    expect(noord).toMatchObject({
      team: 'noord',
      date: D_FEB,
      counts: { reminder: 1, contact: 1 },
      newLetters: ['100002', '100003'],
      due: [], // the call for 100003 is due in a working week
    });
    expect(noord.text).toBe(
      'Wijkteam Noord · woensdag 10 februari 2027\nNieuwe 14-dagenbrieven: 2 · 14-dagenbrief 1 · contact 1\nVandaag: geen taken',
    );
    expect(digests.find((d) => d.key === 'digest:zuid:2027-02-10')!.payload).toMatchObject({ counts: {}, newLetters: [], due: [] });
    for (const d of digests) {
      expect(Object.keys(d.payload).sort()).toEqual(['counts', 'date', 'due', 'newLetters', 'team', 'teamName', 'text']);
      for (const item of d.payload.due as object[]) expect(Object.keys(item).sort()).toEqual(['contractId', 'dueOn', 'overdue', 'stage']);
    }
    const everything = JSON.stringify(await outbox());
    for (const secret of ['verslaving', 'psychiatr', 'childrenInHome', 'mass', 'referralGrounds', 'Huurder', 'Dorpsstraat']) {
      expect(everything).not.toContain(secret);
    }
  });

  it('case cards from contact on: none for a reminder, unique keys per case version', async () => {
    await loadTenancies([{ id: '100002' }, { id: '100003' }, { id: '100011' }]);
    await loadLedger([
      ...rents('100002', DEC_TO_MAR), // reminder at D(Feb), grows: contact at D(Mar)
      ...paysOnTime('100002', ['2026-12', '2027-01']),
      ...rents('100003', DEC_TO_MAR), // contact at D(Feb), grows: escalation at D(Mar)
      payment('100003', '2026-12-02'),
      ...rents('100011', DEC_TO_MAR), // reminder at D(Feb), paid on 15-02: never a card
      ...paysOnTime('100011', ['2026-12', '2027-01']),
      payment('100011', '2027-02-15'),
      payment('100011', '2027-03-02'),
    ]);

    await run(D_FEB);
    const [c2, c3, c11] = await Promise.all(['100002', '100003', '100011'].map(caseOf));
    expect((await outbox('case_card')).map((r) => r.key)).toEqual([`card:${c3!.id}:1`]);

    await run(D_MAR);
    const cards = await outbox('case_card');
    // One card message per case version from `contact` on; the key names the version.
    expect(new Set(cards.map((r) => r.key)).size).toBe(cards.length);
    for (const r of cards) {
      expect(r.key).toBe(`card:${r.case_id}:${r.payload.version}`);
      expect(r.payload.stage).not.toBe('reminder');
      expect(r.channel).toBe('C0NOORD0001');
    }
    const cardsOf = (id: number) => cards.filter((r) => r.case_id === id).map((r) => [r.payload.stage, r.payload.clause]);
    expect(cardsOf(c3!.id)[0]).toEqual(['contact', 'P2']);
    expect(cardsOf(c3!.id).at(-1)).toEqual(['escalation', 'P3']);
    // 100002's first card comes when it reaches contact, not while it is a reminder.
    expect(cardsOf(c2!.id)).toEqual([['contact', 'P2']]);
    expect(cardsOf(c11!.id)).toEqual([]);
    expect(await caseOf('100011')).toMatchObject({ closed_reason: 'paid', closed_on: '2027-02-15' });
    // Every version of a case in a card stage has its card: the versions of 100003 from 1 up.
    const c3Versions = cards.filter((r) => r.case_id === c3!.id).map((r) => r.payload.version);
    expect(c3Versions).toEqual(Array.from({ length: (await caseOf('100003')).version }, (_, i) => i + 1));
  });
});

describe('concurrency', () => {
  it.runIf(onPostgres)('two concurrent runs of the same date: one set of transitions, the other says another process did it', async () => {
    await loadTenancies([{ id: '100002' }, { id: '100003' }]);
    await loadLedger([
      ...rents('100002', DEC_TO_MAR),
      ...paysOnTime('100002', ['2026-12', '2027-01']),
      ...rents('100003', DEC_TO_MAR),
      payment('100003', '2026-12-02'),
    ]);
    await run('2027-02-05');
    const replicas: Database[] = [await openDatabase({ url: database.url! }), await openDatabase({ url: database.url! })];
    try {
      const reports = await Promise.all(replicas.map((r) => runDaily(r, config, { date: '2027-02-16' })));
      const done = reports.filter((r) => r.transitions.length > 0);
      const skipped = reports.filter((r) => r.transitions.length === 0);
      expect(done).toHaveLength(1);
      expect(skipped).toHaveLength(1);
      expect(moves(done[0]!)).toEqual([
        { contractId: '100002', from: null, to: 'reminder', clause: 'P1' },
        { contractId: '100003', from: null, to: 'contact', clause: 'P2' },
      ]);
      expect(skipped[0]!.messagesQueued).toBe(0);
      expect(skipped[0]!.note).toMatch(/door een ander proces al verwerkt$/);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
    const [c] = await queryRows<Record<string, number>>(
      database.db,
      sql`select (select count(*) from cases) as cases,
                 (select count(*) from case_events where type = 'case_opened') as opened,
                 (select count(*) from daily_runs) as runs,
                 (select count(*) from outbox where kind = 'digest') as digests`,
    );
    // 05-02, the six missed working days and 16-02: each once; two teams' digests on the seven new days.
    expect(c).toEqual({ cases: 2, opened: 2, runs: 8, digests: 2 * 8 });
  });
});
