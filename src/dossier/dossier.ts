import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../db/client.js';
import type { CaseStage, ClosedReason } from '../db/schema.js';
import type { IsoDate } from '../domain/calendar.js';
import { monthsInArrears } from '../domain/money.js';
import { DEFAULT_HOLIDAYS } from '../domain/calendar.js';
import type { CaseState } from '../domain/case-state.js';
import { nextStep } from '../domain/next-step.js';
import { summonsWindowStatus, type SignalState, type SummonsWindowStatus } from '../domain/signal.js';

/** The JSON shape of DATA-FORMATS.md (`huurwacht dossier --json`); fields may be added, never changed. */
export interface Dossier {
  contractId: string;
  team: string;
  teamName: string;
  tenants: string[];
  address: string;
  phone: string | null;
  email: string | null;
  monthlyRentCents: number;
  startDate: IsoDate;
  endDate: IsoDate | null;
  earlierVerdictDate: IsoDate | null;
  /** The balance on `asOf`: positive means the tenant owes. */
  balanceCents: number;
  asOf: IsoDate;
  monthsInArrears: number;
  probationUntil: IsoDate | null;
  ledger: LedgerSummary;
  /** Early signalling to the municipality (P2.a.2) of the latest case; the report date matters to the court. */
  earlySignal: (SignalState & { summonsWindow: SummonsWindowStatus }) | null;
  case: DossierCase | null;
  events: DossierEvent[];
}

export interface LedgerSummary {
  entries: number;
  chargedCents: number;
  paidCents: number;
  lastPaymentOn: IsoDate | null;
  lastPaymentCents: number | null;
  /** The last months' charges and payments, newest first. */
  months: { month: string; chargedCents: number; paidCents: number; balanceCents: number }[];
}

export interface DossierCase {
  stage: CaseStage;
  closedReason?: ClosedReason;
  openedOn: IsoDate;
  stageSince: IsoDate;
  closedOn?: IsoDate;
  nextAction: string | null;
  dueOn: IsoDate | null;
}

export interface DossierEvent {
  on: IsoDate;
  type: string;
  clause: string | null;
  actor: string;
  summary: string;
  /**
   * The text of a note (type `note`): it may hold sensitive details, so it lives only in the
   * dossier; Slack answers and logs show the summary alone.
   */
  text?: string;
}

/** The next step in Dutch; a closed case has none, except the last-warning letter after P4.a. */
function caseNextAction(stage: CaseStage, reason: ClosedReason | null, state: CaseState, since: IsoDate): string | null {
  if (stage === 'closed') return reason === 'postponed' ? 'Verstuur de brief "laatste waarschuwing" met de proeftijd (P4.a.1–3)' : null;
  // The text does not depend on the holidays; the due date comes from the stored row.
  return nextStep(stage, state, since, DEFAULT_HOLIDAYS).text;
}

export interface TenancyMatch {
  contractId: string;
  tenants: string;
  address: string;
  postcode: string;
  city: string;
}

const MATCH_LIMIT = 10;

/**
 * Finds tenancies the way a collector asks: a contract number, a postcode with house number
 * (`1234AB 12`, `1234 ab 12`), or (part of) a tenant's name.
 */
export async function findTenancies(executor: Executor, query: string): Promise<TenancyMatch[]> {
  const search = searchCtes(query);
  if (!search) return [];
  return queryRows<TenancyMatch & Record<string, unknown>>(
    executor,
    sql`
      with ${search.ctes}
      select t.contract_id as "contractId", t.address, t.postcode, t.city,
             coalesce((select string_agg(n.name, ' & ' order by n.position) from tenants n where n.contract_id = t.contract_id), '') as tenants
      from page join tenancies t on t.contract_id = page.contract_id
      order by (t.contract_id = ${search.q}) desc, t.contract_id
    `,
    { prepare: true },
  );
}

/** The search as the CTEs `hits` and `page` (at most MATCH_LIMIT contract ids); null for an empty query. */
function searchCtes(query: string): { ctes: SQL; q: string } | null {
  const q = query.trim();
  if (!q) return null;
  const postcodeMatch = /^([1-9]\d{3})\s?([A-Za-z]{2})\s*[-,]?\s*(\d+)\D*$/.exec(q);
  let hits;
  if (postcodeMatch) {
    const postcode = `${postcodeMatch[1]}${postcodeMatch[2]!.toUpperCase()}`;
    hits = sql`select contract_id from tenancies where postcode = ${postcode} and house_number = ${postcodeMatch[3]}`;
  } else {
    // Contract and name as separate index look-ups (a union): one `or` across both would scan
    // every tenant. The trigram index serves `like '%...%'` from 3 characters on.
    const pattern = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const names = q.length >= 3 ? sql`union select contract_id from tenants where lower(name) like (select ${pattern}::text)` : sql``;
    hits = sql`select contract_id from tenancies where contract_id = ${q} ${names}`;
  }
  // For the prepared statement of findAndLoadDossier: with the pattern as a subquery and the limit
  // as a literal, the planner estimates every search alike, and PostgreSQL keeps one generic plan
  // instead of planning the whole statement again on each call (seen on bench:slack: 1400 custom
  // plans of 1400 calls, ~0.8 ms of database CPU each, against ~0.3 ms with the generic plan).
  return {
    q,
    ctes: sql`hits as (${hits}),
              page as (select contract_id from hits order by (contract_id = ${q}) desc, contract_id limit ${sql.raw(String(MATCH_LIMIT))})`,
  };
}

export function formatPostcode(postcode: string): string {
  return /^\d{4}[A-Z]{2}$/.test(postcode) ? `${postcode.slice(0, 4)} ${postcode.slice(4)}` : postcode;
}

interface DossierRow extends Record<string, unknown> {
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
  entries: number;
  charged: number;
  paid: number;
  balance: number;
  last_payment_on: string | null;
  last_payment_cents: number | null;
  months: { month: string; chargedCents: number; paidCents: number; balanceCents: number }[] | null;
  case_stage: CaseStage | null;
  case_closed_reason: ClosedReason | null;
  case_opened_on: string;
  case_stage_since: string;
  case_closed_on: string | null;
  case_due_on: string | null;
  case_state: CaseState;
  probation_until: string | null;
  events: (DossierEvent & { text: string | null })[] | null;
}

export interface LoadOptions {
  /**
   * A data-modifying statement to run within the same statement (a CTE PostgreSQL always runs),
   * such as the look-up's audit row: one round trip, one snapshot, and no dossier without it.
   */
  alongside?: SQL;
}

/**
 * The whole dossier of one tenancy as of a date; null when the contract does not exist.
 *
 * One statement, so one round trip and one snapshot: under load (`/huurder`, bench:slack) each
 * statement costs a round trip and the database's per-statement overhead, and seven of them made a
 * dossier cost twice a pick list. The ledger rows are read once (`le`) for the totals, the last
 * payment and the months; lists come back as JSON, whose dates are ISO on every engine.
 */
export async function loadDossier(
  executor: Executor,
  contractId: string,
  asOf: IsoDate,
  options: LoadOptions = {},
): Promise<Dossier | null> {
  const contract = sql`${contractId}`;
  const alongside = options.alongside ? sql`alongside as (${options.alongside}),` : sql``;
  const [row] = await queryRows<DossierRow>(executor, sql`with ${alongside} ${dossierCtes(contract, asOf)} ${dossierSelect(contract)}`, {
    prepare: true,
  });
  return row ? dossierOf(row, asOf) : null;
}

export interface FoundDossier {
  /** As findTenancies returns them. */
  matches: TenancyMatch[];
  /** The dossier of the only match, as loadDossier returns it; null unless exactly one matched. */
  dossier: Dossier | null;
}

/** What findAndLoadDossier's `alongside` statements may read, as SQL expressions. */
export interface FoundSql {
  /** The contract id of the single match; null when none or several matched. */
  one: SQL;
  /** How many matched (at most the search's limit). */
  count: SQL;
  /** The matches' contract ids as a jsonb array, in findTenancies' order. */
  shown: SQL;
}

/**
 * findTenancies and, when exactly one tenancy matches, its loadDossier, in one statement: a
 * `/huurder` then costs one round trip instead of two or three. `alongside` gives data-modifying
 * statements (the look-up's audit row) to run within it, reading what was found.
 */
export async function findAndLoadDossier(
  executor: Executor,
  query: string,
  asOf: IsoDate,
  options: { alongside?: (found: FoundSql) => SQL[] } = {},
): Promise<FoundDossier> {
  const search = searchCtes(query);
  if (!search) return { matches: [], dossier: null };
  const contract = sql`(select contract_id from one)`;
  const found: FoundSql = {
    one: contract,
    count: sql`(select count(*) from page)`,
    shown: sql`(select coalesce(jsonb_agg(contract_id order by (contract_id = ${search.q}) desc, contract_id), '[]'::jsonb) from page)`,
  };
  const statements = options.alongside?.(found) ?? [];
  const alongside = sql.join(
    statements.map((statement, i) => sql`${sql.raw(`alongside_${i}`)} as (${statement}),`),
    sql` `,
  );
  const [row] = await queryRows<DossierRow & { matches: TenancyMatch[] | null }>(
    executor,
    sql`
      with ${search.ctes},
      one as (select contract_id from page where (select count(*) from page) = 1),
      ${alongside} ${dossierCtes(contract, asOf)}
      select (select json_agg(json_build_object('contractId', t.contract_id, 'address', t.address, 'postcode', t.postcode, 'city', t.city,
                              'tenants', coalesce((select string_agg(n.name, ' & ' order by n.position)
                                                   from tenants n where n.contract_id = t.contract_id), ''))
                              order by (t.contract_id = ${search.q}) desc, t.contract_id)
              from page join tenancies t on t.contract_id = page.contract_id) as matches,
             d.*
      from (select 1) as always left join (${dossierSelect(contract)}) d on true
    `,
    { prepare: true },
  );
  const matches = row?.matches ?? [];
  return { matches, dossier: matches.length === 1 && row?.contract_id ? dossierOf(row, asOf) : null };
}

/** The ledger's CTEs of the dossier of `contract` (an SQL expression for its id): one read of its rows. */
function dossierCtes(contract: SQL, asOf: IsoDate): SQL {
  return sql`
      le as (
        select type, due_date, booking_date, amount_cents,
               coalesce(case when type in ('rent', 'costs') then due_date end, booking_date) as effective
        from ledger_entries where contract_id = ${contract}
      ),
      totals as (
        select count(*)::int8 as entries,
               coalesce(sum(amount_cents) filter (where type in ('rent', 'costs') and due_date <= ${asOf}::date), 0)::int8 as charged,
               coalesce(sum(amount_cents) filter (where type in ('payment', 'credit') and booking_date <= ${asOf}::date), 0)::int8 as paid,
               max(booking_date) filter (where type = 'payment' and booking_date <= ${asOf}::date) as last_payment_on
        from le
      ),
      per_month as (
        select to_char(effective, 'YYYY-MM') as month,
               coalesce(sum(amount_cents) filter (where type in ('rent', 'costs')), 0)::int8 as charged,
               coalesce(sum(amount_cents) filter (where type in ('payment', 'credit')), 0)::int8 as paid
        from le where effective <= ${asOf}::date
        group by 1
      ),
      months as (
        select json_agg(json_build_object('month', month, 'chargedCents', charged, 'paidCents', paid, 'balanceCents', balance)
                        order by month desc) as months
        from (select month, charged, paid, sum(charged - paid) over (order by month)::int8 as balance
              from per_month order by month desc limit 12) m
      )`;
}

/** The dossier's one row; it reads the CTEs of dossierCtes. */
function dossierSelect(contract: SQL): SQL {
  return sql`
      select t.contract_id, t.team_key, tm.name as team_name, t.address, t.postcode, t.city, t.phone, t.email,
             t.monthly_rent_cents, t.start_date, t.end_date, t.earlier_verdict_date,
             (select json_agg(n.name order by n.position) from tenants n where n.contract_id = t.contract_id) as tenants,
             totals.entries, totals.charged, totals.paid, (totals.charged - totals.paid)::int8 as balance,
             totals.last_payment_on::text as last_payment_on,
             (select sum(amount_cents)::int8 from le where type = 'payment' and booking_date = totals.last_payment_on) as last_payment_cents,
             months.months,
             c.stage as case_stage, c.closed_reason as case_closed_reason, c.opened_on as case_opened_on,
             c.stage_since as case_stage_since, c.closed_on as case_closed_on, c.due_on as case_due_on, c.state as case_state,
             (select max((p.state->>'probationUntil')::date)::text from cases p
              where p.contract_id = t.contract_id and p.state ? 'probationUntil') as probation_until,
             (select json_agg(json_build_object('on', e."on", 'type', e.type, 'clause', e.clause, 'actor', e.actor, 'summary', e.summary,
                                                'text', case when e.type = 'note' then e.data->>'text' end)
                              order by e."on", e.id)
              from case_events e where e.contract_id = t.contract_id) as events
      from tenancies t
      join teams tm on tm.key = t.team_key
      cross join totals
      cross join months
      left join lateral (
        select stage, closed_reason, opened_on, stage_since, closed_on, due_on, state
        from cases where contract_id = t.contract_id
        order by (closed_on is null) desc, id desc limit 1
      ) c on true
      where t.contract_id = ${contract}`;
}

function dossierOf(row: DossierRow, asOf: IsoDate): Dossier {
  const probationUntil = row.probation_until && row.probation_until >= asOf ? row.probation_until : null;
  const signal = row.case_stage ? row.case_state.signal : undefined;
  return {
    contractId: row.contract_id,
    team: row.team_key,
    teamName: row.team_name,
    tenants: row.tenants ?? [],
    address: `${row.address}, ${formatPostcode(row.postcode)} ${row.city}`,
    phone: row.phone,
    email: row.email,
    monthlyRentCents: row.monthly_rent_cents,
    startDate: row.start_date,
    endDate: row.end_date,
    earlierVerdictDate: row.earlier_verdict_date,
    balanceCents: row.balance,
    asOf,
    monthsInArrears: monthsInArrears(row.balance, row.monthly_rent_cents),
    probationUntil,
    ledger: {
      entries: row.entries,
      chargedCents: row.charged,
      paidCents: row.paid,
      lastPaymentOn: row.last_payment_on,
      lastPaymentCents: row.last_payment_cents,
      months: row.months ?? [],
    },
    earlySignal: signal ? { ...signal, summonsWindow: summonsWindowStatus(signal.reportedOn, asOf) } : null,
    case: row.case_stage
      ? {
          stage: row.case_stage,
          ...(row.case_closed_reason ? { closedReason: row.case_closed_reason } : {}),
          openedOn: row.case_opened_on,
          stageSince: row.case_stage_since,
          ...(row.case_closed_on ? { closedOn: row.case_closed_on } : {}),
          nextAction: caseNextAction(row.case_stage, row.case_closed_reason, row.case_state, row.case_stage_since),
          dueOn: row.case_due_on,
        }
      : null,
    events: (row.events ?? []).map(({ text, ...e }) => (text ? { ...e, text } : e)),
  };
}
