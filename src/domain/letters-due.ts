import type { LetterKind } from '../letters/letter-kinds.js';
import { nextWorkingDay, type HolidayOptions, type IsoDate } from './calendar.js';
import type { Transition } from './procedure.js';

/**
 * Which letters a step of the procedure calls for. Each letter is keyed by the fact it reports
 * (the day the letter, conversation, card or decision happened), so a step recorded twice, or a
 * later update on the same day, never makes a second letter.
 */
export interface LetterDue {
  kind: LetterKind;
  clause: string;
  /** The sending date. */
  letterDate: IsoDate;
  /** Assumed receipt: the next working day after sending; a card put in the mailbox is there that day. */
  receivedOn: IsoDate;
  /** Unique per case: the same fact never makes two letters. */
  anchor: string;
}

export function lettersDue(t: Transition, date: IsoDate, holidays: HolidayOptions): LetterDue[] {
  const out: LetterDue[] = [];
  const byPost = (kind: LetterKind, clause: string, anchor: string): LetterDue => ({
    kind,
    clause,
    letterDate: date,
    receivedOn: nextWorkingDay(date, holidays),
    anchor,
  });
  const { state } = t;

  // P1: the 14-day letter goes out the day the case opens, also when it opens straight at contact.
  if (t.type === 'open' && state.letter && state.letter.sentOn === date) {
    const l = state.letter;
    out.push({ kind: 'reminder', clause: 'P1', letterDate: l.sentOn, receivedOn: l.receivedOn, anchor: l.sentOn });
  }
  // P2: contact begins with an invitation for a conversation.
  if ((t.type === 'open' || t.type === 'move') && t.to === 'contact') out.push(byPost('invitation', 'P2', date));
  // P2.a.4: the agreements of a conversation (at the office or during a home visit) are confirmed in writing.
  const conversation = (t.type === 'update' && t.event === 'conversation_recorded') || (t.type === 'move' && t.to === 'arrangement');
  if (conversation && state.agreement?.agreedOn === date) out.push(byPost('confirmation', 'P2.a.4', date));
  // P2.d.2: nobody home: the card goes in the mailbox by hand, so it is received the same day.
  if (t.type === 'update' && t.event === 'card_left' && state.visit?.cardLeftOn === date) {
    out.push({ kind: 'card', clause: 'P2.d.2', letterDate: date, receivedOn: date, anchor: date });
  }
  // P3.b: the file to the bailiff; P3.d / P4.b: the MT's go-ahead for the eviction procedure.
  if (t.type === 'move' && t.to === 'bailiff') out.push(byPost('bailiff_handover', 'P3.b', `bailiff:${date}`));
  const approved = t.type === 'move' && t.from === 'mt_vote' && state.mtDecision?.on === date && state.mtDecision.outcome === 'approved';
  if (approved && t.to === 'eviction_procedure') out.push(byPost('bailiff_handover', 'P3.d', `eviction:${date}`));
  if (approved && t.to === 'verdict') out.push(byPost('bailiff_handover', 'P4.b', `eviction:${date}`));
  // P4.a.1–3: eviction postponed: the last warning with the probation period.
  if (t.type === 'close' && t.reason === 'postponed') out.push(byPost('last_warning', 'P4.a.1', date));
  return out;
}
