import cron, { type ScheduledTask } from 'node-cron';
import type { Config } from '../config.js';
import { isWorkingDay, todayInAmsterdam, type IsoDate } from '../domain/calendar.js';
import type { Logger } from '../log.js';
import type { DailyRunReport } from './daily-run.js';

export interface DailyJobOptions {
  run: (date: IsoDate) => Promise<DailyRunReport>;
  log: Logger;
  /** Waits between attempts after a failure; the last failure is logged as an error and the next day's run catches up. */
  retryDelaysMs?: number[];
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_RETRY_DELAYS_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000];

/**
 * One scheduled run with retries: a failure is logged with its cause and tried again, never
 * skipped in silence. Returns the report, or null when every attempt failed.
 */
export function createDailyJob(options: DailyJobOptions): (date: IsoDate) => Promise<DailyRunReport | null> {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()));
  return async (date) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const report = await options.run(date);
        options.log.info('daily run done', {
          date,
          transitions: report.transitions.length,
          messagesQueued: report.messagesQueued,
          caughtUp: report.caughtUp,
          note: report.note,
        });
        return report;
      } catch (err) {
        const retryIn = delays[attempt];
        const cause = err instanceof Error ? err.message : String(err);
        if (retryIn === undefined) {
          options.log.error('daily run failed, no attempts left: the next run catches this day up', { date, attempt: attempt + 1, cause });
          return null;
        }
        options.log.warn('daily run failed, retrying', { date, attempt: attempt + 1, retryInMs: retryIn, cause });
        await sleep(retryIn);
      }
    }
  };
}

export interface Scheduler {
  /** Resolves when a run in progress has finished. */
  stop(): Promise<void>;
}

/**
 * Runs the daily job at `dailyRunAt`, Europe/Amsterdam, on working days (cron's 1-5 plus the
 * Dutch holidays). On start it also runs today's job if its time has passed and it did not run:
 * a process restarted at 09:00 does not wait until tomorrow.
 */
export function startScheduler(
  config: Config,
  job: (date: IsoDate) => Promise<unknown>,
  log: Logger,
  now: () => Date = () => new Date(),
): Scheduler {
  const [hour, minute] = config.dailyRunAt.split(':').map(Number) as [number, number];
  let running: Promise<unknown> = Promise.resolve();
  const trigger = (reason: string) => {
    const date = todayInAmsterdam(now());
    if (!isWorkingDay(date, config.holidays)) {
      log.info('no daily run: not a working day', { date, reason });
      return;
    }
    running = running.then(() => job(date));
  };
  const task: ScheduledTask = cron.schedule(`${minute} ${hour} * * 1-5`, () => trigger('schedule'), {
    timezone: config.timezone,
    name: 'huurwacht-daily',
    noOverlap: true,
  });
  const local = new Intl.DateTimeFormat('en-GB', {
    timeZone: config.timezone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(now());
  if (local >= config.dailyRunAt) trigger('start-up catch-up');
  log.info('scheduler started', { dailyRunAt: config.dailyRunAt, timezone: config.timezone });
  return {
    stop: async () => {
      await task.stop();
      await running;
    },
  };
}
