import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { insertOutbox, type TeamDigest } from '../../src/cases/messages.js';
import { createOutcomeService, type OutcomeService } from '../../src/cases/outcome-service.js';
import { runDaily } from '../../src/daily/daily-run.js';
import { queryRows } from '../../src/db/client.js';
import { importLedger } from '../../src/ledger/import-ledger.js';
import type { Logger } from '../../src/log.js';
import { ACTIONS } from '../../src/slack/ids.js';
import {
  createOutboxClient,
  createOutboxWorker,
  listFailedOutbox,
  OUTBOX_EVENT_TYPE,
  PRIVACY_REMINDER,
  retryFailedOutbox,
  type OutboxWorker,
  type OutboxWorkerOptions,
} from '../../src/slack/outbox-worker.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { csv, scratchDir } from '../support/files.js';
import { loadPortfolio } from '../support/portfolio.js';
import { pdfText } from '../support/pdf-text.js';

/**
 * The outbox worker against a real database and the real @slack/web-api WebClient, pointed at the
 * loopback fake. The fake keeps a small model of Slack (`world`): every message it accepted, with
 * its metadata and thread, which conversations.history / conversations.replies answer from, as
 * Slack does. Cases come from the daily run of wed 13-01-2027 (D(Jan), 8th working day): every
 * tenancy is two months late, so each case opens at `contact` (P2) and gets a card.
 *
 *   team noord: C0NOORD0001, 5 tenancies (100001-100005), member U0AAAAAAA1
 *   team zuid:  C0ZUID00001, 3 tenancies (200001-200003), member U0CCCCCCC1
 *   MT:         C0MT0000001, U0MTMTMT01..03, quorum 2
 */

const config = testConfig();
const files = scratchDir();
const D_JAN = '2027-01-13';
const NOORD = 'C0NOORD0001';
const ZUID = 'C0ZUID00001';
const MT = 'C0MT0000001';
const ANNA = 'U0AAAAAAA1';
const CEES = 'U0CCCCCCC1';
const MT1 = 'U0MTMTMT01';
const NOORD_IDS = ['100001', '100002', '100003', '100004', '100005'];
const ZUID_IDS = ['200001', '200002', '200003'];

let database: TestDatabase;
let service: OutcomeService;
let fake: FakeSlack;
let world: World;
let logs: { level: string; message: string; fields: Record<string, unknown> }[];
let workers: OutboxWorker[];

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
  fake = await startFakeSlack();
  world = installWorld(fake);
  logs = [];
  workers = [];
});
afterEach(async () => {
  for (const w of workers) await w.stop();
  await fake.close();
});

// ---------------------------------------------------------------------------------------------
// The fake's model of Slack

interface Message {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  threadTs: string | null;
  key: string | null;
  /** A file shared with files.completeUploadExternal. */
  files?: { id: string; title: string }[];
}

interface World {
  messages: Message[];
  updates: { channel: string; ts: string; blocks: unknown[]; text: string }[];
  /** Called before a post is accepted: an answer refuses it; `ghost` stores it and answers 500. */
  beforePost?: (
    body: Record<string, unknown>,
  ) => { status: number; headers?: Record<string, string>; body?: unknown } | 'ghost' | undefined;
  topLevel(channel?: string): Message[];
  thread(ts: string): Message[];
  byKey(key: string): Message[];
}

function installWorld(f: FakeSlack): World {
  let seq = 0;
  const w: World = {
    messages: [],
    updates: [],
    topLevel: (channel) => w.messages.filter((m) => m.threadTs === null && (!channel || m.channel === channel)),
    thread: (ts) => w.messages.filter((m) => m.threadTs === ts),
    byKey: (key) => w.messages.filter((m) => m.key === key),
  };
  const accept = (body: Record<string, unknown>): Message => {
    const metadata = body.metadata as { event_type?: string; event_payload?: { key?: string } } | undefined;
    const message: Message = {
      channel: String(body.channel),
      ts: `${1_800_000_000 + ++seq}.000200`,
      text: String(body.text ?? ''),
      blocks: (body.blocks as unknown[]) ?? [],
      threadTs: body.thread_ts ? String(body.thread_ts) : null,
      key: metadata?.event_type === OUTBOX_EVENT_TYPE ? (metadata.event_payload?.key ?? null) : null,
    };
    w.messages.push(message);
    return message;
  };
  const asSlack = (m: Message) => ({
    type: 'message',
    ts: m.ts,
    text: m.text,
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    ...(m.key ? { metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { key: m.key } } } : {}),
    ...(m.files ? { files: m.files } : {}),
  });
  // Sharing an uploaded file posts a message carrying it, in the channel or the thread.
  f.on('files.completeUploadExternal', (body) => {
    const shared = (body.files as { id: string; title: string }[]).filter((file) => f.uploads.has(file.id));
    if (shared.length === 0) return undefined;
    w.messages.push({
      channel: String(body.channel_id),
      ts: `${1_800_000_000 + ++seq}.000300`,
      text: '',
      blocks: [],
      threadTs: body.thread_ts ? String(body.thread_ts) : null,
      key: null,
      files: shared,
    });
    return undefined;
  });
  f.on('chat.postMessage', (body) => {
    const verdict = w.beforePost?.(body);
    if (verdict === 'ghost') {
      accept(body);
      return { status: 500, body: { ok: false, error: 'internal_error' } };
    }
    if (verdict) return verdict;
    const m = accept(body);
    return { channel: m.channel, ts: m.ts, message: { text: m.text } };
  });
  f.on('chat.update', (body) => {
    w.updates.push({
      channel: String(body.channel),
      ts: String(body.ts),
      blocks: (body.blocks as unknown[]) ?? [],
      text: String(body.text ?? ''),
    });
    return { channel: body.channel, ts: body.ts };
  });
  f.on('conversations.history', (body) => ({
    // Newest first, like Slack; the fake's ts are not wall-clock times, so `oldest` is not applied.
    messages: w.topLevel(String(body.channel)).map(asSlack).reverse(),
    has_more: false,
  }));
  f.on('conversations.replies', (body) => {
    const parent = w.messages.find((m) => m.ts === body.ts);
    return { messages: [...(parent ? [parent] : []), ...w.thread(String(body.ts))].map(asSlack), has_more: false };
  });
  return w;
}

// ---------------------------------------------------------------------------------------------
// Fixtures

async function loadCases(cfg = config): Promise<void> {
  await loadPortfolio(database, files, cfg, {
    tenancies: [...NOORD_IDS, ...ZUID_IDS].map((id) => ({ id, team: id.startsWith('1') ? 'noord' : 'zuid' })),
    months: ['2026-10', '2026-11', '2026-12', '2027-01', '2027-02'],
    paidMonths: ['2026-10', '2026-11'],
  });
  await runDaily(database, cfg, { date: D_JAN });
}

async function caseId(contractId: string): Promise<number> {
  const [row] = await queryRows<{ id: number }>(database.db, sql`select id from cases where contract_id = ${contractId}`);
  return row!.id;
}

interface OutboxRow {
  id: number;
  key: string;
  kind: string;
  channel: string;
  case_id: number | null;
  status: string;
  attempts: number;
  slack_ts: string | null;
  last_error: string | null;
  next_ms: number;
  [key: string]: unknown;
}

async function outbox(): Promise<OutboxRow[]> {
  return queryRows<OutboxRow>(
    database.db,
    sql`select id, key, kind, channel, case_id, status, attempts, slack_ts, last_error,
               (extract(epoch from next_attempt_at) * 1000)::float8 as next_ms
        from outbox order by id`,
  );
}

async function row(key: string): Promise<OutboxRow> {
  const found = (await outbox()).find((r) => r.key === key);
  if (!found) throw new Error(`no outbox row ${key}`);
  return found;
}

async function cardRef(id: number) {
  const [ref] = await queryRows<{ channel: string; ts: string; outbox_key: string }>(
    database.db,
    sql`select channel, ts, outbox_key from slack_messages where case_id = ${id} and kind = 'card'`,
  );
  return ref;
}

function digest(team: string, teamName: string, date: string): TeamDigest {
  return { team, teamName, date, counts: { contact: 1 }, newLetters: [], due: [], text: '' };
}

async function queueDigests(rows: { channel: string; team: string; date: string }[]): Promise<void> {
  await insertOutbox(
    database.db,
    rows.map((r) => ({
      key: `digest:${r.team}:${r.date}:${r.channel}`,
      kind: 'digest' as const,
      contract_id: null,
      channel: r.channel,
      case_id: null,
      payload: { ...digest(r.team, `Wijkteam ${r.team}`, r.date) },
    })),
  );
}

/** Test shortcut: the case as if its bailiff term passed and the MT vote opened, with its outbox row. */
async function openVote(contractId: string): Promise<number> {
  const id = await caseId(contractId);
  const vote = { kind: 'eviction', openedOn: D_JAN, closesOn: '2027-01-18', ballots: {} };
  await database.db.execute(
    sql`update cases set stage = 'mt_vote', state = state || ${JSON.stringify({ vote, bailiff: { handedOn: '2026-12-20', termEndsOn: '2027-01-03' } })}::jsonb
        where id = ${id}`,
  );
  await insertOutbox(database.db, [
    {
      key: `vote:${id}:${D_JAN}`,
      kind: 'mt_vote',
      contract_id: contractId,
      channel: MT,
      case_id: id,
      payload: { caseId: id, contractId, kind: 'eviction', closesOn: '2027-01-18' },
    },
  ]);
  return id;
}

const log: Logger = {
  info: (message, fields = {}) => logs.push({ level: 'info', message, fields }),
  warn: (message, fields = {}) => logs.push({ level: 'warn', message, fields }),
  error: (message, fields = {}) => logs.push({ level: 'error', message, fields }),
};

function worker(over: Partial<OutboxWorkerOptions> = {}): OutboxWorker {
  const w = createOutboxWorker({
    database,
    config,
    client: createOutboxClient({ token: 'xoxb-test', apiUrl: fake.url, timeoutMs: 2000 }),
    log,
    today: () => D_JAN,
    channelIntervalMs: 5,
    pollIntervalMs: 20,
    backoffBaseMs: 20,
    backoffMaxMs: 200,
    ...over,
  });
  workers.push(w);
  return w;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the worker until no row is waiting any more (sent or failed), except rows expected to wait. */
async function drain(w: OutboxWorker, options: { except?: string[]; timeoutMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const r = await w.runOnce();
    const waiting = (await outbox()).filter((o) => (o.status === 'pending' || o.status === 'sending') && !options.except?.includes(o.key));
    if (waiting.length === 0) return;
    if (Date.now() > deadline) throw new Error(`outbox not drained: ${waiting.map((o) => `${o.key}=${o.status}`).join(', ')}`);
    if (r.sent === 0) await sleep(20);
  }
}

function sectionTexts(blocks: unknown[]): string {
  return JSON.stringify(blocks);
}

// ---------------------------------------------------------------------------------------------

describe('delivery', () => {
  it('posts a card once with the privacy reminder as the first thread reply, then updates it in place', async () => {
    await loadCases();
    const id = await caseId('100001');
    await drain(worker());

    const cards = world.topLevel(NOORD).filter((m) => m.key === `card:${id}:1`);
    expect(cards).toHaveLength(1);
    const card = cards[0]!;
    expect(sectionTexts(card.blocks)).toContain('*100001* · Dorpsstraat 1, 1234 AB Ergens · T. Huurder0');
    expect(sectionTexts(card.blocks)).toContain('Achterstand € 1.400,00 (2,0 maanden) · Fase: contact (P2) sinds 13-01-2027');
    expect(card.text).toBe('100001 · contact (P2) · achterstand € 1.400,00 (2,0 maanden)');
    const thread = world.thread(card.ts);
    expect(thread.map((m) => m.text)).toEqual([PRIVACY_REMINDER, expect.stringMatching(/^Fase: contact \(P2\): /)]);
    expect(await cardRef(id)).toEqual({ channel: NOORD, ts: card.ts, outbox_key: `card:${id}:1` });
    expect(await row(`card:${id}:1`)).toMatchObject({ status: 'sent', slack_ts: card.ts, attempts: 1 });

    const done = await service.recordNoResponse(ANNA, '100001', { key: 'nr-100001', date: D_JAN });
    expect(done.ok).toBe(true);
    const postsBefore = fake.callsTo('chat.postMessage').length;
    await drain(worker());

    expect(world.topLevel().filter((m) => m.key?.startsWith(`card:${id}:`))).toHaveLength(1);
    const updates = world.updates.filter((u) => u.ts === card.ts);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.channel).toBe(NOORD);
    const updated = sectionTexts(updates[0]!.blocks);
    expect(updated).toContain('Fase: huisbezoek (P2.d) sinds 13-01-2027');
    expect(updated).toContain(ACTIONS.homeVisit);
    expect(updated).toContain(JSON.stringify(JSON.stringify({ caseId: id, contractId: '100001', version: 2 })).slice(1, -1));
    expect(world.thread(card.ts).map((m) => m.text)).toEqual([
      PRIVACY_REMINDER,
      expect.stringMatching(/^Fase: contact \(P2\): /),
      'Fase: huisbezoek (P2.d): Geen reactie op de uitnodiging: huisbezoek door twee medewerkers (P2.d.1)',
    ]);
    // One thread reply, no new card, no second reminder.
    expect(fake.callsTo('chat.postMessage').length - postsBefore).toBe(1);
    expect(await row(`card:${id}:2`)).toMatchObject({ status: 'sent', slack_ts: card.ts });
  });

  it('posts the digests to their team channels and the vote to the MT channel; a ballot updates the vote', async () => {
    await loadCases();
    const id = await openVote('100002');
    await drain(worker());

    const noord = world.topLevel(NOORD).find((m) => m.key === `digest:noord:${D_JAN}`);
    const zuid = world.topLevel(ZUID).find((m) => m.key === `digest:zuid:${D_JAN}`);
    expect(sectionTexts(noord!.blocks)).toContain('Wijkteam Noord · woensdag 13 januari 2027');
    expect(sectionTexts(zuid!.blocks)).toContain('Wijkteam Zuid · woensdag 13 januari 2027');
    expect(sectionTexts(noord!.blocks)).toContain('contact 5');

    const votes = world.topLevel(MT);
    expect(votes).toHaveLength(1);
    const vote = votes[0]!;
    expect(vote.key).toBe(`vote:${id}:${D_JAN}`);
    const blocks = sectionTexts(vote.blocks);
    expect(blocks).toContain('MT-besluit: ontruimingsprocedure starten voor 100002?');
    for (const action of [ACTIONS.voteFor, ACTIONS.voteAgainst, ACTIONS.voteAbstain, ACTIONS.voteDossier]) expect(blocks).toContain(action);
    expect(blocks).toContain('Stand: 0 voor · 0 tegen · 0 onthouding (quorum 2)');
    const [ref] = await queryRows<{ channel: string; ts: string }>(
      database.db,
      sql`select channel, ts from slack_messages where case_id = ${id} and kind = 'vote'`,
    );
    expect(ref).toEqual({ channel: MT, ts: vote.ts });
    // Nothing of a case goes to the MT channel but its vote.
    expect(world.messages.filter((m) => m.channel === MT)).toHaveLength(1);

    expect((await service.castBallot(MT1, '100002', { ballot: 'for' }, { key: 'ballot-1', date: D_JAN })).ok).toBe(true);
    await drain(worker());
    const refreshed = world.updates.filter((u) => u.channel === MT && u.ts === vote.ts);
    expect(refreshed).toHaveLength(1);
    expect(sectionTexts(refreshed[0]!.blocks)).toContain('Stand: 1 voor · 0 tegen · 0 onthouding (quorum 2)');
  });

  it('paces each channel to one message per interval without delaying the other channels', async () => {
    await queueDigests([
      { channel: NOORD, team: 'noord', date: '2027-01-13' },
      { channel: NOORD, team: 'noord', date: '2027-01-14' },
      { channel: ZUID, team: 'zuid', date: '2027-01-13' },
    ]);
    const result = await worker({ channelIntervalMs: 200 }).runOnce();
    expect(result).toEqual({ sent: 3, failed: 0, deferred: 0 });
    const posts = fake.callsTo('chat.postMessage');
    const noord = posts.filter((c) => c.body.channel === NOORD).map((c) => c.at);
    const zuid = posts.filter((c) => c.body.channel === ZUID).map((c) => c.at);
    expect(noord).toHaveLength(2);
    expect(noord[1]! - noord[0]!).toBeGreaterThanOrEqual(190);
    expect(Math.abs(zuid[0]! - noord[0]!)).toBeLessThan(150);
  });
});

describe('rate limits and failures', () => {
  it('429: honours Retry-After for that channel only, without spending an attempt', async () => {
    await queueDigests([
      { channel: NOORD, team: 'noord', date: '2027-01-13' },
      { channel: ZUID, team: 'zuid', date: '2027-01-13' },
    ]);
    let limited = false;
    world.beforePost = (body) => {
      if (body.channel !== NOORD || limited) return undefined;
      limited = true;
      return { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } };
    };
    const w = worker();
    const started = Date.now();
    expect(await w.runOnce()).toEqual({ sent: 1, failed: 0, deferred: 1 });
    const noordRow = await row(`digest:noord:2027-01-13:${NOORD}`);
    expect(noordRow).toMatchObject({ status: 'pending', attempts: 0, last_error: '429 rate limited (Retry-After 1 s)' });
    expect(noordRow.next_ms - started).toBeGreaterThanOrEqual(900);
    expect(world.topLevel(ZUID)).toHaveLength(1);

    // Not due before Retry-After: nothing is tried.
    expect(await w.runOnce()).toEqual({ sent: 0, failed: 0, deferred: 0 });
    await drain(w);
    const noordCalls = fake.callsTo('chat.postMessage').filter((c) => c.body.channel === NOORD);
    expect(noordCalls).toHaveLength(2);
    expect(noordCalls[1]!.at - noordCalls[0]!.at).toBeGreaterThanOrEqual(950);
    expect(world.topLevel(NOORD)).toHaveLength(1);
    expect(logs.some((l) => l.level === 'warn' && l.message.includes('rate limited'))).toBe(true);
  });

  it('5xx: retried with growing backoff, then failed and visible; a retry by the operator delivers it once', async () => {
    await queueDigests([{ channel: NOORD, team: 'noord', date: '2027-01-13' }]);
    const key = `digest:noord:2027-01-13:${NOORD}`;
    let down = true;
    world.beforePost = () => (down ? { status: 500, body: { ok: false, error: 'internal_error' } } : undefined);
    const w = worker({ maxAttempts: 4, backoffBaseMs: 40, backoffMaxMs: 1000 });
    const deadline = Date.now() + 10_000;
    while ((await row(key)).status !== 'failed') {
      if (Date.now() > deadline) throw new Error('row did not fail');
      await w.runOnce();
      await sleep(10);
    }
    const failed = await row(key);
    expect(failed).toMatchObject({ status: 'failed', attempts: 4, last_error: 'HTTP 500 from Slack' });
    expect(await listFailedOutbox(database.db)).toEqual([
      { key, channel: NOORD, kind: 'digest', caseId: null, attempts: 4, lastError: 'HTTP 500 from Slack' },
    ]);
    expect(logs.filter((l) => l.level === 'error').map((l) => l.fields.key)).toEqual([key]);

    const posts = fake.callsTo('chat.postMessage').map((c) => c.at);
    expect(posts).toHaveLength(4);
    const gaps = posts.slice(1).map((t, i) => t - posts[i]!);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(40 * 2 ** i - 5));
    // A 5xx may hide a post that happened: every retry looked for it first.
    expect(fake.callsTo('conversations.history')).toHaveLength(3);

    // A failed row waits for the operator, then goes out once.
    down = false;
    expect(await w.runOnce()).toEqual({ sent: 0, failed: 0, deferred: 0 });
    expect(await retryFailedOutbox(database.db)).toBe(1);
    await sleep(250); // the pause after the outage
    await drain(w);
    expect(world.byKey(key)).toHaveLength(1);
    expect(await row(key)).toMatchObject({ status: 'sent' });
  });

  it('keeps the order per case: a failed row holds back the later rows of its case, not other cases', async () => {
    await loadCases();
    const a = await caseId('100001');
    const b = await caseId('100002');
    await service.recordNoResponse(ANNA, '100001', { key: 'nr-a', date: D_JAN });
    let refuse = true;
    world.beforePost = (body) => {
      const meta = body.metadata as { event_payload?: { key?: string } } | undefined;
      return refuse && meta?.event_payload?.key === `card:${a}:1`
        ? { status: 200, body: { ok: false, error: 'invalid_blocks' } }
        : undefined;
    };
    const w = worker();
    await drain(w, { except: [`card:${a}:2`] });
    // Due, but held back behind the failed row: not even counted as deferred.
    expect(await w.runOnce()).toEqual({ sent: 0, failed: 0, deferred: 0 });

    expect(await row(`card:${a}:1`)).toMatchObject({ status: 'failed', attempts: 1, last_error: 'Slack error invalid_blocks' });
    expect(await row(`card:${a}:2`)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await row(`card:${b}:1`)).toMatchObject({ status: 'sent' });
    expect(world.messages.filter((m) => m.key?.startsWith(`card:${a}:`))).toHaveLength(0);
    expect(world.updates).toHaveLength(0);

    refuse = false;
    await retryFailedOutbox(database.db, [`card:${a}:1`]);
    await drain(worker());
    const card = world.byKey(`card:${a}:1`)[0]!;
    expect(world.thread(card.ts).map((m) => m.key)).toEqual([`card:${a}:1#reminder`, `card:${a}:1#summary`, `card:${a}:2#summary`]);
    expect(world.updates.map((u) => u.ts)).toEqual([card.ts]);
  });
});

describe('exactly once across a crash', () => {
  /** A claim by a worker that died: `sending`, claimed two minutes ago, its lease run out. */
  async function abandon(key: string, progress: Record<string, unknown> = {}): Promise<number> {
    const claimedAt = new Date(Date.now() - 120_000).toISOString();
    await database.db.execute(
      sql`update outbox set status = 'sending', attempts = 1, claimed_at = ${claimedAt}::timestamptz,
                 next_attempt_at = ${new Date(Date.now() - 60_000).toISOString()}::timestamptz,
                 progress = ${JSON.stringify(progress)}::jsonb
          where key = ${key}`,
    );
    return Date.parse(claimedAt);
  }

  function preexisting(channel: string, key: string, threadTs: string | null = null): string {
    const ts = `17999${world.messages.length}.000100`;
    world.messages.push({ channel, ts, text: key, blocks: [], threadTs, key });
    return ts;
  }

  it('adopts a card found by its metadata instead of posting it again; posts one that is not there once', async () => {
    await loadCases();
    const a = await caseId('100001');
    const b = await caseId('100002');
    const found = preexisting(NOORD, `card:${a}:1`);
    const claimedAt = await abandon(`card:${a}:1`);
    await abandon(`card:${b}:1`);
    await drain(worker());

    expect(
      fake
        .callsTo('chat.postMessage')
        .filter((c) => (c.body.metadata as { event_payload: { key: string } }).event_payload.key === `card:${a}:1`),
    ).toHaveLength(0);
    expect(await row(`card:${a}:1`)).toMatchObject({ status: 'sent', slack_ts: found });
    expect(await cardRef(a)).toMatchObject({ ts: found });
    expect(world.thread(found).map((m) => m.text)).toEqual([PRIVACY_REMINDER, expect.stringMatching(/^Fase: contact/)]);
    expect(world.byKey(`card:${b}:1`)).toHaveLength(1);
    expect(logs.filter((l) => l.message.includes('adopted')).map((l) => l.fields.key)).toEqual([`card:${a}:1`]);

    const searches = fake.callsTo('conversations.history');
    expect(searches).toHaveLength(2);
    for (const s of searches) {
      expect(s.body).toMatchObject({ channel: NOORD, include_all_metadata: 'true' });
      expect(Number(s.body.oldest)).toBeCloseTo((claimedAt - 60_000) / 1000, 0);
    }
  });

  it('a post that Slack made but answered with 500 is adopted on the retry, not posted twice', async () => {
    await loadCases();
    const c = await caseId('200001');
    let ghosts = 1;
    world.beforePost = (body) => {
      const meta = body.metadata as { event_payload?: { key?: string } };
      if (meta.event_payload?.key === `card:${c}:1` && ghosts > 0) {
        ghosts--;
        return 'ghost';
      }
      return undefined;
    };
    await drain(worker());
    expect(world.byKey(`card:${c}:1`)).toHaveLength(1);
    expect(await row(`card:${c}:1`)).toMatchObject({ status: 'sent', attempts: 2, slack_ts: world.byKey(`card:${c}:1`)[0]!.ts });
    expect(world.byKey(`card:${c}:1#reminder`)).toHaveLength(1);
  });

  it('a crash after the reminder was posted finds it in the thread and posts only what is missing', async () => {
    await loadCases();
    const d = await caseId('100003');
    const card = preexisting(NOORD, `card:${d}:1`);
    preexisting(NOORD, `card:${d}:1#reminder`, card);
    await database.db.execute(
      sql`insert into slack_messages (case_id, kind, channel, ts, outbox_key) values (${d}, 'card', ${NOORD}, ${card}, ${`card:${d}:1`})`,
    );
    await abandon(`card:${d}:1`, { main: card, channel: NOORD, posted: true });
    await drain(worker());
    expect(world.byKey(`card:${d}:1#reminder`)).toHaveLength(1);
    expect(world.byKey(`card:${d}:1#summary`)).toHaveLength(1);
    expect(fake.callsTo('conversations.replies').map((c) => c.body.ts)).toEqual([card]);
    expect(await row(`card:${d}:1`)).toMatchObject({ status: 'sent', slack_ts: card });
  });
});

describe('letters as files (P1, P2)', () => {
  const withLetters = testConfig({
    letters: {
      sender: { name: 'Woonstichting Voorbeeld', address: 'Postbus 1, 1000 AA Ergens', phone: '020-1234567', email: 'huur@voorbeeld.nl' },
      debtHelp: { name: 'Traverse', phone: '020-7654321', url: 'https://traverse.example' },
    },
  });

  it("P1 the digest carries the day's 14-day letters as one PDF to print, in its thread", async () => {
    await loadCases(withLetters);
    await drain(worker({ config: withLetters }));
    const [digestPost] = world.topLevel(NOORD).filter((m) => m.key?.startsWith('digest:'));
    const shares = fake.callsTo('files.completeUploadExternal').filter((c) => c.body.thread_ts === digestPost!.ts);
    expect(shares).toHaveLength(1);
    expect(shares[0]!.body).toMatchObject({ channel_id: NOORD });
    const [file] = shares[0]!.body.files as { id: string; title: string }[];
    expect(file!.title).toBe('14-dagenbrieven Wijkteam Noord (5)');
    const text = await pdfText(fake.uploads.get(file!.id)!);
    for (let i = 0; i < NOORD_IDS.length; i++) expect(text).toContain(`T. Huurder${i}`);
    expect(text).not.toContain('T. Huurder5');
    expect(text.match(/binnen 14 dagen na de dag waarop u deze brief ontvangt/g)).toHaveLength(5);
  });

  it("P2 a case's letters go to its card's thread after the card, each once; its 14-day letter only in the digest's print file", async () => {
    await loadCases(withLetters);
    await drain(worker({ config: withLetters }));
    const id = await caseId('100001');
    const ref = (await cardRef(id))!;
    const thread = world.thread(ref.ts);
    expect(thread.map((m) => (m.files ? m.files[0]!.title : m.text.slice(0, 12)))).toEqual([
      PRIVACY_REMINDER.slice(0, 12),
      expect.stringMatching(/^Fase: conta/),
      `uitnodiging-100001-${D_JAN}`,
    ]);
    const invitation = thread.at(-1)!.files![0]!;
    expect(await pdfText(fake.uploads.get(invitation.id)!)).toContain('T. Huurder0');
    expect(await row(`file:letter:${id}:invitation:${D_JAN}`)).toMatchObject({ status: 'sent', slack_ts: invitation.id });
    // Eight cases: the invitation each in their threads, and the two digests' print files with the 14-day letters.
    expect(fake.callsTo('files.completeUploadExternal')).toHaveLength(8 + 2);
  });

  it('letters queued while the corporation was configured, delivered after it left the configuration: notes saying why, nothing held up', async () => {
    await loadCases(withLetters);
    await drain(worker({ config }));
    const [digestPost] = world.topLevel(NOORD).filter((m) => m.key?.startsWith('digest:'));
    const needed = ':warning: Brieven maken kan pas als letters.sender en letters.debtHelp in huurwacht.yml staan.';
    expect(world.thread(digestPost!.ts).map((m) => m.text)).toEqual([needed]);
    const id = await caseId('100001');
    expect(world.thread((await cardRef(id))!.ts).at(-1)!.text).toBe(needed);
    expect((await outbox()).filter((o) => o.status !== 'sent')).toEqual([]);
    expect(fake.callsTo('files.getUploadURLExternal')).toHaveLength(0);
  });

  it('P2.d.2 a letter that cannot be made becomes a note in the thread saying why, and the case goes on', async () => {
    await loadCases(withLetters);
    const w = worker({ config: withLetters });
    await drain(w);
    const svc = createOutcomeService({ database, config: withLetters });
    await svc.recordNoResponse(ANNA, '100001', { key: 'n1', date: '2027-01-20' });
    await importLedger(
      database,
      files.write(
        'paid.csv',
        csv(
          ';',
          ['entry_id', 'contract_id', 'type', 'due_date', 'booking_date', 'amount'],
          [['100001-ALL', '100001', 'payment', '', '2027-01-22', '2100,00']],
        ),
      ),
    );
    await svc.recordHomeVisit(
      ANNA,
      '100001',
      { outcome: 'nobody_home', employees: [ANNA, 'U0BBBBBBB1'] },
      { key: 'n2', date: '2027-01-22' },
    );
    await drain(w);
    const id = await caseId('100001');
    const thread = world.thread((await cardRef(id))!.ts);
    expect(thread.at(-1)!.text).toBe(':warning: De brief na huisbezoek kan niet worden gemaakt: er is geen achterstand.');
    expect(await row(`file:letter:${id}:card:2027-01-22`)).toMatchObject({ status: 'sent', slack_ts: thread.at(-1)!.ts });
  });

  it('a file shared before a crash is adopted; one asked for but never shared is uploaded once', async () => {
    await loadCases(withLetters);
    const w = worker({ config: withLetters });
    await drain(w, { except: [] });
    const a = await caseId('100001');
    const b = await caseId('100002');
    const ref = (await cardRef(a))!;
    // As if the worker died after Slack shared the file (a) or before it did (b).
    const sharedKey = `file:letter:${a}:invitation:${D_JAN}`;
    const sharedId = (await row(sharedKey)).slack_ts!;
    await database.db
      .execute(sql`update outbox set status = 'sending', slack_ts = null, progress = ${JSON.stringify({ 'file#pending': sharedId })}::jsonb,
                                         claimed_at = now() - interval '2 minutes', next_attempt_at = now() - interval '1 minute', attempts = 1
                                  where key = ${sharedKey}`);
    const lostKey = `file:letter:${b}:invitation:${D_JAN}`;
    await database.db
      .execute(sql`update outbox set status = 'sending', slack_ts = null, progress = '{"file#pending": "F0NEVERSHARED"}'::jsonb,
                                         claimed_at = now() - interval '2 minutes', next_attempt_at = now() - interval '1 minute', attempts = 1
                                  where key = ${lostKey}`);
    const before = fake.callsTo('files.getUploadURLExternal').length;
    await drain(w);
    expect(await row(sharedKey)).toMatchObject({ status: 'sent', slack_ts: sharedId });
    expect(world.thread(ref.ts).filter((m) => m.files?.[0]?.id === sharedId)).toHaveLength(1);
    expect(fake.callsTo('files.getUploadURLExternal').length - before).toBe(1);
    expect((await row(lostKey)).status).toBe('sent');
    expect(logs.some((l) => l.message.includes('adopted a file') && l.fields.key === sharedKey)).toBe(true);
  });
});

describe('the fault test', () => {
  it('Slack down for a stretch, then rate-limiting: every queued message arrives exactly once, in order per case', async () => {
    await loadCases();
    // Four more changes per case: every change is a card update plus a line in the thread.
    for (const id of [...NOORD_IDS, ...ZUID_IDS]) {
      const actor = id.startsWith('1') ? ANNA : CEES;
      for (let round = 0; round < 2; round++) {
        expect(
          (await service.placeHold(actor, id, { reason: 'debt_help', until: '2027-03-01' }, { key: `h-${id}-${round}`, date: D_JAN })).ok,
        ).toBe(true);
        expect((await service.releaseHold(actor, id, { key: `r-${id}-${round}`, date: D_JAN })).ok).toBe(true);
      }
    }
    const voteCase = await openVote('200003');
    const queued = await outbox();
    expect(queued.length).toBeGreaterThanOrEqual(40);
    expect(new Set(queued.map((r) => r.channel))).toEqual(new Set([NOORD, ZUID, MT]));

    // Slack's behaviour over time: fine, then three posts made but answered 500, then down, then 429s.
    let ghosts = 0;
    world.beforePost = () => {
      if (ghosts > 0) {
        ghosts--;
        return 'ghost';
      }
      return undefined;
    };
    const w = worker({ channelIntervalMs: 30, backoffBaseMs: 50, backoffMaxMs: 300, maxAttempts: 40, pollIntervalMs: 10 });
    w.start();
    await fake.waitFor(() => world.messages.length >= 8, 10_000);
    ghosts = 3;
    await fake.waitFor(() => ghosts === 0, 10_000);
    fake.setDown(true);
    await sleep(1000);
    const failedWhileDown = fake.calls.length;
    fake.setDown(false);
    fake.failNext(6, 429, { retryAfterSeconds: 1 });

    const deadline = Date.now() + 60_000;
    while ((await outbox()).some((r) => r.status !== 'sent')) {
      if (Date.now() > deadline)
        throw new Error(`not delivered: ${(await outbox()).filter((r) => r.status !== 'sent').map((r) => `${r.key}=${r.status}`)}`);
      await sleep(50);
    }
    await w.stop();
    expect(failedWhileDown).toBeGreaterThan(0);
    // The three posts Slack made but answered with 500 were found and adopted, not posted again.
    expect(logs.filter((l) => l.message.includes('adopted'))).toHaveLength(3);
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
    expect(logs.filter((l) => l.message.includes('rate limited'))).toHaveLength(6);
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage').length).toBeGreaterThan(world.messages.length);

    // Exactly once: every tagged message exists once.
    const keys = world.messages.map((m) => m.key);
    expect(keys.every((k) => k !== null)).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);

    const rows = await outbox();
    for (const r of rows) {
      if (r.kind === 'digest' || r.kind === 'mt_vote') expect(world.byKey(r.key), r.key).toHaveLength(1);
      if (r.kind === 'case_card') expect(world.byKey(`${r.key}#summary`), r.key).toHaveLength(1);
    }
    // In order per case: one card, its reminder first, then one line per row in the order queued.
    const caseIds = [...new Set(rows.filter((r) => r.kind === 'case_card').map((r) => r.case_id!))];
    expect(caseIds).toHaveLength(8);
    for (const id of caseIds) {
      const cards = world.topLevel().filter((m) => m.key?.startsWith(`card:${id}:`));
      expect(cards, `card of case ${id}`).toHaveLength(1);
      const own = rows.filter((r) => r.case_id === id && r.kind === 'case_card');
      expect(world.thread(cards[0]!.ts).map((m) => m.key)).toEqual([`${own[0]!.key}#reminder`, ...own.map((r) => `${r.key}#summary`)]);
      expect(own.every((r) => r.slack_ts === cards[0]!.ts)).toBe(true);
      expect(await cardRef(id)).toMatchObject({ ts: cards[0]!.ts });
    }
    expect(world.topLevel(MT).map((m) => m.key)).toEqual([`vote:${voteCase}:${D_JAN}`]);
    expect(world.topLevel(NOORD).filter((m) => m.key?.startsWith('digest:'))).toHaveLength(1);
    expect(world.topLevel(ZUID).filter((m) => m.key?.startsWith('digest:'))).toHaveLength(1);
  }, 90_000);
});

describe('start and stop', () => {
  it('stop() lets the message in flight finish and leaves nothing claimed', async () => {
    await queueDigests(
      Array.from({ length: 8 }, (_, i) => ({ channel: NOORD, team: 'noord', date: `2027-01-${String(11 + i).padStart(2, '0')}` })),
    );
    const w = worker({ channelIntervalMs: 100 });
    w.start();
    await fake.waitFor(() => world.messages.length >= 2, 5000);
    await w.stop();
    const after = fake.calls.length;
    await sleep(300);
    expect(fake.calls.length).toBe(after);
    const rows = await outbox();
    expect(rows.filter((r) => r.status === 'sending')).toEqual([]);
    const sent = rows.filter((r) => r.status === 'sent').length;
    expect(sent).toBe(world.messages.length);
    expect(sent).toBeLessThan(8);
  });
});
