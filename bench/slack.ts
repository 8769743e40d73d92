/**
 * npm run bench:slack [-- --requests N] [-- --concurrency C] [-- --reload] [-- --pool N] [-- --profile]
 *
 * `/huurder` under load. 100 000 tenancies with 12 months of ledger on PostgreSQL (DATABASE_URL,
 * default postgres://postgres@127.0.0.1:5432/postgres), in the database `huurwacht_bench_slack`:
 * generated once into .bench/slack-100000x12/, loaded once with Huurwacht's importers, then the
 * daily run on D(Oct) and D(Nov) so that late tenancies have cases and events (`--reload`
 * rebuilds it). Look-ups only read (and add audit rows), so later runs reuse the database: the
 * harness opens it with openDatabase first, which applies migrations added since it was loaded
 * (such as 0005's search indexes), and analyzes it, before any server starts.
 *
 * Two servers, each in a process of its own, each the real Bolt app over HTTP with signature
 * checks against the loopback fake Web API:
 *   huurwacht  createSlackApp with every feature (FEATURES) on the database, as `huurwacht start`
 *              serves it (without the scheduler and the outbox worker, which would add noise);
 *   floor      the same Bolt app with a `/huurder` listener that only acks.
 * The same harness fires 1 000 signed `/huurder` look-ups at 50 concurrent at each (after a
 * warm-up): a mix of contract numbers, tenant names (surnames, which give pick lists, and full
 * names) and postcodes with house numbers, asked by team and MT members. Server time is measured
 * inside the server process from the request's arrival to the end of its response; the client's
 * round trip is printed beside it. Goal (issue): p99 under 100 ms and within 2x of the floor.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { createOutcomeService } from '../src/cases/outcome-service.js';
import { runDaily } from '../src/daily/daily-run.js';
import { openDatabase } from '../src/db/client.js';
import { syncTeams } from '../src/db/teams.js';
import { detectionDay } from '../src/domain/arrears.js';
import { procedureRules } from '../src/domain/case-state.js';
import { demoConfig } from '../src/demo/demo.js';
import { defaultPortfolioOptions, writePortfolio } from '../src/demo/generate.js';
import { importLedger } from '../src/ledger/import-ledger.js';
import { importTenancies } from '../src/ledger/import-tenancies.js';
import { jsonLogger } from '../src/log.js';
import { createSlackApp } from '../src/slack/app.js';
import { FEATURES } from '../src/slack/features.js';
import { startFakeSlack } from '../test/support/fake-slack.js';

const args = process.argv.slice(2);
const numberArg = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const TENANCIES = 100_000;
const MONTHS = 12;
const END_MONTH = '2026-11';
const DATABASE = 'huurwacht_bench_slack';
const MARK = `huurwacht bench:slack ${TENANCIES}x${MONTHS} ${END_MONTH} seed 1`;
const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const dir = resolve('.bench', `slack-${TENANCIES}x${MONTHS}`);
const config = demoConfig();
const say = (text: string) => process.stdout.write(`${text}\n`);

function urlOf(database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

// ---------------------------------------------------------------------------------------------
// Server mode: `tsx bench/slack.ts --serve huurwacht|floor <database url> <fake api url>`

type Mode = 'floor' | 'huurwacht';

async function serve(mode: Mode, databaseUrl: string, apiUrl: string): Promise<void> {
  const log = jsonLogger(() => {});
  const pool = numberArg('--pool', 0);
  const database = await openDatabase({ url: databaseUrl, ...(pool > 0 ? { maxConnections: pool } : {}) });
  const deps = { database, config, outcomes: createOutcomeService({ database, config }), log };
  const features =
    mode === 'huurwacht'
      ? FEATURES
      : [
          (app: Parameters<(typeof FEATURES)[number]>[0]) =>
            app.command('/huurder', async ({ ack }) => {
              await ack();
            }),
        ];
  const app = createSlackApp({ botToken: 'xoxb-bench', signingSecret: SIGNING_SECRET, apiUrl, port: 0 }, deps, features, {
    botUserId: 'U0BOTBOTBOT',
  });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  const times: number[] = [];
  let recording = false;
  let cpuAtStart = process.cpuUsage();
  server.prependListener('request', (_req, res) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      if (recording) times.push(Number(process.hrtime.bigint() - started) / 1e6);
    });
  });
  const port = (server.address() as AddressInfo).port;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  // Commands from the harness on stdin: `record` after the warm-up, `report` at the end; the
  // server stops when stdin ends (after the harness has read the database's CPU time).
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'record') {
      recording = true;
      cpuAtStart = process.cpuUsage();
      process.stdout.write('{"recording":true}\n');
    } else if (line === 'report') {
      const cpu = process.cpuUsage(cpuAtStart);
      process.stdout.write(`${JSON.stringify({ times, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
    }
  }
  await app.stop();
  await database.close();
}

// ---------------------------------------------------------------------------------------------
// Preparation

async function admin<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const client = postgres(serverUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function preparePortfolio(): Promise<void> {
  if (existsSync(join(dir, 'portfolio.json'))) return;
  mkdirSync(dir, { recursive: true });
  say(`generating ${TENANCIES} tenancies x ${MONTHS} months of ledger in ${dir} ...`);
  const teams = config.teams.map((t) => ({ key: t.key, name: t.name }));
  const stats = await writePortfolio(dir, defaultPortfolioOptions(END_MONTH, { tenancies: TENANCIES, months: MONTHS, teams }));
  writeFileSync(join(dir, 'portfolio.json'), JSON.stringify(stats));
}

async function prepareDatabase(): Promise<string> {
  const url = urlOf(DATABASE);
  const mark = await admin(
    async (q) =>
      (
        await q<
          { mark: string | null }[]
        >`select shobj_description(oid, 'pg_database') as mark from pg_database where datname = ${DATABASE}`
      )[0]?.mark ?? null,
  );
  if (mark === MARK && !args.includes('--reload')) {
    // Reused: openDatabase applies the migrations added since the load (the servers would do it
    // too, but then inside the measured run), and analyze gives the planner statistics for new
    // (expression) indexes, as the load's vacuum analyze does for a fresh database.
    const database = await openDatabase({ url });
    try {
      await database.db.execute(sql`analyze`);
    } finally {
      await database.close();
    }
    return url;
  }
  await admin(async (q) => {
    await q.unsafe(`drop database if exists ${DATABASE} with (force)`);
    await q.unsafe(`create database ${DATABASE}`);
  });
  say(`loading ${DATABASE} with huurwacht's importers and the daily run ...`);
  const started = Date.now();
  const database = await openDatabase({ url });
  try {
    await syncTeams(database.db, config);
    const t = await importTenancies(database, join(dir, 'tenancies.csv'), config, { today: '2025-12-01' });
    const l = await importLedger(database, join(dir, 'ledger.csv'));
    say(`  ${t.inserted} tenancies, ${l.inserted} ledger lines`);
    const rules = procedureRules(config);
    for (const month of [10, 11]) {
      const report = await runDaily(database, config, { date: detectionDay(2026, month, rules) });
      say(`  daily run ${report.date}: ${report.transitions.length} transitions`);
    }
    // The bench measures look-ups, not delivery: nothing waits in the outbox.
    await database.db.execute(sql`delete from outbox`);
    await database.db.execute(sql`vacuum analyze`);
  } finally {
    await database.close();
  }
  await admin((q) => q.unsafe(`comment on database ${DATABASE} is '${MARK}'`));
  say(`  loaded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return url;
}

interface Portfolio {
  contracts: string[];
  fullNames: string[];
  surnames: string[];
  postcodes: string[];
}

async function readPortfolio(): Promise<Portfolio> {
  const p: Portfolio = { contracts: [], fullNames: [], surnames: [], postcodes: [] };
  const parser = createReadStream(join(dir, 'tenancies.csv')).pipe(parse({ bom: true, delimiter: ';', columns: true }));
  for await (const record of parser) {
    const r = record as Record<string, string>;
    p.contracts.push(r.contract_id!);
    const first = r.tenant_names!.split(' & ')[0]!;
    p.fullNames.push(first);
    p.surnames.push(first.split(' ').slice(1).join(' '));
    const number = /\d+/.exec(r.address!)?.[0];
    if (number) p.postcodes.push(`${r.postcode} ${number}`);
  }
  return p;
}

type Kind = 'contract' | 'surname' | 'full name' | 'postcode + number';

/** A deterministic mix: 40% contract numbers, 15% surnames, 15% full names, 30% postcode + number. */
function queries(p: Portfolio, n: number): { query: string; kind: Kind }[] {
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
  return Array.from({ length: n }, () => {
    const r = random();
    if (r < 0.4) return { query: pick(p.contracts), kind: 'contract' };
    if (r < 0.55) return { query: pick(p.surnames), kind: 'surname' };
    if (r < 0.7) return { query: pick(p.fullNames), kind: 'full name' };
    return { query: pick(p.postcodes), kind: 'postcode + number' };
  });
}

// ---------------------------------------------------------------------------------------------
// Harness

function startServer(
  mode: Mode,
  databaseUrl: string,
  apiUrl: string,
): Promise<{ child: ChildProcess; port: number; lines: AsyncIterator<string> }> {
  const profile = mode === 'huurwacht' && args.includes('--profile') ? ['--cpu-prof', '--cpu-prof-dir', resolve('.bench', 'profiles')] : [];
  const pool = args.includes('--pool') ? ['--pool', String(numberArg('--pool', 0))] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'bench/slack.ts', '--serve', mode, databaseUrl, apiUrl, ...pool], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return lines.next().then((first) => {
    if (first.done) throw new Error(`${mode} server ended before it listened`);
    return { child, port: (JSON.parse(first.value) as { port: number }).port, lines };
  });
}

interface Request {
  body: string;
  kind: Kind;
}

function signedHeaders(body: string): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`,
  };
}

interface Fired {
  roundTrips: number[];
  byKind: Map<Kind, number[]>;
  outcomes: Map<string, number>;
  errors: number;
  seconds: number;
}

async function fire(url: string, requests: Request[], concurrency: number): Promise<Fired> {
  const roundTrips: number[] = [];
  const byKind = new Map<Kind, number[]>();
  const outcomes = new Map<string, number>();
  let errors = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < requests.length) {
      const request = requests[next++]!;
      const t = process.hrtime.bigint();
      try {
        const res = await fetch(url, { method: 'POST', headers: signedHeaders(request.body), body: request.body });
        const text = await res.text();
        const ms = Number(process.hrtime.bigint() - t) / 1e6;
        roundTrips.push(ms);
        byKind.set(request.kind, [...(byKind.get(request.kind) ?? []), ms]);
        if (res.status !== 200) {
          errors++;
          continue;
        }
        const answer = text ? (JSON.parse(text) as { text?: string; response_type?: string }) : { text: '(ack only)' };
        if (text && answer.response_type !== 'ephemeral') errors++;
        const kind = /^Dossier /.test(answer.text ?? '')
          ? 'dossier'
          : /gevonden$/.test(answer.text ?? '')
            ? 'pick list'
            : (answer.text ?? '?');
        outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { roundTrips, byKind, outcomes, errors, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

interface Result {
  mode: string;
  server: number[];
  fired: Fired;
  /** CPU time of the Bolt app's process during the measured look-ups. */
  cpuMs: number;
  /** CPU time of the PostgreSQL backends of the bench database during them. */
  databaseCpuMs: number;
}

/**
 * User + system CPU of the PostgreSQL backends serving the bench database, from /proc (the server
 * runs locally here). Only those: other work on a shared machine would blur the number, and the
 * server's pool keeps its connections open from the warm-up to the end.
 */
async function databaseCpu(): Promise<Map<number, number>> {
  const { readFileSync } = await import('node:fs');
  const tick = 1000 / 100; // USER_HZ
  const pids = await admin((q) => q<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${DATABASE}`);
  const cpu = new Map<number, number>();
  for (const { pid } of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) * tick);
    } catch {
      // the backend ended meanwhile
    }
  }
  return cpu;
}

function cpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

async function measure(
  mode: Mode,
  databaseUrl: string,
  apiUrl: string,
  all: { query: string; kind: Kind }[],
  warmup: number,
  concurrency: number,
): Promise<Result> {
  const { child, port, lines } = await startServer(mode, databaseUrl, apiUrl);
  try {
    const url = `http://127.0.0.1:${port}/slack/events`;
    const users = [...config.teams.flatMap((t) => t.members), ...(config.mt?.members ?? [])];
    const requests = all.map(({ query, kind }, i) => ({
      kind,
      body: new URLSearchParams({
        command: '/huurder',
        text: query,
        user_id: users[i % users.length]!,
        user_name: 'bench',
        channel_id: config.teams[0]!.channel,
        team_id: 'T0BENCH0001',
        trigger_id: `bench-${i}`,
        response_url: `${apiUrl.replace(/\/api\/$/, '')}/response/bench`,
      }).toString(),
    }));
    await fire(url, requests.slice(0, warmup), concurrency);
    const databaseCpuBefore = await databaseCpu();
    child.stdin!.write('record\n');
    await lines.next();
    const fired = await fire(url, requests.slice(warmup), concurrency);
    child.stdin!.write('report\n');
    const report = await lines.next();
    const { times: server, cpuMs } = JSON.parse(report.value as string) as { times: number[]; cpuMs: number };
    return { mode, server, fired, cpuMs, databaseCpuMs: cpuSince(databaseCpuBefore, await databaseCpu()) };
  } finally {
    child.stdin!.end();
    await new Promise((done) => (child.exitCode !== null ? done(null) : child.once('exit', done)));
  }
}

// ---------------------------------------------------------------------------------------------

if (args[0] === '--serve') {
  await serve(args[1] as Mode, args[2]!, args[3]!);
  process.exit(0);
}

const requestCount = numberArg('--requests', 1000);
const concurrency = numberArg('--concurrency', 50);
const warmup = 100;

const reachable = await admin(async (q) => {
  await q`select 1`;
  return true;
}).catch(() => false);
if (!reachable) {
  say(`PostgreSQL at ${serverUrl} is not reachable: bench:slack needs PostgreSQL (set DATABASE_URL).`);
  process.exit(1);
}
await preparePortfolio();
const databaseUrl = await prepareDatabase();
const portfolio = await readPortfolio();
const all = queries(portfolio, warmup + requestCount);
const fake = await startFakeSlack();
const results: Result[] = [];
try {
  for (const mode of ['floor', 'huurwacht'] as const) {
    say(`${mode}: ${warmup} warm-up, then ${requestCount} signed /huurder look-ups at ${concurrency} concurrent ...`);
    results.push(await measure(mode, databaseUrl, fake.url, all, warmup, concurrency));
  }
} finally {
  await fake.close();
}

const node = execFileSync(process.execPath, ['--version'], { encoding: 'utf8' }).trim();
const floor = results.find((r) => r.mode === 'floor')!;
say(
  `\nbench:slack · ${TENANCIES} tenancies · ${requestCount} look-ups at ${concurrency} concurrent · node ${node} · ${new Date().toISOString()}`,
);
const columns: [string, number][] = [
  ['server', 12],
  ['server p50', 11],
  ['p99', 9],
  ['max', 9],
  ['round trip p50', 16],
  ['p99', 9],
  ['req/s', 8],
  ['errors', 8],
  ['p99 vs floor', 14],
  ['app CPU/req', 13],
  ['db CPU/req', 12],
];
const row = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(columns[0]![1]) : c.padStart(columns[i]![1]))).join('');
say(row(columns.map(([name]) => name)));
for (const r of results) {
  const n = r.fired.roundTrips.length;
  say(
    row([
      r.mode,
      percentile(r.server, 50).toFixed(1),
      percentile(r.server, 99).toFixed(1),
      Math.max(...r.server).toFixed(1),
      percentile(r.fired.roundTrips, 50).toFixed(1),
      percentile(r.fired.roundTrips, 99).toFixed(1),
      String(Math.round(n / r.fired.seconds)),
      String(r.fired.errors),
      `${(percentile(r.server, 99) / percentile(floor.server, 99)).toFixed(1)}x`,
      (r.cpuMs / n).toFixed(2),
      (r.databaseCpuMs / n).toFixed(2),
    ]),
  );
}
say('(milliseconds; server time: from the request reaching the Bolt app to the end of its response;');
say(' CPU per look-up: the Bolt process, and the PostgreSQL backends of its connections)');
for (const r of results.filter((x) => x.mode !== 'floor')) {
  const p99 = percentile(r.server, 99);
  say(`\n${r.mode}: answers ${[...r.fired.outcomes.entries()].map(([k, v]) => `${k} ${v}`).join(' · ')}`);
  say(
    `  goal: p99 under 100 ms ${p99 < 100 ? 'met' : 'NOT met'} (${p99.toFixed(1)} ms); within 2x of the floor ${p99 <= 2 * percentile(floor.server, 99) ? 'met' : 'NOT met'}`,
  );
  say('  round trip by kind of query:');
  for (const [kind, times] of r.fired.byKind) {
    say(
      `    ${kind.padEnd(18)}${String(times.length).padStart(5)} × p50 ${percentile(times, 50).toFixed(1).padStart(7)}  p99 ${percentile(times, 99).toFixed(1).padStart(7)} ms`,
    );
  }
}
