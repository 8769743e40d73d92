import { describe, expect, it } from 'vitest';
import type { MonthArrears } from '../../src/domain/arrears.js';
import { procedureRules, type CaseState, type OpenStage } from '../../src/domain/case-state.js';
import { evaluateDay, payByDate, type OpenCase, type TenancyDay, type Transition } from '../../src/domain/procedure.js';
import { testConfig } from '../support/config.js';

const rules = procedureRules(testConfig());
// February 2027: D(M) is the 8th working day, 2027-02-10; January's was 2027-01-13.
const D = '2027-02-10';
const D_PREV = '2027-01-13';

function month(balance: number, previous: number, rent = 71235): MonthArrears {
  const late = balance > rules.minimumArrearsCents;
  return {
    contractId: '100234',
    detectionDay: D,
    previousDetectionDay: D_PREV,
    balanceCents: balance,
    previousBalanceCents: previous,
    late,
    lateBefore: previous > rules.minimumArrearsCents,
    grew: balance > previous,
    monthsInArrears: Math.round((balance / rent) * 10) / 10,
  };
}

function tenancy(overrides: Partial<TenancyDay> = {}): TenancyDay {
  return {
    contractId: '100234',
    monthlyRentCents: 71235,
    endDate: null,
    probationUntil: null,
    balanceCents: 71235,
    month: null,
    ...overrides,
  };
}

function openCase(stage: OpenStage, state: CaseState = {}, stageSince = D_PREV): OpenCase {
  return { id: 1, stage, openedOn: D_PREV, stageSince, state };
}

function only(transitions: Transition[]): Transition {
  expect(transitions).toHaveLength(1);
  return transitions[0]!;
}

describe('opening a case on the detection day', () => {
  it('P1 opens a reminder with the 14-day letter when the tenancy first falls into arrears', () => {
    const t = only(evaluateDay(D, tenancy({ month: month(71235, 0) }), null, rules));
    expect(t).toMatchObject({ type: 'open', to: 'reminder', clause: 'P1' });
    expect(t.state.letter).toMatchObject({ sentOn: D, principalCents: 71235, costsCents: 10685 });
    expect(t.summary).toContain('14-dagenbrief met folder Traverse');
  });

  it('P1.b the letter term runs 14 days from the day after assumed receipt, into the last week of the month', () => {
    const t = only(evaluateDay(D, tenancy({ month: month(71235, 0) }), null, rules));
    // Sent Wednesday 10 February, received Thursday 11 February, term ends 25 February.
    expect(t.state.letter).toMatchObject({ receivedOn: '2027-02-11', termEndsOn: '2027-02-25' });
  });

  it('P1.a nothing opens on a day that is not the detection run, whatever the balance', () => {
    expect(evaluateDay('2027-02-09', tenancy({ balanceCents: 500000, month: null }), null, rules)).toEqual([]);
  });

  it('P1.a a balance at or below the minimum is not arrears', () => {
    expect(evaluateDay(D, tenancy({ month: month(500, 0) }), null, rules)).toEqual([]);
  });

  it('P2 opens at contact when the tenant was also late the month before', () => {
    const t = only(evaluateDay(D, tenancy({ month: month(142470, 71235) }), null, rules));
    expect(t).toMatchObject({ type: 'open', to: 'contact', clause: 'P2' });
    expect(t.state.contactSince).toBe(D);
  });

  it('P2.a.2 the letter offers to pass the contact details to the municipality', () => {
    const t = only(evaluateDay(D, tenancy({ month: month(71235, 0) }), null, rules));
    expect(t.state.signal).toMatchObject({ state: 'offered', offeredOn: D });
  });

  it('P4.a.3 new arrears within probation go straight to the team discussion', () => {
    const t = only(evaluateDay(D, tenancy({ probationUntil: '2028-06-01', month: month(71235, 0) }), null, rules));
    expect(t).toMatchObject({ type: 'open', to: 'escalation', clause: 'P4.a.3' });
    expect(t.state.duringProbation).toBe(true);
  });

  it('opens nothing for a tenancy that has ended', () => {
    expect(evaluateDay(D, tenancy({ endDate: '2027-01-31', month: month(71235, 0) }), null, rules)).toEqual([]);
  });
});

describe('progress of an open case', () => {
  it('P2 moves a reminder to contact when the arrears grew (a second month)', () => {
    const t = only(evaluateDay(D, tenancy({ month: month(142470, 71235) }), openCase('reminder'), rules));
    expect(t).toMatchObject({ type: 'move', from: 'reminder', to: 'contact', clause: 'P2' });
  });

  it('P1.b a reminder waits for its term and the next detection day', () => {
    expect(evaluateDay('2027-02-26', tenancy({ balanceCents: 71235 }), openCase('reminder'), rules)).toEqual([]);
  });

  it('P2 moves a reminder to contact when the tenant is late two months in a row', () => {
    const t = only(evaluateDay(D, tenancy({ month: month(60000, 71235) }), openCase('reminder'), rules));
    expect(t).toMatchObject({ to: 'contact', clause: 'P2' });
    expect(t.summary).toContain('twee maanden na elkaar');
  });

  it('P3 escalates contact when no conversation was recorded', () => {
    const t = only(evaluateDay(D, tenancy({ month: month(71235, 71235) }), openCase('contact', { contactSince: D_PREV }), rules));
    expect(t).toMatchObject({ type: 'move', from: 'contact', to: 'escalation', clause: 'P3' });
    expect(t.summary).toContain('geen gesprek vastgelegd');
  });

  it('P3 escalates contact when the arrears keep growing, conversation or not', () => {
    const state = { contactSince: D_PREV, conversationOn: '2027-01-20' };
    const t = only(evaluateDay(D, tenancy({ month: month(142470, 71235) }), openCase('contact', state), rules));
    expect(t).toMatchObject({ to: 'escalation', clause: 'P3' });
  });

  it('P2.a a recorded conversation keeps the case in contact while the arrears do not grow', () => {
    const state = { contactSince: D_PREV, conversationOn: '2027-01-20' };
    expect(evaluateDay(D, tenancy({ month: month(71235, 71235) }), openCase('contact', state), rules)).toEqual([]);
  });

  it('P2.d.2 escalates when the card in the mailbox gets no reaction within its week', () => {
    const state: CaseState = { visit: { cardLeftOn: '2027-02-01', cardTermEndsOn: '2027-02-08' } };
    const t = only(evaluateDay('2027-02-09', tenancy(), openCase('visit', state), rules));
    expect(t).toMatchObject({ to: 'escalation', clause: 'P2.d.2' });
    expect(evaluateDay('2027-02-08', tenancy(), openCase('visit', state), rules)).toEqual([]);
  });

  it('P2.d.2 a conversation after the card stops the escalation', () => {
    const state: CaseState = { visit: { cardLeftOn: '2027-02-01', cardTermEndsOn: '2027-02-08' }, conversationOn: '2027-02-05' };
    expect(evaluateDay('2027-02-09', tenancy(), openCase('visit', state), rules)).toEqual([]);
  });

  it('P2.c.4 an arrangement kept on schedule stays; P3 a broken one escalates', () => {
    const arrangement = {
      agreedOn: '2027-01-20',
      arrearsCents: 60000,
      installments: [
        { dueOn: '2027-02-01', amountCents: 30000 },
        { dueOn: '2027-03-01', amountCents: 30000 },
      ],
      monthlyRentCents: 71235,
    };
    const kept = evaluateDay(D, tenancy({ month: month(30000, 60000) }), openCase('arrangement', { arrangement }), rules);
    expect(kept).toEqual([]);
    const broken = only(evaluateDay(D, tenancy({ month: month(60000, 60000) }), openCase('arrangement', { arrangement }), rules));
    expect(broken).toMatchObject({ to: 'escalation', clause: 'P3' });
    expect(broken.summary).toContain('betalingsregeling niet nagekomen');
  });

  it('P3.c opens the MT vote when the bailiff term passes without effect', () => {
    const state: CaseState = { bailiff: { handedOn: '2027-01-25', termEndsOn: '2027-02-08' } };
    const t = only(evaluateDay('2027-02-09', tenancy(), openCase('bailiff', state), rules));
    expect(t).toMatchObject({ to: 'mt_vote', clause: 'P3.c' });
    expect(t.state.vote).toMatchObject({ kind: 'eviction', openedOn: '2027-02-09', closesOn: '2027-02-12', ballots: {} });
  });

  it('P3.b the bailiff term is waited out', () => {
    const state: CaseState = { bailiff: { handedOn: '2027-01-25', termEndsOn: '2027-02-08' } };
    expect(evaluateDay('2027-02-08', tenancy(), openCase('bailiff', state), rules)).toEqual([]);
  });

  it('P3.d an approved vote at its term starts the eviction procedure; P3.c a rejected one returns to the team', () => {
    const vote = { kind: 'eviction' as const, openedOn: '2027-02-09', closesOn: '2027-02-12' };
    const approved = only(
      evaluateDay(
        '2027-02-12',
        tenancy(),
        openCase('mt_vote', { vote: { ...vote, ballots: { U0MTMTMT01: 'for', U0MTMTMT02: 'for' } } }),
        rules,
      ),
    );
    expect(approved).toMatchObject({ to: 'eviction_procedure', clause: 'P3.d' });
    expect(approved.state.mtDecision).toMatchObject({ outcome: 'approved' });
    const rejected = only(
      evaluateDay(
        '2027-02-12',
        tenancy(),
        openCase('mt_vote', { vote: { ...vote, ballots: { U0MTMTMT01: 'against', U0MTMTMT02: 'for' } } }),
        rules,
      ),
    );
    expect(rejected).toMatchObject({ to: 'escalation', clause: 'P3.c' });
    const noQuorum = only(
      evaluateDay('2027-02-12', tenancy(), openCase('mt_vote', { vote: { ...vote, ballots: { U0MTMTMT01: 'for' } } }), rules),
    );
    expect(noQuorum.summary).toContain('geen quorum');
  });

  it('P4.b an approved vote after a repeat verdict means eviction on the eviction date; paying does not stop it', () => {
    const vote = {
      kind: 'repeat_verdict' as const,
      openedOn: '2027-02-09',
      closesOn: '2027-02-12',
      ballots: { U0MTMTMT01: 'for' as const, U0MTMTMT02: 'for' as const },
    };
    const verdict = { verdictOn: '2027-02-01', evictionOn: '2027-03-15', amountCents: 250000, first: false, payBy: '2027-03-14' };
    const t = only(evaluateDay('2027-02-12', tenancy({ balanceCents: 0 }), openCase('mt_vote', { vote, verdict }), rules));
    expect(t).toMatchObject({ type: 'move', to: 'verdict', clause: 'P4.b' });
    expect(evaluateDay('2027-03-14', tenancy({ balanceCents: 0 }), openCase('verdict', t.state), rules)).toEqual([]);
    const evicted = only(evaluateDay('2027-03-15', tenancy({ balanceCents: 0 }), openCase('verdict', t.state), rules));
    expect(evicted).toMatchObject({ type: 'close', reason: 'evicted', clause: 'P4.b' });
  });

  it('P4.b no new case opens for an evicted tenancy', () => {
    expect(evaluateDay(D, tenancy({ evicted: true, month: month(142470, 71235) }), null, rules)).toEqual([]);
  });

  it('P4.a a first verdict paid in full no later than 24 hours before the eviction: postponed, P4.a.1 two years of probation', () => {
    const verdict = {
      verdictOn: '2027-03-01',
      evictionOn: '2027-04-15',
      amountCents: 250000,
      first: true,
      payBy: payByDate('2027-04-15', rules),
    };
    expect(verdict.payBy).toBe('2027-04-14');
    const t = only(evaluateDay('2027-04-14', tenancy({ balanceCents: 0 }), openCase('verdict', { verdict }), rules));
    expect(t).toMatchObject({ type: 'close', reason: 'postponed', clause: 'P4.a.1' });
    expect(t.state.probationUntil).toBe('2029-04-14');
  });

  it('P4.a payment after the deadline does not postpone; the eviction date closes the case as evicted', () => {
    const verdict = { verdictOn: '2027-03-01', evictionOn: '2027-04-15', amountCents: 250000, first: true, payBy: '2027-04-14' };
    expect(evaluateDay('2027-04-13', tenancy({ balanceCents: 100000 }), openCase('verdict', { verdict }), rules)).toEqual([]);
    // Paid on the eviction date itself: on the pay-by date the balance was still open.
    const late = { balanceCents: 100000, costsBookedSinceCents: 0 };
    const t = only(evaluateDay('2027-04-15', tenancy({ balanceCents: 0, verdictBalance: late }), openCase('verdict', { verdict }), rules));
    expect(t).toMatchObject({ type: 'close', reason: 'evicted', clause: 'P4.a' });
  });

  it('P4.a a payment booked before the pay-by date postpones even when the run sees it later', () => {
    const verdict = { verdictOn: '2027-03-01', evictionOn: '2027-04-15', amountCents: 250000, first: true, payBy: '2027-04-14' };
    const paidInTime = { balanceCents: 0, costsBookedSinceCents: 0 };
    const t = only(
      evaluateDay('2027-04-15', tenancy({ balanceCents: 0, verdictBalance: paidInTime }), openCase('verdict', { verdict }), rules),
    );
    expect(t).toMatchObject({ type: 'close', reason: 'postponed', clause: 'P4.a.1' });
  });

  it('P4.a court costs the ledger does not hold yet must be paid too', () => {
    const verdict = {
      verdictOn: '2027-03-01',
      evictionOn: '2027-04-15',
      amountCents: 250000,
      first: true,
      payBy: '2027-04-14',
      unbookedCents: 61234,
    };
    const ledgerPaid = { balanceCents: 0, costsBookedSinceCents: 0 };
    expect(
      evaluateDay('2027-04-10', tenancy({ balanceCents: 0, verdictBalance: ledgerPaid }), openCase('verdict', { verdict }), rules),
    ).toEqual([]);
    // Once the ERP books the costs, the ledger carries them: they count once.
    const booked = { balanceCents: 0, costsBookedSinceCents: 61234 };
    const t = only(
      evaluateDay('2027-04-12', tenancy({ balanceCents: 0, verdictBalance: booked }), openCase('verdict', { verdict }), rules),
    );
    expect(t).toMatchObject({ reason: 'postponed' });
  });

  it('P1 a paid balance closes the case in every stage before the verdict', () => {
    for (const stage of [
      'reminder',
      'contact',
      'visit',
      'arrangement',
      'escalation',
      'bailiff',
      'mt_vote',
      'eviction_procedure',
    ] as const) {
      const t = only(evaluateDay('2027-02-15', tenancy({ balanceCents: 0 }), openCase(stage), rules));
      expect(t).toMatchObject({ type: 'close', reason: 'paid', from: stage });
    }
  });

  it('closes the case when the tenancy ends', () => {
    const t = only(evaluateDay('2027-02-15', tenancy({ endDate: '2027-02-15' }), openCase('escalation'), rules));
    expect(t).toMatchObject({ type: 'close', reason: 'ended' });
  });

  it('a hold that ends right before a detection day does not swallow that month (P3)', () => {
    const hold = { reason: 'debt_help' as const, since: '2027-01-20', until: '2027-02-09' };
    const t = only(evaluateDay(D, tenancy({ month: month(142470, 71235) }), openCase('contact', { hold, contactSince: D_PREV }), rules));
    expect(t).toMatchObject({ type: 'move', to: 'escalation', clause: 'P3' });
    expect(t.summary).toMatch(/^Pauze \(debt_help\) afgelopen op 09-02-2027; Naar teambespreking/);
    expect(t.state.hold).toBeUndefined();
  });

  it('a hold pauses escalation until its end date, then the procedure resumes', () => {
    const hold = { reason: 'wsnp' as const, since: '2027-01-20', until: '2027-03-01' };
    expect(evaluateDay(D, tenancy({ month: month(142470, 71235) }), openCase('contact', { hold }), rules)).toEqual([]);
    const ended = only(evaluateDay('2027-03-02', tenancy(), openCase('contact', { hold }), rules));
    expect(ended).toMatchObject({ type: 'update', event: 'hold_ended' });
    expect(ended.state.hold).toBeUndefined();
  });

  it('P2.a.2 no reaction to the offer within the letter term allows the report', () => {
    const state: CaseState = {
      letter: { sentOn: D_PREV, receivedOn: '2027-01-14', termEndsOn: '2027-01-28', principalCents: 71235, costsCents: 10685 },
      signal: { state: 'offered', offeredOn: D_PREV, answeredOn: null, reportedOn: null },
    };
    const t = only(evaluateDay('2027-01-29', tenancy(), openCase('reminder', state), rules));
    expect(t).toMatchObject({ type: 'update', event: 'signal_no_reaction', clause: 'P2.a.2' });
    expect(t.state.signal?.state).toBe('no_reaction');
  });
});
