import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '@slack/bolt';
import { createOutcomeService, type OutcomeServiceOptions } from '../../src/cases/outcome-service.js';
import type { Config } from '../../src/config.js';
import type { IsoDate } from '../../src/domain/calendar.js';
import { jsonLogger, type Logger } from '../../src/log.js';
import { createSlackApp, trackInFlight, type SlackDeps } from '../../src/slack/app.js';
import type { TestDatabase } from './db.js';
import type { FakeSlack } from './fake-slack.js';
import { SIGNING_SECRET } from './signed.js';

export interface TestSlackAppOptions {
  /** The test file starts and closes the fake and the database itself: they outlive the app (votes starts a second one). */
  fake: FakeSlack;
  database: TestDatabase;
  config: Config;
  features: ((app: App, deps: SlackDeps) => void)[];
  /** Default: the outcome service on `database` (with `isMtMember`); a test may wrap it, e.g. to slow it down. */
  outcomes?: SlackDeps['outcomes'];
  log?: Logger;
  today?: () => IsoDate;
  isMtMember?: OutcomeServiceOptions['isMtMember'];
  botId?: string;
}

export interface TestSlackApp {
  app: App;
  /** Where signed requests go. */
  url: string;
  /** Waits until every request the app received has been handled to the end: the receiver acks before the listener finishes. */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The real Bolt app on the HTTP receiver, on a free loopback port, talking to the fake Web API. */
export async function startTestSlackApp(options: TestSlackAppOptions): Promise<TestSlackApp> {
  const { fake, database, config } = options;
  const outcomes = options.outcomes ?? createOutcomeService({ database, config, isMtMember: options.isMtMember });
  const deps = { database, config, outcomes, log: options.log ?? jsonLogger(() => {}), today: options.today };
  const app = createSlackApp({ botToken: 'xoxb-test', signingSecret: SIGNING_SECRET, apiUrl: fake.url, port: 0 }, deps, options.features, {
    botUserId: 'U0BOTBOTBOT',
    botId: options.botId,
  });
  const inFlight = trackInFlight(app);
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  return {
    app,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`,
    async idle(timeoutMs = 5000) {
      if (!(await inFlight.drained(timeoutMs, 10))) throw new Error('the app is still busy');
    },
    async stop() {
      await app.stop();
    },
  };
}
