import { formatDutchDate } from '../domain/calendar.js';
import { STAGE_LABELS, CLOSED_LABELS } from '../dossier/dossier-text.js';
import type { CaseStage, ClosedReason } from '../db/schema.js';
import type { DailyRunReport } from './daily-run.js';

/** The daily run as a person reads it: per day, what moved where and why (clause). */
export function formatDailyReport(report: DailyRunReport): string {
  const lines: string[] = [];
  const head = `Dagelijkse run ${formatDutchDate(report.date)}${report.dryRun ? ' (proefrun: niets opgeslagen)' : ''}`;
  lines.push(head);
  if (report.note) lines.push(report.note);
  if (!report.workingDay) return lines.join('\n');
  if (report.caughtUp.length) lines.push(`Ingehaald: ${report.caughtUp.map(formatDutchDate).join(', ')}`);
  if (report.detectionDay) lines.push('Peildag: de achterstanden van deze maand zijn bepaald (P1.a)');
  const label = (stage: string, reason?: string) =>
    stage === 'closed' ? `gesloten (${CLOSED_LABELS[reason as ClosedReason] ?? reason})` : STAGE_LABELS[stage as CaseStage];
  for (const t of report.transitions) {
    lines.push(
      `  ${formatDutchDate(t.on)}  ${t.contractId.padEnd(10)} ${t.from ? `${label(t.from)} → ` : 'nieuw → '}${label(t.to, t.reason)}${t.clause ? ` [${t.clause}]` : ''}`,
    );
  }
  lines.push(`${report.transitions.length} overgangen · ${report.messagesQueued} berichten klaargezet voor Slack`);
  return lines.join('\n');
}
