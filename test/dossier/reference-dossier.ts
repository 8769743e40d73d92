import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../../src/db/client.js';
import type { CaseStage, ClosedReason } from '../../src/db/schema.js';
import type { IsoDate } from '../../src/domain/calendar.js';
import { DEFAULT_HOLIDAYS } from '../../src/domain/calendar.js';
import type { CaseState } from '../../src/domain/case-state.js';
import { monthsInArrears } from '../../src/domain/money.js';
import { nextStep } from '../../src/domain/next-step.js';
import { summonsWindowStatus } from '../../src/domain/signal.js';
import { formatPostcode, type Dossier, type DossierEvent } from '../../src/dossier/dossier.js';

/**
 * The dossier as it was loaded before it became one statement: seven plain queries, easy to read
 * and to trust. Kept as the oracle the one-statement loadDossier is compared with, field by field.
 */

function caseNextAction(stage: CaseStage, reason: ClosedReason | null, state: CaseState, since: IsoDate): string | null {
  if (stage === 'closed') return reason === 'postponed' ? 'Verstuur de brief "laatste waarschuwing" met de proeftijd (P4.a.1–3)' : null;
  return nextStep(stage, state, since, DEFAULT_HOLIDAYS).text;
}

/** The whole dossier of one tenancy as of a date; null when the contract does not exist. */
export async function loadDossierReference(executor: Executor, contractId: string, asOf: IsoDate): Promise<Dossier | null> {
  const [tenancy] = await queryRows<{
    contract_id: string;
    team_key: string;
    team_name: string;
    tenants: string[] | null;
    address: string;
    postcode: string;
    city: string;
    phone: string | null;
    email: string | null;
    monthly_rent_cents: number;
    start_date: string;
    end_date: string | null;
    earlier_verdict_date: string | null;
  }>(
    executor,
    sql`
      select t.contract_id, t.team_key, tm.name as team_name, t.address, t.postcode, t.city, t.phone, t.email,
             t.monthly_rent_cents, t.start_date, t.end_date, t.earlier_verdict_date,
             (select json_agg(n.name order by n.position) from tenants n where n.contract_id = t.contract_id) as tenants
      from tenancies t join teams tm on tm.key = t.team_key
      where t.contract_id = ${contractId}
    `,
  );
  if (!tenancy) return null;

  const [totals] = await queryRows<{
    entries: number;
    charged: number;
    paid: number;
    balance: number;
    last_payment_on: string | null;
  }>(
    executor,
    sql`
      select count(*)::int8 as entries,
             coalesce(sum(amount_cents) filter (where type in ('rent', 'costs') and due_date <= ${asOf}::date), 0)::int8 as charged,
             coalesce(sum(amount_cents) filter (where type in ('payment', 'credit') and booking_date <= ${asOf}::date), 0)::int8 as paid,
             coalesce(sum(case when type in ('rent', 'costs') and due_date <= ${asOf}::date then amount_cents
                               when type in ('payment', 'credit') and booking_date <= ${asOf}::date then -amount_cents
                               else 0 end), 0)::int8 as balance,
             max(booking_date) filter (where type = 'payment' and booking_date <= ${asOf}::date)::text as last_payment_on
      from ledger_entries where contract_id = ${contractId}
    `,
  );
  const [lastPayment] = totals?.last_payment_on
    ? await queryRows<{ amount: number }>(
        executor,
        sql`select coalesce(sum(amount_cents), 0)::int8 as amount from ledger_entries
            where contract_id = ${contractId} and type = 'payment' and booking_date = ${totals.last_payment_on}::date`,
      )
    : [];
  const months = await queryRows<{ month: string; charged: number; paid: number; balance: number }>(
    executor,
    sql`
      with per_month as (
        select to_char(coalesce(case when type in ('rent', 'costs') then due_date end, booking_date), 'YYYY-MM') as month,
               coalesce(sum(amount_cents) filter (where type in ('rent', 'costs')), 0)::int8 as charged,
               coalesce(sum(amount_cents) filter (where type in ('payment', 'credit')), 0)::int8 as paid
        from ledger_entries
        where contract_id = ${contractId}
          and coalesce(case when type in ('rent', 'costs') then due_date end, booking_date) <= ${asOf}::date
        group by 1
      )
      select month, charged, paid, sum(charged - paid) over (order by month)::int8 as balance
      from per_month order by month desc limit 12
    `,
  );

  const [caseRow] = await queryRows<{
    stage: CaseStage;
    closed_reason: ClosedReason | null;
    opened_on: string;
    stage_since: string;
    closed_on: string | null;
    due_on: string | null;
    state: CaseState;
  }>(
    executor,
    sql`
      select stage, closed_reason, opened_on, stage_since, closed_on, due_on,
             state
      from cases where contract_id = ${contractId}
      order by (closed_on is null) desc, id desc limit 1
    `,
  );
  const [probation] = await queryRows<{ until: string | null }>(
    executor,
    sql`select max((state->>'probationUntil')::date)::text as until from cases
        where contract_id = ${contractId} and state ? 'probationUntil'`,
  );
  const events = await queryRows<DossierEvent & Record<string, unknown>>(
    executor,
    sql`select "on"::text as "on", type, clause, actor, summary, case when type = 'note' then data->>'text' end as text
        from case_events where contract_id = ${contractId} order by "on", id`,
  );

  const balance = totals?.balance ?? 0;
  const probationUntil = probation?.until && probation.until >= asOf ? probation.until : null;
  return {
    contractId: tenancy.contract_id,
    team: tenancy.team_key,
    teamName: tenancy.team_name,
    tenants: tenancy.tenants ?? [],
    address: `${tenancy.address}, ${formatPostcode(tenancy.postcode)} ${tenancy.city}`,
    phone: tenancy.phone,
    email: tenancy.email,
    monthlyRentCents: tenancy.monthly_rent_cents,
    startDate: tenancy.start_date,
    endDate: tenancy.end_date,
    earlierVerdictDate: tenancy.earlier_verdict_date,
    balanceCents: balance,
    asOf,
    monthsInArrears: monthsInArrears(balance, tenancy.monthly_rent_cents),
    probationUntil,
    ledger: {
      entries: totals?.entries ?? 0,
      chargedCents: totals?.charged ?? 0,
      paidCents: totals?.paid ?? 0,
      lastPaymentOn: totals?.last_payment_on ?? null,
      lastPaymentCents: lastPayment?.amount ?? null,
      months: months.map((m) => ({ month: m.month, chargedCents: m.charged, paidCents: m.paid, balanceCents: m.balance })),
    },
    earlySignal: caseRow?.state.signal
      ? { ...caseRow.state.signal, summonsWindow: summonsWindowStatus(caseRow.state.signal.reportedOn, asOf) }
      : null,
    case: caseRow
      ? {
          stage: caseRow.stage,
          ...(caseRow.closed_reason ? { closedReason: caseRow.closed_reason } : {}),
          openedOn: caseRow.opened_on,
          stageSince: caseRow.stage_since,
          ...(caseRow.closed_on ? { closedOn: caseRow.closed_on } : {}),
          nextAction: caseNextAction(caseRow.stage, caseRow.closed_reason, caseRow.state, caseRow.stage_since),
          dueOn: caseRow.due_on,
        }
      : null,
    events: events.map(({ text, ...e }) => (text ? { ...e, text } : e)),
  };
}
