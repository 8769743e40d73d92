import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDaily } from '../../src/daily/daily-run.js';
import { queryRows } from '../../src/db/client.js';
import { importLedger } from '../../src/ledger/import-ledger.js';
import { importTenancies } from '../../src/ledger/import-tenancies.js';
import { jsonLogger } from '../../src/log.js';
import { recordMessageRef } from '../../src/slack/message-refs.js';
import * as threads from '../../src/slack/threads.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { csv, scratchDir } from '../support/files.js';
import { postEvent } from '../support/signed.js';
import { startTestSlackApp, type TestSlackApp } from '../support/slack-app.js';

/**
 * The case card's thread (P3.a): Events API callbacks, signed, into the real Bolt app; every human
 * reply in a card's thread becomes a dossier note through the outcome service. Slack's ts values
 * here are 15-01-2027 (1800000000 = 08:00 UTC, 09:00 in Amsterdam).
 */

const config = testConfig();
const files = scratchDir();
const ANNA = 'U0AAAAAAA1';
const BERT = 'U0BBBBBBB1';
const CEES = 'U0CCCCCCC1'; // team zuid
const BOT = 'U0BOTBOTBOT';
const CHANNEL = 'C0NOORD0001';
const CARD_TS = '1800000000.000100';
const logLines: string[] = [];

let fake: FakeSlack;
let database: TestDatabase;
let slack: TestSlackApp;
let url: string;
let eventIds = 0;

beforeAll(async () => {
  fake = await startFakeSlack();
  database = await createTestDatabase();
  slack = await startTestSlackApp({
    fake,
    database,
    config,
    features: [threads.register],
    log: jsonLogger((line) => logLines.push(line)),
    botId: 'B0BOTBOTBOT',
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
  const tenancies = csv(
    ';',
    ['contract_id', 'team', 'tenant_names', 'address', 'postcode', 'city', 'monthly_rent', 'start_date'],
    [['100001', 'noord', 'T. Huurder', 'Dorpsstraat 1', '1234 AB', 'Ergens', '700,00', '2020-01-01']],
  );
  await importTenancies(database, files.write('tenancies.csv', tenancies), config, { today: '2026-12-01' });
  const rows = ['2026-10', '2026-11', '2026-12', '2027-01'].map((m) => [`R-${m}`, '100001', 'rent', `${m}-01`, `${m}-01`, '700,00']);
  rows.push(['P-2026-10', '100001', 'payment', '', '2026-10-05', '700,00'], ['P-2026-11', '100001', 'payment', '', '2026-11-05', '700,00']);
  await importLedger(
    database,
    files.write('ledger.csv', csv(';', ['entry_id', 'contract_id', 'type', 'due_date', 'booking_date', 'amount'], rows)),
  );
  await runDaily(database, config, { date: '2027-01-13' });
  const [row] = await queryRows<{ id: number }>(database.db, sql`select id from cases where contract_id = '100001'`);
  await recordMessageRef(database.db, { caseId: row!.id, kind: 'card', channel: CHANNEL, ts: CARD_TS, outboxKey: `card:${row!.id}:1` });
  fake.calls.splice(0);
  logLines.splice(0);
});

// ---------------------------------------------------------------------------

async function send(event: Record<string, unknown>, options: { retryNum?: number; eventId?: string } = {}) {
  const eventId = options.eventId ?? `Ev0${++eventIds}`;
  const res = await postEvent(
    url,
    {
      token: 'legacy',
      team_id: 'T0TEAMTEAM',
      api_app_id: 'A0HUURWACHT',
      type: 'event_callback',
      event_id: eventId,
      event_time: 1800000000,
      event: { channel_type: 'channel', ...event },
    },
    { retryNum: options.retryNum },
  );
  expect(res.status).toBe(200);
  return eventId;
}

function reply(user: string, ts: string, text: string, extra: Record<string, unknown> = {}) {
  return { type: 'message', channel: CHANNEL, user, text, ts, thread_ts: CARD_TS, event_ts: ts, ...extra };
}

const idle = () => slack.idle();

interface NoteRow {
  actor: string;
  on: string;
  clause: string | null;
  summary: string;
  data: { text: string; source: string; sourceId: string };
  [key: string]: unknown;
}

async function notes(): Promise<NoteRow[]> {
  return queryRows<NoteRow>(
    database.db,
    sql`select actor, "on"::text as "on", clause, summary, data from case_events where type = 'note' order by id`,
  );
}

async function notesUntil(n: number, timeoutMs = 5000): Promise<NoteRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await notes();
    if (rows.length >= n) return rows;
    if (Date.now() > deadline) throw new Error(`expected ${n} notes, found ${rows.length}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function count(query: SQL): Promise<number> {
  const [row] = await queryRows<{ n: number }>(database.db, query);
  return Number(row!.n);
}

// ---------------------------------------------------------------------------

describe('replies in a case card’s thread (P3.a)', () => {
  it('P3.a a human reply becomes a dossier note once (author, date, text), even when Slack retries it', async () => {
    const outbox = await count(sql`select count(*) as n from outbox`);
    const text = 'Vermoeden van verslaving; twee jonge kinderen in huis';
    const event = reply(BERT, '1800000000.000200', text);
    const id = await send(event);
    await send(event, { retryNum: 1, eventId: id });
    await send(event, { retryNum: 2, eventId: id });
    await idle();

    expect(await notesUntil(1)).toEqual([
      {
        actor: BERT,
        on: '2027-01-15',
        clause: null,
        summary: 'Notitie uit de casusdraad',
        data: { text, source: 'slack_thread', sourceId: `${CHANNEL}/1800000000.000200` },
      },
    ]);
    // Notes never go to Slack again, nor into a log line.
    expect(await count(sql`select count(*) as n from outbox`)).toBe(outbox);
    expect(fake.calls).toHaveLength(0);
    expect(logLines.join('\n')).not.toContain('verslaving');
  });

  it('edits and deletions follow as notes, each stored once; an edit that keeps the text (an unfurl) is none', async () => {
    await send(reply(ANNA, '1800000000.000300', 'Huurder belt morgen terug'));
    await notesUntil(1);

    const changed = {
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      channel: CHANNEL,
      ts: '1800003600.000400',
      event_ts: '1800003600.000400',
      message: {
        type: 'message',
        user: ANNA,
        text: 'Huurder belt overmorgen terug',
        ts: '1800000000.000300',
        thread_ts: CARD_TS,
        edited: { user: ANNA, ts: '1800003600.000000' },
      },
      previous_message: { type: 'message', user: ANNA, text: 'Huurder belt morgen terug', ts: '1800000000.000300', thread_ts: CARD_TS },
    };
    const id = await send(changed);
    await send(changed, { retryNum: 1, eventId: id });
    const unfurl = {
      ...changed,
      ts: '1800003700.000100',
      message: { ...changed.message, attachments: [{ title: 'link' }] },
      previous_message: { ...changed.message },
    };
    await send(unfurl);
    const deleted = {
      type: 'message',
      subtype: 'message_deleted',
      hidden: true,
      channel: CHANNEL,
      ts: '1800007200.000500',
      event_ts: '1800007200.000500',
      deleted_ts: '1800000000.000300',
      previous_message: { type: 'message', user: ANNA, text: 'Huurder belt overmorgen terug', ts: '1800000000.000300', thread_ts: CARD_TS },
    };
    await send(deleted);
    await send(deleted, { retryNum: 1 });
    await idle();

    const rows = await notesUntil(3);
    expect(rows.map((r) => [r.actor, r.data.text, r.data.sourceId])).toEqual([
      [ANNA, 'Huurder belt morgen terug', `${CHANNEL}/1800000000.000300`],
      [
        ANNA,
        '[bewerkt] Het bericht van 15-01-2027 09:00 luidt nu: Huurder belt overmorgen terug',
        `${CHANNEL}/1800000000.000300/bewerkt/1800003600.000000`,
      ],
      [ANNA, '[verwijderd] Het bericht van 15-01-2027 09:00 is uit de draad verwijderd.', `${CHANNEL}/1800000000.000300/verwijderd`],
    ]);
  });

  it('the bot’s own messages, other bots, messages outside card threads and the card itself are ignored', async () => {
    await send(reply(BOT, '1800000000.000600', 'Elk antwoord in deze draad wordt als notitie bewaard.'));
    await send(reply(ANNA, '1800000000.000700', 'Van een andere bot', { bot_id: 'B0OTHERBOT1', subtype: 'bot_message' }));
    await send(reply(ANNA, '1800000000.000800', 'Bericht van onze eigen app', { bot_id: 'B0BOTBOTBOT' }));
    // A top-level message in the channel, and a reply in another (unknown) message's thread.
    await send({ type: 'message', channel: CHANNEL, user: ANNA, text: 'Goedemorgen team', ts: '1800000000.000900' });
    await send(reply(ANNA, '1800000000.001000', 'Andere draad', { thread_ts: '1799999999.000100' }));
    // The card itself being updated by the bot (chat.update → message_changed).
    await send({
      type: 'message',
      subtype: 'message_changed',
      channel: CHANNEL,
      ts: '1800000000.001100',
      message: { type: 'message', user: BOT, bot_id: 'B0BOTBOTBOT', text: 'Kaart bijgewerkt', ts: CARD_TS, thread_ts: CARD_TS },
      previous_message: { type: 'message', user: BOT, bot_id: 'B0BOTBOTBOT', text: 'Kaart', ts: CARD_TS, thread_ts: CARD_TS },
    });
    // Someone outside the team and the MT: the service refuses; the log names ids, never the text.
    await send(reply(CEES, '1800000000.001200', 'Geheime buurtinformatie'));
    await idle();

    expect(await notes()).toEqual([]);
    expect(logLines.join('\n')).not.toContain('Geheime');
    expect(logLines.some((l) => l.includes('thread note not stored') && l.includes(CEES))).toBe(true);

    // And a human reply after all of them still counts.
    await send(reply(ANNA, '1800000000.001300', 'Wel een notitie'));
    expect((await notesUntil(1)).map((n) => n.data.text)).toEqual(['Wel een notitie']);
  });
});
