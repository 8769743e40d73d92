import { describe, expect, it } from 'vitest';
import type { DailyRunReport } from '../../src/daily/daily-run.js';
import { createDailyJob } from '../../src/daily/scheduler.js';
import type { Logger } from '../../src/log.js';

function memoryLog() {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) =>
      lines.push({ level, message, fields });
  const log: Logger = { info: at('info'), warn: at('warn'), error: at('error') };
  return { log, lines };
}

const report = (date: string): DailyRunReport => ({
  date,
  workingDay: true,
  detectionDay: false,
  transitions: [],
  messagesQueued: 2,
  caughtUp: [],
  dryRun: false,
});

describe('the scheduled daily run', () => {
  it('P1.a retries a failed run with its cause logged, and succeeds', async () => {
    const { log, lines } = memoryLog();
    const waits: number[] = [];
    let calls = 0;
    const job = createDailyJob({
      run: async (date) => {
        calls++;
        if (calls < 3) throw new Error(`database unreachable (${calls})`);
        return report(date);
      },
      log,
      retryDelaysMs: [10, 20, 30],
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const result = await job('2027-02-10');
    expect(result?.date).toBe('2027-02-10');
    expect(calls).toBe(3);
    expect(waits).toEqual([10, 20]);
    expect(lines.map((l) => `${l.level}:${l.message}`)).toEqual([
      'warn:daily run failed, retrying',
      'warn:daily run failed, retrying',
      'info:daily run done',
    ]);
    expect(lines[0]!.fields).toMatchObject({ date: '2027-02-10', attempt: 1, cause: 'database unreachable (1)' });
  });

  it('logs an error, not silence, when every attempt fails', async () => {
    const { log, lines } = memoryLog();
    const job = createDailyJob({
      run: async () => {
        throw new Error('disk full');
      },
      log,
      retryDelaysMs: [1],
      sleep: async () => {},
    });
    expect(await job('2027-02-10')).toBeNull();
    expect(lines.at(-1)).toMatchObject({ level: 'error', fields: { date: '2027-02-10', attempt: 2, cause: 'disk full' } });
  });
});
