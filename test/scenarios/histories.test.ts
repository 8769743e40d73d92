import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOutcomeService, type ConversationRequest, type OutcomeService } from '../../src/cases/outcome-service.js';
import { runDaily, type DailyRunReport } from '../../src/daily/daily-run.js';
import { queryRows } from '../../src/db/client.js';
import { detectionDay } from '../../src/domain/arrears.js';
import type { IsoDate } from '../../src/domain/calendar.js';
import type { CaseState } from '../../src/domain/case-state.js';
import { loadDossier } from '../../src/dossier/dossier.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { scratchDir } from '../support/files.js';
import { LedgerBuilder, type TenancySpec } from './ledger-builder.js';

/**
 * Whole histories: tenancies walk through the procedure over many months, through the real
 * importers, the real daily run (one call per day that matters; the run catches up the working
 * days in between) and the outcome service, as the team and the MT would use it from Slack.
 * After every step the test reads back the case stage, the new dossier events (date, type,
 * clause, in order) and the new Slack messages in the outbox.
 *
 * Rent € 700,00 due on the 1st. Detection day D(M) = the 8th working day:
 *
 *   D(Jan 2027) wed 13-01   D(Feb) wed 10-02   D(Mar) wed 10-03   D(Apr) mon 12-04
 *   D(May) thu 13-05        D(Jun) thu 10-06   D(Jul) mon 12-07   D(Aug) wed 11-08
 *
 * Team noord (channel C0NOORD0001): ANNA, BERT. MT (channel C0MT0000001): MT1..MT3, quorum 2.
 */

const config = testConfig();
const files = scratchDir();
let database: TestDatabase;
let service: OutcomeService;
let ledger: LedgerBuilder;

const D = {
  jan: '2027-01-13',
  feb: '2027-02-10',
  mar: '2027-03-10',
  apr: '2027-04-12',
  may: '2027-05-13',
  jun: '2027-06-10',
  jul: '2027-07-12',
  aug: '2027-08-11',
} as const;
const RENT = 70_000;
const TEAM_CHANNEL = 'C0NOORD0001';
const MT_CHANNEL = 'C0MT0000001';
const ANNA = 'U0AAAAAAA1';
const BERT = 'U0BBBBBBB1';
const [MT1, MT2, MT3] = ['U0MTMTMT01', 'U0MTMTMT02', 'U0MTMTMT03'] as const;

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
  ledger = new LedgerBuilder(database, files);
});

// ---------------------------------------------------------------------------------------------
// The world: tenancies, the calendar, the outcome service

async function tenancies(...specs: (Omit<TenancySpec, 'rentCents'> & { rentCents?: number })[]): Promise<void> {
  await ledger.tenancies(
    config,
    specs.map((s) => ({ rentCents: RENT, ...s })),
    '2026-11-15',
  );
}

/** Imports what the ERP booked up to `date`, then the daily run for `date` (catching up the days before). */
async function runTo(date: IsoDate): Promise<DailyRunReport> {
  await ledger.importUpTo(date);
  return runDaily(database, config, { date });
}

let keySeq = 0;
/** A fresh idempotency key (a Slack view or action id) for each action. */
function act(date: IsoDate) {
  return { key: `view-${++keySeq}`, date };
}

function talk(over: Partial<ConversationRequest> = {}): ConversationRequest {
  return {
    cause: 'Baan verloren in december; partner ziek',
    referralConsent: true,
    consequencesExplained: true,
    obligations: { noNewArrears: true, registerWithAid: true, reportRegistration: true, paymentArrangement: true },
    commitments: { passDetailsOn: true, noCollection: true, noInterest: true, acceptArrangement: true },
    ...over,
  };
}

function expectOk(response: { ok: boolean }, stage: string) {
  expect(response).toMatchObject({ ok: true, duplicate: false, stage });
}

// ---------------------------------------------------------------------------------------------
// Reading back: one tracker per tenancy reports what changed since its last step

interface Step {
  /** The stage of the latest case, `closed:<reason>` when closed, `none` without a case. */
  stage: string;
  /** New dossier events: `on type clause`. */
  events: string[];
  /** New outbox rows about this tenancy (digests left out): `card <channel> <stage> <clause>` or `vote <channel> <kind>`. */
  messages: string[];
}

interface CaseRow {
  id: number;
  stage: string;
  opened_on: string;
  stage_since: string;
  due_on: string | null;
  closed_on: string | null;
  closed_reason: string | null;
  state: CaseState;
  [key: string]: unknown;
}

const rank = (m: { kind: string }) => (m.kind === 'mt_vote' ? 1 : 0);

class Tracker {
  private lastEvent = 0;
  private lastMessage = 0;

  constructor(readonly contract: string) {}

  async case(): Promise<CaseRow | undefined> {
    const [row] = await queryRows<CaseRow>(
      database.db,
      sql`select id, stage, opened_on::text, stage_since::text, due_on::text, closed_on::text, closed_reason, state
          from cases where contract_id = ${this.contract} order by id desc limit 1`,
    );
    return row;
  }

  async caseCount(): Promise<number> {
    const [row] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int8 as n from cases where contract_id = ${this.contract}`,
    );
    return row!.n;
  }

  async step(): Promise<Step> {
    const c = await this.case();
    const events = await queryRows<{ id: number; on: string; type: string; clause: string | null }>(
      database.db,
      sql`select id, "on"::text as on, type, clause from case_events
          where contract_id = ${this.contract} and id > ${this.lastEvent} order by id`,
    );
    const messages = await queryRows<{ id: number; kind: string; channel: string; payload: Record<string, unknown> }>(
      database.db,
      sql`select id, kind, channel, payload from outbox
          where id > ${this.lastMessage} and kind <> 'digest' and payload->>'contractId' = ${this.contract} order by id`,
    );
    this.lastEvent = Math.max(this.lastEvent, ...events.map((e) => Number(e.id)));
    this.lastMessage = Math.max(this.lastMessage, ...messages.map((m) => Number(m.id)));
    return {
      stage: !c ? 'none' : c.stage === 'closed' ? `closed:${c.closed_reason}` : c.stage,
      events: events.map((e) => `${e.on} ${e.type} ${e.clause ?? '-'}`),
      // One statement may queue a card and a vote message, in no defined order: cards by version, votes after them.
      messages: messages
        .sort((a, b) => rank(a) - rank(b) || Number(a.payload.version ?? 0) - Number(b.payload.version ?? 0))
        .map((m) =>
          m.kind === 'mt_vote'
            ? `vote ${m.channel} ${String(m.payload.kind)}`
            : `${m.kind === 'case_card' ? 'card' : m.kind} ${m.channel} ${String(m.payload.stage)} ${String(m.payload.clause ?? '-')}`,
        ),
    };
  }

  /** Nothing changed since the last step. */
  async expectQuiet(stage: string): Promise<void> {
    expect(await this.step()).toEqual({ stage, events: [], messages: [] });
  }

  /** The whole dossier timeline as `on type clause`. */
  async timeline(asOf: IsoDate): Promise<string[]> {
    const dossier = await loadDossier(database.db, this.contract, asOf);
    return dossier!.events.map((e) => `${e.on} ${e.type} ${e.clause ?? '-'}`);
  }

  async summaries(type: string): Promise<string[]> {
    const rows = await queryRows<{ summary: string }>(
      database.db,
      sql`select summary from case_events where contract_id = ${this.contract} and type = ${type} order by id`,
    );
    return rows.map((r) => r.summary);
  }
}

/** The transitions of a report without their dates. */
function moves(report: DailyRunReport) {
  return report.transitions.map(({ on: _on, ...rest }) => rest);
}

// ---------------------------------------------------------------------------------------------
// A history shared by several scenarios: a tenant who stops paying in January 2027 and reaches
// the eviction procedure (P1 -> P2 -> P2.d -> P2.d.1/P2.d.2 -> P3 -> P3.a -> P3.b -> P3.c -> P3.d).

async function stopsPayingUntilEvictionProcedure(h: Tracker, options: { earlierVerdict: boolean }): Promise<void> {
  const c = h.contract;
  // December paid on the 2nd; nothing since.
  ledger.rent(c, '2026-12', '2027-08', RENT).pay(c, '2026-12-02', RENT);

  // P1, P1.a: the 8th working day of January, one month behind.
  expect(moves(await runTo(D.jan))).toContainEqual({ contractId: c, from: null, to: 'reminder', clause: 'P1' });
  expect(await h.step()).toEqual({ stage: 'reminder', events: [`${D.jan} case_opened P1`, `${D.jan} letter_sent P1`], messages: [] });
  const letter = (await h.case())!.state.letter!;
  expect(letter).toMatchObject({ sentOn: D.jan, receivedOn: '2027-01-14', termEndsOn: '2027-01-28', principalCents: RENT });

  // P1.b / P2.a.2: the letter's term ends without a reaction to the early-signalling offer.
  await runTo('2027-01-28');
  await h.expectQuiet('reminder');
  await runTo('2027-01-29');
  expect(await h.step()).toEqual({ stage: 'reminder', events: ['2027-01-29 signal_no_reaction P2.a.2'], messages: [] });

  // P2: the arrears grew (a 2nd month): contact, and from now on a case card in the team channel.
  expect(moves(await runTo(D.feb))).toContainEqual({ contractId: c, from: 'reminder', to: 'contact', clause: 'P2' });
  expect(await h.step()).toEqual({
    stage: 'contact',
    events: [`${D.feb} stage_changed P2`, `${D.feb} letter_sent P2`],
    messages: [`card ${TEAM_CHANNEL} contact P2`],
  });

  // P2.d: no response to the invitation: a home visit by two employees (P2.d.1).
  await runTo('2027-02-17');
  expectOk(await service.recordNoResponse(ANNA, c, act('2027-02-17')), 'visit');
  expect(await h.step()).toEqual({
    stage: 'visit',
    events: ['2027-02-17 stage_changed P2.d'],
    messages: [`card ${TEAM_CHANNEL} visit P2.d`],
  });

  // P2.d.1 / P2.d.2: two employees, nobody home: a card in the mailbox with a one-week term.
  await runTo('2027-02-19');
  expectOk(await service.recordHomeVisit(ANNA, c, { outcome: 'nobody_home', employees: [ANNA, BERT] }, act('2027-02-19')), 'visit');
  expect(await h.step()).toEqual({
    stage: 'visit',
    events: ['2027-02-19 card_left P2.d.2', '2027-02-19 letter_sent P2.d.2'],
    messages: [`card ${TEAM_CHANNEL} visit P2.d.2`],
  });
  expect((await h.case())!.state.visit).toEqual({
    visitedOn: '2027-02-19',
    employees: [ANNA, BERT],
    cardLeftOn: '2027-02-19',
    cardTermEndsOn: '2027-02-26',
  });

  // The card's week: its last day passes quietly, the next working day escalates (P3, via P2.d.2).
  await runTo('2027-02-26');
  await h.expectQuiet('visit');
  expect(moves(await runTo('2027-03-01'))).toContainEqual({ contractId: c, from: 'visit', to: 'escalation', clause: 'P2.d.2' });
  expect(await h.step()).toEqual({
    stage: 'escalation',
    events: ['2027-03-01 stage_changed P2.d.2'],
    messages: [`card ${TEAM_CHANNEL} escalation P2.d.2`],
  });
  expect((await h.case())!.state.escalation).toEqual({
    since: '2027-03-01',
    reason: 'geen reactie op de kaart binnen de termijn (tot 26-02-2027)',
  });

  // P3.a: the team discussion, MaSS flags (P3.a.1) and circumstances (P3.a.2); a reply in the case thread.
  await runTo('2027-03-02');
  const flags = {
    childrenInHome: true,
    referralGrounds: true,
    nuisance: false,
    structuralProblems: true,
    earlierVerdict: options.earlierVerdict,
  };
  expectOk(await service.recordMassDiscussion(BERT, c, flags, act('2027-03-02')), 'escalation');
  const note = await service.addNote(ANNA, c, 'Twee jonge kinderen in huis; wijkteam GGD ingeschakeld', {
    source: 'slack_thread',
    sourceId: `${TEAM_CHANNEL}:1772445600.000100`,
    date: '2027-03-02',
  });
  expect(note).toMatchObject({ ok: true, duplicate: false });
  expect(await h.step()).toEqual({
    stage: 'escalation',
    events: ['2027-03-02 mass_discussed P3.a', '2027-03-02 note P3.a'],
    // The flags and the note stay out of Slack: only the card's new version.
    messages: [`card ${TEAM_CHANNEL} escalation P3.a`],
  });
  expect((await h.case())!.state.mass).toEqual({ discussedOn: '2027-03-02', ...flags });

  // P3.b: the file goes to the bailiff, one last chance to pay (term 14 days).
  await runTo('2027-03-03');
  expectOk(await service.handToBailiff(ANNA, c, act('2027-03-03')), 'bailiff');
  expect(await h.step()).toEqual({
    stage: 'bailiff',
    events: ['2027-03-03 stage_changed P3.b', '2027-03-03 letter_sent P3.b'],
    messages: [`card ${TEAM_CHANNEL} bailiff P3.b`],
  });
  expect((await h.case())!.state.bailiff).toEqual({ handedOn: '2027-03-03', termEndsOn: '2027-03-17' });
  expect((await h.summaries('stage_changed')).at(-1)).toContain('vroegsignalering: niet gemeld bij de gemeente (geen reactie');

  // D(Mar) passes while the bailiff's term runs: the arrears grew, but the bailiff has the file.
  const march = await runTo('2027-03-17');
  expect(march.caughtUp).toContain(D.mar);
  expect(march.transitions.filter((t) => t.contractId === c)).toEqual([]);
  await h.expectQuiet('bailiff');

  // P3.c: the bailiff's term passed without effect: the MT votes, a vote message in the MT channel.
  expect(moves(await runTo('2027-03-18'))).toContainEqual({ contractId: c, from: 'bailiff', to: 'mt_vote', clause: 'P3.c' });
  expect(await h.step()).toEqual({
    stage: 'mt_vote',
    events: ['2027-03-18 stage_changed P3.c'],
    messages: [`card ${TEAM_CHANNEL} mt_vote P3.c`, `vote ${MT_CHANNEL} eviction`],
  });
  expect((await h.case())!.state.vote).toEqual({ kind: 'eviction', openedOn: '2027-03-18', closesOn: '2027-03-23', ballots: {} });

  // Ballots: a team member cannot vote; the first MT ballot leaves the vote open.
  await runTo('2027-03-19');
  expect(await service.castBallot(ANNA, c, { ballot: 'for' }, act('2027-03-19'))).toMatchObject({ ok: false, reason: 'not_authorised' });
  expectOk(await service.castBallot(MT1, c, { ballot: 'for' }, act('2027-03-19')), 'mt_vote');
  expect(await h.step()).toEqual({
    stage: 'mt_vote',
    events: ['2027-03-19 mt_ballot P3.c'],
    messages: [`card ${TEAM_CHANNEL} mt_vote P3.c`],
  });
  // P3.d: the second ballot for is a majority of the three members: the eviction procedure starts.
  expectOk(await service.castBallot(MT2, c, { ballot: 'for' }, act('2027-03-19')), 'eviction_procedure');
  expect(await h.step()).toEqual({
    stage: 'eviction_procedure',
    events: ['2027-03-19 stage_changed P3.d', '2027-03-19 letter_sent P3.d'],
    messages: [`card ${TEAM_CHANNEL} eviction_procedure P3.d`],
  });
  expect((await h.case())!.state.mtDecision).toEqual({
    on: '2027-03-19',
    outcome: 'approved',
    kind: 'eviction',
    ballots: { [MT1]: 'for', [MT2]: 'for' },
  });

  // The vote's term passes: nothing left to close.
  await runTo('2027-03-23');
  await h.expectQuiet('eviction_procedure');
}

/** P4.a: a first verdict, with court and bailiff costs booked as a `costs` line. */
async function firstVerdict(h: Tracker): Promise<void> {
  const c = h.contract;
  ledger.costs(c, '2027-04-20', 61_234, 'Proceskosten en deurwaarderskosten vonnis 19-04-2027');
  await runTo('2027-04-20');
  // January to April unpaid, plus the costs.
  const amountCents = 4 * RENT + 61_234;
  expect(ledger.balanceOn(c, '2027-04-20')).toBe(amountCents);
  expectOk(
    await service.registerVerdict(ANNA, c, { verdictOn: '2027-04-19', evictionOn: '2027-05-24', amountCents }, act('2027-04-20')),
    'verdict',
  );
  expect(await h.step()).toEqual({
    stage: 'verdict',
    events: ['2027-04-20 stage_changed P4.a'],
    messages: [`card ${TEAM_CHANNEL} verdict P4.a`],
  });
  // Payment must arrive at least 24 hours before the eviction: by the day before.
  expect((await h.case())!.state.verdict).toEqual({
    verdictOn: '2027-04-19',
    evictionOn: '2027-05-24',
    amountCents,
    first: true,
    payBy: '2027-05-23',
    registeredOn: '2027-04-20',
    // The ledger holds the costs already: nothing of the verdict amount is unbooked.
    unbookedCents: 0,
  });
}

// ---------------------------------------------------------------------------------------------

describe('the calendar of these histories', () => {
  it('has the detection days the scenarios assume (P1.a: 8th working day)', () => {
    const months = Object.values(D);
    months.forEach((d, i) => expect(detectionDay(2027, i + 1)).toBe(d));
  });
});

describe('histories through the procedure', () => {
  it('P1, P1.a, P1.b pays late once: a reminder on the 8th working day, paid within the letter term, closed; the next month is quiet', async () => {
    const h = new Tracker('200001');
    await tenancies({ contract: h.contract });
    ledger
      .rent(h.contract, '2026-12', '2027-04', RENT)
      .pay(h.contract, '2026-12-02', RENT)
      .pay(h.contract, '2027-01-04', RENT)
      .pay(h.contract, '2027-02-18', RENT) // February's rent, late
      .payMonthly(h.contract, '2027-03', '2027-04', 2, RENT);

    // The 7th working day: payments may still be on their way (P1.a).
    const seventh = await runTo('2027-02-09');
    expect(seventh).toMatchObject({ detectionDay: false, transitions: [] });
    await h.expectQuiet('none');

    const detection = await runTo(D.feb);
    expect(detection.detectionDay).toBe(true);
    expect(moves(detection)).toEqual([{ contractId: h.contract, from: null, to: 'reminder', clause: 'P1' }]);
    // A reminder has no card of its own: the letter goes out in the team digest (P1).
    expect(await h.step()).toEqual({ stage: 'reminder', events: [`${D.feb} case_opened P1`, `${D.feb} letter_sent P1`], messages: [] });
    const opened = (await h.case())!;
    expect(opened.state.letter).toMatchObject({ sentOn: D.feb, receivedOn: '2027-02-11', termEndsOn: '2027-02-25', principalCents: RENT });
    const [digest] = await queryRows<{ payload: { newLetters: string[]; counts: Record<string, number> } }>(
      database.db,
      sql`select payload from outbox where key = ${`digest:noord:${D.feb}`}`,
    );
    expect(digest!.payload).toMatchObject({ newLetters: [h.contract], counts: { reminder: 1 } });

    await runTo('2027-02-17');
    await h.expectQuiet('reminder');

    // Paid within the letter's term (until 25-02): closed as paid.
    const paid = await runTo('2027-02-18');
    expect(moves(paid)).toEqual([{ contractId: h.contract, from: 'reminder', to: 'closed', clause: 'P1', reason: 'paid' }]);
    expect(await h.step()).toEqual({ stage: 'closed:paid', events: ['2027-02-18 case_closed P1'], messages: [] });

    // March: on time; late(Feb) alone does not open anything, nor does the passing of the letter's term.
    const march = await runTo(D.mar);
    expect(march.caughtUp).toContain('2027-02-26');
    expect(march.transitions).toEqual([]);
    await runTo('2027-03-31');
    await h.expectQuiet('closed:paid');
    expect(await h.caseCount()).toBe(1);
    expect(await h.timeline('2027-03-31')).toEqual([`${D.feb} case_opened P1`, `${D.feb} letter_sent P1`, '2027-02-18 case_closed P1']);
  });

  it('P1, P2, P2.a two late months: a second late month opens at contact directly, a conversation without arrangement, caught up, closed', async () => {
    const h = new Tracker('200002');
    await tenancies({ contract: h.contract });
    ledger
      .rent(h.contract, '2026-12', '2027-03', RENT)
      .pay(h.contract, '2026-12-02', RENT)
      .pay(h.contract, '2027-01-20', RENT) // January late
      .pay(h.contract, '2027-02-26', RENT) // February late, after the conversation
      .pay(h.contract, '2027-03-02', RENT);

    await runTo(D.jan);
    expect(await h.step()).toEqual({ stage: 'reminder', events: [`${D.jan} case_opened P1`, `${D.jan} letter_sent P1`], messages: [] });
    await runTo('2027-01-20');
    expect(await h.step()).toEqual({ stage: 'closed:paid', events: ['2027-01-20 case_closed P1'], messages: [] });

    // P2: late on D(Jan) and on D(Feb): "twee maanden na elkaar te laat": straight to contact.
    const feb = await runTo(D.feb);
    expect(moves(feb)).toEqual([{ contractId: h.contract, from: null, to: 'contact', clause: 'P2' }]);
    expect(await h.step()).toEqual({
      stage: 'contact',
      events: [`${D.feb} case_opened P2`, `${D.feb} letter_sent P1`, `${D.feb} letter_sent P2`],
      messages: [`card ${TEAM_CHANNEL} contact P2`],
    });
    const contact = (await h.case())!;
    expect(contact.state).toMatchObject({ contactSince: D.feb, letter: { sentOn: D.feb, principalCents: RENT } });
    expect((await h.summaries('case_opened')).at(-1)).toMatch(/^Tweede maand achterstand € 700,00/);

    // P2.a: the conversation: cause (a note, P2.a.1), referral form (P2.a.2), consequences (P2.a.3); no arrangement.
    await runTo('2027-02-15');
    expectOk(await service.recordConversation(ANNA, h.contract, talk(), act('2027-02-15')), 'contact');
    expect(await h.step()).toEqual({
      stage: 'contact',
      events: ['2027-02-15 conversation_recorded P2.a', '2027-02-15 note P2.a.1', '2027-02-15 letter_sent P2.a.4'],
      messages: [`card ${TEAM_CHANNEL} contact P2.a`],
    });
    const talked = (await h.case())!.state;
    expect(talked).toMatchObject({ conversationOn: '2027-02-15', agreement: { arrearsCents: RENT, referralConsent: true } });
    expect(talked.signal).toMatchObject({ state: 'agreed', answeredOn: '2027-02-15' });
    expect(talked.arrangement).toBeUndefined();

    // The letter's term ends on 25-02: the tenant already answered, so no "no reaction" event.
    await runTo('2027-02-25');
    await h.expectQuiet('contact');
    const caughtUp = await runTo('2027-02-26');
    expect(moves(caughtUp)).toEqual([{ contractId: h.contract, from: 'contact', to: 'closed', clause: 'P2', reason: 'paid' }]);
    expect(await h.step()).toEqual({
      stage: 'closed:paid',
      events: ['2027-02-26 case_closed P2'],
      // The card shows the case closed.
      messages: [`card ${TEAM_CHANNEL} closed P2`],
    });

    expect((await runTo(D.mar)).transitions).toEqual([]);
    await h.expectQuiet('closed:paid');
    expect(await h.caseCount()).toBe(2);
  });

  it('P1, P2, P2.d, P2.d.1, P2.d.2, P3, P3.a.1, P3.a.2, P3.b, P3.c, P3.d stops paying and reaches the MT vote and the eviction procedure', async () => {
    const h = new Tracker('200003');
    await tenancies({ contract: h.contract });
    await stopsPayingUntilEvictionProcedure(h, { earlierVerdict: false });

    expect(await h.timeline('2027-03-23')).toEqual([
      `${D.jan} case_opened P1`,
      `${D.jan} letter_sent P1`,
      '2027-01-29 signal_no_reaction P2.a.2',
      `${D.feb} stage_changed P2`,
      `${D.feb} letter_sent P2`,
      '2027-02-17 stage_changed P2.d',
      '2027-02-19 card_left P2.d.2',
      '2027-02-19 letter_sent P2.d.2',
      '2027-03-01 stage_changed P2.d.2',
      '2027-03-02 mass_discussed P3.a',
      '2027-03-02 note P3.a',
      '2027-03-03 stage_changed P3.b',
      '2027-03-03 letter_sent P3.b',
      '2027-03-18 stage_changed P3.c',
      '2027-03-19 mt_ballot P3.c',
      '2027-03-19 stage_changed P3.d',
      '2027-03-19 letter_sent P3.d',
    ]);
    // The MT's message and every card carry ids, stages and dates only: no flags, no notes.
    const outbox = JSON.stringify(await queryRows(database.db, sql`select payload from outbox`));
    for (const secret of ['kinderen', 'GGD', 'childrenInHome', 'referralGrounds', 'Huurder', 'Kerkstraat'])
      expect(outbox).not.toContain(secret);
  });

  it('P2, P2.b, P2.b.4, P2.c.4 keeps an arrangement: stays in arrangement on every detection day, closed as paid when cleared', async () => {
    const h = new Tracker('200004');
    await tenancies({ contract: h.contract });
    ledger.rent(h.contract, '2026-12', '2027-07', RENT).pay(h.contract, '2026-12-02', RENT);

    await runTo(D.jan);
    await runTo(D.feb);
    expect(await h.step()).toEqual({
      stage: 'contact',
      events: [
        `${D.jan} case_opened P1`,
        `${D.jan} letter_sent P1`,
        '2027-01-29 signal_no_reaction P2.a.2',
        `${D.feb} stage_changed P2`,
        `${D.feb} letter_sent P2`,
      ],
      messages: [`card ${TEAM_CHANNEL} contact P2`],
    });

    // The conversation: € 1.400,00 in 4 installments of € 350,00 on the 1st, on top of the running rent.
    await runTo('2027-02-15');
    const installments = ['2027-03-01', '2027-04-01', '2027-05-01', '2027-06-01'].map((dueOn) => ({ dueOn, amountCents: 35_000 }));
    expectOk(await service.recordConversation(BERT, h.contract, talk({ arrangement: { installments } }), act('2027-02-15')), 'arrangement');
    expect(await h.step()).toEqual({
      stage: 'arrangement',
      events: ['2027-02-15 stage_changed P2.c.4', '2027-02-15 note P2.a.1', '2027-02-15 letter_sent P2.a.4'],
      messages: [`card ${TEAM_CHANNEL} arrangement P2.c.4`],
    });
    expect((await h.case())!.state.arrangement).toEqual({
      agreedOn: '2027-02-15',
      arrearsCents: 2 * RENT,
      installments,
      monthlyRentCents: RENT,
    });
    // The tenant keeps it: rent plus installment every month, a day after it is due.
    ledger.pay(h.contract, '2027-03-02', RENT + 35_000).pay(h.contract, '2027-04-02', RENT + 35_000);
    ledger.pay(h.contract, '2027-05-03', RENT + 35_000).pay(h.contract, '2027-06-02', RENT + 35_000);
    ledger.pay(h.contract, '2027-07-02', RENT);

    for (const [d, left] of [
      [D.mar, 3 * 35_000],
      [D.apr, 2 * 35_000],
      [D.may, 35_000],
    ] as const) {
      const report = await runTo(d);
      expect(report.detectionDay).toBe(true);
      expect(report.transitions).toEqual([]);
      await h.expectQuiet('arrangement');
      expect(ledger.balanceOn(h.contract, d)).toBe(left);
    }

    // June's rent falls due on the 1st; the last installment with it on the 2nd clears the arrears.
    await runTo('2027-06-01');
    await h.expectQuiet('arrangement');
    const cleared = await runTo('2027-06-02');
    expect(moves(cleared)).toEqual([{ contractId: h.contract, from: 'arrangement', to: 'closed', clause: 'P2.c.4', reason: 'paid' }]);
    expect(await h.step()).toEqual({
      stage: 'closed:paid',
      events: ['2027-06-02 case_closed P2.c.4'],
      messages: [`card ${TEAM_CHANNEL} closed P2.c.4`],
    });

    expect((await runTo(D.jul)).transitions).toEqual([]);
    await h.expectQuiet('closed:paid');
    expect(await h.caseCount()).toBe(1);
  });

  it('P2.c.4, P3 breaks an arrangement: a missed installment escalates on the next detection day', async () => {
    const h = new Tracker('200005');
    await tenancies({ contract: h.contract });
    ledger.rent(h.contract, '2026-12', '2027-05', RENT).pay(h.contract, '2026-12-02', RENT);

    await runTo(D.jan);
    await runTo(D.feb);
    expect((await h.step()).stage).toBe('contact');
    await runTo('2027-02-15');
    const installments = ['2027-03-01', '2027-04-01', '2027-05-01', '2027-06-01'].map((dueOn) => ({ dueOn, amountCents: 35_000 }));
    expectOk(await service.recordConversation(ANNA, h.contract, talk({ arrangement: { installments } }), act('2027-02-15')), 'arrangement');
    await h.step();

    // March kept; April only the rent, not the installment.
    ledger.pay(h.contract, '2027-03-02', RENT + 35_000).pay(h.contract, '2027-04-02', RENT);
    expect((await runTo(D.mar)).transitions).toEqual([]);
    await h.expectQuiet('arrangement');

    // The day before D(Apr) nothing is checked yet; on D(Apr) B is € 350,00 above the schedule.
    await runTo('2027-04-09');
    await h.expectQuiet('arrangement');
    const april = await runTo(D.apr);
    expect(moves(april)).toEqual([{ contractId: h.contract, from: 'arrangement', to: 'escalation', clause: 'P3' }]);
    expect(await h.step()).toEqual({
      stage: 'escalation',
      events: [`${D.apr} stage_changed P3`],
      messages: [`card ${TEAM_CHANNEL} escalation P3`],
    });
    const escalated = (await h.case())!.state;
    expect(escalated.escalation).toEqual({
      since: D.apr,
      reason: 'betalingsregeling niet nagekomen: € 1.050,00 (1,5 maanden) op 12-04-2027',
    });
    // The arrangement stays in the state as evidence of what was agreed.
    expect(escalated.arrangement?.installments).toHaveLength(4);
  });

  it('P4.a, P4.a.1, P4.a.2 first verdict paid in full more than 24 hours before the eviction: postponed, 2 years of probation', async () => {
    const h = new Tracker('200006');
    await tenancies({ contract: h.contract });
    await stopsPayingUntilEvictionProcedure(h, { earlierVerdict: false });
    await firstVerdict(h);

    // May's rent falls due; on 12-05 the tenant pays everything: rent, arrears and the costs line.
    const everything = ledger.balanceOn(h.contract, '2027-05-12');
    expect(everything).toBe(5 * RENT + 61_234);
    ledger.pay(h.contract, '2027-05-12', everything).payMonthly(h.contract, '2027-06', '2027-07', 2, RENT);
    await runTo('2027-05-11');
    await h.expectQuiet('verdict');

    const paid = await runTo('2027-05-12');
    expect(moves(paid)).toEqual([{ contractId: h.contract, from: 'verdict', to: 'closed', clause: 'P4.a.1', reason: 'postponed' }]);
    expect(await h.step()).toEqual({
      stage: 'closed:postponed',
      events: ['2027-05-12 case_closed P4.a.1', '2027-05-12 letter_sent P4.a.1'],
      messages: [`card ${TEAM_CHANNEL} closed P4.a.1`],
    });
    expect((await h.case())!.state.probationUntil).toBe('2029-05-12');
    expect((await h.summaries('case_closed')).at(-1)).toContain('laatste waarschuwing, proeftijd tot 12-05-2029');

    const dossier = (await loadDossier(database.db, h.contract, '2027-05-12'))!;
    expect(dossier.probationUntil).toBe('2029-05-12');
    expect(dossier.balanceCents).toBe(0);
    expect(dossier.case).toMatchObject({ stage: 'closed', closedReason: 'postponed', closedOn: '2027-05-12' });
    // P4.a.2: the next action is the last-warning letter.
    expect(dossier.case!.nextAction).toContain('"laatste waarschuwing"');

    // The months after: rent on time, nothing happens.
    expect((await runTo(D.jul)).transitions).toEqual([]);
    await h.expectQuiet('closed:postponed');
  });

  it('P4.a.3 relapse within probation: new arrears open a case straight at escalation, and the dossier shows the probation', async () => {
    const h = new Tracker('200007');
    await tenancies({ contract: h.contract });
    await stopsPayingUntilEvictionProcedure(h, { earlierVerdict: false });
    await firstVerdict(h);
    ledger.pay(h.contract, '2027-05-12', ledger.balanceOn(h.contract, '2027-05-12'));
    ledger.payMonthly(h.contract, '2027-06', '2027-07', 2, RENT); // August unpaid
    await runTo('2027-05-12');
    expect((await h.step()).stage).toBe('closed:postponed');

    expect((await runTo(D.jul)).transitions).toEqual([]);
    await h.expectQuiet('closed:postponed');

    const august = await runTo(D.aug);
    expect(moves(august)).toEqual([{ contractId: h.contract, from: null, to: 'escalation', clause: 'P4.a.3' }]);
    expect(await h.step()).toEqual({
      stage: 'escalation',
      events: [`${D.aug} case_opened P4.a.3`, `${D.aug} letter_sent P1`],
      messages: [`card ${TEAM_CHANNEL} escalation P4.a.3`],
    });
    const relapse = (await h.case())!;
    expect(relapse.state).toMatchObject({
      duringProbation: true,
      escalation: { since: D.aug, reason: 'nieuwe achterstand tijdens de proeftijd' },
      letter: { sentOn: D.aug, principalCents: RENT },
    });
    expect((await h.summaries('case_opened')).at(-1)).toContain('tijdens de proeftijd (tot 12-05-2029)');

    const dossier = (await loadDossier(database.db, h.contract, D.aug))!;
    expect(dossier.probationUntil).toBe('2029-05-12');
    expect(dossier.case).toMatchObject({ stage: 'escalation', openedOn: D.aug });
    expect(dossier.events.slice(-5).map((e) => `${e.on} ${e.type} ${e.clause}`)).toEqual([
      '2027-04-20 stage_changed P4.a',
      '2027-05-12 case_closed P4.a.1',
      '2027-05-12 letter_sent P4.a.1',
      `${D.aug} case_opened P4.a.3`,
      `${D.aug} letter_sent P1`,
    ]);
    expect(await h.caseCount()).toBe(2);
  });

  it('P4.b repeat verdict: an earlier verdict on record sends the new verdict to an MT vote; approval closes the case as evicted', async () => {
    const h = new Tracker('200008');
    await tenancies({ contract: h.contract, earlierVerdictDate: '2024-05-01' });
    await stopsPayingUntilEvictionProcedure(h, { earlierVerdict: true });

    await runTo('2027-04-20');
    expectOk(
      await service.registerVerdict(
        ANNA,
        h.contract,
        { verdictOn: '2027-04-19', evictionOn: '2027-05-24', amountCents: 4 * RENT },
        act('2027-04-20'),
      ),
      'mt_vote',
    );
    expect(await h.step()).toEqual({
      stage: 'mt_vote',
      events: ['2027-04-20 stage_changed P4.b'],
      messages: [`card ${TEAM_CHANNEL} mt_vote P4.b`, `vote ${MT_CHANNEL} repeat_verdict`],
    });
    const voting = (await h.case())!.state;
    expect(voting.verdict).toMatchObject({ first: false, evictionOn: '2027-05-24' });
    expect(voting.vote).toEqual({ kind: 'repeat_verdict', openedOn: '2027-04-20', closesOn: '2027-04-23', ballots: {} });
    expect((await h.summaries('stage_changed')).at(-1)).toContain('Eerder vonnis op 01-05-2024');

    await runTo('2027-04-21');
    expectOk(await service.castBallot(MT1, h.contract, { ballot: 'for' }, act('2027-04-21')), 'mt_vote');
    // P4.b: the MT decides to evict; the case waits in `verdict` for the eviction date.
    expectOk(await service.castBallot(MT3, h.contract, { ballot: 'for' }, act('2027-04-21')), 'verdict');
    const decided = await h.step();
    expect(decided.stage).toBe('verdict');
    // P4.b: the MT's decision goes to the bailiff with the handover summary.
    expect(decided.events).toEqual(['2027-04-21 mt_ballot P4.b', '2027-04-21 stage_changed P4.b', '2027-04-21 letter_sent P4.b']);
    expect((await h.case())!.state.mtDecision).toMatchObject({ outcome: 'approved', kind: 'repeat_verdict' });

    // Paying no longer stops it; the eviction date closes the case.
    await runTo('2027-05-21');
    await h.expectQuiet('verdict');
    await runTo('2027-05-24');
    const evicted = await h.step();
    expect(evicted.stage).toBe('closed:evicted');
    expect(evicted.events).toEqual(['2027-05-24 case_closed P4.b']);
  });

  it('a hold (Wsnp) pauses a case in contact across a detection day where the arrears grew; the procedure resumes after it', async () => {
    const h = new Tracker('200009');
    await tenancies({ contract: h.contract });
    ledger.rent(h.contract, '2026-12', '2027-04', RENT).pay(h.contract, '2026-12-02', RENT);

    await runTo(D.feb);
    expect(await h.step()).toEqual({
      stage: 'contact',
      // The first run ever is D(Feb): two months behind, straight to contact.
      events: [`${D.feb} case_opened P2`, `${D.feb} letter_sent P1`, `${D.feb} letter_sent P2`],
      messages: [`card ${TEAM_CHANNEL} contact P2`],
    });

    await runTo('2027-02-12');
    expectOk(
      await service.placeHold(ANNA, h.contract, { reason: 'wsnp', until: '2027-03-31', note: 'Toegelaten tot de Wsnp' }, act('2027-02-12')),
      'contact',
    );
    expect(await h.step()).toEqual({
      stage: 'contact',
      events: ['2027-02-12 hold_placed -', '2027-02-12 note -'],
      messages: [`card ${TEAM_CHANNEL} contact -`],
    });
    expect((await h.case())!).toMatchObject({
      due_on: '2027-03-31',
      state: { hold: { reason: 'wsnp', since: '2027-02-12', until: '2027-03-31' } },
    });

    // The letter's term (until 25-02) passes without an answer to the early-signalling offer, but
    // a tenant in debt restructuring is not reported meanwhile: that waits for the hold's end.
    await runTo('2027-02-26');
    await h.expectQuiet('contact');

    // D(Mar): the arrears grew from € 1.400 to € 2.100 and no conversation was recorded, yet nothing moves.
    const march = await runTo(D.mar);
    expect(march.detectionDay).toBe(true);
    expect(ledger.balanceOn(h.contract, D.mar)).toBeGreaterThan(ledger.balanceOn(h.contract, D.feb));
    expect(march.transitions).toEqual([]);
    await h.expectQuiet('contact');

    // The hold's last day, then the day after: it ends and the procedure runs again.
    await runTo('2027-03-31');
    await h.expectQuiet('contact');
    await runTo('2027-04-01');
    expect(await h.step()).toEqual({
      stage: 'contact',
      events: ['2027-04-01 hold_ended -'],
      messages: [`card ${TEAM_CHANNEL} contact -`],
    });
    const resumed = (await h.case())!.state;
    expect(resumed.hold).toBeUndefined();
    expect(resumed.signal?.state).toBe('no_reaction');
    expect((await h.summaries('hold_ended')).at(-1)).toContain('geen reactie op het aanbod in de 14-dagenbrief');

    // D(Apr): the arrears grew again: escalation (P3).
    const april = await runTo(D.apr);
    expect(moves(april)).toEqual([{ contractId: h.contract, from: 'contact', to: 'escalation', clause: 'P3' }]);
    expect(await h.step()).toEqual({
      stage: 'escalation',
      events: [`${D.apr} stage_changed P3`],
      messages: [`card ${TEAM_CHANNEL} escalation P3`],
    });
    expect((await h.case())!.state.escalation?.reason).toBe('de achterstand groeide verder: € 2.800,00 (4,0 maanden) op 12-04-2027');
  });
});

/** Bugs these histories found in src/, now fixed: each test states what the procedure requires. */
describe('bugs these histories found (fixed)', () => {
  it('P4.b, P4.a: a case closed as evicted is not followed by a new arrears case (14-day letter, contact) on the next detection day', async () => {
    const h = new Tracker('300001');
    await tenancies({ contract: h.contract, earlierVerdictDate: '2024-05-01' });
    await stopsPayingUntilEvictionProcedure(h, { earlierVerdict: true });
    await runTo('2027-04-20');
    const verdict = { verdictOn: '2027-04-19', evictionOn: '2027-05-24', amountCents: 4 * RENT };
    expectOk(await service.registerVerdict(ANNA, h.contract, verdict, act('2027-04-20')), 'mt_vote');
    expectOk(await service.castBallot(MT1, h.contract, { ballot: 'for' }, act('2027-04-21')), 'mt_vote');
    expectOk(await service.castBallot(MT2, h.contract, { ballot: 'for' }, act('2027-04-21')), 'verdict');
    await h.step();

    // Before the fix D(May) opened a second case at contact for a tenant the MT decided to evict.
    expect((await runTo(D.may)).transitions).toEqual([]);
    expect(moves(await runTo('2027-05-24'))).toEqual([
      { contractId: h.contract, from: 'verdict', to: 'closed', clause: 'P4.b', reason: 'evicted' },
    ]);
    // After the eviction the ledger still shows arrears, but no new case opens.
    expect((await runTo(D.jun)).transitions).toEqual([]);
    expect(await h.caseCount()).toBe(1);
  });

  it('P4.a: full payment booked on the Saturday before a Monday eviction (more than 24 hours before) postpones it', async () => {
    const h = new Tracker('300002');
    await tenancies({ contract: h.contract });
    await stopsPayingUntilEvictionProcedure(h, { earlierVerdict: false });
    await firstVerdict(h); // eviction mon 24-05-2027, pay by sun 23-05
    ledger.pay(h.contract, '2027-05-22', ledger.balanceOn(h.contract, '2027-05-22'));
    await runTo('2027-05-21');
    await h.expectQuiet('verdict');

    // Before the fix the first run after the payment (monday 24-05, after payBy) closed it as evicted (P4.a).
    expect(moves(await runTo('2027-05-24'))).toEqual([
      { contractId: h.contract, from: 'verdict', to: 'closed', clause: 'P4.a.1', reason: 'postponed' },
    ]);
  });

  it('P4.a: paying the ledger balance but not the verdict amount (costs not yet booked) does not postpone the eviction', async () => {
    const h = new Tracker('300003');
    await tenancies({ contract: h.contract });
    await stopsPayingUntilEvictionProcedure(h, { earlierVerdict: false });
    await runTo('2027-04-20');
    // The verdict orders € 612,34 costs on top of the rent; the ERP has not booked them (yet).
    const verdict = { verdictOn: '2027-04-19', evictionOn: '2027-05-24', amountCents: 4 * RENT + 61_234 };
    expectOk(await service.registerVerdict(ANNA, h.contract, verdict, act('2027-04-20')), 'verdict');
    ledger.pay(h.contract, '2027-05-12', ledger.balanceOn(h.contract, '2027-05-12')); // rent only

    // Before the fix it closed as postponed (P4.a.1) with € 612,34 of the verdict unpaid.
    await runTo('2027-05-12');
    expect((await h.step()).stage).toBe('verdict');
  });

  it('hold: a hold that ends the day before a detection day does not swallow that month (P3)', async () => {
    const h = new Tracker('300004');
    await tenancies({ contract: h.contract });
    ledger.rent(h.contract, '2026-12', '2027-05', RENT).pay(h.contract, '2026-12-02', RENT);
    await runTo(D.feb);
    await runTo('2027-02-12');
    // Debt help until friday 09-04; monday 12-04 is D(Apr), and the arrears grew again.
    expectOk(await service.placeHold(ANNA, h.contract, { reason: 'debt_help', until: '2027-04-09' }, act('2027-02-12')), 'contact');

    // Before the fix D(Apr) recorded only `hold_ended` (one transition per day) and April's detection was lost:
    // the case stayed in contact until D(May).
    await runTo(D.apr);
    expect((await h.case())!.stage).toBe('escalation');
  });

  it('P2.c.4: the team digest does not list a kept arrangement as an overdue task', async () => {
    const h = new Tracker('300005');
    await tenancies({ contract: h.contract });
    ledger.rent(h.contract, '2026-12', '2027-07', RENT).pay(h.contract, '2026-12-02', RENT);
    await runTo(D.feb);
    await runTo('2027-02-15');
    const installments = ['2027-03-01', '2027-04-01', '2027-05-01', '2027-06-01'].map((dueOn) => ({ dueOn, amountCents: 35_000 }));
    expectOk(await service.recordConversation(BERT, h.contract, talk({ arrangement: { installments } }), act('2027-02-15')), 'arrangement');
    ledger.pay(h.contract, '2027-03-02', RENT + 35_000).pay(h.contract, '2027-04-02', RENT + 35_000);
    await runTo(D.apr);
    expect((await h.case())!.stage).toBe('arrangement');

    // Before the fix cases.due_on stayed at the first installment (01-03): every digest from then on said
    // "300005 regeling (verlopen)" although the tenant paid every installment.
    const [digest] = await queryRows<{ payload: { due: unknown[] } }>(
      database.db,
      sql`select payload from outbox where key = ${`digest:noord:${D.apr}`}`,
    );
    expect(digest!.payload.due).toEqual([]);
  });

  it('hold: MT ballots cannot start the eviction procedure (P3.d) while a Wsnp hold runs', async () => {
    const h = new Tracker('300006');
    await tenancies({ contract: h.contract });
    ledger.rent(h.contract, '2026-12', '2027-04', RENT).pay(h.contract, '2026-12-02', RENT);
    await runTo(D.feb);
    expectOk(await service.recordNoResponse(ANNA, h.contract, act(D.feb)), 'visit');
    expectOk(await service.recordHomeVisit(ANNA, h.contract, { outcome: 'nobody_home', employees: [ANNA, BERT] }, act(D.feb)), 'visit');
    await runTo('2027-02-18');
    expectOk(await service.handToBailiff(ANNA, h.contract, act('2027-02-18')), 'bailiff');
    await runTo('2027-03-05');
    expect((await h.case())!.stage).toBe('mt_vote');
    expectOk(await service.placeHold(ANNA, h.contract, { reason: 'wsnp', until: '2027-06-30' }, act('2027-03-05')), 'mt_vote');
    // Before the fix two ballots moved the case to eviction_procedure during the Wsnp, although
    // handToBailiff refuses during a hold ("the bailiff must wait too").
    for (const member of [MT1, MT2]) {
      expect(await service.castBallot(member, h.contract, { ballot: 'for' }, act('2027-03-05'))).toMatchObject({
        ok: false,
        errors: [{ field: 'ballot', message: expect.stringContaining('gepauzeerd tot 30-06-2027') }],
      });
    }
    expect((await h.case())!.stage).toBe('mt_vote');
  });
});
