import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { stringify as stringifyYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { openDatabase, queryRows } from '../../src/db/client.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/db.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { csv, scratchDir } from '../support/files.js';
import { postCommand, SIGNING_SECRET } from '../support/signed.js';

/**
 * `huurwacht start` as an operator runs it: a real child process (`node --import tsx src/cli.ts
 * ... start`), the HTTP receiver on a free port (PORT=0), the Web API pointed at the loopback fake
 * (SLACK_API_URL). On PGlite the data directory is a real one, so the lock file can be checked;
 * with DATABASE_URL the child uses a fresh database on that server.
 */

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const files = scratchDir();
const dataDir = join(files.dir, 'data');
const configFile = files.write(
  'huurwacht.yml',
  stringifyYaml({
    teams: [{ key: 'noord', name: 'Wijkteam Noord', channel: 'C0NOORD0001', members: ['U0AAAAAAA1'] }],
    mt: { channel: 'C0MT0000001', members: ['U0MTMTMT01'], quorum: 1 },
  }),
);
const tenanciesCsv = files.write(
  'tenancies.csv',
  csv(
    ';',
    ['contract_id', 'team', 'tenant_names', 'address', 'postcode', 'city', 'monthly_rent', 'start_date'],
    [['400001', 'noord', 'S. Start', 'Stationsweg 1', '1234 AB', 'Ergens', '700,00', '2020-01-01']],
  ),
);

let fake: FakeSlack;
let database: TestDatabase | undefined;

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('SLACK_') || key.startsWith('HUURWACHT_')) delete env[key];
  delete env.DATABASE_URL;
  delete env.PORT;
  delete env.NODE_OPTIONS;
  if (database?.url) env.DATABASE_URL = database.url;
  return { ...env, ...extra };
}

function cli(args: string[], env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--config', configFile, '--data', dataDir, ...args], { cwd: REPO, env });
}

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcessWithoutNullStreams) {
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  const ended = new Promise<Ended>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, ...out }));
  });
  return { out, ended };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  fake = await startFakeSlack();
  if (onPostgres) database = await createTestDatabase();
});

afterAll(async () => {
  await fake?.close();
  await database?.close();
  files.cleanup();
});

describe('huurwacht start', () => {
  it('without Slack credentials names what is missing, how to create the app, and exits non-zero', async () => {
    const { ended } = collect(cli(['start'], childEnv({ SLACK_SIGNING_SECRET: 'only-this-one' })));
    const result = await ended;
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('SLACK_BOT_TOKEN ontbreekt');
    expect(result.stderr).not.toContain('SLACK_SIGNING_SECRET ontbreekt');
    expect(result.stderr).toContain('manifest.yml');
    expect(result.stderr).toContain('SLACK_APP_TOKEN');
    // Nothing was opened: no data directory, no lock.
    expect(existsSync(dataDir)).toBe(false);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  }, 30_000);

  it('serves a signed /huurder over HTTP, stops cleanly on SIGTERM and releases the database', async () => {
    const importRun = collect(cli(['import', 'tenancies', tenanciesCsv], childEnv({})));
    expect((await importRun.ended).code).toBe(0);

    const child = cli(
      ['start'],
      childEnv({ SLACK_BOT_TOKEN: 'xoxb-start-test', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.url, PORT: '0' }),
    );
    const { out, ended } = collect(child);
    try {
      const started = await until(
        'the start line',
        () => {
          const line = out.stdout.split('\n').find((l) => l.includes('"huurwacht started"'));
          return line ? (JSON.parse(line) as { transport: string; port: number }) : undefined;
        },
        45_000,
      );
      expect(started.transport).toBe('http');
      expect(started.port).toBeGreaterThan(0);
      if (!onPostgres) expect(existsSync(`${dataDir}.lock`)).toBe(true);

      const res = await postCommand(`http://127.0.0.1:${started.port}/slack/events`, {
        command: '/huurder',
        text: '400001',
        user_id: 'U0AAAAAAA1',
        channel_id: 'C0NOORD0001',
        team_id: 'T0TEAMTEAM',
        response_url: fake.responseUrl('start'),
      });
      expect(res.status).toBe(200);
      const answer = res.json() as { response_type: string; blocks: unknown[] };
      expect(answer.response_type).toBe('ephemeral');
      expect(JSON.stringify(answer.blocks)).toContain('Stationsweg 1, 1234 AB Ergens');
      // A bad signature is still refused by the running service.
      expect(
        (
          await postCommand(
            `http://127.0.0.1:${started.port}/slack/events`,
            { command: '/huurder', text: '400001' },
            { signature: 'v0=00' },
          )
        ).status,
      ).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
    const result = await ended;
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"stopping');
    expect(result.stdout).toContain('"stopped"');
    expect(fake.callsTo('auth.test').length).toBeGreaterThan(0);

    // The lock is gone and the look-up was audited: this process can open the directory now.
    if (!onPostgres) expect(existsSync(`${dataDir}.lock`)).toBe(false);
    const after = database ?? (await openDatabase({ dataDir }));
    try {
      const rows = await queryRows<{ actor: string; subject: string }>(
        after.db,
        sql`select actor, subject from audit_log where action = 'dossier.lookup'`,
      );
      expect(rows).toEqual([{ actor: 'U0AAAAAAA1', subject: '400001' }]);
    } finally {
      if (!database) await after.close();
    }
  }, 120_000);

  it('Socket Mode: with SLACK_APP_TOKEN it connects to Slack, answers /huurder over the socket and stops on SIGTERM', async () => {
    // Slack's side of Socket Mode on loopback: apps.connections.open hands out this socket's URL,
    // which greets with `hello` and then delivers a slash command as an envelope to acknowledge.
    // The import is idempotent: this test holds whether or not the HTTP test ran first.
    expect((await collect(cli(['import', 'tenancies', tenanciesCsv], childEnv({}))).ended).code).toBe(0);
    const sockets = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => sockets.once('listening', () => resolve()));
    const wsUrl = `ws://127.0.0.1:${(sockets.address() as { port: number }).port}/`;
    fake.on('apps.connections.open', () => ({ url: wsUrl }));
    const acks: { envelope_id: string; payload?: { response_type?: string; blocks?: unknown[] } }[] = [];
    let connection: WebSocket | undefined;
    sockets.on('connection', (ws) => {
      connection = ws;
      ws.on('message', (data) => acks.push(JSON.parse(data.toString()) as (typeof acks)[number]));
      ws.send(
        JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' }, connection_info: { app_id: 'A0HUURWACHT' } }),
      );
    });

    const child = cli(
      ['start'],
      childEnv({
        SLACK_BOT_TOKEN: 'xoxb-start-test',
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_APP_TOKEN: 'xapp-1-test',
        SLACK_API_URL: fake.url,
      }),
    );
    const { out, ended } = collect(child);
    try {
      const started = await until(
        'the start line',
        () => {
          const line = out.stdout.split('\n').find((l) => l.includes('"huurwacht started"'));
          return line ? (JSON.parse(line) as { transport: string }) : undefined;
        },
        45_000,
      );
      expect(started.transport).toBe('socket-mode');
      const ws = await until('the socket', () => connection, 10_000);
      expect(fake.callsTo('apps.connections.open').length).toBeGreaterThan(0);
      ws.send(
        JSON.stringify({
          envelope_id: 'env-1',
          type: 'slash_commands',
          accepts_response_payload: true,
          payload: {
            command: '/huurder',
            text: '400001',
            user_id: 'U0AAAAAAA1',
            channel_id: 'C0NOORD0001',
            team_id: 'T0TEAMTEAM',
            response_url: fake.responseUrl('socket'),
            trigger_id: 'trigger-1',
          },
        }),
      );
      const ack = await until('the acknowledgement', () => acks.find((a) => a.envelope_id === 'env-1'), 15_000);
      expect(ack.payload?.response_type).toBe('ephemeral');
      expect(JSON.stringify(ack.payload?.blocks)).toContain('Stationsweg 1, 1234 AB Ergens');
    } finally {
      child.kill('SIGTERM');
    }
    const result = await ended;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"stopped"');
    sockets.close();
  }, 120_000);
});
