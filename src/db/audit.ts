import type { Executor } from './client.js';
import { auditLog } from './schema.js';

export interface AuditEntry {
  /** Slack user id, or `cli:<os user>` for the command line. */
  actor: string;
  action: string;
  subject?: string | null;
  detail?: Record<string, unknown>;
}

/** Dossier look-ups are processing of personal data: who looked at what, and when, is kept. */
export async function recordAudit(executor: Executor, entry: AuditEntry): Promise<void> {
  await executor.insert(auditLog).values({
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject ?? null,
    detail: entry.detail ?? {},
  });
}
