import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { NoteResponse } from '../cases/outcome-service.js';
import { todayInAmsterdam } from '../domain/calendar.js';
import type { SlackDeps } from './app.js';
import { causeOf } from './case-actions.js';
import { findCaseByMessage } from './message-refs.js';

/**
 * The case card's thread is the case's discussion (P3.a; issue 4 item 5): every human reply in it
 * becomes a note in the dossier through the outcome service (author, date, text). Notes may hold
 * special-category data, so they go to case_events only: never to the outbox, never to a log line
 * (logs carry ids only).
 *
 * - A reply is stored once per `channel/ts`: Slack retries (`X-Slack-Retry-Num`) and duplicate
 *   deliveries find the same source id and change nothing.
 * - An edit (`message_changed`) is a new note marked "[bewerkt]", keyed by `channel/ts/bewerkt/
 *   <edited ts>`; a deletion (`message_deleted`) a note marked "[verwijderd]", keyed by
 *   `channel/ts/verwijderd`. The dossier is append-only: the first text stays, the edit and the
 *   deletion follow it. (The service has no edit/delete method; see the report.)
 * - The bot's own messages, other bots' and messages outside a card's thread are ignored.
 */

export const NOTE_SOURCE = 'slack_thread';
/** The service refuses notes above 10 000 characters; a longer Slack message is cut with a marker. */
const NOTE_MAX = 10_000;
const CUT_MARKER = ' … [ingekort: het volledige bericht staat in de draad]';

const inner = z.object({
  type: z.string().optional(),
  subtype: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  edited: z.object({ user: z.string().optional(), ts: z.string() }).optional(),
});

const messageEvent = z.object({
  type: z.literal('message'),
  subtype: z.string().optional(),
  channel: z.string(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  message: inner.optional(),
  previous_message: inner.optional(),
  deleted_ts: z.string().optional(),
});

/** Subtypes of a new human message: a plain reply, a reply also sent to the channel, a reply with a file. */
const NEW_REPLY_SUBTYPES = new Set([undefined, 'thread_broadcast', 'file_share']);

const TIME_NL = new Intl.DateTimeFormat('nl-NL', {
  timeZone: 'Europe/Amsterdam',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

function instantOf(ts: string): Date {
  return new Date(Math.round(Number(ts) * 1000));
}

/** A Slack ts is seconds since the epoch: the day (in Amsterdam) and time the message was written. */
export function dateOfTs(ts: string) {
  return todayInAmsterdam(instantOf(ts));
}

export function timeOfTs(ts: string): string {
  return TIME_NL.format(instantOf(ts)).replace(',', '');
}

function fit(text: string): string {
  return text.length <= NOTE_MAX ? text : `${text.slice(0, NOTE_MAX - CUT_MARKER.length)}${CUT_MARKER}`;
}

interface Note {
  author: string;
  text: string;
  sourceId: string;
  ts: string;
  /** The thread's parent: a case card, when this is a note. */
  threadTs: string;
  replyTs: string;
}

type Message = z.infer<typeof inner>;

function fromBot(m: { user?: string; bot_id?: string; subtype?: string }, botUserId: string | undefined): boolean {
  return Boolean(m.bot_id) || m.subtype === 'bot_message' || (botUserId !== undefined && m.user === botUserId);
}

/** A reply in a thread, not the thread's parent (which has thread_ts equal to its own ts). */
function isReply(m: Pick<Message, 'ts' | 'thread_ts'>): m is Message & { thread_ts: string } {
  return typeof m.thread_ts === 'string' && m.thread_ts !== m.ts;
}

/** What this event means for the dossier, or null when it means nothing. */
export function noteOf(event: z.infer<typeof messageEvent>, botUserId: string | undefined): Note | null {
  const channel = event.channel;
  if (NEW_REPLY_SUBTYPES.has(event.subtype)) {
    if (fromBot(event, botUserId) || !event.user || !isReply(event)) return null;
    const text = event.text?.trim();
    if (!text) return null;
    return { author: event.user, text, sourceId: `${channel}/${event.ts}`, ts: event.ts, threadTs: event.thread_ts, replyTs: event.ts };
  }
  if (event.subtype === 'message_changed') {
    const m = event.message;
    if (!m || fromBot(m, botUserId) || !m.user || !isReply(m)) return null;
    const text = m.text?.trim() ?? '';
    // An unfurl or a reply count also changes the message: only a new text is an edit.
    if (!text || text === event.previous_message?.text?.trim()) return null;
    const editedTs = m.edited?.ts ?? event.ts;
    return {
      author: m.user,
      text: `[bewerkt] Het bericht van ${timeOfTs(m.ts)} luidt nu: ${text}`,
      sourceId: `${channel}/${m.ts}/bewerkt/${editedTs}`,
      ts: editedTs,
      threadTs: m.thread_ts,
      replyTs: m.ts,
    };
  }
  if (event.subtype === 'message_deleted') {
    const p = event.previous_message;
    if (!p || fromBot(p, botUserId) || !p.user || !isReply(p)) return null;
    const replyTs = event.deleted_ts ?? p.ts;
    return {
      // Slack does not say who deleted it; the note names the author of the message.
      author: p.user,
      text: `[verwijderd] Het bericht van ${timeOfTs(replyTs)} is uit de draad verwijderd.`,
      sourceId: `${channel}/${replyTs}/verwijderd`,
      ts: event.ts,
      threadTs: p.thread_ts,
      replyTs,
    };
  }
  return null;
}

export function register(app: App, deps: SlackDeps): void {
  app.event('message', async ({ event, context }) => {
    const parsed = messageEvent.safeParse(event);
    if (!parsed.success) return;
    const channel = parsed.data.channel;
    try {
      const note = noteOf(parsed.data, context.botUserId);
      if (!note) return;
      const card = await findCaseByMessage(deps.database.db, channel, note.threadTs);
      if (!card || card.kind !== 'card') return;
      if (note.text.length > NOTE_MAX) deps.log.warn('thread note cut to fit', { caseId: card.caseId, channel, ts: note.replyTs });
      const result: NoteResponse = await deps.outcomes.addNote(note.author, card.contractId, fit(note.text), {
        source: NOTE_SOURCE,
        sourceId: note.sourceId,
        date: dateOfTs(note.ts),
      });
      if (!result.ok) {
        // Ids only: the text may hold special-category data.
        deps.log.warn('thread note not stored', {
          caseId: card.caseId,
          channel,
          ts: note.replyTs,
          user: note.author,
          reason: result.reason,
        });
      }
    } catch (err) {
      deps.log.error('thread note failed', { channel, cause: causeOf(err) });
    }
  });
}
