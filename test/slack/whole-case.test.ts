import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDaily } from '../../src/daily/daily-run.js';
import { queryRows } from '../../src/db/client.js';
import type { CaseState, OpenStage } from '../../src/domain/case-state.js';
import { jsonLogger } from '../../src/log.js';
import { PRIVACY_REMINDER } from '../../src/slack/blocks/case-card.js';
import { FIELDS } from '../../src/slack/blocks/modals.js';
import { FEATURES } from '../../src/slack/features.js';
import { ACTIONS, CALLBACKS } from '../../src/slack/ids.js';
import { findMessageRef } from '../../src/slack/message-refs.js';
import { createOutboxClient, createOutboxWorker, OUTBOX_EVENT_TYPE, type OutboxWorker } from '../../src/slack/outbox-worker.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startFakeSlack, type FakeSlack, type RecordedCall } from '../support/fake-slack.js';
import { scratchDir } from '../support/files.js';
import { loadPortfolio } from '../support/portfolio.js';
import { postEvent, postInteraction } from '../support/signed.js';
import { startTestSlackApp, type TestSlackApp } from '../support/slack-app.js';

/**
 * One case through every real part, from the first 14-day letter to the MT's approval and the
 * bailiff step: the importers and the daily run on the database, the outbox worker delivering to
 * Slack (faked on loopback, fast pacing), and the Bolt app with every feature (FEATURES) over
 * HTTP with signed requests. Nothing is put into the database by hand: every step is a daily run,
 * a button click or a modal submission, and every button is taken from the message the worker
 * actually sent (its action id, block id and value), as a person would click it.
 *
 * Tenancy 100001 of Wijkteam Noord (U0AAAAAAA1, U0BBBBBBB1) pays October and November, then
 * stops. MT: U0MTMTMT01..03, quorum 2.
 *
 *   D(Dec) 10-12-2026  P1 14-dagenbrief (digest)
 *   D(Jan) 13-01-2027  P2 contact: the card in the team channel, privacy reminder first in its thread
 *   14-01              P2.d "Geen reactie" → huisbezoek
 *   15-01              P2.d.1/P2.d.2 home visit by two employees, nobody home, card left (week to 22-01)
 *   25-01              the daily run escalates (P2.d.2 → teambespreking, P3.a)
 *   26-01              P3.a MaSS modal, a thread reply (a dossier note), P3.b "Naar deurwaarder" (term to 09-02)
 *   D(Feb) 10-02-2027  P3.c the bailiff's term passed: MT vote in the MT channel
 *   11-02              two MT members vote for: P3.d ontruimingsprocedure
 */

const config = testConfig();
const files = scratchDir();
const CONTRACT = '100001';
const ANNA = 'U0AAAAAAA1';
const BERT = 'U0BBBBBBB1';
const [MT1, MT2] = ['U0MTMTMT01', 'U0MTMTMT02'] as const;
const BOT = 'U0BOTBOTBOT';
const TEAM_CHANNEL = 'C0NOORD0001';
const MT_CHANNEL = 'C0MT0000001';
const D_DEC = '2026-12-10';
const D_JAN = '2027-01-13';
const D_FEB = '2027-02-10';
/** 26-01-2027 09:00 in Amsterdam, as a Slack ts: the day of the team discussion. */
const REPLY_TS = '1800950400.000300';
const NOTE_TEXT = 'Huurder vertelde de buurvrouw over schulden bij de zorgverzekeraar; twee kinderen thuis';
const clock = { today: D_DEC };

let fake: FakeSlack;
let database: TestDatabase;
let slack: TestSlackApp;
let url: string;
let worker: OutboxWorker;
let triggers = 0;
let views = 0;
let eventIds = 0;
const logLines: string[] = [];

beforeAll(async () => {
  fake = await startFakeSlack();
  database = await createTestDatabase();
  const log = jsonLogger((line) => logLines.push(line));
  slack = await startTestSlackApp({ fake, database, config, features: FEATURES, log, today: () => clock.today, botId: 'B0BOTBOTBOT' });
  url = slack.url;
  worker = createOutboxWorker({
    database,
    config,
    client: createOutboxClient({ token: 'xoxb-test', apiUrl: fake.url, timeoutMs: 2000 }),
    log,
    today: () => clock.today,
    channelIntervalMs: 5,
    pollIntervalMs: 20,
    backoffBaseMs: 20,
    backoffMaxMs: 200,
  });
});

afterAll(async () => {
  await worker?.stop();
  await slack?.stop();
  await fake?.close();
  await database?.close();
  files.cleanup();
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

async function theCase(): Promise<CaseRow> {
  const rows = await queryRows<CaseRow>(database.db, sql`select id, stage, version, state from cases where contract_id = ${CONTRACT}`);
  expect(rows).toHaveLength(1); // one case, the whole way
  return { ...rows[0]!, version: Number(rows[0]!.version) };
}

interface EventRow {
  on: string;
  type: string;
  clause: string | null;
  actor: string;
  summary: string;
  [key: string]: unknown;
}

/** The dossier events so far, in order; `since` skips the ones already checked. */
async function events(since = 0): Promise<EventRow[]> {
  const rows = await queryRows<EventRow>(
    database.db,
    sql`select "on"::text as "on", type, clause, actor, summary from case_events where contract_id = ${CONTRACT} order by id`,
  );
  return rows.slice(since);
}

async function count(query: SQL): Promise<number> {
  const [row] = await queryRows<{ n: number }>(database.db, query);
  return Number(row!.n);
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

/** Runs the outbox worker until no row waits any more; every row must have been sent. Returns the calls it made. */
async function deliverOutbox(timeoutMs = 15_000): Promise<RecordedCall[]> {
  await idle();
  const from = fake.calls.length;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await worker.runOnce();
    if ((await count(sql`select count(*) as n from outbox where status in ('pending', 'sending')`)) === 0) break;
    if (Date.now() > deadline) throw new Error('the outbox was not delivered');
    if (result.sent === 0) await new Promise((r) => setTimeout(r, 20));
  }
  expect(await count(sql`select count(*) as n from outbox where status = 'failed'`)).toBe(0);
  return fake.calls.slice(from);
}

async function daily(date: string) {
  clock.today = date;
  return runDaily(database, config, { date });
}

const only = (calls: RecordedCall[], method: string) => calls.filter((c) => c.method === method);
const inThread = (calls: RecordedCall[], ts: string) =>
  only(calls, 'chat.postMessage').filter((c) => c.body.channel === TEAM_CHANNEL && c.body.thread_ts === ts);

interface Button {
  action_id: string;
  value: string;
  blockId: string;
}

/** The buttons of a message as Slack would show them. */
function buttonsOf(call: RecordedCall): Button[] {
  const blocks = call.body.blocks as {
    type: string;
    block_id?: string;
    elements?: { type: string; action_id?: string; value?: string }[];
  }[];
  return blocks
    .filter((b) => b.type === 'actions')
    .flatMap((b) =>
      (b.elements ?? [])
        .filter((e) => e.type === 'button')
        .map((e) => ({ action_id: e.action_id!, value: e.value ?? '', blockId: b.block_id ?? '' })),
    );
}

/** The card as the channel shows it now: the last chat.postMessage or chat.update of the card's ts. */
function currentCard(cardTs: string): RecordedCall {
  const card = fake.calls.filter(
    (c) =>
      c.body.channel === TEAM_CHANNEL &&
      ((c.method === 'chat.postMessage' && !c.body.thread_ts && c.body.metadata && JSON.stringify(c.body.metadata).includes('card:')) ||
        (c.method === 'chat.update' && c.body.ts === cardTs)),
  );
  if (card.length === 0) throw new Error('no card in the team channel');
  return card[card.length - 1]!;
}

function cardText(cardTs: string): string {
  return JSON.stringify(currentCard(cardTs).body.blocks);
}

/** Clicks a button of a message the bot sent: a signed block_actions payload, as Slack sends it. */
async function click(user: string, button: Button, where: { channel: string; ts: string }) {
  const res = await postInteraction(url, {
    type: 'block_actions',
    team: { id: 'T0TEAMTEAM', domain: 'corporatie' },
    user: { id: user, username: user.toLowerCase(), team_id: 'T0TEAMTEAM' },
    api_app_id: 'A0HUURWACHT',
    token: 'legacy',
    trigger_id: `trigger.${++triggers}`,
    container: { type: 'message', message_ts: where.ts, channel_id: where.channel, is_ephemeral: false },
    channel: { id: where.channel, name: where.channel === MT_CHANNEL ? 'mt' : 'wijkteam-noord' },
    message: { type: 'message', ts: where.ts, text: 'bericht' },
    response_url: fake.responseUrl(),
    actions: [{ type: 'button', action_id: button.action_id, block_id: button.blockId, value: button.value, action_ts: `${where.ts}1` }],
  });
  expect(res.status).toBe(200);
}

/** Clicks the card's button `actionId` (taken from the card as it stands). */
async function clickCard(user: string, actionId: string, cardTs: string) {
  const button = buttonsOf(currentCard(cardTs)).find((b) => b.action_id === actionId);
  if (!button) throw new Error(`the card has no button ${actionId}: ${buttonsOf(currentCard(cardTs)).map((b) => b.action_id)}`);
  await click(user, button, { channel: TEAM_CHANNEL, ts: cardTs });
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
  private_metadata: string;
  blocks: { type: string; block_id?: string }[];
}

async function openModal(user: string, actionId: string, cardTs: string): Promise<OpenedView> {
  const before = fake.callsTo('views.open').length;
  await clickCard(user, actionId, cardTs);
  await fake.waitFor(() => fake.callsTo('views.open').length > before);
  const call = fake.callsTo('views.open')[before]!;
  expect(call.body.trigger_id).toBe(`trigger.${triggers}`);
  return call.body.view as OpenedView;
}

type Values = Record<string, Record<string, Record<string, unknown>>>;
const field = {
  radio: (block: string, value: string): Values => ({ [block]: { [block]: { type: 'radio_buttons', selected_option: { value } } } }),
  user: (block: string, value: string): Values => ({ [block]: { [block]: { type: 'users_select', selected_user: value } } }),
};

/** A modal submission as Slack sends it; returns Bolt's answer (empty: the modal closes). */
async function submit(user: string, view: OpenedView, values: Values[]) {
  const res = await postInteraction(url, {
    type: 'view_submission',
    team: { id: 'T0TEAMTEAM', domain: 'corporatie' },
    user: { id: user, username: user.toLowerCase(), team_id: 'T0TEAMTEAM' },
    api_app_id: 'A0HUURWACHT',
    token: 'legacy',
    trigger_id: `trigger.${++triggers}`,
    view: {
      id: `V0VIEW${++views}`,
      team_id: 'T0TEAMTEAM',
      type: 'modal',
      callback_id: view.callback_id,
      private_metadata: view.private_metadata,
      state: { values: Object.assign({}, ...values) },
      hash: 'h',
    },
    response_urls: [],
  });
  expect(res.status).toBe(200);
  return (res.text ? JSON.parse(res.text) : {}) as Record<string, unknown>;
}

/** A reply in a thread, as the Events API delivers it (signed JSON). */
async function threadReply(user: string, threadTs: string, ts: string, text: string) {
  const res = await postEvent(url, {
    token: 'legacy',
    team_id: 'T0TEAMTEAM',
    api_app_id: 'A0HUURWACHT',
    type: 'event_callback',
    event_id: `Ev0${++eventIds}`,
    event_time: Math.floor(Number(ts)),
    event: { type: 'message', channel: TEAM_CHANNEL, channel_type: 'channel', user, text, ts, thread_ts: threadTs, event_ts: ts },
  });
  expect(res.status).toBe(200);
}

/** Messages posted or updated in a channel (ephemeral answers and modals are not). */
function channelWrites(): number {
  return fake.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update').length;
}

function outboxKeyOf(call: RecordedCall): string | undefined {
  const metadata = call.body.metadata as { event_type?: string; event_payload?: { key?: string } } | undefined;
  return metadata?.event_type === OUTBOX_EVENT_TYPE ? metadata.event_payload?.key : undefined;
}

// ---------------------------------------------------------------------------

describe('the whole procedure through Slack', () => {
  it('P1 → P2 → P2.d → P2.d.1 → P2.d.2 → P3.a → P3.b → P3.c → P3.d: one case through Slack, from the first letter to the MT approval and the bailiff step', async () => {
    await loadPortfolio(database, files, config, {
      tenancies: [{ id: CONTRACT, team: 'noord', name: 'T. Huurder' }],
      months: ['2026-10', '2026-11', '2026-12', '2027-01', '2027-02', '2027-03'],
      paidMonths: ['2026-10', '2026-11'],
      earlierVerdicts: {},
    });

    // P1: D(Dec). December is not paid: the case opens at the 14-day letter; no card yet, the digest lists the letter.
    const dec = await daily(D_DEC);
    expect(dec.transitions).toEqual([{ contractId: CONTRACT, from: null, to: 'reminder', clause: 'P1', on: D_DEC }]);
    expect((await theCase()).stage).toBe('reminder');
    expect(await events()).toEqual([
      expect.objectContaining({
        on: D_DEC,
        type: 'case_opened',
        clause: 'P1',
        actor: 'system',
        summary: expect.stringContaining('14-dagenbrief'),
      }),
      expect.objectContaining({ on: D_DEC, type: 'letter_sent', clause: 'P1', actor: 'system' }),
    ]);
    let calls = await deliverOutbox();
    const decDigest = only(calls, 'chat.postMessage').filter((c) => c.body.channel === TEAM_CHANNEL);
    expect(decDigest).toHaveLength(1);
    expect(outboxKeyOf(decDigest[0]!)).toBe(`digest:noord:${D_DEC}`);
    expect(decDigest[0]!.body.text).toBe('Wijkteam Noord · donderdag 10 december 2026: 1 nieuwe 14-dagenbrieven, 0 taken');
    expect(JSON.stringify(decDigest[0]!.body.blocks)).toContain(`*Nieuwe 14-dagenbrieven: 1*\\n${CONTRACT}`);
    expect(only(calls, 'chat.update')).toHaveLength(0); // no card for a letter
    expect(calls.every((c) => c.method === 'chat.postMessage' && !c.body.thread_ts && outboxKeyOf(c)?.startsWith('digest:'))).toBe(true);
    let seen = (await events()).length;

    // P2: D(Jan), the arrears grew. The run catches up every working day since D(Dec); the case moves to contact.
    const jan = await daily(D_JAN);
    expect(jan.transitions).toEqual([{ contractId: CONTRACT, from: 'reminder', to: 'contact', clause: 'P2', on: D_JAN }]);
    let row = await theCase();
    expect(row.stage).toBe('contact');
    expect(await events(seen)).toEqual([
      expect.objectContaining({ on: '2026-12-29', type: 'signal_no_reaction', clause: 'P2.a.2', actor: 'system' }),
      expect.objectContaining({
        on: D_JAN,
        type: 'stage_changed',
        clause: 'P2',
        actor: 'system',
        summary: expect.stringContaining('tweede maand'),
      }),
      expect.objectContaining({ on: D_JAN, type: 'letter_sent', clause: 'P2', actor: 'system' }),
    ]);
    seen = (await events()).length;
    calls = await deliverOutbox();
    // The card is posted once in the team channel; its thread opens with the privacy reminder, then the stage.
    const cardPosts = only(calls, 'chat.postMessage').filter((c) => outboxKeyOf(c)?.startsWith('card:'));
    expect(cardPosts.map((c) => ({ channel: c.body.channel, thread: c.body.thread_ts, key: outboxKeyOf(c) }))).toEqual([
      { channel: TEAM_CHANNEL, thread: undefined, key: `card:${row.id}:${row.version}` },
      { channel: TEAM_CHANNEL, thread: expect.any(String), key: `card:${row.id}:${row.version}#reminder` },
      { channel: TEAM_CHANNEL, thread: expect.any(String), key: `card:${row.id}:${row.version}#summary` },
    ]);
    const cardTs = await until(
      async () => (await findMessageRef(database.db, row.id, 'card'))?.ts ?? '',
      (ts) => ts !== '',
    );
    expect(await findMessageRef(database.db, row.id, 'card')).toEqual({ caseId: row.id, kind: 'card', channel: TEAM_CHANNEL, ts: cardTs });
    expect(cardPosts[1]!.body).toMatchObject({ thread_ts: cardTs, text: PRIVACY_REMINDER });
    expect(cardPosts[2]!.body).toMatchObject({
      thread_ts: cardTs,
      text: expect.stringMatching(/^Fase: contact \(P2\): de achterstand groeide/),
    });
    expect(inThread(fake.calls, cardTs)[0]!.body.text).toBe(PRIVACY_REMINDER); // the first reply in the thread
    expect(cardText(cardTs)).toContain('Fase: contact (P2) sinds 13-01-2027');
    expect(buttonsOf(currentCard(cardTs)).map((b) => b.action_id)).toEqual([
      ACTIONS.recordConversation,
      ACTIONS.noResponse,
      ACTIONS.placeHold,
      ACTIONS.signalAnswer,
      ACTIONS.openDossier,
    ]);
    // Every day caught up got its digest; none of the team's digests went to the card's thread.
    const janDigests = only(calls, 'chat.postMessage').filter(
      (c) => c.body.channel === TEAM_CHANNEL && outboxKeyOf(c)?.startsWith('digest:'),
    );
    expect(janDigests.length).toBeGreaterThan(15);
    expect(janDigests.every((c) => !c.body.thread_ts)).toBe(true);
    expect(only(calls, 'chat.update')).toHaveLength(0);

    // P2.d: 14-01, Anna clicks "Geen reactie" on the card: the case goes to the home visit.
    clock.today = '2027-01-14';
    let before = ephemeralsTo(ANNA).length;
    let posted = channelWrites();
    await clickCard(ANNA, ACTIONS.noResponse, cardTs);
    expect(await nextEphemeral(ANNA, before)).toContain(`Vastgelegd voor huurovereenkomst ${CONTRACT}`);
    row = await until(theCase, (r) => r.stage === 'visit');
    expect(await events(seen)).toEqual([expect.objectContaining({ on: '2027-01-14', type: 'stage_changed', clause: 'P2.d', actor: ANNA })]);
    seen = (await events()).length;
    // The click itself posts nothing to the channel: the card changes when the worker runs.
    await idle();
    expect(channelWrites()).toBe(posted);
    calls = await deliverOutbox();
    expect(
      calls.map((c) => ({ method: c.method, channel: c.body.channel, ts: c.body.ts, thread: c.body.thread_ts, key: outboxKeyOf(c) })),
    ).toEqual([
      { method: 'chat.update', channel: TEAM_CHANNEL, ts: cardTs, thread: undefined, key: undefined },
      { method: 'chat.postMessage', channel: TEAM_CHANNEL, ts: undefined, thread: cardTs, key: `card:${row.id}:${row.version}#summary` },
    ]);
    expect(calls[1]!.body.text).toBe('Fase: huisbezoek (P2.d): Geen reactie op de uitnodiging: huisbezoek door twee medewerkers (P2.d.1)');
    expect(cardText(cardTs)).toContain('Fase: huisbezoek (P2.d) sinds 14-01-2027');
    expect(buttonsOf(currentCard(cardTs))[0]!.action_id).toBe(ACTIONS.homeVisit);

    // P2.d.1, P2.d.2: 15-01, Anna and Bert visit; nobody home, they leave a card (a week to answer).
    clock.today = '2027-01-15';
    const visit = await openModal(ANNA, ACTIONS.homeVisit, cardTs);
    expect(visit.callback_id).toBe(CALLBACKS.homeVisit);
    expect(JSON.parse(visit.private_metadata)).toMatchObject({
      caseId: row.id,
      contractId: CONTRACT,
      version: row.version,
      channel: TEAM_CHANNEL,
    });
    posted = channelWrites();
    expect(
      await submit(ANNA, visit, [
        field.user(FIELDS.employee1, ANNA),
        field.user(FIELDS.employee2, BERT),
        field.radio(FIELDS.visitOutcome, 'nobody_home'),
      ]),
    ).toEqual({});
    row = await until(theCase, (r) => Boolean(r.state.visit?.cardLeftOn));
    expect(row.stage).toBe('visit');
    expect(row.state.visit).toMatchObject({ employees: [ANNA, BERT], cardLeftOn: '2027-01-15', cardTermEndsOn: '2027-01-22' });
    expect(await events(seen)).toEqual([
      expect.objectContaining({
        on: '2027-01-15',
        type: 'card_left',
        clause: 'P2.d.2',
        actor: ANNA,
        summary: expect.stringContaining('niemand thuis'),
      }),
      expect.objectContaining({ on: '2027-01-15', type: 'letter_sent', clause: 'P2.d.2', actor: ANNA }),
    ]);
    seen = (await events()).length;
    await idle();
    expect(channelWrites()).toBe(posted);
    calls = await deliverOutbox();
    expect(calls.map((c) => [c.method, c.body.channel, c.body.ts ?? c.body.thread_ts])).toEqual([
      ['chat.update', TEAM_CHANNEL, cardTs],
      ['chat.postMessage', TEAM_CHANNEL, cardTs],
    ]);
    expect(calls[1]!.body.text).toBe(
      'Fase: huisbezoek (P2.d.2): Huisbezoek door twee medewerkers: niemand thuis. Kaart in de bus; zonder reactie uiterlijk 22-01-2027 gaat het dossier naar de deurwaarder',
    );
    expect(cardText(cardTs)).toContain('Fase: huisbezoek (P2.d)');

    // The card's week passes: 22-01 still at the visit, the next working day the run escalates (P2.d.2 → P3).
    expect((await daily('2027-01-22')).transitions).toEqual([]);
    calls = await deliverOutbox();
    expect(only(calls, 'chat.update')).toHaveLength(0);
    const esc = await daily('2027-01-25');
    expect(esc.transitions).toEqual([{ contractId: CONTRACT, from: 'visit', to: 'escalation', clause: 'P2.d.2', on: '2027-01-25' }]);
    row = await theCase();
    expect(row.stage).toBe('escalation');
    expect(await events(seen)).toEqual([
      expect.objectContaining({
        on: '2027-01-25',
        type: 'stage_changed',
        clause: 'P2.d.2',
        actor: 'system',
        summary: expect.stringContaining('Naar teambespreking'),
      }),
    ]);
    seen = (await events()).length;
    calls = (await deliverOutbox()).filter((c) => !outboxKeyOf(c)?.startsWith('digest:'));
    expect(calls.map((c) => [c.method, c.body.channel, c.body.ts ?? c.body.thread_ts])).toEqual([
      ['chat.update', TEAM_CHANNEL, cardTs],
      ['chat.postMessage', TEAM_CHANNEL, cardTs],
    ]);
    expect(calls[1]!.body.text).toBe(
      'Fase: teambespreking (P2.d.2): Naar teambespreking: geen reactie op de kaart binnen de termijn (tot 22-01-2027)',
    );
    expect(cardText(cardTs)).toContain('Fase: teambespreking (P3.a) sinds 25-01-2027');
    expect(buttonsOf(currentCard(cardTs)).map((b) => b.action_id)).toEqual([
      ACTIONS.massDiscussion,
      ACTIONS.handToBailiff,
      ACTIONS.recordConversation,
      ACTIONS.placeHold,
      ACTIONS.signalAnswer,
      ACTIONS.openDossier,
    ]);

    // P3.a: 26-01, the team discusses the case. Bert replies in the card's thread: a dossier note, nothing more.
    clock.today = '2027-01-26';
    posted = channelWrites();
    await threadReply(BERT, cardTs, REPLY_TS, NOTE_TEXT);
    await until(
      () => count(sql`select count(*) as n from case_events where contract_id = ${CONTRACT} and type = 'note'`),
      (n) => n === 1,
    );
    await idle();
    expect(channelWrites()).toBe(posted);
    expect(await events(seen)).toEqual([
      expect.objectContaining({ on: '2027-01-26', type: 'note', clause: 'P3.a', actor: BERT, summary: 'Notitie uit de casusdraad' }),
    ]);
    const [note] = await queryRows<{ data: Record<string, unknown> }>(
      database.db,
      sql`select data from case_events where contract_id = ${CONTRACT} and type = 'note'`,
    );
    expect(note!.data).toEqual({ text: NOTE_TEXT, source: 'slack_thread', sourceId: `${TEAM_CHANNEL}/${REPLY_TS}` });
    seen = (await events()).length;

    // P3.a.1, P3.a.2: the MaSS flags, yes/no only.
    const mass = await openModal(ANNA, ACTIONS.massDiscussion, cardTs);
    expect(mass.callback_id).toBe(CALLBACKS.massDiscussion);
    expect(
      await submit(ANNA, mass, [
        field.radio(FIELDS.childrenInHome, 'yes'),
        field.radio(FIELDS.referralGrounds, 'no'),
        field.radio(FIELDS.nuisance, 'no'),
        field.radio(FIELDS.structuralProblems, 'yes'),
        field.radio(FIELDS.earlierVerdict, 'no'),
      ]),
    ).toEqual({});
    row = await until(theCase, (r) => Boolean(r.state.mass));
    expect(row.state.mass).toEqual({
      discussedOn: '2027-01-26',
      childrenInHome: true,
      referralGrounds: false,
      nuisance: false,
      structuralProblems: true,
      earlierVerdict: false,
    });
    expect(await events(seen)).toEqual([
      expect.objectContaining({
        on: '2027-01-26',
        type: 'mass_discussed',
        clause: 'P3.a',
        actor: ANNA,
        summary: expect.stringContaining('(P3.a.1)'),
      }),
    ]);
    seen = (await events()).length;
    calls = await deliverOutbox();
    expect(calls.map((c) => [c.method, c.body.channel, c.body.ts ?? c.body.thread_ts])).toEqual([
      ['chat.update', TEAM_CHANNEL, cardTs],
      ['chat.postMessage', TEAM_CHANNEL, cardTs],
    ]);
    expect(calls[1]!.body.text).toBe(
      'Fase: teambespreking (P3.a): Teambespreking vastgelegd: MaSS-vragen (P3.a.1) en omstandigheden voor een ontruimingsbesluit (P3.a.2) beantwoord',
    );

    // P3.b: "Naar deurwaarder" (the button asks for confirmation in Slack; the click arrives after it).
    before = ephemeralsTo(ANNA).length;
    await clickCard(ANNA, ACTIONS.handToBailiff, cardTs);
    expect(await nextEphemeral(ANNA, before)).toContain(`Vastgelegd voor huurovereenkomst ${CONTRACT}`);
    row = await until(theCase, (r) => r.stage === 'bailiff');
    expect(row.state.bailiff).toEqual({ handedOn: '2027-01-26', termEndsOn: '2027-02-09' });
    expect(await events(seen)).toEqual([
      expect.objectContaining({
        on: '2027-01-26',
        type: 'stage_changed',
        clause: 'P3.b',
        actor: ANNA,
        summary: expect.stringContaining('termijn tot en met 09-02-2027'),
      }),
      expect.objectContaining({ on: '2027-01-26', type: 'letter_sent', clause: 'P3.b', actor: ANNA }),
    ]);
    seen = (await events()).length;
    calls = await deliverOutbox();
    expect(calls.map((c) => [c.method, c.body.channel, c.body.ts ?? c.body.thread_ts])).toEqual([
      ['chat.update', TEAM_CHANNEL, cardTs],
      ['chat.postMessage', TEAM_CHANNEL, cardTs],
    ]);
    expect(calls[1]!.body.text).toMatch(/^Fase: deurwaarder \(P3\.b\): Dossier naar de deurwaarder/);
    expect(cardText(cardTs)).toContain('Fase: deurwaarder (P3.b) sinds 26-01-2027');

    // P3.c: D(Feb), the bailiff's term passed without effect: the MT votes.
    const feb = await daily(D_FEB);
    expect(feb.transitions).toEqual([{ contractId: CONTRACT, from: 'bailiff', to: 'mt_vote', clause: 'P3.c', on: D_FEB }]);
    row = await theCase();
    expect(row.stage).toBe('mt_vote');
    expect(row.state.vote).toMatchObject({ kind: 'eviction', openedOn: D_FEB, ballots: {} });
    expect(await events(seen)).toEqual([
      expect.objectContaining({
        on: D_FEB,
        type: 'stage_changed',
        clause: 'P3.c',
        actor: 'system',
        summary: expect.stringContaining('Termijn deurwaarder verstreken'),
      }),
    ]);
    seen = (await events()).length;
    calls = (await deliverOutbox()).filter((c) => !outboxKeyOf(c)?.startsWith('digest:'));
    const votePosts = only(calls, 'chat.postMessage').filter((c) => c.body.channel === MT_CHANNEL);
    expect(votePosts).toHaveLength(1);
    const votePost = votePosts[0]!;
    expect(outboxKeyOf(votePost)).toBe(`vote:${row.id}:eviction:${D_FEB}`);
    expect(votePost.body.text).toContain(`ontruimingsprocedure starten voor ${CONTRACT}`);
    const voteTs = (await findMessageRef(database.db, row.id, 'vote'))!.ts;
    expect(await findMessageRef(database.db, row.id, 'vote')).toEqual({ caseId: row.id, kind: 'vote', channel: MT_CHANNEL, ts: voteTs });
    expect(buttonsOf(votePost).map((b) => b.action_id)).toEqual([
      ACTIONS.voteFor,
      ACTIONS.voteAgainst,
      ACTIONS.voteAbstain,
      ACTIONS.voteDossier,
    ]);
    // The card shows the vote in place; its thread says why.
    expect(
      only(calls, 'chat.update')
        .filter((c) => c.body.channel === TEAM_CHANNEL)
        .map((c) => c.body.ts),
    ).toEqual([cardTs]);
    expect(inThread(calls, cardTs).map((c) => c.body.text)).toEqual([
      'Fase: MT-besluit (P3.c): Termijn deurwaarder verstreken (09-02-2027) zonder effect: MT besluit over de ontruimingsprocedure',
    ]);
    expect(cardText(cardTs)).toContain('Fase: MT-besluit (P3.c) sinds 10-02-2027');

    // P3.d: 11-02, two of the three MT members vote for: the vote closes at once.
    clock.today = '2027-02-11';
    for (const [member, expected] of [
      [MT1, 'Je stem is vastgelegd: voor.'],
      [MT2, 'Je stem is vastgelegd: voor. Daarmee is de stemming gesloten.'],
    ] as const) {
      before = ephemeralsTo(member).length;
      const voteFor = buttonsOf(votePost).find((b) => b.action_id === ACTIONS.voteFor)!;
      await click(member, voteFor, { channel: MT_CHANNEL, ts: voteTs });
      expect(await nextEphemeral(member, before)).toBe(expected);
      await idle();
    }
    row = await theCase();
    expect(row.stage).toBe('eviction_procedure');
    expect(row.state.mtDecision).toEqual({
      on: '2027-02-11',
      outcome: 'approved',
      kind: 'eviction',
      ballots: { [MT1]: 'for', [MT2]: 'for' },
    });
    expect(await events(seen)).toEqual([
      expect.objectContaining({ on: '2027-02-11', type: 'mt_ballot', clause: 'P3.c', actor: MT1 }),
      expect.objectContaining({
        on: '2027-02-11',
        type: 'stage_changed',
        clause: 'P3.d',
        actor: MT2,
        summary: expect.stringContaining('MT stemt in met de ontruimingsprocedure (2 voor, 0 tegen, 0 onthouding)'),
      }),
      expect.objectContaining({ on: '2027-02-11', type: 'letter_sent', clause: 'P3.d', actor: MT2 }),
    ]);
    // The ballots updated the vote message in place (the live tally, then the outcome without ballot buttons).
    const voteUpdates = fake.callsTo('chat.update').filter((c) => c.body.channel === MT_CHANNEL);
    expect(voteUpdates.every((c) => c.body.ts === voteTs)).toBe(true);
    expect(voteUpdates.some((c) => JSON.stringify(c.body.blocks).includes('1 voor · 0 tegen · 0 onthouding (quorum 2)'))).toBe(true);
    const lastVote = voteUpdates[voteUpdates.length - 1]!;
    expect(buttonsOf(lastVote).map((b) => b.action_id)).toEqual([ACTIONS.voteDossier]);
    expect(lastVote.body.text).toContain('ingestemd');

    // The worker updates the card (same ts) to the new stage; the outcome goes to the card's thread.
    calls = await deliverOutbox();
    expect(only(calls, 'chat.postMessage').every((c) => c.body.channel === TEAM_CHANNEL && c.body.thread_ts === cardTs)).toBe(true);
    expect(only(calls, 'chat.update').filter((c) => c.body.channel === TEAM_CHANNEL).length).toBeGreaterThan(0);
    expect(only(calls, 'chat.update').every((c) => c.body.ts === (c.body.channel === TEAM_CHANNEL ? cardTs : voteTs))).toBe(true);
    expect(inThread(calls, cardTs).map((c) => c.body.text)).toContain(
      'Fase: ontruimingsprocedure (P3.d): Stem uitgebracht: voor. MT stemt in met de ontruimingsprocedure (2 voor, 0 tegen, 0 onthouding): ' +
        'de deurwaarder start ontbinding en ontruiming',
    );
    expect(cardText(cardTs)).toContain('Fase: ontruimingsprocedure (P3.d) sinds 11-02-2027');
    expect(buttonsOf(currentCard(cardTs)).map((b) => b.action_id)).toEqual([
      ACTIONS.registerVerdict,
      ACTIONS.signalAnswer,
      ACTIONS.openDossier,
    ]);

    // The whole way: one card, always updated in place; one vote message; nothing posted twice.
    const writes = fake.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update');
    const teamUpdates = writes.filter((c) => c.method === 'chat.update' && c.body.channel === TEAM_CHANNEL);
    expect(teamUpdates.length).toBeGreaterThanOrEqual(8);
    expect(new Set(teamUpdates.map((c) => c.body.ts))).toEqual(new Set([cardTs]));
    expect(new Set(writes.filter((c) => c.method === 'chat.update').map((c) => c.body.channel))).toEqual(
      new Set([TEAM_CHANNEL, MT_CHANNEL]),
    );
    const posts = only(writes, 'chat.postMessage');
    expect(posts.filter((c) => !c.body.thread_ts && outboxKeyOf(c)?.startsWith('card:'))).toHaveLength(1);
    expect(posts.filter((c) => c.body.channel === MT_CHANNEL)).toEqual([votePost]);
    const keys = posts.map(outboxKeyOf);
    expect(keys.every((k) => typeof k === 'string')).toBe(true); // the bot posts only through the outbox
    expect(new Set(keys).size).toBe(keys.length);
    const threadTexts = inThread(fake.calls, cardTs).map((c) => String(c.body.text));
    expect(new Set(threadTexts).size).toBe(threadTexts.length);
    expect(threadTexts[0]).toBe(PRIVACY_REMINDER);
    expect(threadTexts.filter((t) => t === PRIVACY_REMINDER)).toHaveLength(1);
    expect(posts.every((c) => !c.body.thread_ts || (c.body.channel === TEAM_CHANNEL && c.body.thread_ts === cardTs))).toBe(true);
    expect(await count(sql`select count(*) as n from outbox where status <> 'sent'`)).toBe(0);

    // The thread reply is in the dossier only: in no call the bot made, no outbox row, no log line.
    expect(JSON.stringify(fake.calls)).not.toContain('zorgverzekeraar');
    expect(await count(sql`select count(*) as n from outbox where payload::text like '%zorgverzekeraar%'`)).toBe(0);
    expect(await count(sql`select count(*) as n from audit_log where detail::text like '%zorgverzekeraar%'`)).toBe(0);
    expect(logLines.join('\n')).not.toContain('zorgverzekeraar');
  }, 60_000);
});
