import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { syncTeams } from '../../src/db/teams.js';
import { addDays, addWorkingDays, formatDutchDate, todayInAmsterdam } from '../../src/domain/calendar.js';
import { homeView, MAX_HOME_BLOCKS, type HomeTask, type WorkList } from '../../src/slack/blocks/home.js';
import type { Block } from '../../src/slack/blocks/dossier.js';
import * as home from '../../src/slack/home.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { postEvent } from '../support/signed.js';
import { startTestSlackApp, type TestSlackApp } from '../support/slack-app.js';

/**
 * The App Home end to end: a signed `app_home_opened` event, the real Bolt app over HTTP, and the
 * `views.publish` call recorded by the fake Web API. Team noord: U0AAAAAAA1, U0BBBBBBB1; team
 * zuid: U0CCCCCCC1; MT: U0MTMTMT01..03.
 */

const config = testConfig();
const ANNA = 'U0AAAAAAA1'; // noord
const MT1 = 'U0MTMTMT01';
const MT2 = 'U0MTMTMT02';
const OUTSIDER = 'U0OUTSIDER1';
const today = todayInAmsterdam();

let fake: FakeSlack;
let database: TestDatabase;
let slack: TestSlackApp;
let url: string;
let eventSeq = 0;

async function tenancy(contractId: string, team: string, address: string): Promise<void> {
  await database.db.execute(sql`
    insert into tenancies (contract_id, team_key, address, postcode, house_number, city, monthly_rent_cents, start_date)
    values (${contractId}, ${team}, ${address}, '1234AB', '1', 'Ergens', 70000, '2020-01-01')`);
  await database.db.execute(sql`insert into tenants (contract_id, position, name) values (${contractId}, 1, ${`Huurder ${contractId}`})`);
}

async function openCase(
  contractId: string,
  stage: string,
  dueOn: string | null,
  state: Record<string, unknown> = {},
  openedOn = '2026-10-12',
) {
  await database.db.execute(sql`
    insert into cases (contract_id, stage, opened_on, stage_since, due_on, state)
    values (${contractId}, ${stage}, ${openedOn}::date, '2026-11-11', ${dueOn}::date, ${JSON.stringify(state)}::jsonb)`);
}

async function openHome(user: string): Promise<{ user_id: string; view: { type: string; blocks: Block[] } }> {
  const before = fake.callsTo('views.publish').length;
  const res = await postEvent(url, {
    token: 'legacy',
    team_id: 'T0TEAMTEAM',
    api_app_id: 'A0HUURWACHT',
    type: 'event_callback',
    event_id: `Ev${++eventSeq}`,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'app_home_opened', user, channel: 'D0HOME00001', tab: 'home', event_ts: `${Date.now() / 1000}` },
  });
  expect(res.status).toBe(200);
  await fake.waitFor((calls) => calls.filter((c) => c.method === 'views.publish').length > before);
  return fake.callsTo('views.publish').at(-1)!.body as unknown as { user_id: string; view: { type: string; blocks: Block[] } };
}

const textOf = (blocks: Block[]) => JSON.stringify(blocks);

beforeAll(async () => {
  fake = await startFakeSlack();
  database = await createTestDatabase();
  await syncTeams(database.db, config);
  await tenancy('300001', 'noord', 'Kerkstraat 4');
  await tenancy('300002', 'noord', 'Dorpsstraat 9');
  await tenancy('300003', 'noord', 'Molenweg 7');
  await tenancy('300004', 'noord', 'Beukenlaan 2');
  await tenancy('300005', 'zuid', 'Lindelaan 12');
  await tenancy('300006', 'zuid', 'Eikenlaan 3');
  await openCase('300001', 'contact', addDays(today, -3)); // overdue
  await openCase('300002', 'visit', today); // today
  await openCase('300003', 'escalation', addWorkingDays(today, 2)); // the next days
  await openCase('300004', 'reminder', today, { letter: { sentOn: today } }, today); // a new letter: counted, not listed
  await openCase('300005', 'contact', today); // team zuid
  await openCase('300006', 'mt_vote', addWorkingDays(today, 3), {
    vote: { kind: 'eviction', openedOn: today, closesOn: addWorkingDays(today, 3), ballots: { [MT2]: 'for', U0FORMERMT1: 'against' } },
  });
  slack = await startTestSlackApp({ fake, database, config, features: [home.register] });
  url = slack.url;
});

afterAll(async () => {
  await slack?.stop();
  await fake?.close();
  await database?.close();
});

describe('App Home', () => {
  it("publishes a team member's work list: overdue, today and the next days of their own team", async () => {
    const published = await openHome(ANNA);
    expect(published.user_id).toBe(ANNA);
    expect(published.view.type).toBe('home');
    const blocks = published.view.blocks;
    expect(blocks.length).toBeLessThanOrEqual(MAX_HOME_BLOCKS);
    const text = textOf(blocks);
    expect(text).toContain('Mijn werklijst');
    expect(text).toContain('Wijkteam Noord');
    expect(text).toContain('*Verlopen* (1)');
    expect(text).toContain(`*300001* Kerkstraat 4 · contact · verlopen ${formatDutchDate(addDays(today, -3))}`);
    expect(text).toContain('Bel de huurder of nodig uit voor een gesprek');
    expect(text).toContain('*Vandaag* (1)');
    expect(text).toContain('*300002* Dorpsstraat 9 · huisbezoek · vandaag');
    expect(text).toContain(`*300003* Molenweg 7 · bespreking · ${formatDutchDate(addWorkingDays(today, 2))}`);
    expect(text).toContain('Nieuwe 14-dagenbrieven vandaag: *1*');
    expect(text).not.toContain('300004'); // the letter goes out with the digest's list
    expect(text).not.toContain('Lindelaan'); // team zuid
    expect(text).not.toContain('MT-stemmingen');

    const [audit] = await queryRows<{ actor: string; action: string; detail: Record<string, unknown> }>(
      database.db,
      sql`select actor, action, detail from audit_log where actor = ${ANNA} order by id desc limit 1`,
    );
    expect(audit).toMatchObject({ action: 'home.view', detail: { teams: ['noord'], tasks: { overdue: 1, today: 1, upcoming: 1 } } });
  });

  it('shows an MT member the open votes with their own ballot', async () => {
    const text = textOf((await openHome(MT1)).view.blocks);
    expect(text).toContain('*Open MT-stemmingen* (1)');
    expect(text).toContain('*300006* Eikenlaan 3 · ontruimingsprocedure starten');
    expect(text).toContain(`sluit ${formatDutchDate(addWorkingDays(today, 3))}`);
    // Only MT members' ballots count: the former member's "against" is not in the tally.
    expect(text).toContain('stand 1 voor, 0 tegen, 0 onthouding');
    expect(text).toContain('je hebt nog niet gestemd');
    expect(text).not.toContain('*Verlopen*'); // not in a team: no team tasks

    expect(textOf((await openHome(MT2)).view.blocks)).toContain('jouw stem: *voor*');
  });

  it('shows someone outside the teams and the MT no data', async () => {
    const text = textOf((await openHome(OUTSIDER)).view.blocks);
    expect(text).toContain('niet in een wijkteam of het MT');
    expect(text).not.toContain('Kerkstraat');
    expect(text).not.toContain('300006');
  });

  it('stays within 100 blocks for a long list and counts the rest', async () => {
    const many = (n: number, dueOn: string): HomeTask[] =>
      Array.from({ length: n }, (_, i) => ({
        contractId: `9${String(i).padStart(5, '0')}`,
        address: `Lange Straatnaam die heel lang is ${i}`,
        stage: 'contact',
        dueOn,
        task: 'Bel de huurder of nodig uit voor een gesprek',
        teamName: i % 2 ? 'Wijkteam Noord' : 'Wijkteam Zuid',
      }));
    const list: WorkList = {
      date: today,
      upcomingUntil: addWorkingDays(today, 5),
      teams: [
        { key: 'noord', name: 'Wijkteam Noord' },
        { key: 'zuid', name: 'Wijkteam Zuid' },
      ],
      mt: true,
      overdue: { total: 500, shown: many(20, addDays(today, -1)) },
      today: { total: 300, shown: many(20, today) },
      upcoming: { total: 200, shown: many(20, addDays(today, 1)) },
      newLetters: 40,
      votes: {
        total: 30,
        shown: Array.from({ length: 15 }, (_, i) => ({
          contractId: `8${i}`,
          address: 'Straat 1',
          kind: 'eviction' as const,
          openedOn: today,
          closesOn: today,
          myBallot: null,
          tally: { for: 0, against: 0, abstain: 0 },
        })),
      },
    };
    const view = homeView(list);
    expect(view.blocks.length).toBeLessThanOrEqual(MAX_HOME_BLOCKS);
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('… en nog 480 taken');
    expect(text).toContain('… en nog 15 stemmingen');
  });
});
