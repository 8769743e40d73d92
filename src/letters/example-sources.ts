import type { Config } from '../config.js';
import { DEFAULT_HOLIDAYS, addDays, addWorkingDays, addYears, type IsoDate } from '../domain/calendar.js';
import { monthlyInstallments } from '../domain/arrangement.js';
import type { CaseState } from '../domain/case-state.js';
import { reminderLetter } from '../domain/procedure.js';
import type { LetterKind } from './letter-kinds.js';
import type { LetterSource } from './letter-source.js';

/**
 * A realistic dossier for the example letters (docs/letters), the benchmark and the tests: one
 * tenancy walked through the whole procedure, every date and amount computed by src/domain as the
 * daily run would, with names that need more than WinAnsi.
 */

export const EXAMPLE_LETTERS_CONFIG: NonNullable<Config['letters']> = {
  sender: {
    name: 'Woonstichting Voorbeeld',
    address: 'Postbus 123, 1000 AB Ergens',
    phone: '020-1234567',
    email: 'huurincasso@voorbeeld.nl',
    url: 'www.voorbeeld.nl',
    department: 'Team Huurincasso',
    signatory: '',
    visitingAddress: 'Stationsplein 1, Ergens',
    openingHours: 'op werkdagen van 9.00 tot 17.00 uur',
    iban: 'NL91 ABNA 0417 1643 00',
  },
  debtHelp: { name: 'Traverse', address: 'Marktstraat 8, 1000 CD Ergens', phone: '020-7654321', email: '', url: 'www.traverse-ergens.nl' },
};

const RENT = 71_235;
const RULES = { holidays: DEFAULT_HOLIDAYS, reminderTermDays: 14 };

/** The 14-day letter facts exactly as the procedure stores them. */
export function reminderFacts(sentOn: IsoDate, principalCents: number): NonNullable<CaseState['letter']> {
  return reminderLetter(sentOn, principalCents, RULES);
}

function base(kind: LetterKind, letterDate: IsoDate, state: CaseState, unpaid: [string, number][]): LetterSource {
  return {
    kind,
    contractId: 'H-1004',
    letterDate,
    tenants: ['Şahin Yıldız', 'Zoë Łukasiewicz-Ñúñez'],
    address: 'Kerkstraat 4 A',
    postcode: '1234AB',
    city: 'Ergens',
    monthlyRentCents: RENT,
    balanceCents: unpaid.reduce((sum, [, cents]) => sum + cents, 0),
    state,
    unpaidByMonth: unpaid.map(([month, cents]) => ({ month, cents })),
    events: [],
    earlierVerdictDate: null,
  };
}

/** One source per letter kind, all of one tenancy's case, dated from `start` (the 14-day letter). */
export function exampleSources(start: IsoDate = '2026-10-12'): Record<LetterKind, LetterSource> {
  const sept = 12_000; // what is left of September after a partial payment
  const letter = reminderFacts(start, sept + RENT);
  const signalOffered = { state: 'offered' as const, offeredOn: start, answeredOn: null, reportedOn: null };
  const reminder = base('reminder', start, { letter, signal: signalOffered }, [
    ['2026-09', sept],
    ['2026-10', RENT],
  ]);

  const contactOn = addWorkingDays(addDays(start, 28), 0);
  const unpaidNov: [string, number][] = [
    ['2026-09', sept],
    ['2026-10', RENT],
    ['2026-11', RENT],
  ];
  const arrears = sept + 2 * RENT;
  const contactState: CaseState = {
    letter,
    signal: { state: 'no_reaction', offeredOn: start, answeredOn: null, reportedOn: null },
    contactSince: contactOn,
  };
  const invitation = base('invitation', contactOn, contactState, unpaidNov);

  const agreedOn = addWorkingDays(contactOn, 5);
  const installments = monthlyInstallments(arrears, 6, '2026-12-15');
  const agreement: NonNullable<CaseState['agreement']> = {
    agreedOn,
    via: 'conversation',
    arrearsCents: arrears,
    referralConsent: true,
    consequencesExplained: true,
    obligations: { noNewArrears: true, registerWithAid: true, reportRegistration: true, paymentArrangement: true },
    commitments: { passDetailsOn: true, noCollection: true, noInterest: true, acceptArrangement: true },
  };
  const arrangement = { agreedOn, arrearsCents: arrears, installments, monthlyRentCents: RENT };
  const confirmation = base('confirmation', agreedOn, { ...contactState, conversationOn: agreedOn, agreement, arrangement }, unpaidNov);

  const visitedOn = addWorkingDays(contactOn, 6);
  const cardTermEndsOn = addDays(visitedOn, 7);
  const card = base(
    'card',
    visitedOn,
    {
      ...contactState,
      noResponseOn: addWorkingDays(contactOn, 5),
      visit: { visitedOn, employees: ['U0AAAAAAAA', 'U0BBBBBBBB'], cardLeftOn: visitedOn, cardTermEndsOn },
    },
    unpaidNov,
  );

  const signalReported = { state: 'reported' as const, offeredOn: start, answeredOn: agreedOn, reportedOn: addWorkingDays(agreedOn, 1) };
  const handedOn = '2027-01-19';
  const unpaidJan: [string, number][] = [...unpaidNov, ['2026-12', RENT], ['2027-01', RENT]];
  const decisionOn = '2027-02-16';
  const handoverState: CaseState = {
    ...confirmation.state,
    signal: signalReported,
    escalation: { since: '2027-01-13', reason: 'Betalingsregeling niet nagekomen: termijn van 15 december 2026 niet betaald' },
    mass: {
      discussedOn: '2027-01-14',
      childrenInHome: true,
      referralGrounds: true,
      nuisance: false,
      structuralProblems: true,
      earlierVerdict: false,
    },
    bailiff: { handedOn, termEndsOn: addDays(handedOn, 14) },
    mtDecision: {
      on: decisionOn,
      outcome: 'approved',
      kind: 'eviction',
      ballots: { U0DDDDDDDD: 'for', U0EEEEEEEE: 'for', U0FFFFFFFF: 'abstain' },
    },
  };
  const handover = base('bailiff_handover', decisionOn, handoverState, [...unpaidJan, ['2027-02', RENT]]);
  handover.events = [
    {
      on: start,
      type: 'case_opened',
      clause: 'P1',
      actor: 'system',
      summary: '14-dagenbrief verstuurd met de folder van Traverse en het aanbod van vroegsignalering',
    },
    {
      on: contactOn,
      type: 'stage_changed',
      clause: 'P2',
      actor: 'system',
      summary: 'Achterstand gegroeid naar een tweede maand: uitnodiging voor een gesprek',
    },
    {
      on: agreedOn,
      type: 'stage_changed',
      clause: 'P2.c.4',
      actor: 'U0AAAAAAAA',
      summary: 'Gesprek met de huurder: afspraken vastgelegd, betalingsregeling van 6 termijnen',
    },
    { on: agreedOn, type: 'note', clause: 'P2.a.1', actor: 'U0AAAAAAAA', summary: 'Oorzaak van de achterstand vastgelegd (P2.a.1)' },
    {
      on: agreedOn,
      type: 'signal_answer',
      clause: 'P2.a.2',
      actor: 'U0AAAAAAAA',
      summary: 'Vroegsignalering: huurder stemt in met de melding',
    },
    {
      on: signalReported.reportedOn,
      type: 'signal_reported',
      clause: 'P2.a.2',
      actor: 'system',
      summary: 'Gemeld bij de gemeente (vroegsignalering)',
    },
    { on: '2027-01-13', type: 'stage_changed', clause: 'P3', actor: 'system', summary: 'Betalingsregeling niet nagekomen: escalatie' },
    { on: '2027-01-14', type: 'mass_discussed', clause: 'P3.a', actor: 'U0BBBBBBBB', summary: 'Teambespreking vastgelegd' },
    { on: handedOn, type: 'stage_changed', clause: 'P3.b', actor: 'U0BBBBBBBB', summary: 'Dossier overgedragen aan de deurwaarder' },
    {
      on: '2027-02-02',
      type: 'stage_changed',
      clause: 'P3.c',
      actor: 'system',
      summary: 'Termijn van de deurwaarder verstreken zonder betaling: MT-stemming',
    },
    { on: decisionOn, type: 'stage_changed', clause: 'P3.d', actor: 'system', summary: 'MT heeft ingestemd met de ontruimingsprocedure' },
  ];

  const postponedOn = '2027-06-08';
  const lastWarning = base(
    'last_warning',
    postponedOn,
    {
      ...handoverState,
      verdict: {
        verdictOn: '2027-05-04',
        evictionOn: '2027-06-10',
        amountCents: 6 * RENT + sept + 86_900,
        first: true,
        payBy: '2027-06-09',
      },
      probationUntil: addYears(postponedOn, 2),
    },
    [],
  );

  return { reminder, invitation, confirmation, card, last_warning: lastWarning, bailiff_handover: handover };
}
