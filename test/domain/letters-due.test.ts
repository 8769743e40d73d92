import { describe, expect, it } from 'vitest';
import { monthlyInstallments } from '../../src/domain/arrangement.js';
import { nextWorkingDay } from '../../src/domain/calendar.js';
import { procedureRules, type CaseState, type OpenStage } from '../../src/domain/case-state.js';
import { lettersDue } from '../../src/domain/letters-due.js';
import {
  handToBailiff,
  recordConversation,
  recordHomeVisit,
  type ConversationInput,
  type OutcomeResult,
} from '../../src/domain/outcomes.js';
import { closeVote, reminderLetter, type OpenCase, type Transition } from '../../src/domain/procedure.js';
import { testConfig } from '../support/config.js';

/** Which letter each step of the procedure calls for, with its sending and assumed receipt dates. */

const rules = procedureRules(testConfig());
const holidays = rules.holidays;
const FACTS = { balanceCents: 140_000, monthlyRentCents: 70_000 };
// A Thursday: receipt is assumed on Friday.
const DAY = '2027-01-21';

function caseIn(stage: OpenStage, state: CaseState = {}): OpenCase {
  return {
    id: 7,
    stage,
    openedOn: '2027-01-13',
    stageSince: '2027-01-13',
    state: { letter: reminderLetter('2027-01-13', 140_000, rules), ...state },
  };
}

function ok(result: OutcomeResult): Transition {
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.transition;
}

const talk: ConversationInput = {
  cause: 'Inkomen gedaald',
  referralConsent: true,
  consequencesExplained: true,
  obligations: { noNewArrears: true, registerWithAid: true, reportRegistration: true, paymentArrangement: true },
  commitments: { passDetailsOn: true, noCollection: true, noInterest: true, acceptArrangement: true },
};

describe('letters called for by the procedure', () => {
  it('P1 a case that opens sends the 14-day letter with the receipt date of its term', () => {
    const letter = reminderLetter('2027-01-13', 140_000, rules);
    const open: Transition = { type: 'open', to: 'reminder', clause: 'P1', summary: '', state: { letter } };
    expect(lettersDue(open, '2027-01-13', holidays)).toEqual([
      { kind: 'reminder', clause: 'P1', letterDate: '2027-01-13', receivedOn: letter.receivedOn, anchor: '2027-01-13' },
    ]);
    // A Friday letter is received on Monday.
    expect(reminderLetter('2027-01-15', 140_000, rules).receivedOn).toBe('2027-01-18');
  });

  it('P2 a case that opens at contact gets the 14-day letter and the invitation', () => {
    const open: Transition = {
      type: 'open',
      to: 'contact',
      clause: 'P2',
      summary: '',
      state: { letter: reminderLetter(DAY, 140_000, rules) },
    };
    expect(lettersDue(open, DAY, holidays).map((l) => [l.kind, l.clause])).toEqual([
      ['reminder', 'P1'],
      ['invitation', 'P2'],
    ]);
  });

  it('P2 a case that moves to contact gets the invitation, received the next working day', () => {
    const move: Transition = { type: 'move', from: 'reminder', to: 'contact', clause: 'P2', summary: '', state: {} };
    expect(lettersDue(move, '2027-04-23', holidays)).toEqual([
      // Sent on Friday 23 April 2027: received on Monday 26.
      { kind: 'invitation', clause: 'P2', letterDate: '2027-04-23', receivedOn: '2027-04-26', anchor: '2027-04-23' },
    ]);
    // Sent on Monday 26 April: King's Day (Tuesday 27) is no working day, so received on the 28th.
    expect(lettersDue(move, '2027-04-26', holidays)[0]!.receivedOn).toBe('2027-04-28');
  });

  it('P2.a.4 a conversation is confirmed in writing, with or without an arrangement', () => {
    const plain = ok(recordConversation(caseIn('contact', { contactSince: '2027-01-13' }), talk, DAY, rules, FACTS));
    expect(lettersDue(plain, DAY, holidays)).toEqual([
      { kind: 'confirmation', clause: 'P2.a.4', letterDate: DAY, receivedOn: nextWorkingDay(DAY, holidays), anchor: DAY },
    ]);
    const installments = monthlyInstallments(140_000, 4, '2027-02-01');
    const arranged = ok(recordConversation(caseIn('contact'), { ...talk, arrangement: { installments } }, DAY, rules, FACTS));
    expect(arranged).toMatchObject({ type: 'move', to: 'arrangement' });
    expect(lettersDue(arranged, DAY, holidays).map((l) => l.kind)).toEqual(['confirmation']);
  });

  it('P2.d.2 a card put in the mailbox is received the same day', () => {
    const card = ok(
      recordHomeVisit(caseIn('visit'), { outcome: 'nobody_home', employees: ['U0AAAAAAA1', 'U0BBBBBBB1'] }, DAY, rules, FACTS),
    );
    expect(lettersDue(card, DAY, holidays)).toEqual([{ kind: 'card', clause: 'P2.d.2', letterDate: DAY, receivedOn: DAY, anchor: DAY }]);
  });

  it('P3.b handing the file to the bailiff makes the handover summary', () => {
    const handed = ok(handToBailiff(caseIn('escalation', { escalation: { since: '2027-01-14', reason: 'x' } }), DAY, rules));
    expect(lettersDue(handed, DAY, holidays).map((l) => [l.kind, l.clause, l.anchor])).toEqual([
      ['bailiff_handover', 'P3.b', `bailiff:${DAY}`],
    ]);
  });

  it('P3.d the MT approval makes the handover for the eviction procedure; a rejection makes none', () => {
    const [a, b, c] = rules.mtMembers as [string, string, string];
    const vote = { kind: 'eviction' as const, openedOn: '2027-01-18', closesOn: '2027-01-21', ballots: {} };
    const approved = closeVote(
      caseIn('mt_vote', { vote: { ...vote, ballots: { [a]: 'for', [b]: 'for', [c]: 'for' } } }),
      DAY,
      rules,
      true,
    )!;
    expect(approved).toMatchObject({ type: 'move', to: 'eviction_procedure' });
    expect(lettersDue(approved, DAY, holidays).map((l) => [l.kind, l.clause])).toEqual([['bailiff_handover', 'P3.d']]);
    const rejected = closeVote(
      caseIn('mt_vote', { vote: { ...vote, ballots: { [a]: 'against', [b]: 'against', [c]: 'for' } } }),
      DAY,
      rules,
      true,
    )!;
    expect(rejected).toMatchObject({ type: 'move', to: 'escalation' });
    expect(lettersDue(rejected, DAY, holidays)).toEqual([]);
  });

  it('P4.b the MT decision after an earlier verdict makes the handover for the eviction', () => {
    const [a, b, c] = rules.mtMembers as [string, string, string];
    const verdict = { verdictOn: '2027-01-05', evictionOn: '2027-03-01', amountCents: 300_000, first: false, payBy: '2027-02-28' };
    const open = caseIn('mt_vote', {
      verdict,
      vote: { kind: 'repeat_verdict', openedOn: '2027-01-18', closesOn: '2027-01-21', ballots: { [a]: 'for', [b]: 'for', [c]: 'abstain' } },
    });
    const decided = closeVote(open, DAY, rules, true)!;
    expect(decided).toMatchObject({ type: 'move', to: 'verdict', clause: 'P4.b' });
    expect(lettersDue(decided, DAY, holidays).map((l) => [l.kind, l.clause])).toEqual([['bailiff_handover', 'P4.b']]);
  });

  it('P4.a.1 a postponed eviction sends the last warning', () => {
    const close: Transition = {
      type: 'close',
      from: 'verdict',
      reason: 'postponed',
      clause: 'P4.a.1',
      summary: '',
      state: { probationUntil: '2029-01-21' },
    };
    expect(lettersDue(close, DAY, holidays).map((l) => [l.kind, l.clause])).toEqual([['last_warning', 'P4.a.1']]);
    expect(lettersDue({ ...close, reason: 'paid' }, DAY, holidays)).toEqual([]);
  });

  it('P2.a.4 a later update on the day of the conversation makes no second confirmation', () => {
    const talked = ok(recordConversation(caseIn('contact'), talk, DAY, rules, FACTS));
    const later: Transition = {
      type: 'update',
      stage: 'contact',
      event: 'mass_discussed',
      clause: 'P3.a',
      summary: '',
      state: talked.state,
    };
    expect(lettersDue(later, DAY, holidays)).toEqual([]);
  });
});
