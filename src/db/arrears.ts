import { sql, type SQL } from 'drizzle-orm';
import { classifyMonth, detectionDays, type ArrearsRules, type MonthArrears } from '../domain/arrears.js';
import { parseIsoDate, type IsoDate } from '../domain/calendar.js';
import type { Cents } from '../domain/money.js';
import { queryRows, type Executor } from './client.js';

/**
 * B(d) and the arrears of month M for every tenancy in one statement. The definitions live in
 * src/domain/arrears.ts; this file must give the same numbers (test/db/arrears.test.ts checks it
 * with random ledgers).
 */

export interface ArrearsQueryOptions {
  /** Only these tenancies (e.g. a re-check after an import); all tenancies when absent. */
  contractIds?: readonly string[];
  /**
   * Only tenancies that are late(M) or have an open case. On a detection day nothing can happen
   * to the others (a case opens only when late(M)), and they are most of the portfolio: leaving
   * them out in SQL spares sending, parsing and evaluating them.
   */
  lateOrOpenCaseOnly?: boolean;
}

/** D(M) and D(M-1) come from the calendar in TypeScript: holidays are not in the database. */
export async function arrearsForMonth(
  executor: Executor,
  year: number,
  month: number,
  rules: ArrearsRules,
  opts: ArrearsQueryOptions = {},
): Promise<MonthArrears[]> {
  const { detectionDay, previousDetectionDay } = detectionDays(year, month, rules);
  if (opts.contractIds?.length === 0) return [];
  const minimum = rules.minimumArrearsCents;
  // The late ones are picked while aggregating (HAVING), so the join below meets only them; a
  // tenancy without ledger lines has balance 0, late only if the minimum were negative.
  const keep = opts.lateOrOpenCaseOnly
    ? {
        having: sql`having ${balanceUpTo(detectionDay)} > ${minimum}::int8 or e.contract_id in (${openCaseContracts})`,
        where: sql`and (p.contract_id is not null or 0 > ${minimum}::int8 or t.contract_id in (${openCaseContracts}))`,
      }
    : { having: sql.empty(), where: sql.empty() };
  const rows = await queryRows<{
    contract_id: string;
    monthly_rent_cents: number;
    balance_cents: number;
    previous_balance_cents: number;
  }>(
    executor,
    sql`
    with per_contract as (
      select e.contract_id,
             ${balanceUpTo(detectionDay)} as balance_cents,
             ${balanceUpTo(previousDetectionDay)} as previous_balance_cents
      from ledger_entries e
      ${contractFilter('e', opts.contractIds)}
      group by e.contract_id
      ${keep.having}
    )
    select t.contract_id,
           t.monthly_rent_cents,
           -- sum(int4) is int8, which both clients parse to a number; the casts keep that true if
           -- amount_cents ever widens, and coalesce gives tenancies without lines (yet) a zero.
           coalesce(p.balance_cents, 0)::int8 as balance_cents,
           coalesce(p.previous_balance_cents, 0)::int8 as previous_balance_cents
    from tenancies t
    left join per_contract p on p.contract_id = t.contract_id
    where true ${contractFilter('t', opts.contractIds, 'and')} ${keep.where}
    order by t.contract_id
  `,
  );
  return rows.map((row) =>
    classifyMonth(
      {
        contractId: row.contract_id,
        detectionDay,
        previousDetectionDay,
        balanceCents: row.balance_cents,
        previousBalanceCents: row.previous_balance_cents,
        monthlyRentCents: row.monthly_rent_cents,
      },
      rules,
    ),
  );
}

/** B(date) per tenancy, every tenancy present (0 when it has no lines that count yet). */
export async function balancesOn(
  executor: Executor,
  date: IsoDate,
  opts: Pick<ArrearsQueryOptions, 'contractIds'> = {},
): Promise<Map<string, Cents>> {
  // The date goes into SQL as text; refuse what the cast would reinterpret or reject with a vaguer error.
  if (parseIsoDate(date) === null) throw new RangeError(`balancesOn: expected YYYY-MM-DD, got ${JSON.stringify(date)}`);
  if (opts.contractIds?.length === 0) return new Map();
  const rows = await queryRows<{ contract_id: string; balance_cents: number }>(
    executor,
    sql`
    with per_contract as (
      select e.contract_id, ${balanceUpTo(date)} as balance_cents
      from ledger_entries e
      ${contractFilter('e', opts.contractIds)}
      group by e.contract_id
    )
    select t.contract_id, coalesce(p.balance_cents, 0)::int8 as balance_cents
    from tenancies t
    left join per_contract p on p.contract_id = t.contract_id
    ${contractFilter('t', opts.contractIds)}
    order by t.contract_id
  `,
  );
  return new Map(rows.map((row) => [row.contract_id, row.balance_cents]));
}

/**
 * B(date) as an aggregate over ledger lines `e`: a charge counts from its due date (a rent booked
 * in advance is not owed yet), money from its booking date. One CASE per line and sum, no
 * subquery or WHERE: the statement stays one sequential pass over ledger_entries with nothing
 * evaluated twice (bench:daily, 4.5M lines: about a fifth faster than filtering on a derived
 * "counts from" date). A line that does not count yet adds null, which sum() skips; a tenancy
 * whose lines all count later sums to null, hence the coalesce by the callers.
 */
function balanceUpTo(date: IsoDate): SQL {
  const d = dateLiteral(date);
  return sql`sum(case when e.type in ('rent', 'costs') then case when e.due_date <= ${d} then e.amount_cents end
                      when e.booking_date <= ${d} then -e.amount_cents end)`;
}

/**
 * A date as a literal rather than a parameter: the same sum written twice (SELECT and HAVING) is
 * then the same expression, which PostgreSQL computes once per group.
 */
function dateLiteral(date: IsoDate): SQL {
  if (parseIsoDate(date) === null) throw new RangeError(`expected YYYY-MM-DD, got ${JSON.stringify(date)}`);
  return sql.raw(`date '${date}'`);
}

const openCaseContracts = sql`select contract_id from cases where closed_on is null`;

function contractFilter(alias: 'e' | 't', contractIds: readonly string[] | undefined, keyword: 'where' | 'and' = 'where'): SQL {
  return contractIds === undefined
    ? sql.empty()
    : sql`${sql.raw(keyword)} ${sql.raw(alias)}.contract_id = any(${contractIdArray(contractIds)})`;
}

// drizzle expands a JS array into a parameter list and postgres.js 4 has no sql.array(), so the ids
// travel as one JSON text parameter. `= any(array(...))` rather than `in (select ...)` lets the
// planner use ledger_contract_idx for a short list.
function contractIdArray(contractIds: readonly string[]): SQL {
  return sql`array(select json_array_elements_text(${JSON.stringify(contractIds)}::json))`;
}

/**
 * For cases awaiting payment after a verdict (P4.a): each tenancy's balance on its own pay-by
 * date, and the costs booked after the verdict was registered. One statement for all of them.
 */
export async function verdictBalances(
  executor: Executor,
  items: readonly { contractId: string; payBy: IsoDate; registeredOn: IsoDate }[],
): Promise<Map<string, { balanceCents: Cents; costsBookedSinceCents: Cents }>> {
  if (items.length === 0) return new Map();
  const input = JSON.stringify(items.map((i) => ({ contract_id: i.contractId, pay_by: i.payBy, since: i.registeredOn })));
  const rows = await queryRows<{ contract_id: string; balance_cents: number; costs_since_cents: number }>(
    executor,
    sql`select v.contract_id,
               coalesce(sum(case when l.type in ('rent', 'costs') and l.due_date <= v.pay_by then l.amount_cents
                                 when l.type in ('payment', 'credit') and l.booking_date <= v.pay_by then -l.amount_cents
                                 else 0 end), 0)::int8 as balance_cents,
               coalesce(sum(l.amount_cents) filter (where l.type = 'costs' and l.booking_date > v.since and l.booking_date <= v.pay_by), 0)::int8
                 as costs_since_cents
        from json_to_recordset(${input}::json) as v(contract_id text, pay_by date, since date)
        left join ledger_entries l on l.contract_id = v.contract_id
        group by v.contract_id`,
  );
  return new Map(rows.map((r) => [r.contract_id, { balanceCents: r.balance_cents, costsBookedSinceCents: r.costs_since_cents }]));
}
