import { sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import { queryRows, type Executor } from '../db/client.js';
import { formatDutchLongDate, type IsoDate } from '../domain/calendar.js';
import { OPEN_STAGES, STAGE_SHORT_NL, type OpenStage } from '../domain/case-state.js';
import { stageAfter, type AppliedTransition } from './case-store.js';
import type { RecordedLetter } from './letter-records.js';

/**
 * Outgoing Slack messages, queued in the outbox in the same transaction as the change they
 * report. Keys make them idempotent; payloads hold ids, stages and dates, never notes or
 * health data, so nothing private can leak into a digest or a card. Slack delivery (and the
 * Block Kit rendering) reads these rows.
 */

// A case gets its own card from `contact` on; 14-day letters go out as one list in the digest.
const CARD_STAGES: readonly string[] = OPEN_STAGES.filter((s) => s !== 'reminder');

interface OutboxRow {
  key: string;
  kind: 'case_card' | 'mt_vote' | 'digest' | 'letter_file';
  contract_id: string | null;
  channel: string | null;
  case_id: number | null;
  payload: Record<string, unknown>;
}

function hadCard(a: AppliedTransition): boolean {
  const t = a.transition;
  const from = t.type === 'move' || t.type === 'close' ? t.from : t.type === 'update' ? t.stage : null;
  return from !== null && CARD_STAGES.includes(from);
}

/** Queues the case cards and MT votes for these transitions; returns how many were queued. */
export async function enqueueCaseMessages(tx: Executor, applied: AppliedTransition[], config: Config): Promise<number> {
  const rows: OutboxRow[] = [];
  for (const a of applied) {
    const t = a.transition;
    const stage = stageAfter(t);
    if (CARD_STAGES.includes(stage) || hadCard(a)) {
      rows.push({
        key: `card:${a.caseId}:${a.version}`,
        kind: 'case_card',
        contract_id: a.contractId,
        channel: null,
        case_id: a.caseId,
        payload: { caseId: a.caseId, contractId: a.contractId, version: a.version, stage, clause: t.clause, summary: t.summary },
      });
    }
    if ((t.type === 'move' || t.type === 'open') && t.to === 'mt_vote' && t.state.vote && config.mt) {
      rows.push({
        key: `vote:${a.caseId}:${t.state.vote.kind}:${t.state.vote.openedOn}`,
        kind: 'mt_vote',
        contract_id: a.contractId,
        channel: config.mt.channel,
        case_id: a.caseId,
        payload: { caseId: a.caseId, contractId: a.contractId, kind: t.state.vote.kind, closesOn: t.state.vote.closesOn },
      });
    }
  }
  return insertOutbox(tx, rows);
}

/**
 * Each new letter as a PDF in its case card's thread, except the 14-day letters: every one of a
 * day goes out once, in the team digest's one PDF to print, also for a case that opened straight
 * at contact (a second copy in the thread could be sent twice). Without the corporation's details
 * in the configuration no letter can be printed, so none is queued.
 */
export async function enqueueLetterFiles(tx: Executor, letters: readonly RecordedLetter[], config: Config): Promise<number> {
  if (!config.letters) return 0;
  const rows: OutboxRow[] = letters
    .filter((l) => l.kind !== 'reminder')
    .map((l) => ({
      key: `file:${l.key}`,
      kind: 'letter_file',
      contract_id: l.contractId,
      channel: null,
      case_id: l.caseId,
      // The key, not the id: it names the letter the same way however often the step was retried.
      payload: { letterKey: l.key, contractId: l.contractId, kind: l.kind },
    }));
  return insertOutbox(tx, rows);
}

/**
 * Inserts outbox rows in the given order (the worker sends a case's messages in id order); a row
 * without channel goes to its tenancy's team channel.
 */
export async function insertOutbox(tx: Executor, rows: OutboxRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await queryRows<{ n: number }>(
    tx,
    sql`with ins as (
          insert into outbox (key, channel, kind, case_id, payload)
          select r.key, coalesce(r.channel, tm.channel), r.kind, r.case_id, r.payload
          from rows from (json_to_recordset(${JSON.stringify(rows)}::json)
                 as (key text, kind text, contract_id text, channel text, case_id int, payload jsonb)) with ordinality
            as r(key, kind, contract_id, channel, case_id, payload, n)
          left join tenancies t on t.contract_id = r.contract_id
          left join teams tm on tm.key = t.team_key
          where coalesce(r.channel, tm.channel) is not null
          order by r.n
          on conflict (key) do nothing
          returning 1
        )
        select count(*)::int8 as n from ins`,
  );
  return inserted[0]?.n ?? 0;
}

export interface TeamDigest {
  team: string;
  teamName: string;
  date: IsoDate;
  counts: Partial<Record<OpenStage, number>>;
  /** Cases whose 14-day letter goes out today (P1). */
  newLetters: string[];
  /** The letters follow as one PDF in the digest's thread (the corporation's details are configured). */
  lettersPdf?: boolean;
  /** Tasks due today or earlier. */
  due: { contractId: string; stage: OpenStage; dueOn: IsoDate; overdue: boolean }[];
  text: string;
}

// The text stays short enough to read at a glance; the full list is in the payload.
const DIGEST_DUE_SHOWN = 8;

/** One digest per team per working day: counts per stage, today's letters, what is due. */
export async function buildTeamDigests(executor: Executor, date: IsoDate, config: Config): Promise<TeamDigest[]> {
  const rows = await queryRows<{ team_key: string; stage: OpenStage; n: number; letters: string[] | null; due: TeamDigest['due'] | null }>(
    executor,
    sql`select t.team_key, c.stage, count(*)::int8 as n,
               json_agg(c.contract_id order by c.contract_id) filter (where c.opened_on = ${date}::date and c.state ? 'letter') as letters,
               json_agg(json_build_object('contractId', c.contract_id, 'stage', c.stage, 'dueOn', c.due_on, 'overdue', c.due_on < ${date}::date)
                        order by c.due_on, c.contract_id) filter (where c.due_on <= ${date}::date and c.stage <> 'reminder') as due
        from cases c join tenancies t on t.contract_id = c.contract_id
        where c.closed_on is null
        group by t.team_key, c.stage`,
  );
  const digests: TeamDigest[] = [];
  for (const team of config.teams) {
    const mine = rows.filter((r) => r.team_key === team.key);
    const counts: TeamDigest['counts'] = {};
    for (const r of mine) counts[r.stage] = r.n;
    const newLetters = mine.flatMap((r) => r.letters ?? []).sort();
    const lettersPdf = config.letters !== undefined;
    const due = mine.flatMap((r) => r.due ?? []).sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.contractId.localeCompare(b.contractId));
    const parts = OPEN_STAGES.filter((s) => counts[s]).map((s) => `${STAGE_SHORT_NL[s]} ${counts[s]}`);
    const text = [
      `${team.name} · ${formatDutchLongDate(date)}`,
      `Nieuwe 14-dagenbrieven: ${newLetters.length}${lettersPdf && newLetters.length ? ' (één PDF om te printen)' : ''}${parts.length ? ` · ${parts.join(' · ')}` : ''}`,
      due.length
        ? `Vandaag: ${due
            .slice(0, DIGEST_DUE_SHOWN)
            .map((d) => `${d.contractId} ${STAGE_SHORT_NL[d.stage]}${d.overdue ? ' (verlopen)' : ''}`)
            .join(' · ')}${due.length > DIGEST_DUE_SHOWN ? ` · en nog ${due.length - DIGEST_DUE_SHOWN}` : ''}`
        : 'Vandaag: geen taken',
    ].join('\n');
    digests.push({ team: team.key, teamName: team.name, date, counts, newLetters, ...(lettersPdf ? { lettersPdf } : {}), due, text });
  }
  return digests;
}

export async function enqueueDigests(tx: Executor, digests: TeamDigest[], config: Config): Promise<number> {
  const channels = new Map(config.teams.map((t) => [t.key, t.channel]));
  return insertOutbox(
    tx,
    digests.map((d) => ({
      key: `digest:${d.team}:${d.date}`,
      kind: 'digest' as const,
      contract_id: null,
      channel: channels.get(d.team) ?? null,
      case_id: null,
      payload: { ...d },
    })),
  );
}
