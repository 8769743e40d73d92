import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDaily } from '../../src/daily/daily-run.js';
import { queryRows } from '../../src/db/client.js';
import type { CaseState, OpenStage } from '../../src/domain/case-state.js';
import { jsonLogger } from '../../src/log.js';
import { isMtMember } from '../../src/slack/commands.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { findMessageRef, recordMessageRef } from '../../src/slack/message-refs.js';
import { createOutboxClient, createOutboxWorker } from '../../src/slack/outbox-worker.js';
import * as votes from '../../src/slack/votes.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startFakeSlack, type FakeSlack, type RecordedCall } from '../support/fake-slack.js';
import { scratchDir } from '../support/files.js';
import { loadPortfolio } from '../support/portfolio.js';
import { postInteraction } from '../support/signed.js';
import { startTestSlackApp, type TestSlackApp } from '../support/slack-app.js';

/**
 * The MT vote end to end (P3.c, P3.d, P4.b): signed button clicks into the real Bolt app, the
 * outcome service on the database, Slack faked on loopback. MT: U0MTMTMT01..03, quorum 2; a
 * strict majority of the three (two) decides at once. The vote opened on 10-02-2027 and closes on
 * 15-02-2027; the ballots are cast on 11-02-2027. The outcome of a decisive ballot reaches the case
 * card's thread through the outbox, as in production: the tests run the outbox worker against the
 * same fake Slack (fast pacing), never votes.ts posting it itself.
 */

const config = testConfig();
const files = scratchDir();
const ANNA = 'U0AAAAAAA1'; // team noord, not MT
const [MT1, MT2, MT3] = ['U0MTMTMT01', 'U0MTMTMT02', 'U0MTMTMT03'] as const;
const TEAM_CHANNEL = 'C0NOORD0001';
const MT_CHANNEL = 'C0MT0000001';
const CARD_TS = '1800000000.000100';
const VOTE_TS = '1800000500.000100';
const clock = { today: '2027-02-11' };

let fake: FakeSlack;
let database: TestDatabase;
let slack: TestSlackApp;
let url: string;
let triggers = 0;

beforeAll(async () => {
  fake = await startFakeSlack();
  database = await createTestDatabase();
  slack = await startTestSlackApp({ fake, database, config, features: [votes.register], today: () => clock.today });
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
    tenancies: ['100001', '100005'].map((id) => ({ id, team: 'noord' })),
    months: ['2026-10', '2026-11', '2026-12', '2027-01', '2027-02', '2027-03'],
    paidMonths: ['2026-10', '2026-11'],
    earlierVerdicts: { '100005': '01-05-2024' },
  });
  await runDaily(database, config, { date: '2027-01-13' });
  for (const contractId of ['100001', '100005']) {
    const { id } = await caseOf(contractId);
    await recordMessageRef(database.db, {
      caseId: id,
      kind: 'card',
      channel: TEAM_CHANNEL,
      ts: cardTs(contractId),
      outboxKey: `card:${id}:1`,
    });
    await recordMessageRef(database.db, { caseId: id, kind: 'vote', channel: MT_CHANNEL, ts: voteTs(contractId), outboxKey: `vote:${id}` });
  }
  await openVote('100001', 'eviction');
  fake.calls.splice(0);
  clock.today = '2027-02-11';
});

const cardTs = (contractId: string) => (contractId === '100001' ? CARD_TS : '1800000000.000500');
const voteTs = (contractId: string) => (contractId === '100001' ? VOTE_TS : '1800000500.000500');

interface CaseRow {
  id: number;
  stage: OpenStage | 'closed';
  closed_reason: string | null;
  state: CaseState;
  [key: string]: unknown;
}

async function caseOf(contractId: string): Promise<CaseRow> {
  const [row] = await queryRows<CaseRow>(
    database.db,
    sql`select id, stage, closed_reason, state from cases where contract_id = ${contractId} order by id desc limit 1`,
  );
  if (!row) throw new Error(`no case for ${contractId}`);
  return row;
}

/** Test shortcut: the case as the bailiff's term (or a repeat verdict) leaves it, in mt_vote. */
async function openVote(contractId: string, kind: 'eviction' | 'repeat_verdict', extra: CaseState = {}): Promise<void> {
  const state: CaseState = { ...extra, vote: { kind, openedOn: '2027-02-10', closesOn: '2027-02-15', ballots: {} } };
  await database.db.execute(
    sql`update cases set stage = 'mt_vote', state = state || ${JSON.stringify(state)}::jsonb where contract_id = ${contractId} and closed_on is null`,
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
    ballots: await count(sql`select count(*) as n from audit_log where action = 'outcome.ballot'`),
    versions: await count(sql`select coalesce(sum(version), 0) as n from cases`),
  };
}

const idle = () => slack.idle();

async function vote(actionId: string, user: string, contractId = '100001', target = url) {
  const { id } = await caseOf(contractId);
  const res = await postInteraction(target, {
    type: 'block_actions',
    team: { id: 'T0TEAMTEAM', domain: 'corporatie' },
    user: { id: user, username: user.toLowerCase(), team_id: 'T0TEAMTEAM' },
    api_app_id: 'A0HUURWACHT',
    token: 'legacy',
    trigger_id: `trigger.${++triggers}`,
    container: { type: 'message', message_ts: voteTs(contractId), channel_id: MT_CHANNEL, is_ephemeral: false },
    channel: { id: MT_CHANNEL, name: 'mt' },
    message: { type: 'message', ts: voteTs(contractId), text: 'MT-besluit' },
    response_url: fake.responseUrl(),
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: `mt_vote:${id}`,
        value: JSON.stringify({ caseId: id }),
        action_ts: '1800000600.0001',
      },
    ],
  });
  expect(res.status).toBe(200);
}

function ephemeralsTo(user: string): RecordedCall[] {
  return fake.callsTo('chat.postEphemeral').filter((c) => c.body.user === user);
}

async function nextEphemeral(user: string, before: number): Promise<string> {
  await fake.waitFor(() => ephemeralsTo(user).length > before);
  return String(ephemeralsTo(user)[before]!.body.text);
}

/** A ballot, waited for: the member's confirmation and (for a recorded ballot) the vote message update. */
async function cast(actionId: string, user: string, contractId = '100001'): Promise<string> {
  const before = ephemeralsTo(user).length;
  await vote(actionId, user, contractId);
  const text = await nextEphemeral(user, before);
  await idle();
  return text;
}

function lastUpdate(): { ts: string; channel: string; text: string; blocks: unknown[] } {
  const updates = fake.callsTo('chat.update');
  const last = updates[updates.length - 1];
  if (!last) throw new Error('no chat.update');
  return last.body as { ts: string; channel: string; text: string; blocks: unknown[] };
}

/** The outbox worker as the app runs it, against the same fake Slack; paced fast for tests. */
function outboxWorker() {
  return createOutboxWorker({
    database,
    config,
    client: createOutboxClient({ token: 'xoxb-test', apiUrl: fake.url, timeoutMs: 2000 }),
    log: jsonLogger(() => {}),
    today: () => clock.today,
    channelIntervalMs: 5,
    pollIntervalMs: 20,
    backoffBaseMs: 20,
    backoffMaxMs: 200,
  });
}

async function waitingRows(): Promise<number> {
  return count(sql`select count(*) as n from outbox where status in ('pending', 'sending')`);
}

/** Runs the outbox worker until no row waits any more; every row must have been sent. */
async function deliverOutbox(timeoutMs = 10_000): Promise<void> {
  const worker = outboxWorker();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await worker.runOnce();
    if ((await waitingRows()) === 0) break;
    if (Date.now() > deadline) throw new Error('the outbox was not delivered');
    if (result.sent === 0) await new Promise((r) => setTimeout(r, 20));
  }
  expect(await count(sql`select count(*) as n from outbox where status = 'failed'`)).toBe(0);
}

/** The case card as the daily run queued it, delivered (updated in place at its ref) before the vote. */
async function deliverCards(): Promise<void> {
  await deliverOutbox();
  fake.calls.splice(0);
}

/** The replies the case card's thread received (the card found through its slack_messages ref). */
async function threadReplies(contractId: string): Promise<string[]> {
  const ref = await findMessageRef(database.db, (await caseOf(contractId)).id, 'card');
  expect(ref).toMatchObject({ channel: TEAM_CHANNEL, ts: cardTs(contractId) });
  return fake
    .callsTo('chat.postMessage')
    .filter((c) => c.body.channel === ref!.channel && c.body.thread_ts === ref!.ts)
    .map((c) => String(c.body.text));
}

function actionIds(blocks: unknown[]): string[] {
  return (blocks as { type: string; elements?: { action_id?: string }[] }[])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (b.elements ?? []).map((e) => e.action_id ?? ''));
}

// ---------------------------------------------------------------------------

describe('ballots and the live tally (P3.c)', () => {
  it('P3.c a member may change the ballot until the vote closes; each ballot updates the vote message with the tally', async () => {
    expect(await cast(ACTIONS.voteFor, MT1)).toBe('Je stem is vastgelegd: voor.');
    expect(lastUpdate()).toMatchObject({ channel: MT_CHANNEL, ts: VOTE_TS });
    expect(JSON.stringify(lastUpdate().blocks)).toContain('1 voor · 0 tegen · 0 onthouding (quorum 2)');
    expect(actionIds(lastUpdate().blocks)).toEqual([ACTIONS.voteFor, ACTIONS.voteAgainst, ACTIONS.voteAbstain, ACTIONS.voteDossier]);

    expect(await cast(ACTIONS.voteAgainst, MT1)).toBe('Je stem is gewijzigd in: tegen.');
    expect(JSON.stringify(lastUpdate().blocks)).toContain('0 voor · 1 tegen · 0 onthouding');
    expect((await caseOf('100001')).state.vote?.ballots).toEqual({ [MT1]: 'against' });

    // The same ballot again (a double click, or a second click later) changes nothing.
    const updates = fake.callsTo('chat.update').length;
    const before = await footprint();
    expect(await cast(ACTIONS.voteAgainst, MT1)).toContain('was al vastgelegd');
    expect(await footprint()).toEqual(before);
    expect(fake.callsTo('chat.update')).toHaveLength(updates);

    // A change back is a change: recorded.
    expect(await cast(ACTIONS.voteFor, MT1)).toBe('Je stem is gewijzigd in: voor.');
    expect(await cast(ACTIONS.voteAbstain, MT2)).toBe('Je stem is vastgelegd: onthouding.');
    expect(JSON.stringify(lastUpdate().blocks)).toContain('1 voor · 0 tegen · 1 onthouding');
    expect((await caseOf('100001')).state.vote?.ballots).toEqual({ [MT1]: 'for', [MT2]: 'abstain' });
    const ballots = await queryRows<{ actor: string; ballot: string; key: string }>(
      database.db,
      sql`select actor, detail->>'ballot' as ballot, detail->>'key' as key from audit_log where action = 'outcome.ballot' order by id`,
    );
    const { id } = await caseOf('100001');
    expect(ballots).toEqual([
      { actor: MT1, ballot: 'for', key: `ballot:${id}:${VOTE_TS}:${MT1}:0:for` },
      { actor: MT1, ballot: 'against', key: `ballot:${id}:${VOTE_TS}:${MT1}:1:against` },
      { actor: MT1, ballot: 'for', key: `ballot:${id}:${VOTE_TS}:${MT1}:2:for` },
      { actor: MT2, ballot: 'abstain', key: `ballot:${id}:${VOTE_TS}:${MT2}:0:abstain` },
    ]);
    expect((await caseOf('100001')).stage).toBe('mt_vote');
  });

  it('a double click (two clicks at the same moment) records one ballot', async () => {
    const before = await footprint();
    await Promise.all([vote(ACTIONS.voteFor, MT1), vote(ACTIONS.voteFor, MT1)]);
    await fake.waitFor(() => ephemeralsTo(MT1).length === 2);
    await idle();
    const after = await footprint();
    expect(after.ballots - before.ballots).toBe(1);
    expect(after.events - before.events).toBe(1);
    expect(
      ephemeralsTo(MT1)
        .map((c) => String(c.body.text))
        .sort(),
    ).toEqual(['Je stem (voor) was al vastgelegd; er is niets dubbel geteld.', 'Je stem is vastgelegd: voor.']);
  });

  it('P3.c someone outside the MT gets an ephemeral refusal; nothing is recorded and the message stays', async () => {
    const before = await footprint();
    expect(await cast(ACTIONS.voteFor, ANNA)).toBe(
      'Alleen leden van het MT kunnen stemmen. Je stem is niet geteld en er is niets vastgelegd.',
    );
    expect(await footprint()).toEqual(before);
    expect(fake.callsTo('chat.update')).toHaveLength(0);
    expect((await caseOf('100001')).state.vote?.ballots).toEqual({});
  });
});

describe('closing the vote', () => {
  it('P3.d the decisive ballot closes the vote: the message shows the outcome without ballot buttons, the outcome goes to the case thread', async () => {
    await deliverCards();
    await cast(ACTIONS.voteFor, MT1);
    await cast(ACTIONS.voteAgainst, MT3);
    expect(await cast(ACTIONS.voteFor, MT2)).toBe('Je stem is vastgelegd: voor. Daarmee is de stemming gesloten.');

    const decided = await caseOf('100001');
    expect(decided.stage).toBe('eviction_procedure');
    expect(decided.state.mtDecision).toMatchObject({ outcome: 'approved', ballots: { [MT1]: 'for', [MT2]: 'for', [MT3]: 'against' } });

    const closed = lastUpdate();
    expect(closed).toMatchObject({ channel: MT_CHANNEL, ts: VOTE_TS });
    expect(actionIds(closed.blocks)).toEqual([ACTIONS.voteDossier]);
    expect(JSON.stringify(closed.blocks)).toContain('2 voor · 1 tegen · 0 onthouding');

    // votes.ts posts nothing itself: the outcome waits in the outbox (the card's stage change).
    expect(fake.callsTo('chat.postMessage')).toHaveLength(0);
    expect(await waitingRows()).toBeGreaterThan(0);

    await deliverOutbox();
    const cardUpdates = fake.callsTo('chat.update').filter((c) => c.body.channel === TEAM_CHANNEL && c.body.ts === CARD_TS);
    expect(cardUpdates.length).toBeGreaterThan(0); // the card, updated in place
    const outcome = (await threadReplies('100001')).filter((t) => t.includes('MT stemt in met de ontruimingsprocedure'));
    expect(outcome).toEqual([
      'Fase: ontruimingsprocedure (P3.d): Stem uitgebracht: voor. MT stemt in met de ontruimingsprocedure (2 voor, 1 tegen, 0 onthouding): ' +
        'de deurwaarder start ontbinding en ontruiming',
    ]);
    // Only thread replies: no second card, no outcome posted anywhere else.
    expect(fake.callsTo('chat.postMessage').every((c) => c.body.channel === TEAM_CHANNEL && c.body.thread_ts === CARD_TS)).toBe(true);
  });

  it('P3.c a ballot after close: "De stemming is gesloten", nothing recorded; the decisive ballot clicked again changes nothing', async () => {
    await deliverCards();
    await cast(ACTIONS.voteAgainst, MT1);
    await cast(ACTIONS.voteAgainst, MT2);
    expect((await caseOf('100001')).stage).toBe('escalation');
    expect(fake.callsTo('chat.postMessage')).toHaveLength(0); // the outcome goes through the outbox
    await deliverOutbox();
    const rejected = (t: string) => t.includes('MT stemt tegen (0 voor, 2 tegen, 0 onthouding)');
    expect((await threadReplies('100001')).filter(rejected)).toHaveLength(1);
    const before = await footprint();
    const updates = fake.callsTo('chat.update').length;
    const posts = fake.callsTo('chat.postMessage').length;

    expect(await cast(ACTIONS.voteFor, MT3)).toBe('De stemming is gesloten; je stem is niet meer meegeteld.');
    expect(await cast(ACTIONS.voteAgainst, MT2)).toBe('De stemming is gesloten; je stem (tegen) was al meegeteld.');
    expect(await footprint()).toEqual(before);
    expect(await waitingRows()).toBe(0); // nothing new queued
    await deliverOutbox();
    expect(fake.callsTo('chat.update')).toHaveLength(updates);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(posts);
    expect((await threadReplies('100001')).filter(rejected)).toHaveLength(1); // the outcome, once
  });

  it('P3.c a ballot after the term (the daily run closes it on its last day) is refused', async () => {
    clock.today = '2027-02-15';
    const before = await footprint();
    expect(await cast(ACTIONS.voteFor, MT1)).toContain('De stemming is gesloten (termijn tot 15-02-2027)');
    expect(await footprint()).toEqual(before);
  });

  it('P4.b a repeat-verdict vote that approves decides the eviction and says so in the thread', async () => {
    await deliverCards();
    await openVote('100005', 'repeat_verdict', {
      verdict: { verdictOn: '2027-02-05', evictionOn: '2027-04-15', amountCents: 380_000, first: false, payBy: '2027-04-14' },
    });
    await cast(ACTIONS.voteFor, MT1, '100005');
    expect(await cast(ACTIONS.voteFor, MT3, '100005')).toBe('Je stem is vastgelegd: voor. Daarmee is de stemming gesloten.');
    const decided = await caseOf('100005');
    expect(decided.stage).toBe('verdict');
    expect(decided.state.mtDecision).toMatchObject({ kind: 'repeat_verdict', outcome: 'approved' });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(0); // the outcome goes through the outbox

    await deliverOutbox();
    const outcome = (await threadReplies('100005')).filter((t) => t.includes('MT besluit tot ontruiming na eerder vonnis'));
    expect(outcome).toEqual([
      'Fase: vonnis (P4.b): Stem uitgebracht: voor. MT besluit tot ontruiming na eerder vonnis (2 voor, 0 tegen, 0 onthouding): ontruiming op 15-04-2027',
    ]);
    expect(fake.callsTo('chat.postMessage').every((c) => c.body.channel === TEAM_CHANNEL && c.body.thread_ts === cardTs('100005'))).toBe(
      true,
    );
  });
});

describe('the dossier button', () => {
  it('opens a modal with months in arrears, steps with dates, the early signal, MaSS flags and earlier verdicts; audit-logged', async () => {
    await openVote('100005', 'repeat_verdict', {
      mass: {
        discussedOn: '2027-01-20',
        childrenInHome: true,
        referralGrounds: false,
        nuisance: false,
        structuralProblems: true,
        earlierVerdict: true,
      },
    });
    const { id } = await caseOf('100005');
    await vote(ACTIONS.voteDossier, MT2, '100005');
    await fake.waitFor(() => fake.callsTo('views.open').length === 1);
    const { view, trigger_id } = fake.callsTo('views.open')[0]!.body as {
      view: { title: { text: string }; blocks: unknown[] };
      trigger_id: string;
    };
    expect(trigger_id).toBe(`trigger.${triggers}`);
    expect(view.title.text).toBe('Dossier 100005');
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('€ 2.100,00 (3,0 maanden)'); // December, January and February on 11-02-2027
    expect(text).toContain('*Vroegsignalering:* aangeboden in de 14-dagenbrief van 13-01-2027');
    expect(text).toContain('kinderen in huis ja');
    expect(text).toContain('eerder vonnis ja');
    expect(text).toContain('*Eerdere vonnissen:* 01-05-2024');
    expect(text).toContain('13-01-2027 [P2]');
    const [audit] = await queryRows<{ actor: string; detail: Record<string, unknown> }>(
      database.db,
      sql`select actor, detail from audit_log where action = 'dossier.lookup'`,
    );
    expect(audit).toMatchObject({ actor: MT2, detail: { via: 'mt_vote', caseId: id, outcome: 'dossier' } });
  });

  it('refuses someone outside the MT', async () => {
    await vote(ACTIONS.voteDossier, ANNA);
    expect(await nextEphemeral(ANNA, 0)).toBe('Alleen leden van het MT kunnen het dossier vanuit de stemming openen.');
    await idle();
    expect(fake.callsTo('views.open')).toHaveLength(0);
  });
});

describe('MT membership through a Slack user group', () => {
  it('P3.c a member of mt.usergroup may vote; others are refused', async () => {
    const groupConfig = testConfig({ mt: { channel: MT_CHANNEL, usergroup: 'S0MTGROUP01', quorum: 2 } });
    fake.on('usergroups.users.list', (body) => (body.usergroup === 'S0MTGROUP01' ? { users: ['U0GROUP0001'] } : { users: [] }));
    let second: TestSlackApp | undefined;
    second = await startTestSlackApp({
      fake,
      database,
      config: groupConfig,
      features: [votes.register],
      today: () => clock.today,
      isMtMember: (user) => isMtMember(groupConfig, second!.app.client, user),
    });
    try {
      const click = async (user: string) => {
        const before = ephemeralsTo(user).length;
        await vote(ACTIONS.voteAbstain, user, '100001', second!.url);
        const text = await nextEphemeral(user, before);
        await second!.idle();
        return text;
      };
      expect(await click('U0GROUP0001')).toBe('Je stem is vastgelegd: onthouding.');
      expect(await click('U0NOTGROUP1')).toContain('Alleen leden van het MT kunnen stemmen');
      expect((await caseOf('100001')).state.vote?.ballots).toEqual({ U0GROUP0001: 'abstain' });
      expect(fake.callsTo('usergroups.users.list').length).toBeGreaterThan(0);
    } finally {
      await second.stop();
    }
  });
});
