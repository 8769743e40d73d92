import { App, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Config } from '../config.js';
import type { OutcomeService } from '../cases/outcome-service.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../log.js';
import type { IsoDate } from '../domain/calendar.js';

/** What the Slack layer needs from the process environment (DATA-FORMATS.md). */
export interface SlackEnv {
  botToken: string;
  signingSecret: string;
  /** Set: Socket Mode. Unset: the HTTP receiver on `port`. */
  appToken?: string;
  /** Web API base URL; tests point it at a loopback fake. */
  apiUrl?: string;
  port: number;
}

export type SlackEnvResult = { ok: true; env: SlackEnv } | { ok: false; missing: string[] };

export function readSlackEnv(env: NodeJS.ProcessEnv): SlackEnvResult {
  const missing = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'].filter((name) => !env[name]);
  if (missing.length > 0) return { ok: false, missing };
  const port = Number(env.PORT || 3000);
  return {
    ok: true,
    env: {
      botToken: env.SLACK_BOT_TOKEN!,
      signingSecret: env.SLACK_SIGNING_SECRET!,
      appToken: env.SLACK_APP_TOKEN || undefined,
      apiUrl: env.SLACK_API_URL || undefined,
      port: Number.isInteger(port) && port >= 0 ? port : 3000,
    },
  };
}

export const MISSING_SLACK_HELP = [
  'Create the Slack app in one step from manifest.yml (api.slack.com/apps → Create New App → From an app manifest),',
  'install it in the workspace, and set:',
  '  SLACK_BOT_TOKEN       Bot User OAuth Token (xoxb-...), under OAuth & Permissions',
  '  SLACK_SIGNING_SECRET  Signing Secret, under Basic Information',
  '  SLACK_APP_TOKEN       optional: an app-level token (xapp-..., scope connections:write) for Socket Mode;',
  '                        without it Huurwacht listens for HTTP on PORT (default 3000)',
  'Then invite the bot to every team channel and the MT channel of huurwacht.yml (/invite @Huurwacht).',
].join('\n');

/** Everything a feature's `register(app, deps)` may use; features hold no business rule. */
export interface SlackDeps {
  database: Database;
  config: Config;
  outcomes: OutcomeService;
  log: Logger;
  /** The date outcomes are recorded on; default today in Amsterdam (tests fix it). */
  today?: () => IsoDate;
}

export interface SlackAppOptions {
  /** Skip Bolt's auth.test at start-up (tests pass the bot's ids instead). */
  botUserId?: string;
  botId?: string;
}

function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  return {
    debug: () => {},
    info: (...msgs: unknown[]) => log.info('slack', { detail: msgs.map(String).join(' ') }),
    warn: (...msgs: unknown[]) => log.warn('slack', { detail: msgs.map(String).join(' ') }),
    error: (...msgs: unknown[]) => log.error('slack', { detail: msgs.map(String).join(' ') }),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/**
 * The Bolt app: Socket Mode when an app token is set, else the HTTP receiver with signature
 * verification (Bolt refuses bad or stale signatures with 401 before any listener runs).
 */
export function createSlackApp(
  env: SlackEnv,
  deps: SlackDeps,
  features: ((app: App, deps: SlackDeps) => void)[],
  options: SlackAppOptions = {},
): App {
  const clientOptions = env.apiUrl ? { slackApiUrl: env.apiUrl } : {};
  const known = options.botUserId
    ? { botUserId: options.botUserId, botId: options.botId ?? 'B0HUURWACHT', tokenVerificationEnabled: false }
    : {};
  const app = new App({
    token: env.botToken,
    signingSecret: env.signingSecret,
    ...(env.appToken ? { socketMode: true, appToken: env.appToken, installerOptions: { clientOptions } } : { port: env.port }),
    clientOptions,
    logger: boltLogger(deps.log),
    ...known,
  });
  app.error(async (error) => {
    deps.log.error('slack listener failed', { cause: error.message, code: (error as { code?: string }).code });
  });
  for (const register of features) register(app, deps);
  return app;
}

export interface InFlight {
  count(): number;
  /** Resolves true once no request is being handled, false if some still are after `timeoutMs`. */
  drained(timeoutMs: number, pollMs?: number): Promise<boolean>;
}

/** Counts the requests being handled, so a stop can let them finish (graceful shutdown, tests). */
export function trackInFlight(app: App): InFlight {
  let inFlight = 0;
  app.use(async ({ next }) => {
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
    }
  });
  return {
    count: () => inFlight,
    async drained(timeoutMs, pollMs = 20) {
      const deadline = Date.now() + timeoutMs;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, pollMs));
      return inFlight === 0;
    },
  };
}
