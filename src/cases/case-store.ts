import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../db/client.js';
import type { IsoDate } from '../domain/calendar.js';
import type { CaseState, OpenStage, ProcedureRules } from '../domain/case-state.js';
import { nextStep } from '../domain/next-step.js';
import type { OpenCase, Transition } from '../domain/procedure.js';

/**
 * Writes transitions set-based: the case rows, their events and their outgoing messages go in
 * with a handful of statements for any number of cases, inside the caller's transaction.
 * Event and message keys make every write idempotent.
 */

export interface PendingTransition {
  contractId: string;
  /** Null for a transition that opens a case. */
  caseId: number | null;
  /** When the case entered its stage: the next step's due date counts from it while the stage stays. */
  stageSince?: IsoDate;
  transition: Transition;
}

export interface ApplyOptions {
  date: IsoDate;
  /** `system` for the daily run, a Slack user id for the team's actions. */
  actor: string;
  /** Makes the event keys unique per cause, e.g. `run:2027-02-10` or a Slack action id. */
  keyPrefix: string;
  rules: ProcedureRules;
}

export interface AppliedTransition extends PendingTransition {
  caseId: number;
  version: number;
}

interface CaseRowRecord {
  id: number;
  contract_id: string;
  stage: OpenStage;
  opened_on: string;
  stage_since: string;
  state: CaseState;
  version: number;
}

export async function loadOpenCases(
  executor: Executor,
  contractIds?: readonly string[],
): Promise<Map<string, OpenCase & { version: number }>> {
  const filter = contractIds
    ? sql`and contract_id in (select value from json_array_elements_text(${JSON.stringify(contractIds)}::json))`
    : sql``;
  const rows = await queryRows<CaseRowRecord & Record<string, unknown>>(
    executor,
    sql`select id, contract_id, stage, opened_on, stage_since, state, version from cases where closed_on is null ${filter}`,
  );
  return new Map(
    rows.map((r) => [
      r.contract_id,
      { id: r.id, stage: r.stage, openedOn: r.opened_on, stageSince: r.stage_since, state: r.state, version: r.version },
    ]),
  );
}

function eventType(t: Transition): string {
  switch (t.type) {
    case 'open':
      return 'case_opened';
    case 'move':
      return 'stage_changed';
    case 'close':
      return 'case_closed';
    case 'update':
      return t.event;
  }
}

/** The stage a transition leaves the case in ('closed' for a close). */
export function stageAfter(t: Transition): OpenStage | 'closed' {
  return t.type === 'open' || t.type === 'move' ? t.to : t.type === 'close' ? 'closed' : t.stage;
}

export async function applyTransitions(tx: Executor, items: PendingTransition[], options: ApplyOptions): Promise<AppliedTransition[]> {
  if (items.length === 0) return [];
  const openedIds = await insertOpenedCases(tx, items, options);
  const versions = await updateChangedCases(tx, items, options);
  const applied: AppliedTransition[] = items.map((i) => {
    const caseId = i.caseId ?? openedIds.get(i.contractId)!;
    return { ...i, caseId, version: versions.get(caseId) ?? 1 };
  });
  await insertEvents(tx, applied, options);
  return applied;
}

/** New cases; returns their ids by contract. */
async function insertOpenedCases(tx: Executor, items: PendingTransition[], { date, rules }: ApplyOptions): Promise<Map<string, number>> {
  const opens = items.flatMap((i) => (i.transition.type === 'open' ? [{ contractId: i.contractId, t: i.transition }] : []));
  if (opens.length === 0) return new Map();
  const rows = opens.map((o) => ({
    contract_id: o.contractId,
    stage: o.t.to,
    due_on: nextStep(o.t.to, o.t.state, date, rules.holidays).dueOn,
    state: o.t.state,
  }));
  const inserted = await queryRows<{ id: number; contract_id: string }>(
    tx,
    sql`insert into cases (contract_id, stage, opened_on, stage_since, due_on, state)
        select contract_id, stage, ${date}::date, ${date}::date, due_on, state
        from json_to_recordset(${JSON.stringify(rows)}::json) as r(contract_id text, stage text, due_on date, state jsonb)
        returning id, contract_id`,
  );
  return new Map(inserted.map((r) => [r.contract_id, r.id]));
}

/** Existing cases: new stage, state, due date; closed ones get their date and reason. Returns the new versions by case id. */
async function updateChangedCases(tx: Executor, items: PendingTransition[], { date, rules }: ApplyOptions): Promise<Map<number, number>> {
  const changes = items.filter((i) => i.transition.type !== 'open');
  if (changes.length === 0) return new Map();
  const rows = changes.map((i) => {
    const t = i.transition;
    const stage = stageAfter(t);
    // An update keeps the stage, and the stage's deadline with it: count from when it began.
    const since = t.type === 'update' ? (i.stageSince ?? date) : date;
    return {
      id: i.caseId,
      stage,
      stage_changed: t.type !== 'update',
      due_on: stage === 'closed' ? null : nextStep(stage, t.state, since, rules.holidays).dueOn,
      closed_reason: t.type === 'close' ? t.reason : null,
      state: t.state,
    };
  });
  const updated = await queryRows<{ id: number; version: number }>(
    tx,
    sql`update cases c set
          stage = r.stage,
          stage_since = case when r.stage_changed then ${date}::date else c.stage_since end,
          due_on = r.due_on,
          closed_on = case when r.closed_reason is not null then ${date}::date end,
          closed_reason = r.closed_reason,
          state = r.state,
          version = c.version + 1
        from json_to_recordset(${JSON.stringify(rows)}::json)
          as r(id int, stage text, stage_changed boolean, due_on date, closed_reason text, state jsonb)
        where c.id = r.id and c.closed_on is null
        returning c.id, c.version`,
  );
  return new Map(updated.map((r) => [r.id, r.version]));
}

/** The dossier: one event per transition. */
async function insertEvents(tx: Executor, applied: AppliedTransition[], options: ApplyOptions): Promise<void> {
  const events = applied.map((a) => {
    const t = a.transition;
    return {
      contract_id: a.contractId,
      case_id: a.caseId,
      type: eventType(t),
      clause: t.clause,
      summary: t.summary,
      data: {
        from: t.type === 'move' || t.type === 'close' ? t.from : null,
        to: stageAfter(t),
        ...(t.type === 'close' ? { reason: t.reason } : {}),
        version: a.version,
      },
      key: `${options.keyPrefix}:${a.caseId}:${a.version}`,
    };
  });
  await tx.execute(sql`
    insert into case_events (contract_id, case_id, "on", type, clause, actor, summary, data, idempotency_key)
    select contract_id, case_id, ${options.date}::date, type, clause, ${options.actor}, summary, data, key
    from json_to_recordset(${JSON.stringify(events)}::json)
      as e(contract_id text, case_id int, type text, clause text, summary text, data jsonb, key text)
    on conflict (idempotency_key) do nothing
  `);
}
