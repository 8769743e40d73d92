import type { Config } from '../config.js';
import { addDays, addYears, daysBetween, nextWorkingDay, type HolidayOptions, type IsoDate } from '../domain/calendar.js';
import type { Ballot, CaseState } from '../domain/case-state.js';
import { isTermEndDay } from '../domain/collection-costs.js';
import { formatEuro, formatMonthsNl, monthsInArrears, type Cents } from '../domain/money.js';
import { summonsWindow, summonsWindowStatus, type SignalStatus } from '../domain/signal.js';
import { fieldsFor } from './letter-fields.js';
import { addressLines, dutchDate, dutchDeadline, dutchMonth, dutchPostcode, joinNames } from './letter-format.js';
import { LETTER_CLAUSE, LETTER_KIND_NL, type LetterKind } from './letter-kinds.js';
import type { LetterEvent, LetterSource } from './letter-source.js';

export interface LetterTableColumn {
  header: string;
  align: 'left' | 'right';
  /** Share of the text width, the columns of a table add up to 1. */
  width: number;
}

export interface LetterTable {
  columns: LetterTableColumn[];
  rows: string[][];
  /** A bold closing row, e.g. the total. */
  total: string[] | null;
}

/**
 * A frozen, JSON-serialisable snapshot with every value a letter prints, already formatted. The
 * renderer only lays it out, so the dossier can store this and reproduce the letter byte for byte
 * later, even after the case's facts or the code that formats money changed.
 */
export interface LetterDocument {
  version: 1;
  kind: LetterKind;
  contractId: string;
  letterDate: IsoDate;
  /** Assumed receipt: the next working day after letterDate (the reminder: state.letter.receivedOn). */
  receivedOn: IsoDate;
  /** LETTER_KIND_NL: the title in the PDF's outline and metadata. */
  title: string;
  clause: string;
  sender: {
    name: string;
    /** The letterhead's lines under the name: address, phone, e-mail, website, IBAN. */
    lines: string[];
    /** One line above the window, for the post office. */
    returnAddress: string;
  };
  /** The address block in the envelope's window. */
  recipient: string[];
  /** Every placeholder of fieldsFor(kind), formatted; optional ones may be ''. */
  fields: Record<string, string>;
  tables: Record<string, LetterTable>;
}

/** A fact the letter needs is missing: the letter is refused rather than printed with a gap. */
export class LetterDataError extends Error {
  constructor(
    message: string,
    /** Dutch, for the team member who asked for the letter. */
    readonly messageNl: string,
    /** The path of the missing fact, e.g. `state.agreement`. */
    readonly missing: string,
  ) {
    super(message);
    this.name = 'LetterDataError';
  }
}

export interface LetterContext {
  letters: NonNullable<Config['letters']>;
  holidays: HolidayOptions;
  /** Procedure numbers the texts quote; defaults are the configuration's defaults. */
  maxArrangementMonths?: number;
  probationYears?: number;
}

type Fields = Record<string, string>;

const YES = 'ja';
const flag = (value: boolean | undefined): string => (value ? YES : '');

const SIGNAL_NL: Record<SignalStatus, string> = {
  none: 'niet aangeboden',
  offered: 'aangeboden, nog geen reactie',
  objected: 'huurder heeft bezwaar gemaakt: geen melding',
  agreed: 'huurder stemt in met melding',
  no_reaction: 'geen reactie van de huurder: melding mag',
  reported: 'gemeld bij de gemeente',
};

const BALLOT_NL: Record<Ballot, string> = { for: 'voor', against: 'tegen', abstain: 'onthouding' };

const MONTH_COLUMNS: LetterTableColumn[] = [
  { header: 'Periode', align: 'left', width: 0.65 },
  { header: 'Bedrag', align: 'right', width: 0.35 },
];

/**
 * The lines that make up `totalCents`: months newest first until the total is covered, the oldest
 * month taken trimmed to fit (payments settle the oldest charges first, so that is the part still
 * open), and whatever the months do not explain on one line of its own. They add up exactly.
 */
export function amountByMonth(totalCents: Cents, unpaidByMonth: LetterSource['unpaidByMonth']): { label: string; cents: Cents }[] {
  const lines: { label: string; cents: Cents }[] = [];
  let left = totalCents;
  for (let i = unpaidByMonth.length - 1; i >= 0 && left > 0; i--) {
    const month = unpaidByMonth[i]!;
    if (month.cents <= 0) continue;
    const take = Math.min(month.cents, left);
    lines.unshift({ label: `${capitalize(dutchMonth(month.month))}${take < month.cents ? ' (restant)' : ''}`, cents: take });
    left -= take;
  }
  if (left > 0) lines.unshift({ label: 'Overige openstaande posten', cents: left });
  return lines;
}

function monthTable(totalCents: Cents, source: LetterSource): LetterTable {
  return {
    columns: MONTH_COLUMNS,
    rows: amountByMonth(totalCents, source.unpaidByMonth).map((l) => [l.label, formatEuro(l.cents)]),
    total: ['Totaal', formatEuro(totalCents)],
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function missing(kind: LetterKind, path: string, what: string, watNl: string): LetterDataError {
  return new LetterDataError(
    `Cannot make the ${kind} letter: ${path} is missing (${what})`,
    `De ${LETTER_KIND_NL[kind].toLowerCase()} kan niet worden gemaakt: ${watNl} ontbreekt.`,
    path,
  );
}

function commonFields(source: LetterSource, ctx: LetterContext, receivedOn: IsoDate): Fields {
  const { sender, debtHelp } = ctx.letters;
  const senderReach = [sender.phone && `telefoon ${sender.phone}`, sender.email && `e-mail ${sender.email}`].filter(Boolean);
  const helpReach = [
    debtHelp.phone && `telefoon ${debtHelp.phone}`,
    debtHelp.email && `e-mail ${debtHelp.email}`,
    debtHelp.url,
    debtHelp.address,
  ].filter(Boolean);
  const names = joinNames(source.tenants);
  return {
    contractId: source.contractId,
    letterDate: dutchDate(source.letterDate),
    receivedOn: dutchDate(receivedOn),
    tenantNames: names,
    salutation: `Beste ${names}`,
    address: source.address,
    postcode: dutchPostcode(source.postcode),
    city: source.city,
    monthlyRent: formatEuro(source.monthlyRentCents),
    balance: formatEuro(source.balanceCents),
    monthsInArrears: formatMonthsNl(monthsInArrears(source.balanceCents, source.monthlyRentCents)),
    senderName: sender.name,
    senderDepartment: sender.department,
    senderSignatory: sender.signatory,
    senderPhone: sender.phone,
    senderEmail: sender.email,
    senderUrl: sender.url,
    senderIban: sender.iban,
    senderVisitingAddress: sender.visitingAddress,
    senderOpeningHours: sender.openingHours,
    senderContact: senderReach.length ? senderReach.join(' of ') : sender.visitingAddress || sender.url || sender.address || sender.name,
    paymentReference: `huur ${source.contractId}`,
    debtHelpName: debtHelp.name,
    debtHelpPhone: debtHelp.phone,
    debtHelpEmail: debtHelp.email,
    debtHelpUrl: debtHelp.url,
    debtHelpAddress: debtHelp.address,
    debtHelpContact: helpReach.length ? helpReach.join(' · ') : 'via uw gemeente',
  };
}

/** The term in days the letter states: the smallest n >= 14 whose (Atw-extended) end is the stored end. */
function statedTermDays(receivedOn: IsoDate, termEndsOn: IsoDate): number {
  const span = daysBetween(receivedOn, termEndsOn);
  for (let n = 14; n <= span; n++) {
    let end = addDays(receivedOn, n);
    while (!isTermEndDay(end) && end < termEndsOn) end = addDays(end, 1);
    if (end === termEndsOn) return n;
  }
  return span;
}

function reminder(source: LetterSource, state: CaseState): { fields: Fields; tables: Record<string, LetterTable>; receivedOn: IsoDate } {
  const letter = state.letter;
  if (!letter)
    throw missing('reminder', 'state.letter', 'the 14-day letter facts: dates, principal, costs', 'de gegevens van de 14-dagenbrief');
  if (letter.sentOn !== source.letterDate) {
    // The term is counted from the sending date: a letter dated otherwise would state a wrong term.
    throw new LetterDataError(
      `Cannot make the reminder letter: letterDate ${source.letterDate} differs from state.letter.sentOn ${letter.sentOn}, on which its term is based`,
      `De 14-dagenbrief kan niet worden gemaakt: de datum van de brief (${dutchDate(source.letterDate)}) is niet de verzenddatum (${dutchDate(letter.sentOn)}) waarop de termijn is berekend.`,
      'state.letter.sentOn',
    );
  }
  if (letter.principalCents <= 0) {
    throw new LetterDataError(
      'Cannot make the reminder letter: state.letter.principalCents is not positive',
      'De 14-dagenbrief kan niet worden gemaakt: er is geen achterstand om te noemen.',
      'state.letter.principalCents',
    );
  }
  return {
    receivedOn: letter.receivedOn,
    fields: {
      principal: formatEuro(letter.principalCents),
      costs: formatEuro(letter.costsCents),
      principalPlusCosts: formatEuro(letter.principalCents + letter.costsCents),
      termDays: String(statedTermDays(letter.receivedOn, letter.termEndsOn)),
      termStartsOn: dutchDate(addDays(letter.receivedOn, 1)),
      termEndsOn: dutchDeadline(letter.termEndsOn),
    },
    tables: { arrears: monthTable(letter.principalCents, source) },
  };
}

function requireArrears(kind: LetterKind, source: LetterSource): void {
  if (source.balanceCents <= 0) {
    throw new LetterDataError(
      `Cannot make the ${kind} letter: balanceCents is ${source.balanceCents}, there are no arrears`,
      `De ${LETTER_KIND_NL[kind].toLowerCase()} kan niet worden gemaakt: er is geen achterstand.`,
      'balanceCents',
    );
  }
}

function confirmation(source: LetterSource, state: CaseState, ctx: LetterContext): { fields: Fields; tables: Record<string, LetterTable> } {
  const agreement = state.agreement;
  if (!agreement)
    throw missing('confirmation', 'state.agreement', 'the agreements of the conversation, P2.a.4', 'de vastgelegde afspraken (P2.a.4)');
  const arrangement = state.arrangement;
  const installments = arrangement?.installments ?? [];
  const first = installments[0];
  const last = installments[installments.length - 1];
  const total = installments.reduce((sum, i) => sum + i.amountCents, 0);
  return {
    fields: {
      agreedOn: dutchDate(agreement.agreedOn),
      agreementPlace: agreement.via === 'home_visit' ? 'tijdens ons huisbezoek met u' : 'met u',
      agreedArrears: formatEuro(agreement.arrearsCents),
      referralConsent: flag(agreement.referralConsent),
      obligations: flag(Object.values(agreement.obligations).some(Boolean)),
      obligationNoNewArrears: flag(agreement.obligations.noNewArrears),
      obligationRegisterWithAid: flag(agreement.obligations.registerWithAid),
      obligationReportRegistration: flag(agreement.obligations.reportRegistration),
      obligationPaymentArrangement: flag(agreement.obligations.paymentArrangement),
      commitments: flag(Object.values(agreement.commitments).some(Boolean)),
      commitmentPassDetailsOn: flag(agreement.commitments.passDetailsOn),
      commitmentNoCollection: flag(agreement.commitments.noCollection),
      commitmentNoInterest: flag(agreement.commitments.noInterest),
      commitmentAcceptArrangement: flag(agreement.commitments.acceptArrangement),
      maxArrangementMonths: String(ctx.maxArrangementMonths ?? 6),
      arrangementTotal: first ? formatEuro(total) : '',
      arrangementCount: first ? String(installments.length) : '',
      arrangementFirstDue: first ? dutchDate(first.dueOn) : '',
      arrangementLastDue: last ? dutchDate(last.dueOn) : '',
    },
    tables: {
      installments: {
        columns: [
          { header: 'Termijn', align: 'left', width: 0.2 },
          { header: 'Uiterlijk betalen op', align: 'left', width: 0.5 },
          { header: 'Bedrag', align: 'right', width: 0.3 },
        ],
        rows: installments.map((i, n) => [String(n + 1), dutchDate(i.dueOn), formatEuro(i.amountCents)]),
        total: first ? ['Totaal', '', formatEuro(total)] : null,
      },
    },
  };
}

function card(source: LetterSource, state: CaseState): Fields {
  const visit = state.visit;
  if (!visit?.cardTermEndsOn) {
    throw missing(
      'card',
      'state.visit.cardTermEndsOn',
      'the visit with nobody home and the card term, P2.d.2',
      'het huisbezoek waarbij niemand thuis was (P2.d.2)',
    );
  }
  const leftOn = visit.cardLeftOn ?? visit.visitedOn ?? source.letterDate;
  return {
    visitedOn: dutchDate(visit.visitedOn ?? leftOn),
    cardTermDays: String(daysBetween(leftOn, visit.cardTermEndsOn)),
    cardTermEndsOn: dutchDeadline(visit.cardTermEndsOn),
  };
}

function lastWarning(state: CaseState, ctx: LetterContext): Fields {
  if (!state.probationUntil)
    throw missing(
      'last_warning',
      'state.probationUntil',
      'the probation end after a postponed eviction, P4.a.1',
      'het einde van de proeftijd (P4.a.1)',
    );
  const verdict = state.verdict;
  if (!verdict) throw missing('last_warning', 'state.verdict', 'the verdict whose eviction was postponed, P4.a', 'het vonnis (P4.a)');
  const years = ctx.probationYears ?? 2;
  return {
    verdictOn: dutchDate(verdict.verdictOn),
    evictionOn: dutchDate(verdict.evictionOn),
    verdictAmount: formatEuro(verdict.amountCents),
    probationYears: `${years} jaar`,
    probationStartsOn: dutchDate(addYears(state.probationUntil, -years)),
    probationUntil: dutchDate(state.probationUntil),
  };
}

/** The MT approved the eviction procedure (P3.d, P4.b): the handover then asks for it, not for a last chance. */
function handoverAfterDecision(state: CaseState, letterDate: IsoDate): boolean {
  return state.mtDecision?.outcome === 'approved' && state.mtDecision.on <= letterDate;
}

/** Notes can hold health details (AVG art. 9): the handover never shows them, not even their summary. */
function isPrivateEvent(event: LetterEvent): boolean {
  return /note|mass/i.test(event.type);
}

function handover(source: LetterSource, state: CaseState, ctx: LetterContext): { fields: Fields; tables: Record<string, LetterTable> } {
  const letter = state.letter;
  const signal = state.signal;
  const reportedOn = signal?.reportedOn ?? null;
  const handedOn = state.bailiff?.handedOn ?? source.letterDate;

  let signalWindow: string;
  const window = reportedOn ? summonsWindow(reportedOn) : null;
  switch (summonsWindowStatus(reportedOn, source.letterDate)) {
    case 'not_reported':
      signalWindow = 'Er is geen melding bij de gemeente gedaan.';
      break;
    case 'too_early':
      signalWindow = `De melding is minder dan 2 maanden oud: dagvaarden op zijn vroegst op ${dutchDate(window!.earliest)}.`;
      break;
    case 'ok':
      signalWindow = `De melding is 2 maanden of langer geleden: dagvaarden kan tot en met ${dutchDate(window!.latest)}.`;
      break;
    case 'too_late':
      signalWindow = `De melding is meer dan 6 maanden oud (na ${dutchDate(window!.latest)}): eerst opnieuw melden.`;
      break;
  }

  const decision = state.mtDecision;
  let mtDecision = '';
  if (decision) {
    const ballots = Object.values(decision.ballots);
    const count = (b: Ballot) => ballots.filter((x) => x === b).length;
    const outcome = { approved: 'ontruimingsprocedure goedgekeurd', rejected: 'afgewezen', no_quorum: 'geen quorum' }[decision.outcome];
    mtDecision =
      `${dutchDate(decision.on)}: ${outcome}; ${ballots.length} ${ballots.length === 1 ? 'stem' : 'stemmen'} ` +
      `(${count('for')} ${BALLOT_NL.for}, ${count('against')} ${BALLOT_NL.against}, ${count('abstain')} ${BALLOT_NL.abstain})`;
  }

  const checklist: string[][] = [];
  const check = (what: string, clause: string, how: string) => checklist.push([what, clause, how]);
  check(
    '14-dagenbrief',
    'art. 6:96 lid 6 BW, P1',
    letter
      ? `verstuurd ${dutchDate(letter.sentOn)}, ontvangst aangenomen ${dutchDate(letter.receivedOn)}, termijn tot en met ${dutchDate(letter.termEndsOn)}; hoofdsom ${formatEuro(letter.principalCents)}, incassokosten ${formatEuro(letter.costsCents)}`
      : 'niet in het dossier: geen incassokosten vorderen',
  );
  check(
    'Vroegsignalering',
    'Besluit gem. schuldhulpverlening art. 2',
    [
      signal?.offeredOn ? `aangeboden in de 14-dagenbrief van ${dutchDate(signal.offeredOn)}` : 'niet aangeboden',
      signal?.answeredOn ? `${signal.state === 'objected' ? 'bezwaar' : 'akkoord'} op ${dutchDate(signal.answeredOn)}` : '',
      reportedOn ? `gemeld bij de gemeente op ${dutchDate(reportedOn)}` : signal && signal.state !== 'none' ? SIGNAL_NL[signal.state] : '',
    ]
      .filter(Boolean)
      .join('; '),
  );
  if (state.contactSince || state.conversationOn) {
    check(
      'Persoonlijk contact',
      'P2, P2.a',
      [
        state.contactSince && `gestart ${dutchDate(state.contactSince)}`,
        state.conversationOn ? `gesprek ${dutchDate(state.conversationOn)}` : 'geen gesprek tot stand gekomen',
      ]
        .filter(Boolean)
        .join('; '),
    );
  }
  if (state.noResponseOn) check('Geen reactie op uitnodiging', 'P2.d', dutchDate(state.noResponseOn));
  if (state.visit?.visitedOn) check('Huisbezoek door twee medewerkers', 'P2.d.1', dutchDate(state.visit.visitedOn));
  if (state.visit?.cardLeftOn) {
    check(
      'Kaart in de brievenbus',
      'P2.d.2',
      `${dutchDate(state.visit.cardLeftOn)}, reactietermijn tot en met ${dutchDate(state.visit.cardTermEndsOn ?? state.visit.cardLeftOn)}`,
    );
  }
  if (state.agreement) {
    check(
      'Afspraken bevestigd',
      'P2.a.4, P2.b, P2.c',
      `${dutchDate(state.agreement.agreedOn)}; achterstand ${formatEuro(state.agreement.arrearsCents)}`,
    );
  }
  if (state.arrangement) {
    const n = state.arrangement.installments.length;
    check(
      'Betalingsregeling',
      'P2.b.4, P2.c.4',
      `afgesproken ${dutchDate(state.arrangement.agreedOn)}, ${n} ${n === 1 ? 'termijn' : 'termijnen'}`,
    );
  }
  if (state.escalation) check('Escalatie', 'P3', `${dutchDate(state.escalation.since)}: ${state.escalation.reason}`);
  if (state.mass) check('Teambespreking', 'P3.a', `besproken ${dutchDate(state.mass.discussedOn)}`);
  if (source.earlierVerdictDate) check('Eerder vonnis ontbinding/ontruiming', 'P3.a.2, P4.b', dutchDate(source.earlierVerdictDate));
  if (state.hold) check('Pauze', '', `${dutchDate(state.hold.since)} tot ${dutchDate(state.hold.until)}`);
  check(
    'Overdracht aan de deurwaarder',
    'P3.b',
    state.bailiff ? `${dutchDate(state.bailiff.handedOn)}, termijn tot en met ${dutchDate(state.bailiff.termEndsOn)}` : dutchDate(handedOn),
  );
  if (decision) check('MT-besluit', 'P3.c, P3.d', mtDecision);

  const installments = state.arrangement?.installments ?? [];
  const steps = source.events
    .filter((e) => !isPrivateEvent(e))
    // Stable: events of one day keep the order the dossier recorded them in.
    .sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0))
    .map((e) => [dutchDate(e.on), e.summary, e.clause ?? '']);

  return {
    fields: {
      handedOn: dutchDate(handedOn),
      bailiffName: ctx.letters.bailiff?.name ?? 'de gerechtsdeurwaarder',
      caseOpenedOn: source.events[0] ? dutchDate(source.events[0].on) : '',
      reminderSentOn: letter ? dutchDate(letter.sentOn) : '',
      reminderReceivedOn: letter ? dutchDate(letter.receivedOn) : '',
      reminderTermEndsOn: letter ? dutchDate(letter.termEndsOn) : '',
      reminderPrincipal: letter ? formatEuro(letter.principalCents) : '',
      reminderCosts: letter ? formatEuro(letter.costsCents) : '',
      noReminder: flag(!letter),
      signalStatus: SIGNAL_NL[signal?.state ?? 'none'],
      signalReportedOn: reportedOn ? dutchDate(reportedOn) : '',
      signalWindow,
      earlierVerdict: source.earlierVerdictDate ? dutchDate(source.earlierVerdictDate) : '',
      arrangementAgreedOn: state.arrangement ? dutchDate(state.arrangement.agreedOn) : '',
      mtDecision,
      mtApproved: flag(handoverAfterDecision(state, source.letterDate)),
      probationNote: state.duringProbation ? 'De zaak ontstond tijdens een proeftijd na een eerder uitgestelde ontruiming (P4.a.3).' : '',
    },
    tables: {
      checklist: {
        columns: [
          { header: 'Stap', align: 'left', width: 0.27 },
          { header: 'Grondslag', align: 'left', width: 0.2 },
          { header: 'Datum en bewijs', align: 'left', width: 0.53 },
        ],
        rows: checklist,
        total: null,
      },
      steps: {
        columns: [
          { header: 'Datum', align: 'left', width: 0.2 },
          { header: 'Gebeurtenis', align: 'left', width: 0.65 },
          { header: 'Artikel', align: 'left', width: 0.15 },
        ],
        rows: steps,
        total: null,
      },
      arrears: monthTable(Math.max(0, source.balanceCents), source),
      installments: {
        columns: [
          { header: 'Termijn', align: 'left', width: 0.15 },
          { header: 'Vervaldatum', align: 'left', width: 0.35 },
          { header: 'Bedrag', align: 'right', width: 0.2 },
          { header: 'Stand', align: 'left', width: 0.3 },
        ],
        rows: installments.map((i, n) => [
          String(n + 1),
          dutchDate(i.dueOn),
          formatEuro(i.amountCents),
          i.dueOn <= source.letterDate ? 'vervallen' : 'nog niet vervallen',
        ]),
        total: null,
      },
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Everything the letter prints, formatted, from the case's facts. Pure: no I/O, no clock. Throws
 * LetterDataError when a fact the letter needs is missing.
 */
export function buildLetterDocument(source: LetterSource, ctx: LetterContext): LetterDocument {
  const { kind, state } = source;
  if (source.tenants.length === 0) {
    throw new LetterDataError(
      `Cannot make the ${kind} letter: no tenant name`,
      'De brief kan niet worden gemaakt: de naam van de huurder ontbreekt.',
      'tenants',
    );
  }
  let receivedOn = nextWorkingDay(source.letterDate, ctx.holidays);
  let fields: Fields;
  let tables: Record<string, LetterTable> = {};
  switch (kind) {
    case 'reminder': {
      const r = reminder(source, state);
      receivedOn = r.receivedOn;
      fields = r.fields;
      tables = r.tables;
      break;
    }
    case 'invitation':
      requireArrears(kind, source);
      fields = {};
      tables = { arrears: monthTable(source.balanceCents, source) };
      break;
    case 'confirmation':
      ({ fields, tables } = confirmation(source, state, ctx));
      break;
    case 'card':
      requireArrears(kind, source);
      fields = { ...card(source, state), maxArrangementMonths: String(ctx.maxArrangementMonths ?? 6) };
      // Put in the mailbox by hand (P2.d.2): received the day it is left.
      receivedOn = state.visit?.cardLeftOn ?? source.letterDate;
      tables = { arrears: monthTable(source.balanceCents, source) };
      break;
    case 'last_warning':
      fields = lastWarning(state, ctx);
      break;
    case 'bailiff_handover':
      ({ fields, tables } = handover(source, state, ctx));
      break;
  }
  const all: Fields = { ...commonFields(source, ctx, receivedOn), ...fields };
  assertComplete(kind, all, tables);

  const { sender, bailiff } = ctx.letters;
  const senderAddress = addressLines(sender.address);
  const tenantBlock = [...source.tenants, source.address, `${dutchPostcode(source.postcode)}  ${source.city.toUpperCase()}`];
  const recipient =
    kind === 'bailiff_handover' ? (bailiff ? [bailiff.name, ...addressLines(bailiff.address)] : ['De gerechtsdeurwaarder']) : tenantBlock;
  return deepFreeze({
    version: 1,
    kind,
    contractId: source.contractId,
    letterDate: source.letterDate,
    receivedOn,
    title: LETTER_KIND_NL[kind],
    clause: kind === 'bailiff_handover' && handoverAfterDecision(state, source.letterDate) ? 'P3.d' : LETTER_CLAUSE[kind],
    sender: {
      name: sender.name,
      lines: [
        ...senderAddress,
        ...(sender.visitingAddress ? [`Bezoekadres ${sender.visitingAddress}`] : []),
        ...(sender.phone ? [`Telefoon ${sender.phone}`] : []),
        ...(sender.email ? [sender.email] : []),
        ...(sender.url ? [sender.url] : []),
        ...(sender.iban ? [`IBAN ${sender.iban}`] : []),
      ],
      returnAddress: [sender.name, ...senderAddress].join(' · '),
    },
    recipient,
    fields: all,
    tables,
  });
}

/** A bug guard: the builder fills exactly the fields and tables the templates were checked against. */
function assertComplete(kind: LetterKind, fields: Fields, tables: Record<string, LetterTable>): void {
  const spec = fieldsFor(kind);
  for (const [name, field] of Object.entries(spec.fields)) {
    const value = fields[name];
    if (value === undefined || (!field.optional && value.trim() === '')) {
      throw new Error(`buildLetterDocument(${kind}): field "${name}" has no value`);
    }
  }
  for (const name of Object.keys(spec.tables)) {
    if (!tables[name]) throw new Error(`buildLetterDocument(${kind}): table "${name}" is missing`);
  }
}
