import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutcomeService } from '../../src/cases/outcome-service.js';
import { jsonLogger } from '../../src/log.js';
import { createSlackApp, readSlackEnv } from '../../src/slack/app.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { postCommand, SIGNING_SECRET } from '../support/signed.js';

let fake: FakeSlack;
let database: TestDatabase;
let app: App;
let url: string;
let handled = 0;

beforeAll(async () => {
  fake = await startFakeSlack();
  database = await createTestDatabase();
  const config = testConfig();
  const deps = { database, config, outcomes: createOutcomeService({ database, config }), log: jsonLogger(() => {}) };
  app = createSlackApp(
    { botToken: 'xoxb-test', signingSecret: SIGNING_SECRET, apiUrl: fake.url, port: 0 },
    deps,
    [
      (a) =>
        a.command('/ping', async ({ ack }) => {
          handled++;
          await ack('pong');
        }),
    ],
    { botUserId: 'U0BOTBOTBOT' },
  );
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});

afterAll(async () => {
  await app.stop();
  await fake.close();
  await database.close();
});

describe('the Slack app over HTTP', () => {
  it('answers a signed slash command', async () => {
    const res = await postCommand(url, {
      command: '/ping',
      text: '',
      user_id: 'U0AAAAAAA1',
      channel_id: 'C0NOORD0001',
      team_id: 'T0TEAMTEAM',
      response_url: fake.responseUrl(),
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain('pong');
    expect(handled).toBe(1);
  });

  it('refuses a bad signature and a stale timestamp with 401, processing nothing', async () => {
    const fields = { command: '/ping', text: '', user_id: 'U0AAAAAAA1', team_id: 'T0TEAMTEAM' };
    expect((await postCommand(url, fields, { signature: 'v0=deadbeef' })).status).toBe(401);
    expect((await postCommand(url, fields, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    expect(handled).toBe(1);
  });

  it('names the missing credentials', () => {
    expect(readSlackEnv({})).toEqual({ ok: false, missing: ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'] });
    expect(readSlackEnv({ SLACK_BOT_TOKEN: 'x', SLACK_SIGNING_SECRET: 'y', SLACK_APP_TOKEN: 'xapp' })).toMatchObject({
      ok: true,
      env: { appToken: 'xapp', port: 3000 },
    });
  });
});
