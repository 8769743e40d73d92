/**
 * Delivery of the outbox to Slack: cards, MT votes and digests, each message exactly once.
 *
 * Exactly once, also across a crash between Slack's answer and our commit:
 *
 * 1. Claim before calling Slack. A row is claimed in its own committed statement: status
 *    `sending`, `claimed_at` (kept from the first claim that has not had a definite answer since),
 *    `attempts + 1`, and `next_attempt_at = now + lease` so no other worker takes it while it is in
 *    flight (`for update skip locked`). From then on the database says "a message may exist in
 *    Slack that this row does not know of".
 * 2. Tag every post. chat.postMessage carries `metadata: { event_type: 'huurwacht_outbox',
 *    event_payload: { key } }` with the row's key (thread replies: `key#reminder`, `key#summary`).
 * 3. Commit the answer. Each message's `ts` is stored in `progress` in one transaction with what
 *    depends on it (the `slack_messages` ref of a card or vote); the row becomes `sent` when all its
 *    messages are done. A row's messages go out in a fixed order, so at most one of them can be
 *    unrecorded: the first one not in `progress`.
 * 4. Look before posting again. A claim that finds `claimed_at` already set (the lease of a
 *    crashed worker ran out, or the last attempt ended without a definite answer: network error,
 *    timeout, 5xx) first searches the channel (conversations.history, or conversations.replies for
 *    a thread reply) from `claimed_at` minus a minute, with `include_all_metadata`, for its key,
 *    and adopts the `ts` it finds instead of posting. Only definite refusals (429, a Slack error
 *    code) clear `claimed_at`: then nothing was posted and the next attempt posts without looking.
 *    chat.update is idempotent and needs no search.
 *
 * Throughput and failures: at most one message per `channelIntervalMs` per channel (tracked per
 * channel, so one busy channel never slows another); a 429 defers that channel's rows for its
 * Retry-After and costs no attempt; a 5xx or network error backs the row off exponentially and
 * pauses the worker (Slack is probably down: the other rows need not each find that out), and
 * after `maxAttempts` the row is `failed` with `last_error`, logged and left for an operator
 * (`retryFailedOutbox`). Messages of one case go out in order: a row waits while an older row of
 * its case is not `sent`, failed ones included. The worker has its own WebClient
 * (`createOutboxClient`), so its rate-limit pauses never delay Bolt's interactive calls.
 *
 * Slack is a view: a card is rendered from the current dossier when it is sent, not from the
 * row's snapshot; the row's summary becomes a reply in the card's thread, the case's history.
 */
import { webApi } from '@slack/bolt';
import { sql } from 'drizzle-orm';
import type { TeamDigest } from '../cases/messages.js';
import type { Config } from '../config.js';
import { queryRows, type Database, type Executor, type Tx } from '../db/client.js';
import type { CaseStage, ClosedReason } from '../db/schema.js';
import { todayInAmsterdam, type IsoDate } from '../domain/calendar.js';
import type { CaseState } from '../domain/case-state.js';
import { summonsWindowStatus } from '../domain/signal.js';
import { loadDossier, type Dossier, type DossierCase } from '../dossier/dossier.js';
import { letterFileName, LetterPrintingError, letterRowsForDigest, printLetters } from '../cases/letter-printing.js';
import { loadLetterTemplates, type LetterTemplates } from '../letters/templates.js';
import type { Logger } from '../log.js';
import { caseCardMessage, PRIVACY_REMINDER, stageReplyText, type CaseCardOptions } from './blocks/case-card.js';
import { digestMessage } from './blocks/digest.js';
import type { SlackMessage } from './blocks/format.js';
import { findMessageRef } from './message-refs.js';
import { loadVoteMessage } from './vote-view.js';

export { PRIVACY_REMINDER };

type WebClient = InstanceType<typeof webApi.WebClient>;

export const OUTBOX_EVENT_TYPE = 'huurwacht_outbox';

export interface OutboxWorkerOptions {
  database: Database;
  config: Config;
  /** A client of its own (createOutboxClient): never Bolt's, whose 429 pause would stall modals. */
  client: WebClient;
  log: Logger;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** The day cards and votes show the dossier as of; default today in Amsterdam. */
  today?: () => IsoDate;
  /** Slack allows about one message per second per channel. */
  channelIntervalMs?: number;
  /** How long the loop waits when nothing was sent. */
  pollIntervalMs?: number;
  batchSize?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** How long a claim keeps other workers off a row; renewed after each message of the row. */
  claimLeaseMs?: number;
  /** The letter templates, checked at start-up; default: loaded on first use from `letters.templatesDir` or the built-in ones. */
  letterTemplates?: LetterTemplates;
}

export interface OutboxRunResult {
  /** Rows delivered completely. */
  sent: number;
  /** Rows whose attempt failed: retried later with backoff, or `failed` after the last attempt. */
  failed: number;
  /** Due rows not attempted: their channel is rate-limited, Slack is paused, or the worker stops. */
  deferred: number;
}

export interface OutboxWorker {
  runOnce(): Promise<OutboxRunResult>;
  /** Polls, delivers and waits until stop(). */
  start(): void;
  /** Lets the message in flight finish, then resolves. */
  stop(): Promise<void>;
  /** Polls now instead of after the interval (e.g. after an interactive action queued a card). */
  wake(): void;
}

/** The outbox's WebClient: rate limits and retries are the worker's business, not the client's. */
export function createOutboxClient(options: { token: string; apiUrl?: string; timeoutMs?: number }): WebClient {
  return new webApi.WebClient(options.token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    // A hung call must end as an (ambiguous) error well within the claim lease.
    timeout: options.timeoutMs ?? 15_000,
    logLevel: webApi.LogLevel.ERROR,
  });
}

// ---------------------------------------------------------------------------------------------
// Rendering at send time

/** A case card as of `asOf`: the dossier plus the facts of this very case (a newer case may exist). */
export async function loadCaseCardView(
  executor: Executor,
  caseId: number,
  asOf: IsoDate,
): Promise<{ dossier: Dossier; options: CaseCardOptions } | null> {
  const [row] = await queryRows<{
    contract_id: string;
    stage: CaseStage;
    version: number;
    opened_on: string;
    stage_since: string;
    closed_on: string | null;
    closed_reason: ClosedReason | null;
    state: CaseState;
    latest: boolean;
  }>(
    executor,
    sql`select c.contract_id, c.stage, c.version, c.opened_on::text as opened_on, c.stage_since::text as stage_since,
               c.closed_on::text as closed_on, c.closed_reason, c.state,
               c.id = (select l.id from cases l where l.contract_id = c.contract_id order by (l.closed_on is null) desc, l.id desc limit 1) as latest
        from cases c where c.id = ${caseId}`,
  );
  if (!row) return null;
  const dossier = await loadDossier(executor, row.contract_id, asOf);
  if (!dossier) return null;
  const state = row.state;
  // The dossier describes the tenancy's latest case; an older one is closed and has no next step.
  const own: DossierCase | null = row.latest
    ? dossier.case
    : {
        stage: row.stage,
        ...(row.closed_reason ? { closedReason: row.closed_reason } : {}),
        openedOn: row.opened_on,
        stageSince: row.stage_since,
        ...(row.closed_on ? { closedOn: row.closed_on } : {}),
        nextAction: null,
        dueOn: null,
      };
  return {
    dossier,
    options: {
      caseId,
      version: row.version,
      ...(own ? { case: own } : {}),
      letter: state.letter ? { sentOn: state.letter.sentOn, receivedOn: state.letter.receivedOn } : null,
      hold: state.hold && row.stage !== 'closed' ? { reason: state.hold.reason, until: state.hold.until } : null,
      duringProbation: state.duringProbation === true,
      signal: state.signal ? { ...state.signal, summonsWindow: summonsWindowStatus(state.signal.reportedOn, asOf) } : null,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Operator helpers

export interface OutboxProblem {
  key: string;
  channel: string;
  kind: string;
  caseId: number | null;
  attempts: number;
  lastError: string | null;
}

/** Failed rows, for the operator (and the logs): they block later messages of their case. */
export async function listFailedOutbox(executor: Executor): Promise<OutboxProblem[]> {
  const rows = await queryRows<{
    key: string;
    channel: string;
    kind: string;
    case_id: number | null;
    attempts: number;
    last_error: string | null;
  }>(executor, sql`select key, channel, kind, case_id, attempts, last_error from outbox where status = 'failed' order by id`);
  return rows.map((r) => ({
    key: r.key,
    channel: r.channel,
    kind: r.kind,
    caseId: r.case_id,
    attempts: r.attempts,
    lastError: r.last_error,
  }));
}

/**
 * Puts failed rows back in the queue (all, or these keys). A row that may have reached Slack keeps
 * its `claimed_at`, so the worker looks for it before posting again.
 */
export async function retryFailedOutbox(executor: Executor, keys?: string[]): Promise<number> {
  if (keys && keys.length === 0) return 0;
  const filter = keys
    ? sql`and key in (${sql.join(
        keys.map((k) => sql`${k}`),
        sql`, `,
      )})`
    : sql``;
  const rows = await queryRows<{ id: number }>(
    executor,
    sql`update outbox set status = case when claimed_at is null then 'pending' else 'sending' end,
               attempts = 0, next_attempt_at = now()
        where status = 'failed' ${filter}
        returning id`,
  );
  return rows.length;
}

// ---------------------------------------------------------------------------------------------
// Slack errors

type FailureKind =
  /** 429: not posted; the channel waits Retry-After. */
  | 'rate_limited'
  /** 5xx, network error, timeout: perhaps posted; Slack is probably down for every row. */
  | 'unavailable'
  /** Our token: not posted; nothing works until an operator acts. */
  | 'auth'
  /** This message can never be sent as it is: not posted; fail at once. */
  | 'permanent'
  /** Slack refused this call (not in channel, archived, ...): not posted; retry with backoff. */
  | 'rejected'
  /** Our side (database, a bug): perhaps posted. */
  | 'internal';

class DeliveryError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly channel: string | null,
    readonly slackError: string | null = null,
    readonly retryAfterMs = 0,
  ) {
    super(message);
  }
}

const UNAVAILABLE_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);
const AUTH_ERRORS = new Set([
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'access_denied',
  'ekm_access_denied',
  'org_login_required',
]);
const PERMANENT_ERRORS = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'msg_blocks_too_long',
  'no_text',
  'invalid_arguments',
  'invalid_arg_name',
  'invalid_array_arg',
  'invalid_charset',
  'invalid_form_data',
  'invalid_json',
  'json_not_object',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'metadata_too_large',
  'metadata_must_be_sent_from_app',
  'too_many_attachments',
  'markdown_text_conflict',
]);
/** chat.update on a message someone deleted: a card is posted again. */
const GONE_ERRORS = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);

function toDeliveryError(err: unknown, channel: string | null): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = err as { code?: string; retryAfter?: number; statusCode?: number; original?: Error; data?: { error?: string } };
  switch (e?.code) {
    case 'slack_webapi_rate_limited_error': {
      const seconds = Number.isFinite(e.retryAfter) ? Math.max(0, e.retryAfter!) : 1;
      return new DeliveryError('rate_limited', `429 rate limited (Retry-After ${seconds} s)`, channel, 'ratelimited', seconds * 1000);
    }
    case 'slack_webapi_http_error':
      return new DeliveryError(
        (e.statusCode ?? 500) >= 500 ? 'unavailable' : 'rejected',
        `HTTP ${e.statusCode ?? '?'} from Slack`,
        channel,
      );
    case 'slack_webapi_request_error':
      return new DeliveryError('unavailable', `request failed: ${e.original?.message ?? 'network error'}`, channel);
    case 'slack_webapi_platform_error': {
      const code = e.data?.error ?? 'unknown_error';
      if (code === 'ratelimited' || code === 'rate_limited')
        return new DeliveryError('rate_limited', `Slack error ${code}`, channel, code, 1000);
      const kind: FailureKind = UNAVAILABLE_ERRORS.has(code)
        ? 'unavailable'
        : AUTH_ERRORS.has(code)
          ? 'auth'
          : PERMANENT_ERRORS.has(code)
            ? 'permanent'
            : 'rejected';
      return new DeliveryError(kind, `Slack error ${code}`, channel, code);
    }
    default:
      return new DeliveryError('internal', err instanceof Error ? err.message : String(err), channel);
  }
}

// ---------------------------------------------------------------------------------------------
// The worker

interface DueRow {
  id: number;
  key: string;
  channel: string;
  kind: string;
  case_id: number | null;
  payload: Record<string, unknown>;
}

/** What of a row's messages is done, committed after each one. */
interface Progress {
  /** ts of the row's main message: the card (posted or updated), the vote, the digest. */
  main?: string;
  /** Where the main message lives (a card's ref may name another channel than the row). */
  channel?: string;
  /** The card was posted by this row, so its thread needs the privacy reminder. */
  posted?: boolean;
  reminder?: string;
  summary?: string;
  /** The vote message was refreshed for this change. */
  vote?: boolean;
  /** Uploaded files: the file id once shared (`letters`: the digest's PDF; `file`: a case's letter). */
  letters?: string;
  file?: string;
  /** A file id asked for but perhaps not yet shared; after an interruption the channel is searched for it. */
  'letters#pending'?: string;
  'file#pending'?: string;
}

interface Attempt {
  row: DueRow;
  attempts: number;
  claimedAtMs: number;
  progress: Progress;
  /** A message of this row may be in Slack unrecorded: look before posting. */
  uncertain: boolean;
}

interface CardPayload {
  caseId: number;
  contractId: string;
  version: number;
  stage: CaseStage;
  clause: string | null;
  summary: string;
}

type Outcome = 'sent' | 'failed' | 'deferred' | 'skipped';

interface SearchedMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: { key?: unknown } };
  files?: { id?: string }[];
}

interface LetterFilePayload {
  letterKey: string;
  contractId: string;
  kind: string;
}

// Slack's timestamps and our clock may differ a little; the search starts this much earlier.
const SEARCH_MARGIN_MS = 60_000;
const SEARCH_PAGES = 20;
// Slack shares an uploaded file asynchronously after files.completeUploadExternal answers.
const SHARE_SETTLE_MS = 30_000;

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { database, config, client, log } = options;
  const db = database.db;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const today = options.today ?? (() => todayInAmsterdam(now()));
  let loadedTemplates = options.letterTemplates;
  const templates = () => (loadedTemplates ??= loadLetterTemplates(config.letters?.templatesDir));
  const channelInterval = options.channelIntervalMs ?? 1100;
  const pollInterval = options.pollIntervalMs ?? 1000;
  const batchSize = options.batchSize ?? 100;
  const maxAttempts = options.maxAttempts ?? 8;
  const backoffBase = options.backoffBaseMs ?? 5_000;
  const backoffMax = options.backoffMaxMs ?? 15 * 60_000;
  const lease = options.claimLeaseMs ?? 60_000;

  /** Per channel: the earliest moment the next message may go (pacing). */
  const nextSlot = new Map<string, number>();
  /** Per channel: rate-limited until. */
  const blockedUntil = new Map<string, number>();
  let pausedUntil = 0;
  let outages = 0;
  let stopping = false;
  let loop: Promise<void> | null = null;
  let wakeUp: (() => void) | null = null;
  let running: Promise<OutboxRunResult> | null = null;

  const nowMs = () => now().getTime();
  const iso = (ms: number) => new Date(ms).toISOString();
  const backoff = (n: number) => Math.min(backoffBase * 2 ** Math.max(0, n - 1), backoffMax);

  /** Reserves the channel's next slot synchronously, so concurrent senders queue up behind it. */
  async function pace(channel: string): Promise<void> {
    const t = nowMs();
    const at = Math.max(t, nextSlot.get(channel) ?? 0);
    nextSlot.set(channel, at + channelInterval);
    if (at > t) await sleep(at - t);
  }

  async function slack<T>(channel: string, write: boolean, call: () => Promise<T>): Promise<T> {
    if (write) await pace(channel);
    try {
      return await call();
    } catch (err) {
      throw toDeliveryError(err, channel);
    }
  }

  // -- database steps -------------------------------------------------------------------------

  async function selectDue(): Promise<DueRow[]> {
    return queryRows<DueRow & Record<string, unknown>>(
      db,
      sql`select o.id, o.key, o.channel, o.kind, o.case_id, o.payload
          from outbox o
          where o.status in ('pending', 'sending') and o.next_attempt_at <= ${iso(nowMs())}::timestamptz
            and (o.case_id is null or not exists (
              select 1 from outbox p where p.case_id = o.case_id and p.id < o.id and p.status <> 'sent'))
          order by o.id
          limit ${batchSize}`,
    );
  }

  async function claim(row: DueRow): Promise<Attempt | null> {
    const t = nowMs();
    const [claimed] = await queryRows<{ attempts: number; claimed_ms: number; progress: Progress; uncertain: boolean }>(
      db,
      sql`with prev as (
            select id, claimed_at from outbox
            where id = ${row.id} and status in ('pending', 'sending') and next_attempt_at <= ${iso(t)}::timestamptz
            for update skip locked
          )
          update outbox o set status = 'sending', claimed_at = coalesce(o.claimed_at, ${iso(t)}::timestamptz),
                 attempts = o.attempts + 1, next_attempt_at = ${iso(t + lease)}::timestamptz
          from prev where o.id = prev.id
          returning o.attempts, (extract(epoch from o.claimed_at) * 1000)::float8 as claimed_ms, o.progress,
                    (prev.claimed_at is not null) as uncertain`,
    );
    if (!claimed) return null;
    return {
      row,
      attempts: claimed.attempts,
      claimedAtMs: Number(claimed.claimed_ms),
      progress: claimed.progress ?? {},
      uncertain: claimed.uncertain,
    };
  }

  /** Records a finished message (and what depends on it) and renews the lease for the next one. */
  async function saveProgress(a: Attempt, also?: (tx: Tx) => Promise<void>): Promise<void> {
    await db.transaction(async (tx) => {
      await tx.execute(
        sql`update outbox set progress = ${JSON.stringify(a.progress)}::jsonb, next_attempt_at = ${iso(nowMs() + lease)}::timestamptz
            where id = ${a.row.id}`,
      );
      if (also) await also(tx);
    });
    // Later messages of this attempt were never tried before: only the first open one was in doubt.
    a.uncertain = false;
  }

  async function finish(a: Attempt, ts: string): Promise<void> {
    await db.execute(
      sql`update outbox set status = 'sent', slack_ts = ${ts}, sent_at = ${iso(nowMs())}::timestamptz, last_error = null,
                 progress = ${JSON.stringify(a.progress)}::jsonb
          where id = ${a.row.id}`,
    );
  }

  async function upsertRef(tx: Tx, ref: { caseId: number; kind: 'card' | 'vote'; channel: string; ts: string; outboxKey: string }) {
    // A new vote of the same case, or a card posted again after someone deleted it, replaces the ref.
    await tx.execute(sql`
      insert into slack_messages (case_id, kind, channel, ts, outbox_key)
      values (${ref.caseId}, ${ref.kind}, ${ref.channel}, ${ref.ts}, ${ref.outboxKey})
      on conflict (case_id, kind) do update set channel = excluded.channel, ts = excluded.ts, outbox_key = excluded.outbox_key
    `);
  }

  async function deferChannel(channel: string, until: number): Promise<void> {
    blockedUntil.set(channel, Math.max(until, blockedUntil.get(channel) ?? 0));
    // Keeps the batch query from filling up with rows that cannot go yet.
    await db.execute(
      sql`update outbox set next_attempt_at = ${iso(until)}::timestamptz
          where channel = ${channel} and status in ('pending', 'sending') and next_attempt_at < ${iso(until)}::timestamptz`,
    );
  }

  // -- Slack steps ----------------------------------------------------------------------------

  /** Searches the channel (or a thread) for a message this row posted but never recorded. */
  async function findPosted(channel: string, key: string, sinceMs: number, threadTs?: string): Promise<string | null> {
    return searchChannel(
      channel,
      sinceMs,
      threadTs,
      (m) => m.metadata?.event_type === OUTBOX_EVENT_TYPE && m.metadata.event_payload?.key === key,
    );
  }

  async function searchChannel(
    channel: string,
    sinceMs: number,
    threadTs: string | undefined,
    match: (m: SearchedMessage) => boolean,
  ): Promise<string | null> {
    const oldest = ((sinceMs - SEARCH_MARGIN_MS) / 1000).toFixed(6);
    let cursor: string | undefined;
    for (let page = 0; page < SEARCH_PAGES; page++) {
      const args = { channel, oldest, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) };
      const res = await slack(channel, false, () =>
        threadTs ? client.conversations.replies({ ...args, ts: threadTs }) : client.conversations.history(args),
      );
      for (const m of (res.messages ?? []) as SearchedMessage[]) {
        if (m.ts && match(m)) return m.ts;
      }
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!res.has_more || !cursor) break;
    }
    return null;
  }

  /** Posts one message of the row exactly once: recorded, adopted after a crash, or posted now. */
  async function postOnce(
    a: Attempt,
    step: 'main' | 'reminder' | 'summary',
    channel: string,
    message: SlackMessage | { text: string },
    threadTs?: string,
    onPosted?: (tx: Tx, ts: string) => Promise<void>,
  ): Promise<string> {
    const done = a.progress[step];
    if (done) return done;
    const key = step === 'main' ? a.row.key : `${a.row.key}#${step}`;
    let ts: string | null = null;
    if (a.uncertain) {
      ts = await findPosted(channel, key, a.claimedAtMs, threadTs);
      // Searched: whatever happens next, nothing unrecorded can be in Slack any more.
      a.uncertain = false;
      if (ts) log.info('outbox: adopted a message posted before an interruption', { key, channel, ts });
    }
    if (!ts) {
      const res = await slack(channel, true, () =>
        client.chat.postMessage({
          channel,
          ...message,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { key } },
        }),
      );
      if (!res.ts) throw new DeliveryError('internal', 'chat.postMessage answered without ts', channel);
      ts = res.ts;
    }
    a.progress[step] = ts;
    if (step === 'main') a.progress.channel = channel;
    const posted = ts;
    await saveProgress(a, onPosted ? (tx) => onPosted(tx, posted) : undefined);
    return posted;
  }

  async function deliverCard(a: Attempt): Promise<string> {
    const payload = a.row.payload as unknown as CardPayload;
    const caseId = a.row.case_id ?? payload.caseId;
    const p = a.progress;
    if (!p.main) {
      const view = await loadCaseCardView(db, caseId, today());
      if (!view) throw new DeliveryError('permanent', `case ${caseId} not found`, null);
      const message = caseCardMessage(view.dossier, view.options);
      const ref = await findMessageRef(db, caseId, 'card');
      if (ref) {
        try {
          await slack(ref.channel, true, () => client.chat.update({ channel: ref.channel, ts: ref.ts, ...message }));
          Object.assign(p, { main: ref.ts, channel: ref.channel, posted: false });
          await saveProgress(a);
        } catch (err) {
          const e = toDeliveryError(err, ref.channel);
          if (!(e.slackError && GONE_ERRORS.has(e.slackError))) throw e;
          log.warn('outbox: case card gone from Slack, posting it again', { key: a.row.key, caseId, channel: ref.channel });
        }
      }
      if (!p.main) {
        p.posted = true;
        await postOnce(a, 'main', a.row.channel, message, undefined, (tx, ts) =>
          upsertRef(tx, { caseId, kind: 'card', channel: a.row.channel, ts, outboxKey: a.row.key }),
        );
      }
    }
    const channel = p.channel ?? a.row.channel;
    if (p.posted) await postOnce(a, 'reminder', channel, { text: PRIVACY_REMINDER }, p.main);
    if (payload.summary) {
      await postOnce(a, 'summary', channel, { text: stageReplyText(payload.stage, payload.clause ?? null, payload.summary) }, p.main);
    }
    await refreshVote(a, caseId, payload);
    return p.main!;
  }

  /**
   * A change into, within or out of `mt_vote` (a ballot, the daily run closing the vote at its
   * term) also shows on the vote message; only when the ref is the case's latest vote, so a new
   * vote's card never rewrites the previous vote's message.
   */
  async function refreshVote(a: Attempt, caseId: number, payload: CardPayload): Promise<void> {
    if (a.progress.vote) return;
    const [facts] = await queryRows<{ from_stage: string | null; ref_channel: string | null; ref_ts: string | null; current: boolean }>(
      db,
      sql`select (select e.data->>'from' from case_events e
                  where e.case_id = ${caseId} and e.type <> 'note' and e.data->>'version' = ${String(payload.version)}
                  order by e.id desc limit 1) as from_stage,
                 m.channel as ref_channel, m.ts as ref_ts,
                 m.outbox_key = (select o.key from outbox o where o.case_id = ${caseId} and o.kind = 'mt_vote' order by o.id desc limit 1) as current
          from (select 1) one left join slack_messages m on m.case_id = ${caseId} and m.kind = 'vote'`,
    );
    if (!facts?.ref_channel || !facts.ref_ts || !facts.current) return;
    if (payload.stage !== 'mt_vote' && facts.from_stage !== 'mt_vote') return;
    const message = await loadVoteMessage(db, caseId, config, today());
    if (!message) return;
    const { ref_channel: channel, ref_ts: ts } = facts;
    try {
      await slack(channel, true, () => client.chat.update({ channel, ts, ...message }));
    } catch (err) {
      const e = toDeliveryError(err, channel);
      if (!(e.slackError && GONE_ERRORS.has(e.slackError))) throw e;
      log.warn('outbox: vote message gone from Slack, not refreshed', { key: a.row.key, caseId, channel });
    }
    a.progress.vote = true;
    await saveProgress(a);
  }

  async function deliverVote(a: Attempt): Promise<string> {
    const caseId = a.row.case_id ?? Number((a.row.payload as { caseId?: number }).caseId);
    const message = a.progress.main ? null : await loadVoteMessage(db, caseId, config, today());
    if (!a.progress.main && !message) throw new DeliveryError('permanent', `case ${caseId} has no vote`, null);
    return postOnce(a, 'main', a.row.channel, message ?? { text: '' }, undefined, (tx, ts) =>
      upsertRef(tx, { caseId, kind: 'vote', channel: a.row.channel, ts, outboxKey: a.row.key }),
    );
  }

  async function deliverDigest(a: Attempt): Promise<string> {
    const digest = a.row.payload as unknown as TeamDigest;
    const ts = await postOnce(a, 'main', a.row.channel, digestMessage(digest));
    // P1: the day's 14-day letters as one PDF to print, in the digest's thread, as its text promised.
    if (digest.newLetters.length > 0 && digest.lettersPdf) {
      const shared = await uploadOnce(a, 'letters', a.row.channel, ts, async () => {
        const ids = await letterRowsForDigest(db, digest.date, digest.newLetters);
        const printed = await printForSlack(ids);
        if (typeof printed === 'string') return printed;
        for (const r of printed.refused)
          log.warn('outbox: a 14-day letter cannot be made', { key: a.row.key, letter: r.key, reason: r.reason });
        return {
          filename: `14-dagenbrieven-${digest.team}-${digest.date}.pdf`,
          title: `14-dagenbrieven ${digest.teamName} (${printed.letters.length})`,
          bytes: printed.pdf,
        };
      });
      if (typeof shared !== 'string') await postOnce(a, 'summary', a.row.channel, { text: `:warning: ${shared.refusal}` }, ts);
    }
    return ts;
  }

  /**
   * A case's letter as a PDF in its card's thread (or the channel if the card is not there). A
   * letter that cannot be printed (the tenant paid before the card went in the mailbox, the
   * corporation's details left the configuration) becomes a note in the thread saying why: the
   * team knows, and the case's later messages are not held up by a row that can only fail.
   */
  async function deliverLetterFile(a: Attempt): Promise<string> {
    const payload = a.row.payload as unknown as LetterFilePayload;
    const ref = a.row.case_id === null ? null : await findMessageRef(db, a.row.case_id, 'card');
    const channel = ref?.channel ?? a.row.channel;
    const shared = await uploadOnce(a, 'file', channel, ref?.ts, async () => {
      const [letter] = await queryRows<{ id: number }>(db, sql`select id from letters where key = ${payload.letterKey}`);
      if (!letter) throw new DeliveryError('permanent', `letter ${payload.letterKey} not found`, null);
      const printed = await printForSlack([letter.id]);
      if (typeof printed === 'string') return printed;
      const name = letterFileName(printed.letters[0]!);
      return { filename: name, title: name.replace(/\.pdf$/, ''), bytes: printed.pdf };
    });
    if (typeof shared === 'string') return shared;
    return postOnce(a, 'summary', channel, { text: `:warning: ${shared.refusal}` }, ref?.ts);
  }

  /** The PDF of these letters, or why none can be made (Dutch, for the team's thread). */
  async function printForSlack(ids: readonly number[]): Promise<string | (Awaited<ReturnType<typeof printLetters>> & { pdf: Uint8Array })> {
    if (ids.length === 0) return 'Er zijn geen brieven om te maken.';
    try {
      const printed = await db.transaction((tx) => printLetters(tx, ids, { config, templates: templates() }));
      if (!printed.pdf) return printed.refused[0]?.reason ?? 'De brief kan niet worden gemaakt.';
      return { ...printed, pdf: printed.pdf };
    } catch (err) {
      if (err instanceof LetterPrintingError) return err.message;
      throw err;
    }
  }

  /**
   * Shares one file exactly once. Slack's upload has three steps (ask for a URL, post the bytes,
   * share the file); the file id is committed before the bytes go, so after an interruption the
   * channel is searched for a message carrying that file, and only an unshared file is made
   * again (an upload never shared is invisible to the workspace). Slack shares asynchronously:
   * a file not found within SHARE_SETTLE_MS of the interrupted attempt is looked for again later
   * rather than uploaded a second time. `make` returns the file, or why there is none.
   */
  async function uploadOnce(
    a: Attempt,
    step: 'letters' | 'file',
    channel: string,
    threadTs: string | undefined,
    make: () => Promise<{ filename: string; title: string; bytes: Uint8Array } | string>,
  ): Promise<string | { refusal: string }> {
    const done = a.progress[step];
    if (done) return done;
    const pendingStep = `${step}#pending` as const;
    const pending = a.progress[pendingStep];
    if (pending && a.uncertain) {
      const found = await searchChannel(channel, a.claimedAtMs, threadTs, (m) => (m.files ?? []).some((f) => f.id === pending));
      a.uncertain = false;
      if (found) {
        log.info('outbox: adopted a file shared before an interruption', { key: a.row.key, channel, fileId: pending });
        a.progress[step] = pending;
        await saveProgress(a);
        return pending;
      }
      if (nowMs() - a.claimedAtMs < SHARE_SETTLE_MS) {
        throw new DeliveryError('internal', `file ${pending} may still be being shared; looking again later`, channel);
      }
    }
    const file = await make();
    if (typeof file === 'string') return { refusal: file };
    const url = await slack(channel, false, () =>
      client.files.getUploadURLExternal({ filename: file.filename, length: file.bytes.length }),
    );
    if (!url.upload_url || !url.file_id) throw new DeliveryError('internal', 'files.getUploadURLExternal answered without url', channel);
    a.progress[pendingStep] = url.file_id;
    await saveProgress(a);
    let posted: Response;
    try {
      posted = await fetch(url.upload_url, {
        method: 'POST',
        body: new Uint8Array(file.bytes),
        headers: { 'content-type': 'application/pdf' },
        signal: AbortSignal.timeout(60_000),
      });
    } catch (err) {
      throw new DeliveryError('unavailable', `file upload failed: ${err instanceof Error ? err.message : String(err)}`, channel);
    }
    if (!posted.ok)
      throw new DeliveryError(posted.status >= 500 ? 'unavailable' : 'rejected', `file upload: HTTP ${posted.status}`, channel);
    const fileId = url.file_id;
    await slack(channel, true, () =>
      client.files.completeUploadExternal({
        files: [{ id: fileId, title: file.title }],
        channel_id: channel,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      }),
    );
    a.progress[step] = fileId;
    await saveProgress(a);
    return fileId;
  }

  async function fail(a: Attempt, err: unknown): Promise<Outcome> {
    const e = toDeliveryError(err, null);
    const t = nowMs();
    const fields = { key: a.row.key, channel: e.channel ?? a.row.channel, kind: a.row.kind, attempts: a.attempts, cause: e.message };
    if (e.kind === 'rate_limited') {
      const until = t + e.retryAfterMs;
      await db.execute(
        sql`update outbox set status = ${a.uncertain ? 'sending' : 'pending'},
                   claimed_at = ${a.uncertain ? sql`claimed_at` : sql`null`},
                   attempts = greatest(attempts - 1, 0), next_attempt_at = ${iso(until)}::timestamptz, last_error = ${e.message}
            where id = ${a.row.id}`,
      );
      await deferChannel(e.channel ?? a.row.channel, until);
      log.warn('outbox: rate limited, channel deferred', { ...fields, retryAfterMs: e.retryAfterMs });
      return 'deferred';
    }
    if (e.kind === 'unavailable' || e.kind === 'auth') {
      outages++;
      pausedUntil = Math.max(pausedUntil, t + backoff(outages));
    }
    const keepClaim = a.uncertain || e.kind === 'unavailable' || e.kind === 'internal';
    const giveUp = e.kind === 'permanent' || a.attempts >= maxAttempts;
    const status = giveUp ? 'failed' : keepClaim ? 'sending' : 'pending';
    await db.execute(
      sql`update outbox set status = ${status}, claimed_at = ${keepClaim ? sql`claimed_at` : sql`null`},
                 next_attempt_at = ${iso(t + backoff(a.attempts))}::timestamptz, last_error = ${e.message}
          where id = ${a.row.id}`,
    );
    if (giveUp) log.error('outbox: message failed, later messages of its case wait', fields);
    else log.warn('outbox: send failed, retrying', { ...fields, retryInMs: backoff(a.attempts) });
    return 'failed';
  }

  async function deliver(row: DueRow): Promise<Outcome> {
    let a: Attempt | null = null;
    try {
      a = await claim(row);
      if (!a) return 'skipped';
      const ts =
        row.kind === 'case_card'
          ? await deliverCard(a)
          : row.kind === 'mt_vote'
            ? await deliverVote(a)
            : row.kind === 'digest'
              ? await deliverDigest(a)
              : row.kind === 'letter_file'
                ? await deliverLetterFile(a)
                : (() => {
                    throw new DeliveryError('permanent', `unknown outbox kind ${row.kind}`, null);
                  })();
      await finish(a, ts);
      outages = 0;
      return 'sent';
    } catch (err) {
      if (!a) throw err;
      try {
        return await fail(a, err);
      } catch (dbErr) {
        // The row stays claimed; its lease runs out and the next attempt searches Slack first.
        log.error('outbox: could not record a failed send', { key: row.key, cause: String(dbErr), original: String(err) });
        return 'failed';
      }
    }
  }

  async function runLane(rows: DueRow[], result: OutboxRunResult): Promise<void> {
    for (const row of rows) {
      if (stopping || pausedUntil > nowMs() || (blockedUntil.get(row.channel) ?? 0) > nowMs()) {
        result.deferred++;
        continue;
      }
      const outcome = await deliver(row);
      if (outcome !== 'skipped') result[outcome]++;
    }
  }

  async function runBatch(): Promise<OutboxRunResult> {
    const result: OutboxRunResult = { sent: 0, failed: 0, deferred: 0 };
    const rows = await selectDue();
    if (rows.length === 0) return result;
    if (pausedUntil > nowMs()) {
      result.deferred = rows.length;
      return result;
    }
    const lanes = new Map<string, DueRow[]>();
    for (const row of rows) lanes.set(row.channel, [...(lanes.get(row.channel) ?? []), row]);
    await Promise.all([...lanes.values()].map((lane) => runLane(lane, result)));
    return result;
  }

  function runOnce(): Promise<OutboxRunResult> {
    // One batch at a time: start()'s loop and a caller (tests, a CLI) must not race for the slots.
    const previous = running ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(runBatch);
    running = next;
    void next
      .finally(() => {
        if (running === next) running = null;
      })
      .catch(() => undefined);
    return next;
  }

  function idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakeUp = done;
    });
  }

  return {
    runOnce,
    start() {
      if (loop) return;
      stopping = false;
      loop = (async () => {
        while (!stopping) {
          let busy = false;
          try {
            const r = await runOnce();
            // A sent row may have made the next row of its case due: go again at once.
            busy = r.sent > 0;
          } catch (err) {
            log.error('outbox: delivery round failed', { cause: err instanceof Error ? err.message : String(err) });
          }
          if (!stopping && !busy) {
            const pause = Math.max(0, pausedUntil - nowMs());
            await idle(Math.max(pollInterval, Math.min(pause, backoffMax)));
          }
        }
      })();
    },
    async stop() {
      stopping = true;
      wakeUp?.();
      await loop;
      loop = null;
      stopping = false;
    },
    wake() {
      wakeUp?.();
    },
  };
}
