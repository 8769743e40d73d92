import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from './client.js';

export interface AuditEntry {
  /** Slack user id, or `cli:<os user>` for the command line. */
  actor: string;
  action: string;
  subject?: string | null;
  detail?: Record<string, unknown>;
}

/**
 * Dossier look-ups are processing of personal data: who looked at what, and when, is kept.
 * Every `/huurder` writes one, so it is a fixed prepared statement rather than drizzle's insert
 * builder (which spent ~0.1 ms CPU a call building the same text in the bench:slack profile).
 */
export async function recordAudit(executor: Executor, entry: AuditEntry): Promise<void> {
  await queryRows(executor, auditInsert(entry), { prepare: true });
}

/**
 * The insert of recordAudit as SQL, to run inside the statement that reads what is shown (as a
 * data-modifying CTE): the read and its audit row then cost one round trip, and the one cannot
 * succeed without the other. With `from`, the row is written only when `from` finds a row, and
 * `more` (jsonb, computed from that row) is merged into the detail; `subject`, when given, is
 * read from that row too.
 */
export function auditInsert(entry: AuditEntry, from?: { more: SQL; from: SQL; subject?: SQL }): SQL {
  const detail = sql`${JSON.stringify(entry.detail ?? {})}::jsonb`;
  if (!from) {
    return sql`insert into audit_log (actor, action, subject, detail) values (${entry.actor}, ${entry.action}, ${entry.subject ?? null}, ${detail})`;
  }
  return sql`insert into audit_log (actor, action, subject, detail)
             select ${entry.actor}, ${entry.action}, ${from.subject ?? sql`${entry.subject ?? null}`}, ${detail} || ${from.more} ${from.from}`;
}
