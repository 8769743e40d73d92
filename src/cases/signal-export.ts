import { writeFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import { balancesOn } from '../db/arrears.js';
import { queryRows, type Database } from '../db/client.js';
import type { IsoDate } from '../domain/calendar.js';
import { procedureRules, type CaseState, type OpenStage } from '../domain/case-state.js';
import type { Transition } from '../domain/procedure.js';
import { isReportable, markReported, reportPreconditions } from '../domain/signal.js';
import { formatPostcode } from '../dossier/dossier.js';
import { applyTransitions, type PendingTransition } from './case-store.js';

/**
 * The monthly early-signalling report (vroegsignalering, P2.a.2): contact details and arrears of
 * every tenant whose details may go to the municipality (agreed, or no reaction to the letter's
 * offer), once the steps of Besluit art. 2 were taken. Exporting marks them reported; exporting
 * the same month again gives the same file and reports nobody twice.
 */

export interface SignalExportResult {
  file: string;
  month: string;
  /** Reported by this export. */
  newlyReported: number;
  /** Rows in the file: this month's reports, earlier exports of the month included. */
  rows: number;
  /** Reportable, but a step of Besluit art. 2 is missing: not reported yet. */
  waiting: { contractId: string; missing: string[] }[];
}

interface Candidate {
  case_id: number;
  contract_id: string;
  stage: OpenStage;
  state: CaseState;
  tenants: string;
  address: string;
  postcode: string;
  city: string;
  phone: string | null;
  email: string | null;
  [key: string]: unknown;
}

const HEADER = ['contractnummer', 'huurders', 'adres', 'postcode', 'plaats', 'telefoon', 'email', 'achterstand', 'datum_melding'];

function csvField(value: string): string {
  return /[;"\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function euros(cents: number): string {
  return `${Math.trunc(cents / 100)},${String(Math.abs(cents) % 100).padStart(2, '0')}`;
}

export async function exportSignals(
  database: Database,
  config: Config,
  options: { month: string; date: IsoDate; out: string; actor: string },
): Promise<SignalExportResult> {
  const rules = procedureRules(config);
  const { month, date } = options;
  const { lines, result } = await database.db.transaction(async (tx) => {
    const candidates = await queryRows<Candidate>(
      tx,
      sql`select c.id as case_id, c.contract_id, c.stage, c.state, t.address, t.postcode, t.city, t.phone, t.email,
                 coalesce((select string_agg(n.name, ' & ' order by n.position) from tenants n where n.contract_id = t.contract_id), '') as tenants
          from cases c join tenancies t on t.contract_id = c.contract_id
          where (c.closed_on is null and c.state->'signal'->>'state' in ('agreed', 'no_reaction'))
             or (c.state->'signal'->>'state' = 'reported' and to_char((c.state->'signal'->>'reportedOn')::date, 'YYYY-MM') = ${month})
          order by c.contract_id`,
    );
    const waiting: SignalExportResult['waiting'] = [];
    const pending: PendingTransition[] = [];
    const included: Candidate[] = [];
    for (const c of candidates) {
      const signal = c.state.signal!;
      if (signal.state === 'reported') {
        included.push(c);
        continue;
      }
      if (!isReportable(signal)) continue;
      const s = c.state;
      const missing = reportPreconditions({
        contactTriedOn: s.conversationOn ?? s.noResponseOn ?? s.visit?.visitedOn ?? s.visit?.cardLeftOn ?? null,
        debtHelpPointedOn: s.letter?.sentOn ?? null, // the letter carries the Traverse leaflet (P1)
        reminderSentOn: s.letter?.sentOn ?? null,
        offeredOn: signal.offeredOn,
      });
      if (missing.length > 0) {
        waiting.push({ contractId: c.contract_id, missing: missing.map((m) => m.label) });
        continue;
      }
      const reported = markReported(signal, date);
      if (!reported.ok) continue;
      const state: CaseState = { ...s, signal: reported.state };
      const transition: Transition = {
        type: 'update',
        stage: c.stage,
        event: 'signal_reported',
        clause: 'P2.a.2',
        summary: `Gemeld bij de gemeente (vroegsignalering, rapportage ${month})`,
        state,
      };
      pending.push({ contractId: c.contract_id, caseId: c.case_id, transition });
      included.push({ ...c, state });
    }
    await applyTransitions(tx, pending, { date, actor: options.actor, keyPrefix: `signal-export:${month}`, rules });

    const balances = await balancesOn(tx, date, { contractIds: included.map((c) => c.contract_id) });
    const lines = [HEADER.join(';')];
    for (const c of included) {
      lines.push(
        [
          c.contract_id,
          c.tenants,
          c.address,
          formatPostcode(c.postcode),
          c.city,
          c.phone ?? '',
          c.email ?? '',
          euros(balances.get(c.contract_id) ?? 0),
          c.state.signal!.reportedOn ?? date,
        ]
          .map(csvField)
          .join(';'),
      );
    }
    return { lines, result: { file: options.out, month, newlyReported: pending.length, rows: included.length, waiting } };
  });
  // Written after the commit: no file claims reports that did not happen. If writing fails, a
  // rerun of the same month writes the same file.
  writeFileSync(options.out, `\uFEFF${lines.join('\r\n')}\r\n`);
  return result;
}
