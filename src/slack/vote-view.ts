import { sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import { queryRows, type Executor } from '../db/client.js';
import { todayInAmsterdam, type IsoDate } from '../domain/calendar.js';
import type { CaseState } from '../domain/case-state.js';
import { tally } from '../domain/vote.js';
import { summonsWindowStatus } from '../domain/signal.js';
import { loadDossier } from '../dossier/dossier.js';
import { voteMessage, type VoteStepEvent, type VoteView } from './blocks/vote.js';
import type { SlackMessage } from './blocks/format.js';

/**
 * The MT vote of a case as the vote message shows it, read from the database: the open vote
 * (`state.vote`) or, once closed, the decision that replaced it (`state.mtDecision`). The outbox
 * posts it; the vote feature calls this after each ballot and updates the message with
 * `voteMessage(view)` (chat.update on the `vote` message ref), so the tally is always the
 * database's, never a count kept in Slack.
 */
export async function loadVoteView(executor: Executor, caseId: number, config: Config, asOf?: IsoDate): Promise<VoteView | null> {
  const [row] = await queryRows<{ contract_id: string; state: CaseState }>(
    executor,
    sql`select contract_id, state from cases where id = ${caseId}`,
  );
  if (!row) return null;
  const state = row.state;
  const vote = state.vote;
  const decision = state.mtDecision;
  if (!vote && !decision) return null;

  const date = asOf ?? todayInAmsterdam();
  const dossier = await loadDossier(executor, row.contract_id, date);
  if (!dossier) return null;
  const events = await queryRows<VoteStepEvent & Record<string, unknown>>(
    executor,
    sql`select "on"::text as "on", type, clause, data->>'from' as "from", data->>'to' as "to"
        from case_events where case_id = ${caseId} and type <> 'note'
        order by "on", id`,
  );

  // Only members' ballots count when the members are known (src/domain/vote.ts, decide).
  const members = config.mt?.members ?? [];
  const ballots = vote?.ballots ?? decision?.ballots ?? {};
  const counted = members.length === 0 ? ballots : Object.fromEntries(Object.entries(ballots).filter(([id]) => members.includes(id)));
  const t = tally(counted);

  return {
    caseId,
    contractId: row.contract_id,
    kind: vote?.kind ?? decision!.kind,
    status: vote ? 'open' : decision!.outcome,
    openedOn: vote?.openedOn ?? null,
    closesOn: vote?.closesOn ?? null,
    decidedOn: vote ? null : decision!.on,
    tally: { for: t.for, against: t.against, abstain: t.abstain },
    quorum: config.mt?.quorum ?? 3,
    balanceCents: dossier.balanceCents,
    monthsInArrears: dossier.monthsInArrears,
    letter: state.letter ? { sentOn: state.letter.sentOn, receivedOn: state.letter.receivedOn } : null,
    signal: state.signal
      ? {
          state: state.signal.state,
          reportedOn: state.signal.reportedOn,
          summonsWindow: summonsWindowStatus(state.signal.reportedOn, date),
        }
      : null,
    events: events.map((e) => ({ on: e.on, type: e.type, clause: e.clause, from: e.from, to: e.to })),
    massDiscussedOn: state.mass?.discussedOn ?? null,
    earlierVerdict:
      dossier.earlierVerdictDate !== null ||
      state.mass?.earlierVerdict === true ||
      (vote ?? decision)!.kind === 'repeat_verdict' ||
      state.verdict?.first === false,
  };
}

/** The vote message of a case, ready for chat.postMessage or chat.update; null without a vote. */
export async function loadVoteMessage(executor: Executor, caseId: number, config: Config, asOf?: IsoDate): Promise<SlackMessage | null> {
  const view = await loadVoteView(executor, caseId, config, asOf);
  return view ? voteMessage(view) : null;
}
