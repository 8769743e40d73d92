import { sql } from 'drizzle-orm';
import { LOCK_KEYS } from '../db/lock-keys.js';
import type { Config } from '../config.js';
import { applyTransitions, loadOpenCases, stageAfter, type PendingTransition } from '../cases/case-store.js';
import { buildTeamDigests, enqueueCaseMessages, enqueueDigests } from '../cases/messages.js';
import { recordCaseLetters } from '../cases/letter-records.js';
import { arrearsForMonth, balancesOn, verdictBalances } from '../db/arrears.js';
import { queryRows, type Database, type Tx } from '../db/client.js';
import { detectionDay, type MonthArrears } from '../domain/arrears.js';
import { addDays, formatDutchDate, isWorkingDay, type IsoDate } from '../domain/calendar.js';
import { procedureRules, type ProcedureRules } from '../domain/case-state.js';
import { evaluateDay, type TenancyDay } from '../domain/procedure.js';

/** The JSON of `huurwacht run-daily --json` (DATA-FORMATS.md); fields may be added, never changed. */
export interface DailyRunReport {
  date: IsoDate;
  workingDay: boolean;
  detectionDay: boolean;
  transitions: { contractId: string; from: string | null; to: string; clause: string | null; reason?: string; on: IsoDate }[];
  messagesQueued: number;
  /** Earlier working days this run caught up, in order (they are included in `transitions`). */
  caughtUp: IsoDate[];
  /** Set when nothing ran: the date ran before, or another process is running it. */
  note?: string;
  dryRun: boolean;
}

export class DailyRunRefused extends Error {}

class DryRunRollback extends Error {}

export interface DailyRunOptions {
  date: IsoDate;
  dryRun?: boolean;
  /** Test hook: called after each day's work, inside its transaction (the crash test kills here). */
  onDayWritten?: (day: IsoDate) => void | Promise<void>;
}

/**
 * The daily run for `date`: every working day since the last run, in order, all in one
 * transaction (each day's transitions, events, messages and run record commit together, so a
 * crash rolls the run back and the rerun redoes it exactly once; a dry run rolls back too).
 * A long catch-up after a crash starts over: simple and always consistent.
 */
export async function runDaily(database: Database, config: Config, options: DailyRunOptions): Promise<DailyRunReport> {
  const rules = procedureRules(config);
  const { date } = options;
  const report: DailyRunReport = {
    date,
    workingDay: isWorkingDay(date, rules.holidays),
    detectionDay: false,
    transitions: [],
    messagesQueued: 0,
    caughtUp: [],
    dryRun: Boolean(options.dryRun),
  };
  if (!report.workingDay) {
    report.note = `${formatDutchDate(date)} is geen werkdag: er gebeurt niets`;
    return report;
  }

  const days = await pendingDays(database, date, rules);
  if (days === 'done') {
    report.note = `${formatDutchDate(date)} is al verwerkt: geen nieuwe overgangen`;
    return report;
  }
  try {
    await database.db.transaction(async (tx) => {
      for (const day of days) {
        await runDay(tx, day, config, rules, report, options);
        if (day !== date) report.caughtUp.push(day);
      }
      if (options.dryRun) throw new DryRunRollback();
    });
  } catch (err) {
    if (!(err instanceof DryRunRollback)) throw err;
  }
  return report;
}

async function lastRunDate(executor: Database['db'] | Tx): Promise<IsoDate | null> {
  const [row] = await queryRows<{ last: string | null }>(executor, sql`select max(run_date)::text as last from daily_runs`);
  return row?.last ?? null;
}

/** The working days still to run up to `date`; refuses dates before the last run. */
async function pendingDays(database: Database, date: IsoDate, rules: ProcedureRules): Promise<IsoDate[] | 'done'> {
  const last = await lastRunDate(database.db);
  if (last && date < last) {
    throw new DailyRunRefused(
      `${formatDutchDate(date)} ligt vóór de laatste run (${formatDutchDate(last)}): het verleden wordt niet herschreven.`,
    );
  }
  if (last === date) return 'done';
  const days: IsoDate[] = [];
  if (last) {
    for (let d = addDays(last, 1); d < date; d = addDays(d, 1)) if (isWorkingDay(d, rules.holidays)) days.push(d);
  }
  days.push(date);
  return days;
}

async function runDay(tx: Tx, day: IsoDate, config: Config, rules: ProcedureRules, report: DailyRunReport, options: DailyRunOptions) {
  await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_KEYS.dailyRun})`);
  // The month's arrears aggregate every ledger line by tenancy; at the default 4 MB the hash
  // aggregate spills to disk (measured: about a third slower on 4.5M lines). Local to this run.
  await tx.execute(sql`set local work_mem = '64MB'`);
  // Another process may have run this day while we waited for the lock.
  const [already] = await queryRows<{ n: number }>(tx, sql`select count(*)::int8 as n from daily_runs where run_date >= ${day}::date`);
  if (already && already.n > 0) {
    report.note = `${formatDutchDate(day)} is door een ander proces al verwerkt`;
    return;
  }
  const startedAt = new Date().toISOString();
  const [year, month] = day.split('-').map(Number) as [number, number];
  const monthKey = day.slice(0, 7);
  const [detected] = await queryRows<{ n: number }>(
    tx,
    sql`select count(*)::int8 as n from daily_runs where detection_month = ${monthKey}`,
  );
  const dDay = detectionDay(year, month, rules);
  const detecting = day >= dDay && detected?.n === 0;
  if (day === report.date) report.detectionDay = detecting;

  const open = await loadOpenCases(tx);
  // On the detection run the tenancies that are late(M) or have a case (SQL leaves out the rest:
  // nothing can happen to them); on other days only those with a case.
  const months = detecting ? await arrearsForMonth(tx, year, month, rules, { lateOrOpenCaseOnly: true }) : [];
  const monthByContract = new Map<string, MonthArrears>(months.map((m) => [m.contractId, m]));
  const contractIds = [...new Set([...months.map((m) => m.contractId), ...open.keys()])];
  // On D(M) itself B(day) is B(D(M)), which the month's query computed: no second pass over the
  // ledger (bench:daily, 4.5M lines: about 0.9 s of a 3.5 s run).
  const balances =
    detecting && day === dDay ? new Map(months.map((m) => [m.contractId, m.balanceCents])) : await balancesOn(tx, day, { contractIds });
  const tenancies = await loadTenancyFacts(tx, day, contractIds);
  const awaitingPayment = [...open.entries()].flatMap(([contractId, c]) =>
    c.stage === 'verdict' && c.state.verdict
      ? [
          {
            contractId,
            // A catch-up run for an earlier day must not see payments booked after that day.
            payBy: c.state.verdict.payBy < day ? c.state.verdict.payBy : day,
            registeredOn: c.state.verdict.registeredOn ?? c.stageSince,
          },
        ]
      : [],
  );
  const verdicts = await verdictBalances(tx, awaitingPayment);

  const pending: PendingTransition[] = [];
  for (const t of tenancies) {
    const facts: TenancyDay = {
      contractId: t.contract_id,
      monthlyRentCents: t.monthly_rent_cents,
      endDate: t.end_date,
      probationUntil: t.probation_until,
      balanceCents: balances.get(t.contract_id) ?? 0,
      month: monthByContract.get(t.contract_id) ?? null,
      evicted: t.evicted,
      verdictBalance: verdicts.get(t.contract_id),
    };
    const current = open.get(t.contract_id) ?? null;
    for (const transition of evaluateDay(day, facts, current, rules)) {
      pending.push({ contractId: t.contract_id, caseId: current?.id ?? null, stageSince: current?.stageSince, transition });
    }
  }

  const applied = await applyTransitions(tx, pending, { date: day, actor: 'system', keyPrefix: `run:${day}`, rules });
  let messages = await enqueueCaseMessages(tx, applied, config);
  messages += (await recordCaseLetters(tx, applied, { date: day, actor: 'system', config })).messages;
  messages += await enqueueDigests(tx, await buildTeamDigests(tx, day, config), config);

  for (const a of applied) {
    const t = a.transition;
    if (t.type === 'update') continue;
    report.transitions.push({
      contractId: a.contractId,
      from: t.type === 'open' ? null : t.from,
      to: stageAfter(t),
      clause: t.clause,
      ...(t.type === 'close' ? { reason: t.reason } : {}),
      on: day,
    });
  }
  report.messagesQueued += messages;
  // finished_at's default, now(), is when the transaction began: before started_at on a run's first day.
  await tx.execute(sql`
    insert into daily_runs (run_date, detection_month, transitions, messages, summary, started_at, finished_at)
    values (${day}::date, ${detecting ? monthKey : null}, ${applied.length}, ${messages},
            ${JSON.stringify({ openCases: open.size, evaluated: tenancies.length })}::jsonb, ${startedAt}::timestamptz, clock_timestamp())
  `);
  await options.onDayWritten?.(day);
}

interface TenancyFactsRow {
  contract_id: string;
  monthly_rent_cents: number;
  end_date: string | null;
  probation_until: string | null;
  evicted: boolean;
  [key: string]: unknown;
}

async function loadTenancyFacts(tx: Tx, day: IsoDate, contractIds: string[]): Promise<TenancyFactsRow[]> {
  if (contractIds.length === 0) return [];
  const filter = sql`where t.contract_id in (select value from json_array_elements_text(${JSON.stringify(contractIds)}::json))`;
  return queryRows<TenancyFactsRow>(
    tx,
    sql`select t.contract_id, t.monthly_rent_cents, t.end_date::text as end_date, p.until::text as probation_until,
               exists (select 1 from cases e where e.contract_id = t.contract_id and e.closed_reason = 'evicted') as evicted
        from tenancies t
        left join (
          select contract_id, max((state->>'probationUntil')::date) as until
          from cases where closed_reason = 'postponed' group by contract_id
        ) p on p.contract_id = t.contract_id and p.until >= ${day}::date
        ${filter}
        order by t.contract_id`,
  );
}
