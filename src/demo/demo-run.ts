import { sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import { queryRows, type Database } from '../db/client.js';
import { runDaily } from '../daily/daily-run.js';
import { addDays, formatDutchDate, formatDutchLongDate, isWorkingDay, type IsoDate } from '../domain/calendar.js';
import type { TeamDigest } from '../cases/messages.js';

interface OutboxMessage {
  id: number;
  kind: string;
  channel: string;
  payload: Record<string, unknown>;
  [key: string]: unknown;
}

export interface SpanSummary {
  days: number;
  /** Transitions made by the daily run. */
  transitions: number;
  /** Outcomes recorded by the (simulated) teams and MT. */
  teamActions: number;
  messages: number;
  /** Where every case ended up: its stage, or `closed:<reason>`. */
  cases: Record<string, number>;
}

/**
 * Runs the procedure day by day over [from, to] and prints, per day and per team, what the bot
 * would post in Slack: the digest and the case cards, read back from the outbox.
 * `beforeDay` lets the demo play the team's part (recording outcomes) before each run.
 */
export async function runProcedureSpan(
  database: Database,
  config: Config,
  span: { from: IsoDate; to: IsoDate; maxCardsPerTeam?: number },
  out: (text: string) => void,
  beforeDay?: (day: IsoDate) => Promise<void>,
): Promise<SpanSummary> {
  const maxCards = span.maxCardsPerTeam ?? 4;
  const summary: SpanSummary = { days: 0, transitions: 0, teamActions: 0, messages: 0, cases: {} };
  let lastId = await maxOutboxId(database);
  for (let day = span.from; day <= span.to; day = addDays(day, 1)) {
    if (!isWorkingDay(day, config.holidays)) continue;
    await beforeDay?.(day);
    const report = await runDaily(database, config, { date: day });
    summary.days++;
    summary.transitions += report.transitions.length;
    const messages = await queryRows<OutboxMessage>(
      database.db,
      sql`select id, kind, channel, payload from outbox where id > ${lastId} order by id`,
    );
    summary.messages += messages.length;
    lastId = messages.at(-1)?.id ?? lastId;
    const cards = messages.filter((m) => m.kind !== 'digest');
    if (report.transitions.length === 0 && cards.length === 0) continue;

    out('');
    out(`${formatDutchLongDate(day)}${report.detectionDay ? ' · peildag (P1.a)' : ''} · ${report.transitions.length} overgangen`);
    for (const digest of messages.filter((m) => m.kind === 'digest')) {
      const d = digest.payload as unknown as TeamDigest;
      const teamCards = cards.filter((c) => c.channel === digest.channel && c.kind === 'case_card');
      if (d.newLetters.length === 0 && teamCards.length === 0) continue;
      out(`  #${d.teamName}: ${d.text.split('\n').slice(1).join(' · ')}`);
      for (const card of teamCards.slice(0, maxCards)) {
        const p = card.payload as { contractId: string; stage: string; clause: string | null; summary: string };
        out(`    kaart ${p.contractId} · ${p.stage}${p.clause ? ` [${p.clause}]` : ''}: ${p.summary}`);
      }
      if (teamCards.length > maxCards) out(`    ... en nog ${teamCards.length - maxCards} kaarten`);
    }
    for (const vote of cards.filter((c) => c.kind === 'mt_vote')) {
      const p = vote.payload as { contractId: string; closesOn: string };
      out(`  #MT: stemming over de ontruimingsprocedure voor ${p.contractId}, sluit ${formatDutchDate(p.closesOn)}`);
    }
  }
  const [actions] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int8 as n from case_events where actor <> 'system' and "on" between ${span.from}::date and ${span.to}::date`,
  );
  summary.teamActions = actions?.n ?? 0;
  const cases = await queryRows<{ state: string; n: number }>(
    database.db,
    sql`select coalesce('closed:' || closed_reason, stage) as state, count(*)::int8 as n from cases group by 1 order by 2 desc`,
  );
  for (const c of cases) summary.cases[c.state] = c.n;
  return summary;
}

async function maxOutboxId(database: Database): Promise<number> {
  const [row] = await queryRows<{ id: number | null }>(database.db, sql`select max(id)::int8 as id from outbox`);
  return row?.id ?? 0;
}
