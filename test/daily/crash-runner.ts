/**
 * The child process of test/daily/crash.test.ts: opens the database, runs the daily run for one
 * date and is killed (SIGKILL) by the test at a random moment. Not a test file itself.
 *
 *   node --import tsx test/daily/crash-runner.ts <date> [pglite-data-dir]
 *
 * DATABASE_URL set: PostgreSQL; else the PGlite data directory of the second argument.
 * CRASH_DAY_DELAY_MS (default 0): a random pause of up to this many ms after each day's work,
 * inside the run's transaction, so that kills land while it is open.
 *
 * Stdout, one line each: `ready` (database open, run starts), `day <date>` (a day's work written,
 * not yet committed), `done <report json>` (committed).
 */
import { runDaily } from '../../src/daily/daily-run.js';
import { openDatabase } from '../../src/db/client.js';
import { testConfig } from '../support/config.js';

const [date, dataDir] = process.argv.slice(2);
if (!date) throw new Error('usage: crash-runner.ts <date> [pglite-data-dir]');
const url = process.env.DATABASE_URL || undefined;
if (!url && !dataDir) throw new Error('crash-runner: set DATABASE_URL or pass a PGlite data directory');
const maxDelay = Number(process.env.CRASH_DAY_DELAY_MS ?? 0);

const say = (line: string) => process.stdout.write(`${line}\n`);

const database = await openDatabase(url ? { url } : { dataDir: dataDir! });
try {
  say('ready');
  const report = await runDaily(database, testConfig(), {
    date,
    onDayWritten: async (day) => {
      say(`day ${day}`);
      if (maxDelay > 0) await new Promise((done) => setTimeout(done, Math.random() * maxDelay));
    },
  });
  say(`done ${JSON.stringify(report)}`);
} finally {
  await database.close();
}
