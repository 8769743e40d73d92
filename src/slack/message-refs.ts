import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../db/client.js';

export type MessageKind = 'card' | 'vote';

export interface MessageRef {
  caseId: number;
  kind: MessageKind;
  channel: string;
  ts: string;
}

/** Records where a case's card or vote message was posted; a second post of the same kind keeps the first. */
export async function recordMessageRef(executor: Executor, ref: MessageRef & { outboxKey: string }): Promise<void> {
  await executor.execute(sql`
    insert into slack_messages (case_id, kind, channel, ts, outbox_key)
    values (${ref.caseId}, ${ref.kind}, ${ref.channel}, ${ref.ts}, ${ref.outboxKey})
    on conflict (case_id, kind) do nothing
  `);
}

export async function findMessageRef(executor: Executor, caseId: number, kind: MessageKind): Promise<MessageRef | null> {
  const [row] = await queryRows<{ case_id: number; kind: MessageKind; channel: string; ts: string }>(
    executor,
    sql`select case_id, kind, channel, ts from slack_messages where case_id = ${caseId} and kind = ${kind}`,
  );
  return row ? { caseId: row.case_id, kind: row.kind, channel: row.channel, ts: row.ts } : null;
}

/** The case whose card (or vote) message is this one: a thread reply's `thread_ts` points at it. */
export async function findCaseByMessage(
  executor: Executor,
  channel: string,
  ts: string,
): Promise<(MessageRef & { contractId: string }) | null> {
  const [row] = await queryRows<{ case_id: number; kind: MessageKind; channel: string; ts: string; contract_id: string }>(
    executor,
    sql`select m.case_id, m.kind, m.channel, m.ts, c.contract_id
        from slack_messages m join cases c on c.id = m.case_id
        where m.channel = ${channel} and m.ts = ${ts}`,
  );
  return row ? { caseId: row.case_id, kind: row.kind, channel: row.channel, ts: row.ts, contractId: row.contract_id } : null;
}
