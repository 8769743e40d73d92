import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSlackEnv } from '../../src/slack/app.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { postCommand } from '../support/signed.js';
import { startTestSlackApp, type TestSlackApp } from '../support/slack-app.js';

let fake: FakeSlack;
let database: TestDatabase;
let slack: TestSlackApp;
let url: string;
let handled = 0;

beforeAll(async () => {
  fake = await startFakeSlack();
  database = await createTestDatabase();
  slack = await startTestSlackApp({
    fake,
    database,
    config: testConfig(),
    features: [
      (a) =>
        a.command('/ping', async ({ ack }) => {
          handled++;
          await ack('pong');
        }),
    ],
  });
  url = slack.url;
});

afterAll(async () => {
  await slack.stop();
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
