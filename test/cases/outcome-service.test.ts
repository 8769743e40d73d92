import { sql, type SQL } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOutcomeService, type ConversationRequest, type OutcomeService } from '../../src/cases/outcome-service.js';
import { runDaily } from '../../src/daily/daily-run.js';
import { queryRows } from '../../src/db/client.js';
import { monthlyInstallments } from '../../src/domain/arrangement.js';
import { nthWorkingDay } from '../../src/domain/calendar.js';
import type { CaseState, OpenStage } from '../../src/domain/case-state.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/db.js';
import { scratchDir } from '../support/files.js';
import { loadPortfolio } from '../support/portfolio.js';

/**
 * The outcome service through the database. Tenancies and their ledger go in through the
 * importers; the daily run opens the cases on D(Jan 2027) = wed 13-01-2027 (8th working day), at
 * `contact` because December was late too (P2). Team noord: U0AAAAAAA1, U0BBBBBBB1; team zuid:
 * U0CCCCCCC1; MT: U0MTMTMT01..03, quorum 2.
 *
 *   D(Jan) 13-01-2027   D(Feb) 10-02-2027   D(Mar) 10-03-2027
 */

const config = testConfig();
const files = scratchDir();
let database: TestDatabase;
let service: OutcomeService;

const D_JAN = '2027-01-13';
const D_FEB = '2027-02-10';
const D_MAR = '2027-03-10';
const ANNA = 'U0AAAAAAA1'; // team noord
const BERT = 'U0BBBBBBB1'; // team noord
const CEES = 'U0CCCCCCC1'; // team zuid
const [MT1, MT2, MT3] = ['U0MTMTMT01', 'U0MTMTMT02', 'U0MTMTMT03'];

beforeAll(async () => {
  database = await createTestDatabase();
  service = createOutcomeService({ database, config });
});
afterAll(async () => {
  await database.close();
  files.cleanup();
});
beforeEach(async () => {
  await database.reset();
  // Five tenancies of team noord with the same ledger: October and November paid, nothing since.
  await loadPortfolio(database, files, config, {
    tenancies: ['100001', '100002', '100003', '100004', '100005'].map((id) => ({ id, team: 'noord' })),
    months: ['2026-10', '2026-11', '2026-12', '2027-01', '2027-02', '2027-03', '2027-04', '2027-05'],
    paidMonths: ['2026-10', '2026-11'],
    earlierVerdicts: { '100005': '01-05-2024' },
  });
  await runDaily(database, config, { date: D_JAN });
});

interface CaseRow {
  id: number;
  stage: OpenStage | 'closed';
  closed_reason: string | null;
  state: CaseState;
  version: number;
  [key: string]: unknown;
}

async function caseOf(contractId: string): Promise<CaseRow> {
  const [row] = await queryRows<CaseRow>(
    database.db,
    sql`select id, stage, closed_reason, state, version from cases where contract_id = ${contractId} order by id desc limit 1`,
  );
  if (!row) throw new Error(`no case for ${contractId}`);
  return row;
}

/** Test shortcut: puts the open case in a stage with extra state, as earlier steps would have. */
async function putCase(contractId: string, stage: OpenStage, state: CaseState): Promise<void> {
  await database.db.execute(
    sql`update cases set stage = ${stage}, state = state || ${JSON.stringify(state)}::jsonb where contract_id = ${contractId} and closed_on is null`,
  );
}

async function count(query: SQL): Promise<number> {
  const [row] = await queryRows<{ n: number }>(database.db, query);
  return Number(row!.n);
}

/** Everything an action could write, to prove a refusal wrote nothing. */
async function footprint() {
  return {
    events: await count(sql`select count(*) as n from case_events`),
    outbox: await count(sql`select count(*) as n from outbox`),
    audit: await count(sql`select count(*) as n from audit_log`),
    versions: await count(sql`select coalesce(sum(version), 0) as n from cases`),
  };
}

async function eventsBy(actor: string) {
  return queryRows<{ contract_id: string; type: string; clause: string | null; summary: string; data: Record<string, unknown> }>(
    database.db,
    sql`select contract_id, type, clause, summary, data from case_events where actor = ${actor} order by id`,
  );
}

function talk(over: Partial<ConversationRequest> = {}): ConversationRequest {
  return {
    cause: 'Verslaving, opgenomen in een kliniek',
    referralConsent: true,
    consequencesExplained: true,
    obligations: { noNewArrears: true, registerWithAid: true, reportRegistration: true, paymentArrangement: true },
    commitments: { passDetailsOn: true, noCollection: true, noInterest: true, acceptArrangement: true },
    ...over,
  };
}

describe('setting', () => {
  it('P1.a the cases open on the 8th working day of January 2027, at contact (P2)', async () => {
    expect(nthWorkingDay(2027, 1, 8)).toBe(D_JAN);
    expect(await caseOf('100001')).toMatchObject({ stage: 'contact' });
  });
});

describe('recording outcomes', () => {
  it('P2.c.4 a conversation with an arrangement: case, event, cause as a note, card and audit row in one go', async () => {
    const installments = monthlyInstallments(140_000, 4, '2027-02-01');
    const result = await service.recordConversation(ANNA, '100001', talk({ arrangement: { installments } }), {
      key: 'view-1',
      date: '2027-01-14',
    });
    const { id } = await caseOf('100001');
    expect(result).toEqual({
      ok: true,
      caseId: id,
      stage: 'arrangement',
      summary: expect.stringContaining('4 termijnen'),
      duplicate: false,
    });

    const row = await caseOf('100001');
    expect(row.state.arrangement).toEqual({ agreedOn: '2027-01-14', arrearsCents: 140_000, installments, monthlyRentCents: 70_000 });
    expect(row.state.agreement).toMatchObject({ referralConsent: true, consequencesExplained: true, via: 'conversation' });
    expect(JSON.stringify(row.state)).not.toContain('kliniek');

    expect(await eventsBy(ANNA)).toEqual([
      expect.objectContaining({ type: 'stage_changed', clause: 'P2.c.4' }),
      expect.objectContaining({
        type: 'note',
        clause: 'P2.a.1',
        summary: 'Oorzaak van de achterstand vastgelegd (P2.a.1)',
        data: { text: 'Verslaving, opgenomen in een kliniek', source: 'conversation', sourceId: 'view-1' },
      }),
      // P2.a.4: the agreements are confirmed in writing, received the next working day.
      expect.objectContaining({
        type: 'letter_sent',
        clause: 'P2.a.4',
        data: expect.objectContaining({ kind: 'confirmation', letterDate: '2027-01-14', receivedOn: '2027-01-15' }),
      }),
    ]);
    const cards = await queryRows<{ payload: string }>(database.db, sql`select payload::text as payload from outbox where case_id = ${id}`);
    expect(cards.some((c) => c.payload.includes('"stage": "arrangement"') || c.payload.includes('"stage":"arrangement"'))).toBe(true);
    expect(cards.every((c) => !c.payload.includes('kliniek'))).toBe(true);
    const [audit] = await queryRows<{ actor: string; action: string; subject: string; detail: Record<string, unknown> }>(
      database.db,
      sql`select actor, action, subject, detail from audit_log`,
    );
    expect(audit).toEqual({
      actor: ANNA,
      action: 'outcome.conversation',
      subject: '100001',
      detail: expect.objectContaining({ key: 'view-1', caseId: id, from: 'contact', to: 'arrangement', clause: 'P2.c.4' }),
    });
    expect(JSON.stringify(audit)).not.toContain('kliniek');
  });

  it('returns the errors by field, in Dutch, and records nothing', async () => {
    const before = await footprint();
    const input = { ...talk(), referralConsent: undefined } as unknown as ConversationRequest;
    expect(await service.recordConversation(ANNA, '100001', input, { key: 'v', date: '2027-01-14' })).toEqual({
      ok: false,
      reason: 'invalid',
      errors: [{ field: 'referralConsent', message: 'Kies ja of nee.' }],
    });
    const seven = { installments: monthlyInstallments(140_000, 7, '2027-02-01') };
    const tooLong = await service.recordConversation(ANNA, '100001', talk({ arrangement: seven }), { key: 'w', date: '2027-01-14' });
    expect(tooLong).toMatchObject({ ok: false, reason: 'invalid' });
    expect(tooLong.ok === false && 'errors' in tooLong && tooLong.errors[0]).toEqual({
      field: 'arrangement.installments',
      message: 'Een regeling duurt hoogstens 6 maanden: maximaal 6 termijnen, dit zijn er 7.',
    });
    const verdict = await service.registerVerdict(
      ANNA,
      '100001',
      { verdictOn: '1-3-2027', evictionOn: '2027-04-15', amountCents: 12.5 },
      { key: 'x' },
    );
    expect(verdict).toEqual({
      ok: false,
      reason: 'invalid',
      errors: [
        { field: 'verdictOn', message: 'Geen geldige datum (JJJJ-MM-DD).' },
        { field: 'amountCents', message: 'Een bedrag in hele centen.' },
      ],
    });
    expect(await footprint()).toEqual(before);
  });

  it('refuses someone outside the tenancy’s team: nothing recorded', async () => {
    const before = await footprint();
    const result = await service.recordNoResponse(CEES, '100001', { key: 'k', date: '2027-01-14' });
    expect(result).toEqual({ ok: false, reason: 'not_authorised', message: expect.stringContaining('Wijkteam Noord') });
    expect(await service.addNote(CEES, '100001', 'Buren klagen', { source: 'slack_thread', sourceId: 't1' })).toMatchObject({
      ok: false,
      reason: 'not_authorised',
    });
    expect(await footprint()).toEqual(before);
  });

  it('P3.c refuses a ballot from someone outside the MT: nothing recorded', async () => {
    await putCase('100001', 'mt_vote', { vote: { kind: 'eviction', openedOn: D_FEB, closesOn: '2027-02-15', ballots: {} } });
    const before = await footprint();
    const result = await service.castBallot(ANNA, '100001', { ballot: 'for' }, { key: 'b', date: '2027-02-11' });
    expect(result).toEqual({ ok: false, reason: 'not_authorised', message: 'Alleen leden van het MT kunnen stemmen.' });
    expect(await footprint()).toEqual(before);
    expect((await caseOf('100001')).state.vote?.ballots).toEqual({});
  });

  it('P3.c accepts an MT member known only to the Slack user group check', async () => {
    const byGroup = createOutcomeService({ database, config, isMtMember: (u) => u === 'U0GROUP001' });
    await putCase('100001', 'mt_vote', { vote: { kind: 'eviction', openedOn: D_FEB, closesOn: '2027-02-15', ballots: {} } });
    expect(await byGroup.castBallot('U0GROUP001', '100001', { ballot: 'abstain' }, { key: 'g', date: '2027-02-11' })).toMatchObject({
      ok: true,
      stage: 'mt_vote',
    });
    expect((await caseOf('100001')).state.vote?.ballots).toEqual({ U0GROUP001: 'abstain' });
  });

  it('refuses an outcome in the wrong stage and names the stage', async () => {
    const before = await footprint();
    expect(await service.handToBailiff(ANNA, '100001', { key: 'k', date: '2027-01-14' })).toEqual({
      ok: false,
      reason: 'wrong_stage',
      message: expect.stringContaining('deze zaak staat in de fase contact (P2)'),
    });
    expect(await footprint()).toEqual(before);
  });

  it('says when the contract does not exist or has no open case', async () => {
    expect(await service.recordNoResponse(ANNA, '999999', { key: 'k' })).toMatchObject({ ok: false, reason: 'not_found' });
    await database.db.execute(
      sql`update cases set stage = 'closed', closed_on = '2027-01-14', closed_reason = 'paid' where contract_id = '100001'`,
    );
    expect(await service.recordNoResponse(ANNA, '100001', { key: 'k' })).toMatchObject({ ok: false, reason: 'no_open_case' });
  });
});

describe('idempotency', () => {
  it('the same key twice (a double click, a Slack retry) records one event', async () => {
    const first = await service.recordNoResponse(ANNA, '100001', { key: 'action-1', date: '2027-01-14' });
    const before = await footprint();
    const again = await service.recordNoResponse(ANNA, '100001', { key: 'action-1', date: '2027-01-14' });
    expect(first).toMatchObject({ ok: true, stage: 'visit', duplicate: false });
    expect(again).toEqual({ ...first, duplicate: true });
    expect(await footprint()).toEqual(before);
    expect(await eventsBy(ANNA)).toHaveLength(1);

    // The key names one action: a later action with another key is recorded, a replay of the first still is not.
    await service.recordHomeVisit(
      ANNA,
      '100001',
      { outcome: 'nobody_home', employees: [ANNA, BERT] },
      { key: 'action-2', date: '2027-01-15' },
    );
    expect(await service.recordNoResponse(ANNA, '100001', { key: 'action-1', date: '2027-01-14' })).toMatchObject({
      ok: true,
      duplicate: true,
      stage: 'visit',
    });
    // The card in the mailbox (P2.d.2) is a letter of its own.
    expect((await eventsBy(ANNA)).map((e) => e.type)).toEqual(['stage_changed', 'card_left', 'letter_sent']);
  });

  it('two concurrent calls with the same key record one event', async () => {
    const results = await Promise.all([
      service.recordNoResponse(ANNA, '100002', { key: 'race', date: '2027-01-14' }),
      service.recordNoResponse(ANNA, '100002', { key: 'race', date: '2027-01-14' }),
    ]);
    expect(results.map((r) => r.ok && r.duplicate).sort()).toEqual([false, true]);
    expect(await eventsBy(ANNA)).toHaveLength(1);
    expect(await count(sql`select count(*) as n from audit_log`)).toBe(1);
  });
});

describe('the procedure through the service and the daily run', () => {
  it('P2.d → P2.d.2 → P3 → P3.b → P3.c → P3.d → P4.a: no response, card, team, bailiff, MT vote, first verdict', async () => {
    const c = '100001';
    expect(await service.recordNoResponse(ANNA, c, { key: 's1', date: '2027-01-14' })).toMatchObject({ ok: true, stage: 'visit' });
    // P2.d.2: nobody home, a card; its week ends 22-01, the daily run escalates on the next working day after it.
    expect(
      await service.recordHomeVisit(BERT, c, { outcome: 'nobody_home', employees: [ANNA, BERT] }, { key: 's2', date: '2027-01-15' }),
    ).toMatchObject({ ok: true, stage: 'visit' });
    expect((await caseOf(c)).state.visit).toMatchObject({ cardLeftOn: '2027-01-15', cardTermEndsOn: '2027-01-22' });
    await runDaily(database, config, { date: '2027-01-22' });
    expect((await caseOf(c)).stage).toBe('visit');
    await runDaily(database, config, { date: '2027-01-25' });
    expect((await caseOf(c)).stage).toBe('escalation');

    // P3.a and P3.b
    const flags = { childrenInHome: true, referralGrounds: false, nuisance: false, structuralProblems: true, earlierVerdict: false };
    expect(await service.recordMassDiscussion(ANNA, c, flags, { key: 's3', date: '2027-01-26' })).toMatchObject({ ok: true });
    const bailiff = await service.handToBailiff(ANNA, c, { key: 's4', date: '2027-01-26' });
    expect(bailiff).toMatchObject({ ok: true, stage: 'bailiff', summary: expect.stringContaining('vroegsignalering: niet gemeld') });
    expect((await caseOf(c)).state.bailiff).toEqual({ handedOn: '2027-01-26', termEndsOn: '2027-02-09' });

    // P3.c: the bailiff's term passes; the MT votes.
    await runDaily(database, config, { date: D_FEB });
    const voting = await caseOf(c);
    expect(voting.stage).toBe('mt_vote');
    expect(await count(sql`select count(*) as n from outbox where kind = 'mt_vote' and case_id = ${voting.id}`)).toBe(1);

    const day = '2027-02-11';
    expect(await service.castBallot(MT1, c, { ballot: 'for' }, { key: 'b1', date: day })).toMatchObject({ ok: true, stage: 'mt_vote' });
    const changed = await service.castBallot(MT1, c, { ballot: 'against' }, { key: 'b2', date: day });
    expect(changed).toMatchObject({ ok: true, stage: 'mt_vote', summary: expect.stringContaining('Stem gewijzigd: tegen') });
    expect((await caseOf(c)).state.vote?.ballots).toEqual({ [MT1]: 'against' });
    expect(await service.castBallot(MT2, c, { ballot: 'for' }, { key: 'b3', date: day })).toMatchObject({ stage: 'mt_vote' });
    // Two of three members for: no later ballot can change the outcome, so the vote closes now.
    const decisive = await service.castBallot(MT3, c, { ballot: 'for' }, { key: 'b4', date: day });
    expect(decisive).toMatchObject({ ok: true, stage: 'eviction_procedure' });
    const decided = await caseOf(c);
    expect(decided.state.vote).toBeUndefined();
    expect(decided.state.mtDecision).toEqual({
      on: day,
      outcome: 'approved',
      kind: 'eviction',
      ballots: { [MT1]: 'against', [MT2]: 'for', [MT3]: 'for' },
    });
    const ballots = await queryRows<{ actor: string; ballot: string }>(
      database.db,
      sql`select actor, detail->>'ballot' as ballot from audit_log where action = 'outcome.ballot' order by id`,
    );
    expect(ballots).toEqual([
      { actor: MT1, ballot: 'for' },
      { actor: MT1, ballot: 'against' },
      { actor: MT2, ballot: 'for' },
      { actor: MT3, ballot: 'for' },
    ]);
    expect(await service.castBallot(MT2, c, { ballot: 'against' }, { key: 'b5', date: day })).toMatchObject({ reason: 'wrong_stage' });

    // P4.a: the first verdict.
    const verdict = await service.registerVerdict(
      ANNA,
      c,
      { verdictOn: '2027-02-26', evictionOn: '2027-04-15', amountCents: 380_000 },
      { key: 's5', date: '2027-03-01' },
    );
    expect(verdict).toMatchObject({ ok: true, stage: 'verdict' });
    expect((await caseOf(c)).state.verdict).toEqual({
      verdictOn: '2027-02-26',
      evictionOn: '2027-04-15',
      amountCents: 380_000,
      first: true,
      payBy: '2027-04-14',
      registeredOn: '2027-03-01',
      unbookedCents: expect.any(Number),
    });
  });

  it('P4.b a repeat verdict (earlier_verdict_date on the tenancy) goes to an MT vote that can evict', async () => {
    await putCase('100005', 'eviction_procedure', {});
    const result = await service.registerVerdict(
      ANNA,
      '100005',
      { verdictOn: '2027-02-26', evictionOn: '2027-04-15', amountCents: 380_000 },
      { key: 'v', date: '2027-03-01' },
    );
    expect(result).toMatchObject({ ok: true, stage: 'mt_vote', summary: expect.stringContaining('Eerder vonnis op 01-05-2024') });
    const row = await caseOf('100005');
    expect(row.state.vote).toMatchObject({ kind: 'repeat_verdict', openedOn: '2027-03-01', ballots: {} });
    expect(await count(sql`select count(*) as n from outbox where kind = 'mt_vote' and case_id = ${row.id}`)).toBe(1);

    await service.castBallot(MT1, '100005', { ballot: 'for' }, { key: 'r1', date: '2027-03-02' });
    // P4.b: the MT decides to evict; the case closes on the eviction date, not at the vote.
    expect(await service.castBallot(MT2, '100005', { ballot: 'for' }, { key: 'r2', date: '2027-03-02' })).toMatchObject({
      stage: 'verdict',
    });
    expect(await caseOf('100005')).toMatchObject({ stage: 'verdict' });
    await runDaily(database, config, { date: '2027-04-15' });
    expect(await caseOf('100005')).toMatchObject({ stage: 'closed', closed_reason: 'evicted' });
  });

  it('P4.b an earlier case with a verdict makes the next verdict a repeat; without one it is a first (P4.a)', async () => {
    const earlier = {
      verdict: { verdictOn: '2025-03-01', evictionOn: '2025-04-15', amountCents: 200_000, first: true, payBy: '2025-04-14' },
    };
    await database.db.execute(
      sql`insert into cases (contract_id, stage, opened_on, stage_since, closed_on, closed_reason, state)
          values ('100002', 'closed', '2025-01-10', '2025-03-02', '2025-04-10', 'postponed', ${JSON.stringify(earlier)}::jsonb)`,
    );
    await putCase('100002', 'eviction_procedure', {});
    await putCase('100003', 'eviction_procedure', {});
    const input = { verdictOn: '2027-02-26', evictionOn: '2027-04-15', amountCents: 380_000 };
    expect(await service.registerVerdict(ANNA, '100002', input, { key: 'v2', date: '2027-03-01' })).toMatchObject({ stage: 'mt_vote' });
    expect(await service.registerVerdict(ANNA, '100003', input, { key: 'v3', date: '2027-03-01' })).toMatchObject({ stage: 'verdict' });
  });

  it('a hold pauses the daily run’s escalation and ends on its own', async () => {
    const held = await service.placeHold(
      ANNA,
      '100001',
      { reason: 'debt_help', until: '2027-03-01', note: 'Budgetcoach via Traverse, psychische klachten' },
      { key: 'h', date: '2027-01-14' },
    );
    expect(held).toMatchObject({ ok: true, stage: 'contact' });
    expect((await caseOf('100001')).state.hold).toEqual({ reason: 'debt_help', since: '2027-01-14', until: '2027-03-01' });

    // D(Feb): the arrears grew and no conversation was held; only the tenancy without a hold escalates.
    await runDaily(database, config, { date: D_FEB });
    expect((await caseOf('100001')).stage).toBe('contact');
    expect((await caseOf('100002')).stage).toBe('escalation');

    await runDaily(database, config, { date: '2027-03-02' });
    const ended = await caseOf('100001');
    expect(ended.state.hold).toBeUndefined();
    expect(await count(sql`select count(*) as n from case_events where contract_id = '100001' and type = 'hold_ended'`)).toBe(1);

    await runDaily(database, config, { date: D_MAR });
    expect((await caseOf('100001')).stage).toBe('escalation');

    const outbox = await queryRows<{ payload: string }>(database.db, sql`select payload::text as payload from outbox`);
    expect(outbox.some((o) => o.payload.includes('psychische'))).toBe(false);
  });

  it('a hold released early lets the next detection day escalate', async () => {
    await service.placeHold(ANNA, '100001', { reason: 'moratorium', until: '2027-05-01' }, { key: 'h1', date: '2027-01-14' });
    expect(
      await service.placeHold(ANNA, '100001', { reason: 'moratorium', until: '2027-08-01' }, { key: 'h2', date: '2027-01-15' }),
    ).toMatchObject({ ok: false, reason: 'invalid', errors: [{ field: 'until' }] });
    expect(await service.releaseHold(BERT, '100001', { key: 'h3', date: '2027-02-01' })).toMatchObject({ ok: true, stage: 'contact' });
    await runDaily(database, config, { date: D_FEB });
    expect((await caseOf('100001')).stage).toBe('escalation');
  });
});

describe('the daily run and the team at the same moment', () => {
  // Only PostgreSQL runs two transactions at once; PGlite has one connection and serialises them.
  it.runIf(onPostgres)('an outcome recorded while the daily run decides is not overwritten by the run', async () => {
    // The run reads every case, decides, then writes them back. Hold it after its read (the ledger
    // is locked away from it), record a hold meanwhile, then let the run finish: the hold must survive.
    const admin = postgres(database.url!, { max: 2, onnotice: () => {} });
    const blocker = await admin.reserve();
    const waiting = async (query: string) => {
      for (let deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
        const [row] = await admin.unsafe(query);
        if (Number(row!.n) > 0) return;
      }
      throw new Error(`nobody waiting: ${query}`);
    };
    try {
      await blocker`begin`;
      await blocker`lock table ledger_entries in access exclusive mode`;
      const run = runDaily(database, config, { date: D_FEB });
      await waiting(`select count(*) as n from pg_locks where relation = 'ledger_entries'::regclass and not granted`);
      const held = service.placeHold(ANNA, '100001', { reason: 'wsnp', until: '2027-12-31' }, { key: 'during-run', date: D_FEB });
      // The service queues behind the run (its shared lock on the run's key) instead of slipping in between.
      await Promise.race([held, waiting(`select count(*) as n from pg_locks where locktype = 'advisory' and not granted`)]);
      await blocker`commit`;
      await run;
      expect(await held).toMatchObject({ ok: true, stage: 'escalation' });
      expect((await caseOf('100001')).state.hold).toMatchObject({ reason: 'wsnp', until: '2027-12-31' });
    } finally {
      blocker.release();
      await admin.end({ timeout: 5 });
    }
  });
});

describe('notes (P3.a)', () => {
  it('P3.a a thread reply is stored once per source id, in the dossier only: never in the outbox or the audit text', async () => {
    await runDaily(database, config, { date: D_FEB }); // the cases escalate: the team discusses them in the thread
    const before = await count(sql`select count(*) as n from outbox`);
    const text = 'Vermoeden van verslaving; twee jonge kinderen in huis';
    const first = await service.addNote(BERT, '100001', text, {
      source: 'slack_thread',
      sourceId: 'C0NOORD0001/1700000000.000100',
      date: '2027-02-11',
    });
    const again = await service.addNote(BERT, '100001', text, {
      source: 'slack_thread',
      sourceId: 'C0NOORD0001/1700000000.000100',
      date: '2027-02-11',
    });
    const { id } = await caseOf('100001');
    expect(first).toEqual({ ok: true, eventId: expect.any(Number), caseId: id, duplicate: false });
    expect(again).toEqual({ ok: true, eventId: null, caseId: id, duplicate: true });

    const notes = await eventsBy(BERT);
    expect(notes).toEqual([
      {
        contract_id: '100001',
        type: 'note',
        clause: 'P3.a',
        summary: 'Notitie uit de casusdraad',
        data: { text, source: 'slack_thread', sourceId: 'C0NOORD0001/1700000000.000100' },
      },
    ]);
    expect(await count(sql`select count(*) as n from outbox`)).toBe(before);
    const leaks = await count(
      sql`select count(*) as n from (select payload::text as t from outbox union all select detail::text from audit_log) x where t like '%verslaving%'`,
    );
    expect(leaks).toBe(0);
    expect(await service.addNote(MT1, '100001', 'MT leest mee', { source: 'slack_thread', sourceId: 'x2' })).toMatchObject({ ok: true });
    expect(await service.addNote(BERT, '100001', '   ', { source: 'slack_thread', sourceId: 'x3' })).toEqual({
      ok: false,
      reason: 'invalid',
      errors: [{ field: 'text', message: 'De notitie is leeg.' }],
    });
  });
});
