import type { types } from '@slack/bolt';
import { formatDutchDate, type IsoDate } from '../../domain/calendar.js';
import type { Ballot, CaseState, OpenStage } from '../../domain/case-state.js';
import { formatEuro, formatMonthsNl } from '../../domain/money.js';
import { holdLabel } from '../../domain/next-step.js';
import type { FieldError } from '../../domain/outcomes.js';
import { STAGE_LABELS, signalText } from '../../dossier/dossier-text.js';
import type { Dossier } from '../../dossier/dossier.js';
import { CALLBACKS, FIELDS, type FieldBlock } from '../ids.js';
import { clip, escapeMrkdwn } from './format.js';

// One escaping and clipping for every builder (names like "A & B" must be escaped).
export { clip, escapeMrkdwn };

/**
 * Pure Block Kit builders for the case card's modals, the MT's dossier summary, the vote message's
 * live tally and the short ephemeral answers of the case actions and votes. No I/O, no rules: the
 * feature files (case-actions.ts, votes.ts) load the data, call the outcome service and pass what
 * it said to these functions. All text is Dutch.
 *
 * Limits (STACK-NOTES.md): modal title 24 characters, 100 blocks a modal, 50 a message, section
 * text 3000, button and option text 75, private_metadata 3000.
 */

export type Block = types.KnownBlock;
export type ModalView = types.ModalView;

export const LIMITS = {
  title: 24,
  submit: 24,
  section: 3000,
  label: 2000,
  optionText: 75,
  button: 75,
  modalBlocks: 100,
  messageBlocks: 50,
  metadata: 3000,
} as const;

/** What a card button and its modal carry: the case, and the card's version when it was clicked. */
export interface CardRef {
  caseId: number;
  contractId: string;
  version: number;
  /** The channel of the card, for the ephemeral confirmation after a submission. */
  channel?: string;
}

// The modals' block ids live with every other id in ids.ts; re-exported for the builders' users.
export { FIELDS, type FieldBlock };

// ---------------------------------------------------------------------------
// Small builders

function plain(text: string, max: number = LIMITS.label): types.PlainTextElement {
  return { type: 'plain_text', text: clip(text, max), emoji: true };
}

export function section(text: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, LIMITS.section) } };
}

export function contextBlock(text: string): types.ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: clip(text, LIMITS.section) }] };
}

function option(value: string, text: string, description?: string): types.PlainTextOption {
  return {
    value,
    text: plain(text, LIMITS.optionText),
    ...(description ? { description: plain(description, LIMITS.optionText) } : {}),
  };
}

function input(
  blockId: FieldBlock,
  label: string,
  element: types.InputBlock['element'],
  extra: { hint?: string; optional?: boolean } = {},
): types.InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    element,
    // Optional in Slack: the outcome service validates and its Dutch message shows under the field.
    optional: extra.optional ?? true,
    ...(extra.hint ? { hint: plain(extra.hint) } : {}),
  };
}

function radios(blockId: FieldBlock, options: types.PlainTextOption[]): types.RadioButtons {
  return { type: 'radio_buttons', action_id: blockId, options };
}

function yesNoRadios(blockId: FieldBlock): types.RadioButtons {
  return radios(blockId, [option('yes', 'Ja'), option('no', 'Nee')]);
}

function datepicker(blockId: FieldBlock, initial?: IsoDate): types.Datepicker {
  return {
    type: 'datepicker',
    action_id: blockId,
    placeholder: plain('Kies een datum'),
    ...(initial ? { initial_date: initial } : {}),
  };
}

function textInput(
  blockId: FieldBlock,
  options: { multiline?: boolean; placeholder?: string; maxLength?: number } = {},
): types.PlainTextInput {
  return {
    type: 'plain_text_input',
    action_id: blockId,
    multiline: options.multiline ?? false,
    ...(options.placeholder ? { placeholder: plain(options.placeholder, 150) } : {}),
    ...(options.maxLength ? { max_length: options.maxLength } : {}),
  };
}

export function encodeMetadata(ref: CardRef): string {
  const text = JSON.stringify({
    caseId: ref.caseId,
    contractId: ref.contractId,
    version: ref.version,
    ...(ref.channel ? { channel: ref.channel } : {}),
  });
  if (text.length > LIMITS.metadata) throw new RangeError('private_metadata above 3000 characters');
  return text;
}

function modal(callbackId: string, title: string, ref: CardRef, blocks: Block[], submit = 'Vastleggen'): ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    title: plain(title, LIMITS.title),
    submit: plain(submit, LIMITS.submit),
    close: plain('Annuleren', LIMITS.submit),
    private_metadata: encodeMetadata(ref),
    blocks: blocks.slice(0, LIMITS.modalBlocks),
  };
}

function caseLine(ref: CardRef, extra?: string): types.ContextBlock {
  return contextBlock(`Huurovereenkomst *${escapeMrkdwn(ref.contractId)}*${extra ? ` · ${extra}` : ''}`);
}

const PRIVACY_HINT = 'Schrijf geen medische details (verslaving, psychische klachten): die horen niet in Slack.';

// ---------------------------------------------------------------------------
// The conversation (P2.a, P2.b, P2.c)

export const OBLIGATIONS = [
  ['noNewArrears', 'P2.b.1 De achterstand niet verder laten oplopen'],
  ['registerWithAid', 'P2.b.2 Aanmelden bij gemeente / hulpverlening'],
  ['reportRegistration', 'P2.b.3 Doorgeven dat de aanmelding is gedaan'],
  ['paymentArrangement', 'P2.b.4 Een betalingsregeling aangaan'],
] as const;

export const COMMITMENTS = [
  ['passDetailsOn', 'P2.c.1 Gegevens doorgeven aan gemeente / hulpverlening'],
  ['noCollection', 'P2.c.2 Geen incassoprocedure starten'],
  ['noInterest', 'P2.c.3 Geen rente in rekening brengen'],
  ['acceptArrangement', 'P2.c.4 Betalingsregeling van maximaal 6 maanden'],
] as const;

export interface ConversationModalInput {
  ref: CardRef;
  /** B(today), shown so the team knows what the arrangement must cover. */
  arrearsCents: number | null;
  asOf: IsoDate;
  /** The longest arrangement the configuration allows (P2.c.4, default 6). */
  maxMonths: number;
}

export function conversationModal({ ref, arrearsCents, asOf, maxMonths }: ConversationModalInput): ModalView {
  const arrears = arrearsCents !== null ? `achterstand ${formatEuro(arrearsCents)} op ${formatDutchDate(asOf)}` : undefined;
  const months = Array.from({ length: Math.max(1, maxMonths) }, (_, i) => option(String(i + 1), i === 0 ? '1 maand' : `${i + 1} maanden`));
  return modal(CALLBACKS.conversation, 'Gesprek vastleggen', ref, [
    caseLine(ref, arrears),
    input(FIELDS.cause, 'Oorzaak van de achterstand (P2.a.1)', textInput(FIELDS.cause, { multiline: true, maxLength: 2000 }), {
      hint: `Komt in het dossier, niet op de kaart. ${PRIVACY_HINT}`,
    }),
    input(
      FIELDS.referral,
      'Meldingsformulier: gegevens doorgeven aan gemeente / hulpverlening (P2.a.2)',
      radios(FIELDS.referral, [option('yes', 'Huurder gaat akkoord'), option('no', 'Huurder gaat niet akkoord')]),
    ),
    input(
      FIELDS.consequences,
      'Gevolgen uitgelegd (P2.a.3)',
      {
        type: 'checkboxes',
        action_id: FIELDS.consequences,
        options: [option('yes', 'Incasso, deurwaarder en ontruiming besproken')],
      },
      { hint: 'Verplicht: zonder deze uitleg is het gesprek niet volledig.' },
    ),
    input(FIELDS.obligations, 'Afspraken voor de huurder (P2.b.1–4)', {
      type: 'checkboxes',
      action_id: FIELDS.obligations,
      options: OBLIGATIONS.map(([value, text]) => option(value, text)),
    }),
    input(FIELDS.commitments, 'Wat de corporatie doet (P2.c.1–4)', {
      type: 'checkboxes',
      action_id: FIELDS.commitments,
      options: COMMITMENTS.map(([value, text]) => option(value, text)),
    }),
    { type: 'divider' },
    section(
      `*Betalingsregeling* (optioneel, hoogstens ${maxMonths} maanden, P2.c.4)\n` +
        'Kies een aantal maanden en de eerste vervaldatum voor gelijke maandtermijnen, óf schrijf de termijnen zelf uit.',
    ),
    input(FIELDS.months, 'Aantal maanden', {
      type: 'static_select',
      action_id: FIELDS.months,
      placeholder: plain('Kies'),
      options: months,
    }),
    input(FIELDS.firstDue, 'Eerste termijn op', datepicker(FIELDS.firstDue)),
    input(
      FIELDS.installments,
      'Of: eigen termijnen, één per regel',
      textInput(FIELDS.installments, { multiline: true, placeholder: '01-02-2027 350,00' }),
      { hint: 'Per regel een vervaldatum en een bedrag in euro, bijvoorbeeld 01-02-2027 350,00.' },
    ),
  ]);
}

// ---------------------------------------------------------------------------
// The home visit (P2.d.1, P2.d.2)

export function homeVisitModal(ref: CardRef, firstEmployee?: string): ModalView {
  return modal(CALLBACKS.homeVisit, 'Huisbezoek vastleggen', ref, [
    caseLine(ref),
    section('Een huisbezoek leg je af met *twee* medewerkers (P2.d.1).'),
    input(FIELDS.employee1, 'Eerste medewerker', {
      type: 'users_select',
      action_id: FIELDS.employee1,
      placeholder: plain('Kies een medewerker'),
      ...(firstEmployee ? { initial_user: firstEmployee } : {}),
    }),
    input(FIELDS.employee2, 'Tweede medewerker', {
      type: 'users_select',
      action_id: FIELDS.employee2,
      placeholder: plain('Kies een medewerker'),
    }),
    input(
      FIELDS.visitOutcome,
      'Uitkomst',
      radios(FIELDS.visitOutcome, [
        option('spoken', 'Huurder gesproken', 'Leg het gesprek daarna vast met "Gesprek vastleggen"'),
        option('nobody_home', 'Niemand thuis: kaart in de bus', 'Zonder reactie binnen 1 week naar de deurwaarder (P2.d.2)'),
      ]),
    ),
  ]);
}

// ---------------------------------------------------------------------------
// The team discussion (P3.a): yes/no flags only, never free text

export const MASS_QUESTIONS = [
  ['childrenInHome', FIELDS.childrenInHome, 'P3.a.1 Wonen er (jonge) kinderen in huis?'],
  ['referralGrounds', FIELDS.referralGrounds, 'P3.a.1 Zijn er bijzonderheden die een melding bij MaSS rechtvaardigen?'],
  ['nuisance', FIELDS.nuisance, 'P3.a.2 Is er sprake van overlast?'],
  ['structuralProblems', FIELDS.structuralProblems, 'P3.a.2 Zijn er structurele (betalings)problemen?'],
  ['earlierVerdict', FIELDS.earlierVerdict, 'P3.a.2 Is er eerder een ontruimingsvonnis geweest?'],
] as const;

export type MassFlag = (typeof MASS_QUESTIONS)[number][0];

export function massDiscussionModal(ref: CardRef): ModalView {
  return modal(CALLBACKS.massDiscussion, 'Teambespreking (MaSS)', ref, [
    caseLine(ref),
    section(
      'Beantwoord de vragen met ja of nee. De redenen (bijvoorbeeld verslaving of psychische problemen) ' +
        'zijn bijzondere persoonsgegevens: schrijf ze niet op, ook niet in de draad.',
    ),
    ...MASS_QUESTIONS.map(([, blockId, label]) => input(blockId, label, yesNoRadios(blockId))),
  ]);
}

// ---------------------------------------------------------------------------
// The verdict (P4)

export function verdictModal(ref: CardRef): ModalView {
  return modal(CALLBACKS.verdict, 'Vonnis registreren', ref, [
    caseLine(ref),
    input(FIELDS.verdictOn, 'Datum van het vonnis', datepicker(FIELDS.verdictOn)),
    input(FIELDS.evictionOn, 'Datum van de ontruiming', datepicker(FIELDS.evictionOn)),
    input(FIELDS.amount, 'Te betalen bedrag inclusief kosten (euro)', textInput(FIELDS.amount, { placeholder: '1234,56' }), {
      hint: 'Het volledige bedrag uit het vonnis, inclusief kosten, bijvoorbeeld 1234,56. Bij een eerste vonnis stelt volledige betaling uiterlijk 24 uur voor de ontruiming die uit (P4.a).',
    }),
  ]);
}

// ---------------------------------------------------------------------------
// The hold

export const HOLD_REASONS = [
  ['moratorium', 'Moratorium (rechter, hoogstens 6 maanden)'],
  ['wsnp', 'Wsnp-schuldsanering'],
  ['debt_help', 'Schuldhulpverlening loopt'],
] as const;

export function holdModal(ref: CardRef): ModalView {
  return modal(CALLBACKS.hold, 'Zaak pauzeren', ref, [
    caseLine(ref),
    input(
      FIELDS.holdReason,
      'Reden',
      radios(
        FIELDS.holdReason,
        HOLD_REASONS.map(([value, text]) => option(value, text)),
      ),
    ),
    input(FIELDS.holdUntil, 'Tot en met', datepicker(FIELDS.holdUntil), { hint: 'De dag erna loopt de procedure weer.' }),
    input(FIELDS.holdNote, 'Toelichting (optioneel)', textInput(FIELDS.holdNote, { multiline: true, maxLength: 2000 }), {
      hint: `Komt in het dossier, niet op de kaart. ${PRIVACY_HINT}`,
    }),
  ]);
}

// ---------------------------------------------------------------------------
// The early-signalling answer (P2.a.2)

export function signalAnswerModal(ref: CardRef): ModalView {
  return modal(CALLBACKS.signalAnswer, 'Vroegsignalering', ref, [
    caseLine(ref),
    section('Wat antwoordt de huurder op het aanbod om de gegevens door te geven aan de gemeente (vroegsignalering, P2.a.2)?'),
    input(
      FIELDS.signalAnswer,
      'Antwoord van de huurder',
      radios(FIELDS.signalAnswer, [
        option('objected', 'Bezwaar', 'De gegevens gaan niet naar de gemeente'),
        option('agreed', 'Akkoord', 'De gegevens gaan naar de gemeente'),
      ]),
    ),
  ]);
}

// ---------------------------------------------------------------------------
// Field errors → `response_action: 'errors'`

/**
 * The service's field errors by block id: `blockOf` maps an input path (`cause`,
 * `arrangement.installments.2.dueOn`) to the block that shows it; messages on one block are joined.
 */
export function errorsByBlock(errors: readonly FieldError[], blockOf: (field: string) => FieldBlock): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    const block = blockOf(e.field);
    out[block] = out[block] ? `${out[block]} ${e.message}` : e.message;
  }
  for (const key of Object.keys(out)) out[key] = clip(out[key]!, 2000);
  return out;
}

/** Where the conversation modal shows an error; `mode` says how the arrangement was entered. */
export function conversationErrorBlock(field: string, mode: 'none' | 'months' | 'lines'): FieldBlock {
  const [head] = field.split('.');
  if (head === 'cause') return FIELDS.cause;
  if (head === 'referralConsent') return FIELDS.referral;
  if (head === 'consequencesExplained') return FIELDS.consequences;
  if (head === 'obligations') return FIELDS.obligations;
  if (head === 'commitments') return FIELDS.commitments;
  if (head === 'arrangement') {
    if (mode === 'lines') return FIELDS.installments;
    return field.endsWith('.dueOn') ? FIELDS.firstDue : FIELDS.months;
  }
  return FIELDS.cause;
}

export function homeVisitErrorBlock(field: string, firstChosen: boolean): FieldBlock {
  if (field.startsWith('employees')) return firstChosen ? FIELDS.employee2 : FIELDS.employee1;
  return FIELDS.visitOutcome;
}

export function massErrorBlock(field: string): FieldBlock {
  const found = MASS_QUESTIONS.find(([flag]) => field === flag);
  return found ? found[1] : FIELDS.childrenInHome;
}

export function verdictErrorBlock(field: string): FieldBlock {
  if (field === 'evictionOn') return FIELDS.evictionOn;
  if (field === 'amountCents') return FIELDS.amount;
  return FIELDS.verdictOn;
}

export function holdErrorBlock(field: string): FieldBlock {
  if (field === 'until') return FIELDS.holdUntil;
  if (field === 'note') return FIELDS.holdNote;
  return FIELDS.holdReason;
}

export function signalErrorBlock(_field: string): FieldBlock {
  return FIELDS.signalAnswer;
}

// ---------------------------------------------------------------------------
// Result views and ephemeral answers

/** Replaces a modal whose submission was refused or took too long: the message, no submit button. */
export function noticeView(title: string, text: string): ModalView {
  return {
    type: 'modal',
    title: plain(title, LIMITS.title),
    close: plain('Sluiten', LIMITS.submit),
    blocks: [section(escapeMrkdwn(text))],
  };
}

export function pendingView(title: string): ModalView {
  return noticeView(title, 'Even geduld: dit wordt vastgelegd. Het resultaat verschijnt hier zo.');
}

export interface ShortMessage {
  text: string;
  blocks: Block[];
}

function short(text: string): ShortMessage {
  return { text: clip(text, 3000), blocks: [section(escapeMrkdwn(text))] };
}

export function recordedMessage(contractId: string, summary: string, duplicate: boolean): ShortMessage {
  return duplicate
    ? short(`Dit was al vastgelegd voor huurovereenkomst ${contractId}: ${summary}. Er is niets dubbel vastgelegd.`)
    : short(`Vastgelegd voor huurovereenkomst ${contractId}: ${summary}.`);
}

export function refusalMessage(message: string): ShortMessage {
  return short(`Niet vastgelegd. ${message}`);
}

export const STALE_CARD_TEXT =
  'Deze kaart is niet meer actueel: de zaak is intussen gewijzigd. Gebruik de bijgewerkte kaart; er is niets vastgelegd.';
export const CLOSED_CASE_TEXT = 'Deze zaak is gesloten; er is niets vastgelegd.';
export const UNREADABLE_TEXT = 'Deze knop kan ik niet lezen. Gebruik de bijgewerkte kaart; er is niets vastgelegd.';
export const FAILURE_TEXT = 'Er ging iets mis; er is mogelijk niets vastgelegd. Probeer het zo nog eens of meld het bij de beheerder.';

export function teamOnlyText(teamName: string, contractId: string): string {
  return `Alleen leden van ${teamName} kunnen dit vastleggen voor huurovereenkomst ${contractId}.`;
}

export function plainMessage(text: string): ShortMessage {
  return short(text);
}

// ---------------------------------------------------------------------------
// The dossier summary for the MT (and the short one on the case card)

export interface CaseSummary {
  dossier: Dossier;
  stage: OpenStage | 'closed' | null;
  state: CaseState | null;
  /** Verdicts of this and earlier cases, plus the tenancy's imported earlier verdict. */
  verdicts: IsoDate[];
}

const YES_NO = (v: boolean) => (v ? 'ja' : 'nee');
const STEP_TYPES_HIDDEN = new Set(['note']);
const SUMMARY_STEPS = 25;

function stepLines(d: Dossier): string[] {
  // Notes may hold special-category data: only the procedure's steps, never a note's text.
  return d.events
    .filter((e) => !STEP_TYPES_HIDDEN.has(e.type))
    .slice(-SUMMARY_STEPS)
    .map((e) => `• ${formatDutchDate(e.on)} ${e.clause ? `[${e.clause}] ` : ''}${escapeMrkdwn(clip(e.summary.replace(/\s+/g, ' '), 280))}`);
}

function packSections(title: string, lines: string[]): types.SectionBlock[] {
  const blocks: types.SectionBlock[] = [];
  let current = title;
  for (const line of lines) {
    if (current.length + line.length + 1 > LIMITS.section) {
      blocks.push(section(current));
      current = line;
    } else current = `${current}\n${line}`;
  }
  blocks.push(section(current));
  return blocks;
}

export function summaryBlocks(s: CaseSummary): Block[] {
  const d = s.dossier;
  const blocks: Block[] = [];
  const stage = s.stage ? STAGE_LABELS[s.stage] : 'geen zaak';
  blocks.push(
    section(
      `*${escapeMrkdwn(d.contractId)}* · ${escapeMrkdwn(d.tenants.join(' & ') || '(geen huurders bekend)')} · ${escapeMrkdwn(d.address)}\n` +
        `Fase: ${stage} · ${escapeMrkdwn(d.teamName)}`,
    ),
  );
  const owed = d.balanceCents > 0;
  blocks.push(
    section(
      [
        `*Achterstand op ${formatDutchDate(d.asOf)}:* ${owed ? `${formatEuro(d.balanceCents)} (${formatMonthsNl(d.monthsInArrears)})` : 'geen'}` +
          ` · huur ${formatEuro(d.monthlyRentCents)} per maand`,
        `*Vroegsignalering:* ${d.earlySignal ? signalText(d.earlySignal) : 'nog niet aangeboden'}`,
      ].join('\n'),
    ),
  );
  const mass = s.state?.mass;
  blocks.push(
    section(
      mass
        ? [
            `*Teambespreking* (${formatDutchDate(mass.discussedOn)}):`,
            `MaSS (P3.a.1): kinderen in huis ${YES_NO(mass.childrenInHome)} · melding MaSS gerechtvaardigd ${YES_NO(mass.referralGrounds)}`,
            `Omstandigheden (P3.a.2): overlast ${YES_NO(mass.nuisance)} · structurele problemen ${YES_NO(mass.structuralProblems)} · eerder vonnis ${YES_NO(mass.earlierVerdict)}`,
          ].join('\n')
        : '*Teambespreking* (P3.a): nog niet vastgelegd.',
    ),
  );
  const verdicts = [...new Set(s.verdicts)].sort();
  const extra: string[] = [`*Eerdere vonnissen:* ${verdicts.length ? verdicts.map(formatDutchDate).join(', ') : 'geen'}`];
  if (s.state?.hold) {
    extra.push(`*Pauze:* ${holdLabel(s.state.hold.reason)} tot en met ${formatDutchDate(s.state.hold.until)}`);
  }
  if (d.probationUntil) extra.push(`*Proeftijd* tot ${formatDutchDate(d.probationUntil)} (P4.a)`);
  blocks.push(section(extra.join('\n')));
  const steps = stepLines(d);
  blocks.push(...packSections('*Stappen*', steps.length ? steps : ['nog geen stappen']).slice(0, 10));
  blocks.push(contextBlock('Alleen jij ziet dit. Notities uit de draad staan in het dossier (`huurwacht dossier`), niet hier.'));
  return blocks;
}

export function summaryModal(s: CaseSummary): ModalView {
  return {
    type: 'modal',
    title: plain(`Dossier ${s.dossier.contractId}`, LIMITS.title),
    close: plain('Sluiten', LIMITS.submit),
    blocks: summaryBlocks(s).slice(0, LIMITS.modalBlocks),
  };
}

// ---------------------------------------------------------------------------
// The MT vote: its outcome in the case thread (the vote message itself is blocks/vote.ts)

export const BALLOT_NL: Record<Ballot, string> = { for: 'voor', against: 'tegen', abstain: 'onthouding' };

export function ballotRecordedText(ballot: Ballot, changed: boolean): string {
  return changed ? `Je stem is gewijzigd in: ${BALLOT_NL[ballot]}.` : `Je stem is vastgelegd: ${BALLOT_NL[ballot]}.`;
}

export const VOTE_CLOSED_TEXT = 'De stemming is gesloten; je stem is niet meer meegeteld.';
export const NOT_MT_TEXT = 'Alleen leden van het MT kunnen stemmen. Je stem is niet geteld en er is niets vastgelegd.';
export const NOT_MT_DOSSIER_TEXT = 'Alleen leden van het MT kunnen het dossier vanuit de stemming openen.';
