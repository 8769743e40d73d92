import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../db/client.js';
import { formatDutchDate, type HolidayOptions, type IsoDate } from '../domain/calendar.js';
import { lettersDue } from '../domain/letters-due.js';
import { LETTER_KIND_NL, type LetterKind } from '../letters/letter-kinds.js';
import type { Config } from '../config.js';
import { procedureRules } from '../domain/case-state.js';
import type { AppliedTransition } from './case-store.js';
import { enqueueLetterFiles } from './messages.js';

/**
 * Records the letters the applied steps call for: one `letters` row each, with the case's facts
 * of that moment, and a `letter_sent` event in the dossier with its sending and assumed receipt
 * dates. One statement for any number of letters, inside the caller's transaction; the keys make
 * a repeat write nothing. The PDF itself is made later, on demand (src/cases/letter-printing.ts).
 */

export interface RecordedLetter {
  id: number;
  key: string;
  caseId: number;
  contractId: string;
  kind: LetterKind;
}

export async function recordLetters(
  tx: Executor,
  applied: readonly AppliedTransition[],
  options: { date: IsoDate; actor: string; holidays: HolidayOptions },
): Promise<RecordedLetter[]> {
  const rows = applied.flatMap((a) =>
    lettersDue(a.transition, options.date, options.holidays).map((due) => ({
      key: `letter:${a.caseId}:${due.kind}:${due.anchor}`,
      case_id: a.caseId,
      contract_id: a.contractId,
      kind: due.kind,
      letter_date: due.letterDate,
      received_on: due.receivedOn,
      clause: due.clause,
      summary: `${LETTER_KIND_NL[due.kind]} verstuurd op ${formatDutchDate(due.letterDate)}, ontvangst ${
        due.receivedOn === due.letterDate ? 'dezelfde dag (in de bus gedaan)' : `aangenomen op ${formatDutchDate(due.receivedOn)}`
      }`,
    })),
  );
  if (rows.length === 0) return [];
  return queryRows<RecordedLetter & Record<string, unknown>>(
    tx,
    sql`with r as (
          select * from rows from (json_to_recordset(${JSON.stringify(rows)}::json)
            as (key text, case_id int, contract_id text, kind text, letter_date date, received_on date, clause text, summary text)) with ordinality
            as r(key, case_id, contract_id, kind, letter_date, received_on, clause, summary, n)
        ),
        ins as (
          insert into letters (key, case_id, contract_id, kind, letter_date, received_on, state)
          -- The case row was just written by the same step: its state is the letter's facts, no need to send them twice.
          select r.key, r.case_id, r.contract_id, r.kind, r.letter_date, r.received_on, c.state from r join cases c on c.id = r.case_id
          order by r.n
          on conflict (key) do nothing
          returning id, key, case_id, contract_id, kind, letter_date, received_on
        ),
        ev as (
          insert into case_events (contract_id, case_id, "on", type, clause, actor, summary, data, idempotency_key)
          select ins.contract_id, ins.case_id, ins.letter_date, 'letter_sent', r.clause, ${options.actor}, r.summary,
                 json_build_object('kind', ins.kind, 'letterDate', ins.letter_date, 'receivedOn', ins.received_on),
                 ins.key
          from ins join r using (key)
          order by r.n
          on conflict (idempotency_key) do nothing
        )
        select id, key, case_id as "caseId", contract_id as "contractId", kind from ins order by id`,
  );
}

/** The letters of these steps, recorded, and queued as files for the case threads. */
export async function recordCaseLetters(
  tx: Executor,
  applied: readonly AppliedTransition[],
  options: { date: IsoDate; actor: string; config: Config },
): Promise<{ letters: RecordedLetter[]; messages: number }> {
  const letters = await recordLetters(tx, applied, {
    date: options.date,
    actor: options.actor,
    holidays: procedureRules(options.config).holidays,
  });
  return { letters, messages: await enqueueLetterFiles(tx, letters, options.config) };
}
