import { describe, expect, it } from 'vitest';
import { monthlyInstallments } from '../../src/domain/arrangement.js';
import { addWorkingDays, type IsoDate } from '../../src/domain/calendar.js';
import { procedureRules, type CaseState, type OpenStage, type VoteFacts } from '../../src/domain/case-state.js';
import {
  castMtBallot,
  handToBailiff,
  placeHold,
  recordConversation,
  recordHomeVisit,
  recordMassDiscussion,
  recordNoResponse,
  recordSignalAnswer,
  registerVerdict,
  releaseHold,
  type ConversationInput,
  type OutcomeResult,
} from '../../src/domain/outcomes.js';
import { evaluateDay, reminderLetter, type OpenCase, type TenancyDay, type Transition } from '../../src/domain/procedure.js';
import type { SignalState } from '../../src/domain/signal.js';
import { testConfig } from '../support/config.js';

/**
 * The outcome rules alone: an open case, what the team or the MT entered, a date, and the
 * transition (or the Dutch reasons it is refused). Rules come from the test configuration:
 * card term 7 days, bailiff term 14 days, arrangements up to 6 months, MT of three with quorum 2.
 */

const rules = procedureRules(testConfig());
const [MT1, MT2, MT3] = rules.mtMembers as [string, string, string];
const DAY = '2027-01-20';
const FACTS = { balanceCents: 140_000, monthlyRentCents: 70_000 };
const LETTER = reminderLetter('2027-01-13', 140_000, rules);

function caseIn(stage: OpenStage, state: CaseState = {}): OpenCase {
  return { id: 7, stage, openedOn: '2027-01-13', stageSince: '2027-01-13', state: { letter: LETTER, ...state } };
}

function talk(over: Partial<ConversationInput> = {}): ConversationInput {
  return {
    cause: 'Inkomen gedaald na ontslag',
    referralConsent: true,
    consequencesExplained: true,
    obligations: { noNewArrears: true, registerWithAid: true, reportRegistration: true, paymentArrangement: true },
    commitments: { passDetailsOn: true, noCollection: true, noInterest: true, acceptArrangement: true },
    ...over,
  };
}

function ok(result: OutcomeResult): Transition {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.errors)}`);
  return result.transition;
}

function errors(result: OutcomeResult) {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.transition)}`);
  return result.errors;
}

function tenancyDay(date: IsoDate, over: Partial<TenancyDay> = {}): TenancyDay {
  return {
    contractId: '100001',
    monthlyRentCents: 70_000,
    endDate: null,
    probationUntil: null,
    balanceCents: 140_000,
    month: null,
    ...over,
  };
}

describe('the conversation (P2.a)', () => {
  it('P2.a records a conversation without an arrangement as an update with conversationOn', () => {
    const t = ok(recordConversation(caseIn('contact', { contactSince: '2027-01-13' }), talk(), DAY, rules, FACTS));
    expect(t).toMatchObject({ type: 'update', stage: 'contact', event: 'conversation_recorded', clause: 'P2.a' });
    expect(t.state.conversationOn).toBe(DAY);
    expect(t.summary).toContain('achterstand € 1.400,00');
    expect(t.summary).toContain('geen betalingsregeling');
  });

  it('P2.a.1 requires the cause, and keeps it out of the transition (it may be about health)', () => {
    expect(errors(recordConversation(caseIn('contact'), talk({ cause: '  ' }), DAY, rules, FACTS))).toEqual([
      { field: 'cause', message: expect.stringContaining('oorzaak') },
    ]);
    const t = ok(recordConversation(caseIn('contact'), talk({ cause: 'Opgenomen in het ziekenhuis' }), DAY, rules, FACTS));
    expect(JSON.stringify(t)).not.toContain('ziekenhuis');
  });

  it('P2.a.2 records the consent to the meldingsformulier, also as the early-signalling answer', () => {
    const yes = ok(recordConversation(caseIn('contact'), talk({ referralConsent: true }), DAY, rules, FACTS));
    expect(yes.state.agreement?.referralConsent).toBe(true);
    expect(yes.state.signal).toMatchObject({ state: 'agreed', offeredOn: '2027-01-13', answeredOn: DAY });
    const no = ok(recordConversation(caseIn('contact'), talk({ referralConsent: false }), DAY, rules, FACTS));
    expect(no.state.agreement?.referralConsent).toBe(false);
    expect(no.state.signal?.state).toBe('objected');
    expect(no.summary).toContain('meldingsformulier: huurder niet akkoord');
  });

  it('P2.a.2 a report already made stays made whatever the conversation says', () => {
    const reported: SignalState = { state: 'reported', offeredOn: '2027-01-13', answeredOn: null, reportedOn: '2027-01-18' };
    const t = ok(recordConversation(caseIn('contact', { signal: reported }), talk({ referralConsent: false }), DAY, rules, FACTS));
    expect(t.state.signal).toEqual(reported);
  });

  it('P2.a.3 refuses a conversation in which the consequences were not explained', () => {
    expect(errors(recordConversation(caseIn('contact'), talk({ consequencesExplained: false }), DAY, rules, FACTS))).toEqual([
      { field: 'consequencesExplained', message: expect.stringContaining('incasso, deurwaarder en ontruiming') },
    ]);
  });

  it('P2.b.1–4 and P2.c.1–4 the obligations and commitments are kept for the confirmation letter (P2.a.4)', () => {
    const input = talk({
      obligations: { noNewArrears: true, registerWithAid: false, reportRegistration: false, paymentArrangement: true },
      commitments: { passDetailsOn: false, noCollection: true, noInterest: true, acceptArrangement: true },
    });
    const t = ok(recordConversation(caseIn('contact'), input, DAY, rules, FACTS));
    expect(t.state.agreement).toEqual({
      agreedOn: DAY,
      via: 'conversation',
      arrearsCents: 140_000,
      referralConsent: true,
      consequencesExplained: true,
      obligations: input.obligations,
      commitments: input.commitments,
    });
  });

  // One test per clause: each obligation (P2.b.1–4) and commitment (P2.c.1–4) is its own fact.
  const promises = [
    ['P2.b.1', 'obligations', 'noNewArrears', 'let the arrears grow no further'],
    ['P2.b.2', 'obligations', 'registerWithAid', 'register with the municipality or aid agency'],
    ['P2.b.3', 'obligations', 'reportRegistration', 'report back that the registration was made'],
    ['P2.b.4', 'obligations', 'paymentArrangement', 'enter a payment arrangement'],
    ['P2.c.1', 'commitments', 'passDetailsOn', 'pass the details on to the municipality'],
    ['P2.c.2', 'commitments', 'noCollection', 'start no collection procedure'],
    ['P2.c.3', 'commitments', 'noInterest', 'charge no interest'],
    ['P2.c.4', 'commitments', 'acceptArrangement', 'accept a payment arrangement'],
  ] as const;
  for (const [clause, group, key, what] of promises) {
    it(`${clause} records whether the conversation agreed to ${what}, for the written confirmation`, () => {
      const all = talk();
      const without = talk({ [group]: { ...all[group], [key]: false } });
      const agreed = ok(recordConversation(caseIn('contact'), all, DAY, rules, FACTS)).state.agreement!;
      const notAgreed = ok(recordConversation(caseIn('contact'), without, DAY, rules, FACTS)).state.agreement!;
      expect((agreed[group] as Record<string, boolean>)[key]).toBe(true);
      expect((notAgreed[group] as Record<string, boolean>)[key]).toBe(false);
    });
  }

  it('P2.c.4 accepts an arrangement of at most 6 months and moves the case to arrangement', () => {
    const installments = monthlyInstallments(140_000, 6, '2027-02-01');
    const t = ok(recordConversation(caseIn('contact'), talk({ arrangement: { installments } }), DAY, rules, FACTS));
    expect(t).toMatchObject({ type: 'move', from: 'contact', to: 'arrangement', clause: 'P2.c.4' });
    expect(t.state.arrangement).toEqual({ agreedOn: DAY, arrearsCents: 140_000, installments, monthlyRentCents: 70_000 });
    expect(t.state.conversationOn).toBe(DAY);
    expect(t.summary).toContain('6 termijnen, samen € 1.400,00, laatste termijn 01-07-2027');
  });

  it('P2.c.4 refuses an arrangement longer than 6 months', () => {
    const seven = monthlyInstallments(140_000, 7, '2027-02-01');
    expect(errors(recordConversation(caseIn('contact'), talk({ arrangement: { installments: seven } }), DAY, rules, FACTS))).toContainEqual(
      {
        field: 'arrangement.installments',
        message: expect.stringContaining('hoogstens 6 maanden'),
      },
    );
    const late = monthlyInstallments(140_000, 6, '2027-03-01'); // six, but the last one after 20-07-2027
    expect(errors(recordConversation(caseIn('contact'), talk({ arrangement: { installments: late } }), DAY, rules, FACTS))).toEqual([
      { field: 'arrangement.installments.5.dueOn', message: expect.stringContaining('uiterlijk 20-07-2027') },
    ]);
  });

  it('P2.b.4 refuses installments that do not clear the arrears', () => {
    const short = monthlyInstallments(130_000, 4, '2027-02-01');
    expect(errors(recordConversation(caseIn('contact'), talk({ arrangement: { installments: short } }), DAY, rules, FACTS))).toEqual([
      { field: 'arrangement.installments', message: expect.stringContaining('er ontbreekt € 100,00') },
    ]);
  });

  it('P2.c.4 a conversation in escalation with an arrangement takes the case back to arrangement', () => {
    const open = caseIn('escalation', { escalation: { since: '2027-01-18', reason: 'geen gesprek' } });
    const t = ok(
      recordConversation(open, talk({ arrangement: { installments: monthlyInstallments(140_000, 3, '2027-02-01') } }), DAY, rules, FACTS),
    );
    expect(t).toMatchObject({ type: 'move', from: 'escalation', to: 'arrangement' });
    expect(t.state.escalation).toBeUndefined();
  });

  it('P2.a refuses a conversation in another stage and names the current one', () => {
    const result = recordConversation(caseIn('bailiff'), talk(), DAY, rules, FACTS);
    expect(result).toEqual({
      ok: false,
      reason: 'wrong_stage',
      errors: [{ field: 'stage', message: expect.stringContaining('deze zaak staat in de fase deurwaarder (P3.b)') }],
    });
  });
});

describe('no response, the home visit and the card (P2.d)', () => {
  it('P2.d no response to the invitation moves the case from contact to the home visit', () => {
    const t = ok(recordNoResponse(caseIn('contact'), DAY, rules));
    expect(t).toMatchObject({ type: 'move', from: 'contact', to: 'visit', clause: 'P2.d' });
    expect(t.state.noResponseOn).toBe(DAY);
    expect(recordNoResponse(caseIn('reminder'), DAY, rules)).toMatchObject({ ok: false, reason: 'wrong_stage' });
  });

  it('P2.d.1 a home visit needs two distinct employees', () => {
    const open = caseIn('visit');
    const one = recordHomeVisit(open, { outcome: 'nobody_home', employees: ['U0AAAAAAA1'] }, DAY, rules, FACTS);
    expect(errors(one)).toEqual([{ field: 'employees', message: expect.stringContaining('twee medewerkers') }]);
    const same = recordHomeVisit(open, { outcome: 'nobody_home', employees: ['U0AAAAAAA1', 'U0AAAAAAA1'] }, DAY, rules, FACTS);
    expect(errors(same)).toEqual([{ field: 'employees', message: expect.stringContaining('twee verschillende medewerkers') }]);
    const two = ok(recordHomeVisit(open, { outcome: 'spoken', employees: ['U0AAAAAAA1', 'U0BBBBBBB1'] }, DAY, rules, FACTS));
    expect(two).toMatchObject({ type: 'update', event: 'home_visit', clause: 'P2.d.1' });
    expect(two.state.visit).toEqual({ visitedOn: DAY, employees: ['U0AAAAAAA1', 'U0BBBBBBB1'] });
  });

  it('P2.d.1 spoken at home: recorded as the conversation, with the same checks', () => {
    const open = caseIn('visit');
    const input = { outcome: 'spoken' as const, employees: ['U0AAAAAAA1', 'U0BBBBBBB1'] };
    const refused = recordHomeVisit(open, { ...input, conversation: talk({ consequencesExplained: false }) }, DAY, rules, FACTS);
    expect(errors(refused)).toEqual([{ field: 'conversation.consequencesExplained', message: expect.any(String) }]);
    const installments = monthlyInstallments(140_000, 2, '2027-02-01');
    const t = ok(recordHomeVisit(open, { ...input, conversation: talk({ arrangement: { installments } }) }, DAY, rules, FACTS));
    expect(t).toMatchObject({ type: 'move', from: 'visit', to: 'arrangement', clause: 'P2.c.4' });
    expect(t.state.agreement?.via).toBe('home_visit');
    expect(t.state.visit?.employees).toEqual(['U0AAAAAAA1', 'U0BBBBBBB1']);
  });

  it('P2.d.2 nobody home: a card with a one-week term', () => {
    const t = ok(recordHomeVisit(caseIn('visit'), { outcome: 'nobody_home', employees: ['U0AAAAAAA1', 'U0BBBBBBB1'] }, DAY, rules, FACTS));
    expect(t).toMatchObject({ type: 'update', stage: 'visit', event: 'card_left', clause: 'P2.d.2' });
    expect(t.state.visit).toEqual({
      visitedOn: DAY,
      employees: ['U0AAAAAAA1', 'U0BBBBBBB1'],
      cardLeftOn: DAY,
      cardTermEndsOn: '2027-01-27',
    });
    expect(t.summary).toContain('uiterlijk 27-01-2027 gaat het dossier naar de deurwaarder');

    // The daily run escalates on the first day after the week, unless the tenant reacted.
    const open: OpenCase = { ...caseIn('visit'), state: t.state };
    expect(evaluateDay('2027-01-27', tenancyDay('2027-01-27'), open, rules)).toEqual([]);
    expect(evaluateDay('2027-01-28', tenancyDay('2027-01-28'), open, rules)).toMatchObject([
      { type: 'move', from: 'visit', to: 'escalation', clause: 'P2.d.2' },
    ]);
    const answered = ok(recordConversation(open, talk(), '2027-01-25', rules, FACTS));
    expect(evaluateDay('2027-01-28', tenancyDay('2027-01-28'), { ...open, state: answered.state }, rules)).toEqual([]);
  });
});

describe('the team discussion (P3.a) and the bailiff (P3.b)', () => {
  const flags = { childrenInHome: true, referralGrounds: true, nuisance: false, structuralProblems: true, earlierVerdict: false };

  it('P3.a.1 records the MaSS questions as yes/no flags in escalation, and keeps them off the card', () => {
    const t = ok(recordMassDiscussion(caseIn('escalation'), flags, DAY, rules));
    expect(t).toMatchObject({ type: 'update', event: 'mass_discussed', clause: 'P3.a' });
    expect(t.state.mass).toEqual({ discussedOn: DAY, ...flags });
    expect(t.summary).not.toMatch(/\bja\b|\bnee\b/);
  });

  it('P3.a.2 the discussion is recorded only in escalation', () => {
    expect(recordMassDiscussion(caseIn('contact'), flags, DAY, rules)).toMatchObject({
      ok: false,
      reason: 'wrong_stage',
      errors: [{ message: expect.stringContaining('alleen in de fase teambespreking; deze zaak staat in de fase contact (P2)') }],
    });
  });

  it('P3.b hands the file to the bailiff with the bailiff term', () => {
    const t = ok(handToBailiff(caseIn('escalation'), '2027-01-26', rules));
    expect(t).toMatchObject({ type: 'move', from: 'escalation', to: 'bailiff', clause: 'P3.b' });
    expect(t.state.bailiff).toEqual({ handedOn: '2027-01-26', termEndsOn: '2027-02-09' });
    expect(t.summary).not.toContain('vroegsignalering');
    expect(handToBailiff(caseIn('contact'), DAY, rules)).toMatchObject({ ok: false, reason: 'wrong_stage' });
  });

  it('P3.b names the early-signal report and whether 2 months have passed', () => {
    const reported = (on: IsoDate): CaseState => ({
      signal: { state: 'reported', offeredOn: '2026-10-12', answeredOn: null, reportedOn: on },
    });
    const longAgo = ok(handToBailiff(caseIn('escalation', reported('2026-11-10')), '2027-01-26', rules));
    expect(longAgo.summary).toContain('gemeld bij de gemeente op 10-11-2026 (2 maanden of langer geleden)');
    const recent = ok(handToBailiff(caseIn('escalation', reported('2027-01-05')), '2027-01-26', rules));
    expect(recent.summary).toContain('nog geen 2 maanden geleden; dagvaarden vanaf 05-03-2027');
    const objected = ok(
      handToBailiff(
        caseIn('escalation', { signal: { state: 'objected', offeredOn: '2027-01-13', answeredOn: '2027-01-15', reportedOn: null } }),
        '2027-01-26',
        rules,
      ),
    );
    expect(objected.summary).toContain('vroegsignalering: niet gemeld bij de gemeente (de huurder maakte bezwaar)');
  });

  it('P3.b waits while a hold runs', () => {
    const open = caseIn('escalation', { hold: { reason: 'moratorium', since: '2027-01-10', until: '2027-02-28' } });
    expect(errors(handToBailiff(open, DAY, rules))).toEqual([{ field: 'hold', message: expect.stringContaining('moratorium') }]);
    expect(handToBailiff(open, '2027-03-01', rules).ok).toBe(true);
  });
});

describe('the MT vote (P3.c, P4.b)', () => {
  const vote = (ballots: VoteFacts['ballots'] = {}, kind: VoteFacts['kind'] = 'eviction'): CaseState => ({
    vote: { kind, openedOn: '2027-02-10', closesOn: '2027-02-15', ballots },
  });
  const member = { isMember: true };

  it('P3.c records a ballot and shows the tally', () => {
    const t = ok(castMtBallot(caseIn('mt_vote', vote()), { member: MT1, ballot: 'for' }, '2027-02-11', rules, member));
    expect(t).toMatchObject({ type: 'update', stage: 'mt_vote', event: 'mt_ballot', clause: 'P3.c' });
    expect(t.state.vote?.ballots).toEqual({ [MT1]: 'for' });
    expect(t.summary).toBe('Stem uitgebracht: voor · stand 1 voor, 0 tegen, 0 onthouding (quorum 2)');
  });

  it('P3.c a member changes the ballot until the vote closes', () => {
    const t = ok(castMtBallot(caseIn('mt_vote', vote({ [MT1]: 'for' })), { member: MT1, ballot: 'against' }, '2027-02-11', rules, member));
    expect(t.state.vote?.ballots).toEqual({ [MT1]: 'against' });
    expect(t.summary).toContain('Stem gewijzigd: tegen');
    const late = castMtBallot(caseIn('mt_vote', vote({ [MT1]: 'for' })), { member: MT1, ballot: 'against' }, '2027-02-15', rules, member);
    expect(errors(late)).toEqual([{ field: 'ballot', message: expect.stringContaining('gesloten') }]);
  });

  it('P3.c refuses a ballot from someone outside the MT', () => {
    expect(
      errors(castMtBallot(caseIn('mt_vote', vote()), { member: 'U0AAAAAAA1', ballot: 'for' }, '2027-02-11', rules, { isMember: false })),
    ).toEqual([{ field: 'ballot', message: 'Alleen leden van het MT kunnen stemmen.' }]);
  });

  it('P3.c a decisive majority closes the vote at once: approved, the bailiff starts (P3.d)', () => {
    const t = ok(castMtBallot(caseIn('mt_vote', vote({ [MT1]: 'for' })), { member: MT2, ballot: 'for' }, '2027-02-11', rules, member));
    expect(t).toMatchObject({ type: 'move', from: 'mt_vote', to: 'eviction_procedure', clause: 'P3.d' });
    expect(t.state.vote).toBeUndefined();
    expect(t.state.mtDecision).toEqual({
      on: '2027-02-11',
      outcome: 'approved',
      kind: 'eviction',
      ballots: { [MT1]: 'for', [MT2]: 'for' },
    });
    expect(t.summary).toMatch(/^Stem uitgebracht: voor\. MT stemt in .*\(2 voor, 0 tegen, 0 onthouding\)/);
  });

  it('P3.c a decisive majority against sends the case back to the team', () => {
    const t = ok(
      castMtBallot(
        caseIn('mt_vote', vote({ [MT1]: 'against', [MT3]: 'for' })),
        { member: MT2, ballot: 'against' },
        '2027-02-11',
        rules,
        member,
      ),
    );
    expect(t).toMatchObject({ type: 'move', from: 'mt_vote', to: 'escalation', clause: 'P3.c' });
    expect(t.state.mtDecision?.outcome).toBe('rejected');
  });

  it('P3.c without a known membership (Slack user group) the vote stays open until its term', () => {
    const byGroup = { ...rules, mtMembers: [] };
    const t = ok(
      castMtBallot(caseIn('mt_vote', vote({ UA: 'for', UB: 'for' })), { member: 'UC', ballot: 'for' }, '2027-02-11', byGroup, member),
    );
    expect(t).toMatchObject({ type: 'update', event: 'mt_ballot' });
  });

  it('P4.b an approved repeat-verdict vote leads to eviction on the eviction date', () => {
    const base = caseIn('mt_vote', vote({ [MT1]: 'for' }, 'repeat_verdict'));
    const verdict = { verdictOn: '2027-02-01', evictionOn: '2027-03-15', amountCents: 250000, first: false, payBy: '2027-03-14' };
    const open = { ...base, state: { ...base.state, verdict } };
    const t = ok(castMtBallot(open, { member: MT3, ballot: 'for' }, '2027-02-11', rules, member));
    // The case waits in `verdict` for the eviction date (P4.b), where the daily run closes it.
    expect(t).toMatchObject({ type: 'move', from: 'mt_vote', to: 'verdict', clause: 'P4.b' });
  });
});

describe('the verdict (P4)', () => {
  const input = { verdictOn: '2027-03-01', evictionOn: '2027-04-15', amountCents: 312_345 };

  it('P4.a a first verdict: the case waits for full payment until 24 hours before the eviction', () => {
    const t = ok(
      registerVerdict(caseIn('eviction_procedure'), input, '2027-03-02', rules, { earlierVerdictDates: [], balanceCents: 250000 }),
    );
    expect(t).toMatchObject({ type: 'move', from: 'eviction_procedure', to: 'verdict', clause: 'P4.a' });
    expect(t.state.verdict).toEqual({ ...input, first: true, payBy: '2027-04-14', registeredOn: '2027-03-02', unbookedCents: 62_345 });
    expect(t.summary).toContain('te betalen € 3.123,45 inclusief kosten');
    expect(t.summary).toContain('uiterlijk 14-04-2027');
  });

  it('P4.a refuses an eviction date not after the verdict, a verdict in the future and an amount of nothing', () => {
    const result = registerVerdict(
      caseIn('eviction_procedure'),
      { verdictOn: '2027-03-05', evictionOn: '2027-03-05', amountCents: 0 },
      '2027-03-02',
      rules,
      { earlierVerdictDates: [], balanceCents: 250000 },
    );
    expect(errors(result).map((e) => e.field)).toEqual(['verdictOn', 'evictionOn', 'amountCents']);
    expect(registerVerdict(caseIn('bailiff'), input, '2027-03-02', rules, { earlierVerdictDates: [], balanceCents: 250000 })).toMatchObject(
      {
        ok: false,
        reason: 'wrong_stage',
      },
    );
  });

  it('P4.b a repeat verdict goes to the MT as a vote of kind repeat_verdict', () => {
    const t = ok(
      registerVerdict(caseIn('eviction_procedure'), input, '2027-03-02', rules, {
        earlierVerdictDates: ['2024-05-01'],
        balanceCents: 250000,
      }),
    );
    expect(t).toMatchObject({ type: 'move', from: 'eviction_procedure', to: 'mt_vote', clause: 'P4.b' });
    expect(t.state.vote).toEqual({
      kind: 'repeat_verdict',
      openedOn: '2027-03-02',
      closesOn: addWorkingDays('2027-03-02', rules.voteTermWorkdays, rules.holidays),
      ballots: {},
    });
    expect(t.state.verdict?.first).toBe(false);
    expect(t.summary).toContain('Eerder vonnis op 01-05-2024');
  });

  it('P4.b only a verdict before this one counts as earlier', () => {
    const t = ok(
      registerVerdict(caseIn('eviction_procedure'), input, '2027-03-02', rules, {
        earlierVerdictDates: ['2027-03-01'],
        balanceCents: 250000,
      }),
    );
    expect(t).toMatchObject({ to: 'verdict', clause: 'P4.a' });
  });
});

describe('holds', () => {
  it('pauses a case before the verdict until the end date; a moratorium lasts at most 6 months', () => {
    const t = ok(placeHold(caseIn('contact'), { reason: 'moratorium', until: '2027-07-20' }, DAY, rules));
    expect(t).toMatchObject({ type: 'update', event: 'hold_placed', clause: null });
    expect(t.state.hold).toEqual({ reason: 'moratorium', since: DAY, until: '2027-07-20' });
    expect(errors(placeHold(caseIn('contact'), { reason: 'moratorium', until: '2027-07-21' }, DAY, rules))).toEqual([
      { field: 'until', message: expect.stringContaining('hoogstens 6 maanden') },
    ]);
    expect(ok(placeHold(caseIn('contact'), { reason: 'wsnp', until: '2028-07-21' }, DAY, rules)).state.hold?.reason).toBe('wsnp');
    expect(errors(placeHold(caseIn('contact'), { reason: 'debt_help', until: DAY }, DAY, rules))).toEqual([
      { field: 'until', message: expect.stringContaining('na vandaag') },
    ]);
    expect(placeHold(caseIn('verdict'), { reason: 'debt_help', until: '2027-03-01' }, DAY, rules)).toMatchObject({
      ok: false,
      reason: 'wrong_stage',
      errors: [{ message: expect.stringContaining('vóór het vonnis') }],
    });
  });

  it('the daily run escalates nothing while the hold runs, and ends it the day after', () => {
    const held: OpenCase = {
      ...caseIn('contact', { contactSince: '2027-01-13' }),
      state: ok(placeHold(caseIn('contact', { contactSince: '2027-01-13' }), { reason: 'debt_help', until: '2027-03-01' }, DAY, rules))
        .state,
    };
    const grew = {
      contractId: '100001',
      detectionDay: '2027-02-10',
      previousDetectionDay: '2027-01-13',
      balanceCents: 210_000,
      previousBalanceCents: 140_000,
      late: true,
      lateBefore: true,
      grew: true,
      monthsInArrears: 3,
    };
    expect(evaluateDay('2027-02-10', tenancyDay('2027-02-10', { month: grew, balanceCents: 210_000 }), held, rules)).toEqual([]);
    expect(evaluateDay('2027-03-02', tenancyDay('2027-03-02'), held, rules)).toMatchObject([{ type: 'update', event: 'hold_ended' }]);
  });

  it('a hold ends early when released', () => {
    const held = caseIn('escalation', { hold: { reason: 'debt_help', since: DAY, until: '2027-03-01' } });
    const t = ok(releaseHold(held, '2027-02-01', rules));
    expect(t).toMatchObject({ type: 'update', event: 'hold_released' });
    expect(t.state.hold).toBeUndefined();
    expect(errors(releaseHold(caseIn('contact'), DAY, rules))).toEqual([{ field: 'hold', message: 'Deze zaak is niet gepauzeerd.' }]);
  });
});

describe('early signalling (P2.a.2)', () => {
  it('P2.a.2 the tenant objects to or agrees with the report to the municipality', () => {
    const objected = ok(recordSignalAnswer(caseIn('reminder'), { answer: 'objected' }, DAY, rules));
    expect(objected).toMatchObject({ type: 'update', event: 'signal_answer', clause: 'P2.a.2' });
    expect(objected.state.signal).toEqual({ state: 'objected', offeredOn: '2027-01-13', answeredOn: DAY, reportedOn: null });
    const agreed = ok(recordSignalAnswer({ ...caseIn('reminder'), state: objected.state }, { answer: 'agreed' }, '2027-01-21', rules));
    expect(agreed.state.signal?.state).toBe('agreed');
  });

  it('P2.a.2 after the report an objection is refused with the reason', () => {
    const reported: SignalState = { state: 'reported', offeredOn: '2027-01-13', answeredOn: null, reportedOn: '2027-01-18' };
    expect(errors(recordSignalAnswer(caseIn('contact', { signal: reported }), { answer: 'objected' }, DAY, rules))).toEqual([
      { field: 'answer', message: 'Kan het bezwaar niet vastleggen: de vroegsignalering staat op "gemeld".' },
    ]);
  });
});
