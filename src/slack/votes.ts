import type { App, webApi } from '@slack/bolt';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { OutcomeResponse } from '../cases/outcome-service.js';
import { queryRows, type Executor } from '../db/client.js';
import type { Ballot } from '../domain/case-state.js';
import type { SlackDeps } from './app.js';
import {
  ballotRecordedText,
  BALLOT_NL,
  FAILURE_TEXT,
  NOT_MT_DOSSIER_TEXT,
  NOT_MT_TEXT,
  plainMessage,
  summaryModal,
  UNREADABLE_TEXT,
  VOTE_CLOSED_TEXT,
} from './blocks/modals.js';
import { voteMessage, type VoteView } from './blocks/vote.js';
import { auditLookup, blockActionSchema, causeOf, channelOf, clockOf, ephemeral, loadCardCase, loadCaseSummary } from './case-actions.js';
import { isMtMember } from './commands.js';
import { ACTIONS } from './ids.js';
import { loadVoteView } from './vote-view.js';

/**
 * The MT vote (P3.c, P4.b) in the MT channel (issue 4 item 6): Voor / Tegen / Onthouding and
 * Dossier. Only MT members count (config list or Slack user group); anyone else hears so
 * ephemerally and nothing is recorded. After each ballot the vote message shows the live tally
 * (`chat.update`); the ballot that decides closes the vote, the message then shows the outcome
 * without ballot buttons and the outcome goes to the case card's thread. Whether a ballot decides
 * is the outcome service's call (src/domain/vote.ts), never this file's.
 *
 * The idempotency key of a ballot: `ballot:{caseId}:{vote message ts}:{user}:{n}:{ballot}`, where
 * n counts the ballots this member already had recorded in this vote. A double click (or a second
 * click on the ballot that already stands) repeats the key of the member's last recorded ballot,
 * so the service replays it and writes nothing; a changed ballot gets n+1 and is recorded, also a
 * change back (voor → tegen → voor is three events). Two clicks at the same moment compute the same
 * key, and the service, which locks the case before it looks for the key, records one of them.
 * Keys live in the audit row each recorded ballot gets (`detail.key`), which is where n is counted.
 */

const BALLOT_OF: Record<string, Ballot> = {
  [ACTIONS.voteFor]: 'for',
  [ACTIONS.voteAgainst]: 'against',
  [ACTIONS.voteAbstain]: 'abstain',
};

interface BallotHistory {
  /** How many ballots of this member this vote recorded. */
  count: number;
  /** The key and ballot of the last of them. */
  last: { key: string; ballot: Ballot } | null;
}

function keyPrefix(caseId: number, voteTs: string, user: string): string {
  return `ballot:${caseId}:${voteTs}:${user}:`;
}

async function ballotHistory(executor: Executor, contractId: string, prefix: string, user: string): Promise<BallotHistory> {
  const rows = await queryRows<{ key: string }>(
    executor,
    sql`select detail->>'key' as key from audit_log
        where subject = ${contractId} and action = 'outcome.ballot' and actor = ${user}
          and left(detail->>'key', ${prefix.length}) = ${prefix}
        order by id`,
  );
  const lastKey = rows[rows.length - 1]?.key;
  const lastBallot = lastKey?.slice(lastKey.lastIndexOf(':') + 1);
  return {
    count: rows.length,
    last: lastKey && lastBallot && lastBallot in BALLOT_NL ? { key: lastKey, ballot: lastBallot as Ballot } : null,
  };
}

/** The key for this click: the last one again for the ballot that already stands, else the next. */
export function ballotKey(prefix: string, history: BallotHistory, ballot: Ballot): string {
  if (history.last?.ballot === ballot) return history.last.key;
  return `${prefix}${history.count}:${ballot}`;
}

/** A vote button's value (blocks/vote.ts): the case; its contract is looked up. */
const voteValueSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.object({ caseId: z.number().int().positive() }));

/** Re-renders the vote message from the database (the live tally, or the outcome once closed). */
async function renderVote(
  client: webApi.WebClient,
  deps: SlackDeps,
  caseId: number,
  where: { channel: string; ts: string },
  asOf: string,
): Promise<VoteView | null> {
  const view = await loadVoteView(deps.database.db, caseId, deps.config, asOf);
  if (!view) return null;
  const message = voteMessage(view);
  try {
    await client.chat.update({ channel: where.channel, ts: where.ts, text: message.text, blocks: message.blocks });
  } catch (err) {
    deps.log.warn('vote message update failed', { caseId, channel: where.channel, cause: causeOf(err) });
  }
  return view;
}

function refusalText(result: Exclude<OutcomeResponse, { ok: true }>): string {
  if (result.reason === 'not_authorised') return NOT_MT_TEXT;
  if (result.reason === 'invalid') return `${result.errors.map((e) => e.message).join(' ')} Er is niets vastgelegd.`;
  // The case left the vote (decided, or closed at its term by the daily run).
  if (result.reason === 'wrong_stage' || result.reason === 'no_open_case') return VOTE_CLOSED_TEXT;
  return `${result.message} Er is niets vastgelegd.`;
}

export function register(app: App, deps: SlackDeps): void {
  const today = clockOf(deps);

  for (const [actionId, ballot] of Object.entries(BALLOT_OF)) {
    app.action(actionId, async ({ ack, body, client }) => {
      await ack();
      const parsed = blockActionSchema.safeParse(body);
      if (!parsed.success) {
        deps.log.warn('ballot: unexpected payload', { action: actionId });
        return;
      }
      const user = parsed.data.user.id;
      const channel = channelOf(parsed.data);
      const where = { channel, user };
      try {
        const value = voteValueSchema.safeParse(parsed.data.actions[0]!.value ?? '');
        const voteTs = parsed.data.container?.message_ts ?? parsed.data.message?.ts;
        if (!value.success || !channel || !voteTs) return ephemeral(client, deps, where, plainMessage(UNREADABLE_TEXT));
        if (!(await isMtMember(deps.config, client, user, deps.log))) return ephemeral(client, deps, where, plainMessage(NOT_MT_TEXT));
        const found = await loadCardCase(deps.database.db, value.data.caseId);
        if (!found) return ephemeral(client, deps, where, plainMessage(UNREADABLE_TEXT));

        const { caseId, contractId } = found;
        const date = today();
        const prefix = keyPrefix(caseId, voteTs, user);
        const history = await ballotHistory(deps.database.db, contractId, prefix, user);
        const key = ballotKey(prefix, history, ballot);
        const result = await deps.outcomes.castBallot(user, contractId, { ballot }, { key, date });
        if (!result.ok) return ephemeral(client, deps, where, plainMessage(refusalText(result)));

        if (result.duplicate) {
          const text =
            result.stage === 'mt_vote'
              ? `Je stem (${BALLOT_NL[ballot]}) was al vastgelegd; er is niets dubbel geteld.`
              : `De stemming is gesloten; je stem (${BALLOT_NL[ballot]}) was al meegeteld.`;
          return ephemeral(client, deps, where, plainMessage(text));
        }
        const view = await renderVote(client, deps, caseId, { channel, ts: voteTs }, date);
        const recorded = ballotRecordedText(ballot, history.count > 0);
        if (!view || view.status === 'open') return ephemeral(client, deps, where, plainMessage(recorded));
        // This ballot decided: the vote is closed. The outcome reaches the case thread through the
        // outbox (the card's stage change), which also survives a Slack outage: no second post here.
        await ephemeral(client, deps, where, plainMessage(`${recorded} Daarmee is de stemming gesloten.`));
      } catch (err) {
        deps.log.error('ballot failed', { action: actionId, cause: causeOf(err) });
        await ephemeral(client, deps, where, plainMessage(FAILURE_TEXT));
      }
    });
  }

  app.action(ACTIONS.voteDossier, async ({ ack, body, client }) => {
    await ack();
    const parsed = blockActionSchema.safeParse(body);
    if (!parsed.success || !parsed.data.trigger_id) {
      deps.log.warn('vote dossier: unexpected payload', {});
      return;
    }
    const user = parsed.data.user.id;
    const where = { channel: channelOf(parsed.data), user };
    try {
      const value = voteValueSchema.safeParse(parsed.data.actions[0]!.value ?? '');
      const found = value.success ? await loadCardCase(deps.database.db, value.data.caseId) : null;
      if (!found) return ephemeral(client, deps, where, plainMessage(UNREADABLE_TEXT));
      const { caseId, contractId } = found;
      if (!(await isMtMember(deps.config, client, user, deps.log))) {
        await auditLookup(deps, user, contractId, { via: 'mt_vote', caseId, outcome: 'refused' });
        return ephemeral(client, deps, where, plainMessage(NOT_MT_DOSSIER_TEXT));
      }
      const summary = await loadCaseSummary(deps.database.db, contractId, today());
      if (!summary) return ephemeral(client, deps, where, plainMessage(UNREADABLE_TEXT));
      await auditLookup(deps, user, contractId, { via: 'mt_vote', caseId, outcome: 'dossier', mt: true });
      await client.views.open({ trigger_id: parsed.data.trigger_id, view: summaryModal(summary) });
    } catch (err) {
      deps.log.error('vote dossier failed', { cause: causeOf(err) });
      await ephemeral(client, deps, where, plainMessage(FAILURE_TEXT));
    }
  });
}
