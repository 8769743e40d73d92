import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOutcomeService } from '../../src/cases/outcome-service.js';
import { runDaily } from '../../src/daily/daily-run.js';
import { queryRows } from '../../src/db/client.js';
import type { CaseState, OpenStage } from '../../src/domain/case-state.js';
import { jsonLogger } from '../../src/log.js';
import { loadDossier, type Dossier } from '../../src/dossier/dossier.js';
import { caseCardBlocks } from '../../src/slack/blocks/case-card.js';
import { summaryBlocks } from '../../src/slack/blocks/modals.js';
import * as caseActions from '../../src/slack/case-actions.js';
import { ACTIONS, CALLBACKS, FIELDS } from '../../src/slack/ids.js';
import { recordMessageRef } from '../../src/slack/message-refs.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startFakeSlack, type FakeSlack, type RecordedCall } from '../support/fake-slack.js';
import { scratchDir } from '../support/files.js';
import { loadPortfolio } from '../support/portfolio.js';
import { postInteraction } from '../support/signed.js';
import { startTestSlackApp, type TestSlackApp } from '../support/slack-app.js';

/**
 * The case card's buttons and modals end to end: signed interactions over HTTP into the real Bolt
 * app, the outcome service on the database, Slack's Web API faked on loopback. The receiver acks
 * before the listener finishes, so every check waits for the fake or the database.
 *
 * The portfolio: five tenancies of Wijkteam Noord (U0AAAAAAA1, U0BBBBBBB1), October and November
 * paid, nothing since; the daily run of D(Jan) = 13-01-2027 opens their cases at contact (P2).
 */

const config = testConfig();
const files = scratchDir();
const ANNA = 'U0AAAAAAA1';
const BERT = 'U0BBBBBBB1';
const CEES = 'U0CCCCCCC1'; // team zuid
const CHANNEL = 'C0NOORD0001';
const CARD_TS = '1800000000.000100';
const clock = { today: '2027-01-14' };
const logLines: string[] = [];

let fake: FakeSlack;
let database: TestDatabase;
let slack: TestSlackApp;
let url: string;
let triggers = 0;
let views = 0;

beforeAll(async () => {
  fake = await startFakeSlack();
  database = await createTestDatabase();
  slack = await startTestSlackApp({
    fake,
    database,
    config,
    features: [caseActions.register],
    log: jsonLogger((line) => logLines.push(line)),
    today: () => clock.today,
  });
  url = slack.url;
});

afterAll(async () => {
  await slack.stop();
  await fake.close();
  await database.close();
  files.cleanup();
});

beforeEach(async () => {
  await database.reset();
  await loadPortfolio(database, files, config, {
    tenancies: ['100001', '100002', '100003'].map((id) => ({ id, team: 'noord' })),
    months: ['2026-10', '2026-11', '2026-12', '2027-01', '2027-02', '2027-03', '2027-04', '2027-05'],
    paidMonths: ['2026-10', '2026-11'],
    earlierVerdicts: {},
  });
  await runDaily(database, config, { date: '2027-01-13' });
  const { id } = await caseOf('100001');
  await recordMessageRef(database.db, { caseId: id, kind: 'card', channel: CHANNEL, ts: CARD_TS, outboxKey: `card:${id}:1` });
  fake.calls.splice(0);
  logLines.splice(0);
  clock.today = '2027-01-14';
});

// ---------------------------------------------------------------------------
// Helpers

interface CaseRow {
  id: number;
  stage: OpenStage | 'closed';
  version: number;
  state: CaseState;
  [key: string]: unknown;
}

async function caseOf(contractId: string): Promise<CaseRow> {
  const [row] = await queryRows<CaseRow>(
    database.db,
    sql`select id, stage, version, state from cases where contract_id = ${contractId} order by id desc limit 1`,
  );
  if (!row) throw new Error(`no case for ${contractId}`);
  return { ...row, version: Number(row.version) };
}

async function putCase(contractId: string, stage: OpenStage, state: CaseState): Promise<void> {
  await database.db.execute(
    sql`update cases set stage = ${stage}, state = state || ${JSON.stringify(state)}::jsonb, version = version + 1
        where contract_id = ${contractId} and closed_on is null`,
  );
}

async function count(query: SQL): Promise<number> {
  const [row] = await queryRows<{ n: number }>(database.db, query);
  return Number(row!.n);
}

async function footprint() {
  return {
    events: await count(sql`select count(*) as n from case_events`),
    outbox: await count(sql`select count(*) as n from outbox`),
    outcomes: await count(sql`select count(*) as n from audit_log where action like 'outcome.%'`),
    versions: await count(sql`select coalesce(sum(version), 0) as n from cases`),
  };
}

const idle = () => slack.idle();

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function cardValue(contractId: string, version?: number): Promise<string> {
  const row = await caseOf(contractId);
  return JSON.stringify({ caseId: row.id, contractId, version: version ?? row.version });
}

async function click(actionId: string, user: string, value: string) {
  const res = await postInteraction(url, {
    type: 'block_actions',
    team: { id: 'T0TEAMTEAM', domain: 'corporatie' },
    user: { id: user, username: user.toLowerCase(), team_id: 'T0TEAMTEAM' },
    api_app_id: 'A0HUURWACHT',
    token: 'legacy',
    trigger_id: `trigger.${++triggers}`,
    container: { type: 'message', message_ts: CARD_TS, channel_id: CHANNEL, is_ephemeral: false },
    channel: { id: CHANNEL, name: 'wijkteam-noord' },
    message: { type: 'message', ts: CARD_TS, text: 'kaart' },
    response_url: fake.responseUrl(),
    actions: [{ type: 'button', action_id: actionId, block_id: 'card_actions', value, action_ts: '1800000100.000100' }],
  });
  expect(res.status).toBe(200);
}

type Values = Record<string, Record<string, Record<string, unknown>>>;
const field = {
  text: (block: string, value: string | null): Values => ({ [block]: { [block]: { type: 'plain_text_input', value } } }),
  radio: (block: string, value: string | null): Values => ({
    [block]: { [block]: { type: 'radio_buttons', selected_option: value ? { value } : null } },
  }),
  checks: (block: string, values: string[]): Values => ({
    [block]: { [block]: { type: 'checkboxes', selected_options: values.map((value) => ({ value })) } },
  }),
  date: (block: string, value: string | null): Values => ({ [block]: { [block]: { type: 'datepicker', selected_date: value } } }),
  user: (block: string, value: string | null): Values => ({ [block]: { [block]: { type: 'users_select', selected_user: value } } }),
  select: (block: string, value: string | null): Values => ({
    [block]: { [block]: { type: 'static_select', selected_option: value ? { value } : null } },
  }),
};

/** A modal submission as Slack sends it; returns Bolt's answer (empty: the modal closes). */
async function submit(callbackId: string, user: string, metadata: string, values: Values[], viewId = `V0VIEW${++views}`, target = url) {
  const res = await postInteraction(target, {
    type: 'view_submission',
    team: { id: 'T0TEAMTEAM', domain: 'corporatie' },
    user: { id: user, username: user.toLowerCase(), team_id: 'T0TEAMTEAM' },
    api_app_id: 'A0HUURWACHT',
    token: 'legacy',
    trigger_id: `trigger.${++triggers}`,
    view: {
      id: viewId,
      team_id: 'T0TEAMTEAM',
      type: 'modal',
      callback_id: callbackId,
      private_metadata: metadata,
      state: { values: Object.assign({}, ...values) },
      hash: 'h',
    },
    response_urls: [],
  });
  expect(res.status).toBe(200);
  return (res.text ? JSON.parse(res.text) : {}) as {
    response_action?: string;
    errors?: Record<string, string>;
    view?: { blocks: unknown[] };
  };
}

function ephemeralsTo(user: string): RecordedCall[] {
  return fake.callsTo('chat.postEphemeral').filter((c) => c.body.user === user);
}

async function nextEphemeral(user: string, before: number): Promise<string> {
  await fake.waitFor(() => ephemeralsTo(user).length > before);
  return String(ephemeralsTo(user)[before]!.body.text);
}

interface OpenedView {
  callback_id: string;
  title: { text: string };
  private_metadata: string;
  blocks: { type: string; block_id?: string; element?: { type: string; initial_user?: string } }[];
}

/** Clicks a modal button and returns the view it opened. */
async function openModal(actionId: string, user: string, contractId = '100001'): Promise<OpenedView> {
  const before = fake.callsTo('views.open').length;
  await click(actionId, user, await cardValue(contractId));
  await fake.waitFor(() => fake.callsTo('views.open').length > before);
  const call = fake.callsTo('views.open')[before]!;
  expect(call.body.trigger_id).toBe(`trigger.${triggers}`);
  const view = call.body.view as OpenedView;
  expect(view.title.text.length).toBeLessThanOrEqual(24);
  expect(view.private_metadata.length).toBeLessThanOrEqual(3000);
  return view;
}

function blockIds(view: OpenedView): string[] {
  return view.blocks.map((b) => b.block_id).filter((id): id is string => Boolean(id));
}

const ALL_OBLIGATIONS = ['noNewArrears', 'registerWithAid', 'reportRegistration', 'paymentArrangement'];
const ALL_COMMITMENTS = ['passDetailsOn', 'noCollection', 'noInterest', 'acceptArrangement'];

function conversationValues(over: Values[] = []): Values[] {
  return [
    field.text(FIELDS.cause, 'Baan verloren in november'),
    field.radio(FIELDS.referral, 'yes'),
    field.checks(FIELDS.consequences, ['yes']),
    field.checks(FIELDS.obligations, ALL_OBLIGATIONS),
    field.checks(FIELDS.commitments, ALL_COMMITMENTS),
    field.select(FIELDS.months, null),
    field.date(FIELDS.firstDue, null),
    field.text(FIELDS.installments, null),
    ...over,
  ];
}

// ---------------------------------------------------------------------------

describe('the conversation (P2.a)', () => {
  it('P2.c.4 the button opens the modal with the card in private_metadata; 4 equal months are recorded and confirmed ephemerally', async () => {
    const { id, version } = await caseOf('100001');
    const view = await openModal(ACTIONS.recordConversation, ANNA);
    expect(view.callback_id).toBe(CALLBACKS.conversation);
    expect(JSON.parse(view.private_metadata)).toEqual({ caseId: id, contractId: '100001', version, channel: CHANNEL });
    expect(blockIds(view)).toEqual(
      expect.arrayContaining([
        FIELDS.cause,
        FIELDS.referral,
        FIELDS.consequences,
        FIELDS.obligations,
        FIELDS.commitments,
        FIELDS.months,
        FIELDS.firstDue,
        FIELDS.installments,
      ]),
    );
    expect(JSON.stringify(view.blocks)).toContain('€ 1.400,00');

    const before = ephemeralsTo(ANNA).length;
    const answer = await submit(
      CALLBACKS.conversation,
      ANNA,
      view.private_metadata,
      conversationValues([field.select(FIELDS.months, '4'), field.date(FIELDS.firstDue, '2027-02-01')]),
    );
    expect(answer).toEqual({});
    const row = await until(
      () => caseOf('100001'),
      (r) => r.stage === 'arrangement',
    );
    expect(row.state.arrangement?.installments).toEqual([
      { dueOn: '2027-02-01', amountCents: 35_000 },
      { dueOn: '2027-03-01', amountCents: 35_000 },
      { dueOn: '2027-04-01', amountCents: 35_000 },
      { dueOn: '2027-05-01', amountCents: 35_000 },
    ]);
    expect(row.state.agreement).toMatchObject({
      referralConsent: true,
      obligations: { noNewArrears: true, registerWithAid: true, reportRegistration: true, paymentArrangement: true },
      commitments: { passDetailsOn: true, noCollection: true, noInterest: true, acceptArrangement: true },
    });
    expect(await nextEphemeral(ANNA, before)).toContain('Vastgelegd voor huurovereenkomst 100001');
  });

  it('P2.a.2 the service’s field errors show in the modal by block (response_action: errors), and nothing is recorded', async () => {
    const before = await footprint();
    const view = await openModal(ACTIONS.recordConversation, ANNA);

    // The shape first: the referral answer is missing.
    expect(
      await submit(CALLBACKS.conversation, ANNA, view.private_metadata, conversationValues([field.radio(FIELDS.referral, null)])),
    ).toEqual({
      response_action: 'errors',
      errors: { [FIELDS.referral]: 'Kies ja of nee.' },
    });

    // Then the rules: no cause, consequences not explained, seven installments (P2.c.4: at most 6).
    const seven = Array.from({ length: 7 }, (_, i) => `01-0${i + 2}-2027 200,00`).join('\n');
    const answer = await submit(
      CALLBACKS.conversation,
      ANNA,
      view.private_metadata,
      conversationValues([field.text(FIELDS.cause, ''), field.checks(FIELDS.consequences, []), field.text(FIELDS.installments, seven)]),
    );
    expect(answer.response_action).toBe('errors');
    expect(answer.errors).toEqual({
      [FIELDS.cause]: 'Vul de oorzaak van de achterstand in (P2.a.1).',
      [FIELDS.consequences]: expect.stringContaining('(P2.a.3)'),
      [FIELDS.installments]: expect.stringContaining('Een regeling duurt hoogstens 6 maanden: maximaal 6 termijnen, dit zijn er 7.'),
    });

    // What the modal itself cannot read: a garbled line, a month count without a first date, both ways at once.
    expect(
      await submit(
        CALLBACKS.conversation,
        ANNA,
        view.private_metadata,
        conversationValues([field.text(FIELDS.installments, '01-02-2027 350,00\nfebruari 350')]),
      ),
    ).toEqual({ response_action: 'errors', errors: { [FIELDS.installments]: expect.stringContaining('Regel 2') } });
    expect(
      await submit(CALLBACKS.conversation, ANNA, view.private_metadata, conversationValues([field.select(FIELDS.months, '3')])),
    ).toEqual({
      response_action: 'errors',
      errors: { [FIELDS.firstDue]: 'Kies ook de datum van de eerste termijn.' },
    });
    expect(
      await submit(
        CALLBACKS.conversation,
        ANNA,
        view.private_metadata,
        conversationValues([
          field.select(FIELDS.months, '3'),
          field.date(FIELDS.firstDue, '2027-02-01'),
          field.text(FIELDS.installments, '01-02-2027 1400'),
        ]),
      ),
    ).toMatchObject({ response_action: 'errors', errors: { [FIELDS.installments]: expect.stringContaining('niet allebei') } });

    await idle();
    expect(await footprint()).toEqual(before);
    expect((await caseOf('100001')).stage).toBe('contact');
  });

  it('P2.b.4 explicit installments are recorded as written; a second submission of the same view changes nothing', async () => {
    const view = await openModal(ACTIONS.recordConversation, BERT);
    const values = conversationValues([field.text(FIELDS.installments, '01-02-2027 700,00\n2027-03-01 € 700')]);
    expect(await submit(CALLBACKS.conversation, BERT, view.private_metadata, values, 'V0SAMEVIEW1')).toEqual({});
    const after = await footprint();
    expect(await submit(CALLBACKS.conversation, BERT, view.private_metadata, values, 'V0SAMEVIEW1')).toEqual({});
    await idle();
    expect(await footprint()).toEqual(after);
    expect((await caseOf('100001')).state.arrangement?.installments).toEqual([
      { dueOn: '2027-02-01', amountCents: 70_000 },
      { dueOn: '2027-03-01', amountCents: 70_000 },
    ]);
    expect(ephemeralsTo(BERT).map((c) => String(c.body.text))).toEqual([
      expect.stringContaining('Vastgelegd'),
      expect.stringContaining('Dit was al vastgelegd'),
    ]);
  });
});

describe('acting directly: Geen reactie, Naar deurwaarder, Pauze opheffen', () => {
  it('P2.d "Geen reactie" records at once and confirms ephemerally; a double click records one event', async () => {
    const value = await cardValue('100001');
    const before = await footprint();
    await Promise.all([click(ACTIONS.noResponse, ANNA, value), click(ACTIONS.noResponse, ANNA, value)]);
    await fake.waitFor(() => ephemeralsTo(ANNA).length === 2);
    // And a third, late click on the same (now old) card.
    await click(ACTIONS.noResponse, ANNA, value);
    await fake.waitFor(() => ephemeralsTo(ANNA).length === 3);
    await idle();

    expect((await caseOf('100001')).stage).toBe('visit');
    const after = await footprint();
    expect(after.outcomes - before.outcomes).toBe(1);
    expect(await count(sql`select count(*) as n from case_events where actor = ${ANNA}`)).toBe(1);
    const texts = ephemeralsTo(ANNA).map((c) => String(c.body.text));
    expect(texts.filter((t) => t.startsWith('Vastgelegd voor huurovereenkomst 100001: Geen reactie op de uitnodiging'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('al vastgelegd'))).toHaveLength(2);
  });

  it('P3.b "Naar deurwaarder" hands the file over from escalation; in the wrong stage it is refused and names the stage', async () => {
    await click(ACTIONS.handToBailiff, ANNA, await cardValue('100001'));
    expect(await nextEphemeral(ANNA, 0)).toContain('deze zaak staat in de fase contact (P2)');
    await idle();
    expect((await caseOf('100001')).stage).toBe('contact');

    await putCase('100001', 'escalation', { escalation: { since: '2027-01-14', reason: 'test' } });
    await click(ACTIONS.handToBailiff, ANNA, await cardValue('100001'));
    expect(await nextEphemeral(ANNA, 1)).toContain('Dossier naar de deurwaarder');
    expect(
      await until(
        () => caseOf('100001'),
        (r) => r.stage === 'bailiff',
      ),
    ).toMatchObject({ state: { bailiff: { handedOn: '2027-01-14' } } });
  });

  it('a hold: reason, end date and note through the modal; the note stays out of the outbox; "Pauze opheffen" ends it', async () => {
    const view = await openModal(ACTIONS.placeHold, BERT);
    expect(view.callback_id).toBe(CALLBACKS.hold);
    // A moratorium lasts at most 6 months: the error shows under the end date.
    expect(
      await submit(CALLBACKS.hold, BERT, view.private_metadata, [
        field.radio(FIELDS.holdReason, 'moratorium'),
        field.date(FIELDS.holdUntil, '2027-12-31'),
        field.text(FIELDS.holdNote, null),
      ]),
    ).toEqual({ response_action: 'errors', errors: { [FIELDS.holdUntil]: expect.stringContaining('hoogstens 6 maanden') } });
    expect(
      await submit(CALLBACKS.hold, BERT, view.private_metadata, [field.radio(FIELDS.holdReason, null), field.date(FIELDS.holdUntil, null)]),
    ).toMatchObject({ response_action: 'errors', errors: { [FIELDS.holdReason]: expect.any(String) } });

    const note = 'Budgetcoach via Traverse, psychische klachten';
    expect(
      await submit(CALLBACKS.hold, BERT, view.private_metadata, [
        field.radio(FIELDS.holdReason, 'debt_help'),
        field.date(FIELDS.holdUntil, '2027-03-01'),
        field.text(FIELDS.holdNote, note),
      ]),
    ).toEqual({});
    const held = await until(
      () => caseOf('100001'),
      (r) => Boolean(r.state.hold),
    );
    expect(held.state.hold).toEqual({ reason: 'debt_help', since: '2027-01-14', until: '2027-03-01' });
    expect(await count(sql`select count(*) as n from case_events where type = 'note' and data->>'text' = ${note}`)).toBe(1);
    expect(await count(sql`select count(*) as n from outbox where payload::text like '%psychische%'`)).toBe(0);

    await click(ACTIONS.releaseHold, BERT, await cardValue('100001'));
    expect(
      await until(
        () => caseOf('100001'),
        (r) => !r.state.hold,
      ),
    ).toMatchObject({ stage: 'contact' });
    await fake.waitFor(() => ephemeralsTo(BERT).some((c) => String(c.body.text).includes('Pauze (schuldhulpverlening) beëindigd')));
  });
});

describe('the home visit (P2.d.1, P2.d.2)', () => {
  it('P2.d.1 two employees via users_select: the same person twice shows in the modal; nobody home leaves the card (P2.d.2)', async () => {
    clock.today = '2027-01-15';
    await click(ACTIONS.noResponse, ANNA, await cardValue('100001'));
    await until(
      () => caseOf('100001'),
      (r) => r.stage === 'visit',
    );
    await idle();

    const view = await openModal(ACTIONS.homeVisit, ANNA);
    expect(view.callback_id).toBe(CALLBACKS.homeVisit);
    const picker = view.blocks.find((b) => b.block_id === FIELDS.employee1);
    expect(picker?.element).toMatchObject({ type: 'users_select', initial_user: ANNA });
    const before = await footprint();

    expect(
      await submit(CALLBACKS.homeVisit, ANNA, view.private_metadata, [
        field.user(FIELDS.employee1, ANNA),
        field.user(FIELDS.employee2, ANNA),
        field.radio(FIELDS.visitOutcome, 'nobody_home'),
      ]),
    ).toEqual({
      response_action: 'errors',
      errors: { [FIELDS.employee2]: 'Kies twee verschillende medewerkers: een huisbezoek doe je nooit alleen (P2.d.1).' },
    });
    expect(
      await submit(CALLBACKS.homeVisit, ANNA, view.private_metadata, [
        field.user(FIELDS.employee1, ANNA),
        field.user(FIELDS.employee2, null),
        field.radio(FIELDS.visitOutcome, 'nobody_home'),
      ]),
    ).toMatchObject({ response_action: 'errors', errors: { [FIELDS.employee2]: expect.stringContaining('twee medewerkers') } });
    await idle();
    expect(await footprint()).toEqual(before);

    expect(
      await submit(CALLBACKS.homeVisit, ANNA, view.private_metadata, [
        field.user(FIELDS.employee1, ANNA),
        field.user(FIELDS.employee2, BERT),
        field.radio(FIELDS.visitOutcome, 'nobody_home'),
      ]),
    ).toEqual({});
    const row = await until(
      () => caseOf('100001'),
      (r) => Boolean(r.state.visit?.cardLeftOn),
    );
    expect(row.state.visit).toMatchObject({ employees: [ANNA, BERT], cardLeftOn: '2027-01-15', cardTermEndsOn: '2027-01-22' });
  });
});

describe('the team discussion (P3.a)', () => {
  it('P3.a.1 P3.a.2 MaSS flags are yes/no radio buttons only; a missing answer shows under its question', async () => {
    await putCase('100001', 'escalation', { escalation: { since: '2027-01-14', reason: 'test' } });
    const view = await openModal(ACTIONS.massDiscussion, ANNA);
    expect(view.callback_id).toBe(CALLBACKS.massDiscussion);
    const inputs = view.blocks.filter((b) => b.type === 'input');
    expect(inputs).toHaveLength(5);
    expect(inputs.every((b) => b.element?.type === 'radio_buttons')).toBe(true);

    const flags = [
      field.radio(FIELDS.childrenInHome, 'yes'),
      field.radio(FIELDS.referralGrounds, 'no'),
      field.radio(FIELDS.nuisance, null),
      field.radio(FIELDS.structuralProblems, 'yes'),
      field.radio(FIELDS.earlierVerdict, 'no'),
    ];
    expect(await submit(CALLBACKS.massDiscussion, ANNA, view.private_metadata, flags)).toEqual({
      response_action: 'errors',
      errors: { [FIELDS.nuisance]: 'Kies ja of nee.' },
    });
    expect(await submit(CALLBACKS.massDiscussion, ANNA, view.private_metadata, [...flags, field.radio(FIELDS.nuisance, 'no')])).toEqual({});
    const row = await until(
      () => caseOf('100001'),
      (r) => Boolean(r.state.mass),
    );
    expect(row.state.mass).toEqual({
      discussedOn: '2027-01-14',
      childrenInHome: true,
      referralGrounds: false,
      nuisance: false,
      structuralProblems: true,
      earlierVerdict: false,
    });
  });
});

describe('the verdict (P4)', () => {
  it('P4.a date, eviction date and amount in euros: errors in the modal, then the first verdict is registered', async () => {
    clock.today = '2027-03-01';
    await putCase('100001', 'eviction_procedure', {});
    const view = await openModal(ACTIONS.registerVerdict, ANNA);
    expect(view.callback_id).toBe(CALLBACKS.verdict);

    expect(
      await submit(CALLBACKS.verdict, ANNA, view.private_metadata, [
        field.date(FIELDS.verdictOn, '2027-02-26'),
        field.date(FIELDS.evictionOn, '2027-04-15'),
        field.text(FIELDS.amount, '3.800,00'),
      ]),
    ).toEqual({ response_action: 'errors', errors: { [FIELDS.amount]: expect.stringContaining('1234,56') } });
    expect(
      await submit(CALLBACKS.verdict, ANNA, view.private_metadata, [
        field.date(FIELDS.verdictOn, '2027-02-26'),
        field.date(FIELDS.evictionOn, '2027-02-20'),
        field.text(FIELDS.amount, '3800,00'),
      ]),
    ).toEqual({
      response_action: 'errors',
      errors: { [FIELDS.evictionOn]: 'De ontruimingsdatum moet na de datum van het vonnis (26-02-2027) liggen.' },
    });
    expect(
      await submit(CALLBACKS.verdict, ANNA, view.private_metadata, [
        field.date(FIELDS.verdictOn, null),
        field.date(FIELDS.evictionOn, '2027-04-15'),
        field.text(FIELDS.amount, null),
      ]),
    ).toEqual({ response_action: 'errors', errors: { [FIELDS.verdictOn]: 'Vul een datum in.', [FIELDS.amount]: 'Vul een bedrag in.' } });

    expect(
      await submit(CALLBACKS.verdict, ANNA, view.private_metadata, [
        field.date(FIELDS.verdictOn, '2027-02-26'),
        field.date(FIELDS.evictionOn, '2027-04-15'),
        field.text(FIELDS.amount, '3800,5'),
      ]),
    ).toEqual({});
    const row = await until(
      () => caseOf('100001'),
      (r) => r.stage === 'verdict',
    );
    expect(row.state.verdict).toMatchObject({
      verdictOn: '2027-02-26',
      evictionOn: '2027-04-15',
      amountCents: 380_050,
      first: true,
      payBy: '2027-04-14',
    });
  });

  it('a submission the service refuses (wrong stage) replaces the modal with the reason; nothing recorded', async () => {
    clock.today = '2027-03-01';
    await putCase('100001', 'eviction_procedure', {});
    const view = await openModal(ACTIONS.registerVerdict, ANNA);
    await putCase('100001', 'verdict', {}); // meanwhile a colleague registered it
    const before = await footprint();
    const answer = await submit(CALLBACKS.verdict, ANNA, view.private_metadata, [
      field.date(FIELDS.verdictOn, '2027-02-26'),
      field.date(FIELDS.evictionOn, '2027-04-15'),
      field.text(FIELDS.amount, '3800'),
    ]);
    expect(answer.response_action).toBe('update');
    expect(JSON.stringify(answer.view)).toContain('Niet vastgelegd. Een vonnis registreren kan alleen in de fase ontruimingsprocedure');
    await idle();
    expect(await footprint()).toEqual(before);
  });
});

describe('early signalling (P2.a.2)', () => {
  it('P2.a.2 the tenant objects: recorded; no answer shows in the modal', async () => {
    const view = await openModal(ACTIONS.signalAnswer, ANNA);
    expect(view.callback_id).toBe(CALLBACKS.signalAnswer);
    expect(await submit(CALLBACKS.signalAnswer, ANNA, view.private_metadata, [field.radio(FIELDS.signalAnswer, null)])).toEqual({
      response_action: 'errors',
      errors: { [FIELDS.signalAnswer]: 'Kies bezwaar of akkoord.' },
    });
    expect(await submit(CALLBACKS.signalAnswer, ANNA, view.private_metadata, [field.radio(FIELDS.signalAnswer, 'objected')])).toEqual({});
    const row = await until(
      () => caseOf('100001'),
      (r) => r.state.signal?.state === 'objected',
    );
    expect(row.state.signal).toMatchObject({ state: 'objected', answeredOn: '2027-01-14' });
  });

  it('P2.a.2 from the card: its "Vroegsignalering" button opens the modal; the answer is one event, and the new card still offers a change of mind', async () => {
    // The card as the outbox worker renders it: the dossier and the case's facts from the database.
    const cardOf = async () => {
      const { id, version } = await caseOf('100001');
      const dossier = (await loadDossier(database.db, '100001', clock.today))!;
      return caseCardBlocks(dossier, { caseId: id, version });
    };
    const signalButton = (blocks: Awaited<ReturnType<typeof cardOf>>) =>
      blocks
        .flatMap((b) => (b.type === 'actions' ? b.elements : []))
        .find((e) => 'action_id' in e && e.action_id === ACTIONS.signalAnswer) as
        { action_id: string; value: string; text: { text: string } } | undefined;
    const button = signalButton(await cardOf());
    expect(button?.text.text).toBe('Vroegsignalering');
    const { id, version } = await caseOf('100001');
    expect(JSON.parse(button!.value)).toEqual({ caseId: id, contractId: '100001', version });

    const opened = fake.callsTo('views.open').length;
    await click(button!.action_id, ANNA, button!.value);
    await fake.waitFor(() => fake.callsTo('views.open').length > opened);
    const view = fake.callsTo('views.open')[opened]!.body.view as OpenedView;
    expect(view.callback_id).toBe(CALLBACKS.signalAnswer);
    expect(blockIds(view)).toContain(FIELDS.signalAnswer);
    expect(JSON.parse(view.private_metadata)).toEqual({ caseId: id, contractId: '100001', version, channel: CHANNEL });

    const before = await footprint();
    const confirmations = ephemeralsTo(ANNA).length;
    expect(await submit(CALLBACKS.signalAnswer, ANNA, view.private_metadata, [field.radio(FIELDS.signalAnswer, 'agreed')])).toEqual({});
    expect(await nextEphemeral(ANNA, confirmations)).toContain('Vastgelegd voor huurovereenkomst 100001');
    await idle();
    const after = await footprint();
    expect(after.events - before.events).toBe(1);
    expect(after.outcomes - before.outcomes).toBe(1);
    expect(after.versions - before.versions).toBe(1);
    expect(after.outbox).toBeGreaterThan(before.outbox); // the card is updated in place through the outbox
    const [event] = await queryRows<{ type: string; clause: string; actor: string; summary: string }>(
      database.db,
      sql`select type, clause, actor, summary from case_events where contract_id = '100001' and actor = ${ANNA}`,
    );
    expect(event).toEqual({
      type: 'signal_answer',
      clause: 'P2.a.2',
      actor: ANNA,
      summary: 'Vroegsignalering: de huurder gaat akkoord; de gegevens gaan naar de gemeente (meldingsformulier)',
    });
    expect((await caseOf('100001')).state.signal).toMatchObject({ state: 'agreed', answeredOn: '2027-01-14' });

    // The card after the answer: the new version, and the button stays (an objection may still follow).
    const next = await cardOf();
    expect(JSON.parse(signalButton(next)!.value)).toMatchObject({ version: version + 1 });
    expect(JSON.stringify(next)).toContain('vroegsignalering: ');
  });
});

describe('the dossier button', () => {
  it('answers ephemerally with a short summary, audit-logs the look-up and never shows a note’s text', async () => {
    await database.db.execute(
      sql`insert into case_events (contract_id, case_id, "on", type, actor, summary, data, idempotency_key)
          values ('100001', ${(await caseOf('100001')).id}, '2027-01-14', 'note', ${ANNA}, 'Notitie uit de casusdraad',
                  '{"text":"Vermoeden van verslaving"}'::jsonb, 'note:test:1')`,
    );
    await click(ACTIONS.openDossier, BERT, await cardValue('100001'));
    await fake.waitFor(() => ephemeralsTo(BERT).length === 1);
    const blocks = JSON.stringify(ephemeralsTo(BERT)[0]!.body.blocks);
    expect(blocks).toContain('100001');
    expect(blocks).toContain('€ 1.400,00 (2,0 maanden)');
    expect(blocks).toContain('Vroegsignalering');
    expect(blocks).not.toContain('verslaving');
    const [audit] = await queryRows<{ actor: string; action: string; subject: string; detail: Record<string, unknown> }>(
      database.db,
      sql`select actor, action, subject, detail from audit_log where action = 'dossier.lookup'`,
    );
    expect(audit).toMatchObject({ actor: BERT, subject: '100001', detail: { via: 'case_card', outcome: 'dossier' } });

    await click(ACTIONS.openDossier, 'U0STRANGER1', await cardValue('100001'));
    expect(await nextEphemeral('U0STRANGER1', 0)).toContain('Alleen leden van een wijkteam of het MT');
  });

  it('stays within Block Kit limits whatever the history’s length', () => {
    const dossier = {
      contractId: '100001',
      teamName: 'Wijkteam Noord',
      tenants: ['A & B <script>'],
      address: 'Dorpsstraat 1, 1234 AB Ergens',
      monthlyRentCents: 70_000,
      balanceCents: 210_000,
      monthsInArrears: 3,
      asOf: '2027-02-11',
      earlySignal: null,
      probationUntil: null,
      earlierVerdictDate: null,
      events: Array.from({ length: 500 }, (_, i) => ({
        on: '2027-01-14',
        type: i % 2 ? 'note' : 'stage_changed',
        clause: 'P2',
        actor: ANNA,
        summary: `Stap ${i} `.repeat(40),
        ...(i % 2 ? { text: 'geheim' } : {}),
      })),
    } as unknown as Dossier;
    const blocks = summaryBlocks({ dossier, stage: 'contact', state: {}, verdicts: [] });
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const b of blocks) {
      if (b.type === 'section') expect(b.text!.text.length).toBeLessThanOrEqual(3000);
    }
    const text = JSON.stringify(blocks);
    expect(text).toContain('A &amp; B &lt;script&gt;');
    expect(text).not.toContain('geheim');
  });
});

describe('refusals: answered ephemerally in Dutch, nothing recorded', () => {
  it('someone outside the tenancy’s team: no modal, no event', async () => {
    const before = await footprint();
    await click(ACTIONS.recordConversation, CEES, await cardValue('100001'));
    expect(await nextEphemeral(CEES, 0)).toBe(
      'Niet vastgelegd. Alleen leden van Wijkteam Noord kunnen dit vastleggen voor huurovereenkomst 100001.',
    );
    await click(ACTIONS.noResponse, CEES, await cardValue('100001'));
    expect(await nextEphemeral(CEES, 1)).toContain('Alleen leden van Wijkteam Noord');
    await idle();
    expect(fake.callsTo('views.open')).toHaveLength(0);
    expect(await footprint()).toEqual(before);
  });

  it('a stale card (an older version of the case): no modal, no event', async () => {
    const { version } = await caseOf('100001');
    await putCase('100001', 'contact', { conversationOn: '2027-01-14' }); // the case moved on: version + 1
    const before = await footprint();
    await click(ACTIONS.recordConversation, ANNA, await cardValue('100001', version));
    expect(await nextEphemeral(ANNA, 0)).toContain('Deze kaart is niet meer actueel');
    await click(ACTIONS.noResponse, ANNA, await cardValue('100001', version));
    expect(await nextEphemeral(ANNA, 1)).toContain('Deze kaart is niet meer actueel');
    await idle();
    expect(fake.callsTo('views.open')).toHaveLength(0);
    expect(await footprint()).toEqual(before);
  });

  it('an unreadable button value and a closed case', async () => {
    await click(ACTIONS.noResponse, ANNA, 'not json');
    expect(await nextEphemeral(ANNA, 0)).toContain('Deze knop kan ik niet lezen');
    await database.db.execute(
      sql`update cases set stage = 'closed', closed_on = '2027-01-14', closed_reason = 'paid' where contract_id = '100001'`,
    );
    await click(ACTIONS.placeHold, ANNA, await cardValue('100001'));
    expect(await nextEphemeral(ANNA, 1)).toContain('Deze zaak is gesloten');
  });
});

describe('a slow database', () => {
  it('answers a submission within Slack’s 3 seconds with a "busy" view, then shows the result in the modal', async () => {
    const outcomes = createOutcomeService({ database, config });
    const slow = {
      ...outcomes,
      recordSignalAnswer: async (...args: Parameters<typeof outcomes.recordSignalAnswer>) => {
        await new Promise((r) => setTimeout(r, 2800));
        return outcomes.recordSignalAnswer(...args);
      },
    };
    const second = await startTestSlackApp({
      fake,
      database,
      config,
      features: [caseActions.register],
      outcomes: slow,
      today: () => clock.today,
    });
    try {
      const view = await openModal(ACTIONS.signalAnswer, ANNA);
      const answer = await submit(
        CALLBACKS.signalAnswer,
        ANNA,
        view.private_metadata,
        [field.radio(FIELDS.signalAnswer, 'agreed')],
        'V0SLOWVIEW1',
        second.url,
      );
      // Answered before the service finished: the "busy" view, not the result.
      expect(answer.response_action).toBe('update');
      expect(JSON.stringify(answer.view)).toContain('Even geduld');
      await fake.waitFor(() => fake.callsTo('views.update').length === 1, 5000);
      const update = fake.callsTo('views.update')[0]!.body as { view_id: string; view: unknown };
      expect(update.view_id).toBe('V0SLOWVIEW1');
      expect(JSON.stringify(update.view)).toContain('Vastgelegd voor huurovereenkomst 100001');
      expect((await caseOf('100001')).state.signal?.state).toBe('agreed');
    } finally {
      await second.stop();
    }
  });
});
