import type { types } from '@slack/bolt';
import type { CaseStage } from '../../db/schema.js';
import { formatDutchDate, type IsoDate } from '../../domain/calendar.js';
import type { HoldReason } from '../../domain/case-state.js';
import { formatEuro, formatMonthsNl } from '../../domain/money.js';
import { holdLabel } from '../../domain/next-step.js';
import { recordAgreement, recordObjection } from '../../domain/signal.js';
import type { Dossier, DossierCase } from '../../dossier/dossier.js';
import { CLOSED_LABELS, STAGE_LABELS, signalText } from '../../dossier/dossier-text.js';
import { ACTIONS } from '../ids.js';
import {
  actions,
  button,
  clip,
  context,
  escapeMrkdwn,
  LIMITS,
  lowerFirst,
  section,
  STAGE_NAMES,
  type Block,
  type SlackMessage,
} from './format.js';

/**
 * The case card: one message per case in its team's channel, from `contact` on, updated in place
 * as the case moves (DESIGN.md, "Slack sketches"). Pure: the outbox worker loads the dossier and
 * the case's facts at send time and renders them here, so the card always shows the database's
 * current state, whatever the queued row said.
 *
 * Only the tenancy, the balance, the stage, dates and the early-signalling status appear. Never
 * the dossier's events or notes: a note or a conversation's cause can hold health data (AVG
 * art. 9), and the card is read by the whole team channel.
 */

export interface CaseCardOptions {
  caseId: number;
  /** The case's current version; buttons carry it so the interaction layer detects a stale card. */
  version: number;
  /** The case this card is for; default the dossier's latest case (a newer case may exist). */
  case?: DossierCase;
  /** The 14-day letter (P1.b): sent and assumed received. */
  letter?: { sentOn: IsoDate; receivedOn: IsoDate } | null;
  /** Reason and end date only: a hold's note stays in the dossier. */
  hold?: { reason: HoldReason; until: IsoDate } | null;
  /** The case opened while the tenancy was on probation (P4.a.3). */
  duringProbation?: boolean;
  /** Early signalling of this case; default the dossier's. */
  signal?: Dossier['earlySignal'];
}

/** What a card button sends back: enough to find the case and to build an idempotency key. */
export interface CardButtonValue {
  caseId: number;
  contractId: string;
  version: number;
}

type ButtonKey = 'recordConversation' | 'noResponse' | 'homeVisit' | 'massDiscussion' | 'handToBailiff' | 'registerVerdict' | 'placeHold';

/** The actions each stage asks for, in the order the team usually takes them; Dossier always last. */
export const STAGE_BUTTONS: Record<Exclude<CaseStage, 'closed'>, readonly ButtonKey[]> = {
  reminder: [],
  contact: ['recordConversation', 'noResponse', 'placeHold'],
  visit: ['homeVisit', 'recordConversation', 'placeHold'],
  arrangement: ['placeHold'],
  escalation: ['massDiscussion', 'handToBailiff', 'recordConversation', 'placeHold'],
  bailiff: [],
  mt_vote: [],
  eviction_procedure: ['registerVerdict'],
  verdict: [],
};

const BUTTON_TEXT: Record<ButtonKey | 'signalAnswer' | 'releaseHold' | 'openDossier', string> = {
  recordConversation: 'Gesprek vastleggen',
  noResponse: 'Geen reactie',
  homeVisit: 'Huisbezoek vastleggen',
  massDiscussion: 'MaSS-bespreking',
  handToBailiff: 'Naar deurwaarder',
  registerVerdict: 'Vonnis registreren',
  placeHold: 'Pauzeren',
  signalAnswer: 'Vroegsignalering',
  releaseHold: 'Pauze opheffen',
  openDossier: 'Dossier',
};

export function cardButtonValue(value: CardButtonValue): string {
  return JSON.stringify({ caseId: value.caseId, contractId: value.contractId, version: value.version });
}

/** The arrears in one phrase: `Achterstand € 1.424,70 (2,0 maanden)`. */
export function arrearsPhrase(balanceCents: number, monthsInArrears: number): string {
  if (balanceCents > 0) return `Achterstand ${formatEuro(balanceCents)} (${formatMonthsNl(monthsInArrears)})`;
  if (balanceCents < 0) return `Geen achterstand (tegoed ${formatEuro(-balanceCents)})`;
  return 'Geen achterstand';
}

/**
 * Whether the tenant's answer to the early-signalling offer (P2.a.2) can still be recorded: the
 * service accepts one in every open stage, hold or not, until the report is made (signal.ts: a late
 * answer or a change of mind counts). Asked of the domain's own rules, on the offer's date so
 * that only the state decides.
 */
export function signalAnswerable(signal: Dossier['earlySignal']): boolean {
  if (!signal?.offeredOn) return false;
  return recordObjection(signal, signal.offeredOn).ok || recordAgreement(signal, signal.offeredOn).ok;
}

function cardButtons(dossier: Dossier, c: DossierCase, options: CaseCardOptions): types.Button[] {
  if (c.stage === 'closed') return [];
  const value = cardButtonValue({ caseId: options.caseId, contractId: dossier.contractId, version: options.version });
  const keys: (ButtonKey | 'signalAnswer' | 'releaseHold' | 'openDossier')[] = STAGE_BUTTONS[c.stage].filter(
    (k) => !(options.hold && k === 'placeHold'),
  );
  if (signalAnswerable(options.signal !== undefined ? options.signal : dossier.earlySignal)) keys.push('signalAnswer');
  if (options.hold) keys.push('releaseHold');
  keys.push('openDossier');
  return keys.map((key, i) =>
    button({
      text: BUTTON_TEXT[key],
      actionId: ACTIONS[key],
      value,
      // The stage's own next action is the primary one; the tenant's answer comes whenever it comes.
      ...(i === 0 && key !== 'openDossier' && key !== 'handToBailiff' && key !== 'signalAnswer' ? { style: 'primary' as const } : {}),
      ...(key === 'handToBailiff'
        ? {
            style: 'danger' as const,
            confirm: {
              title: 'Naar de deurwaarder?',
              text: `Het dossier van ${dossier.contractId} gaat naar de deurwaarder (P3.b): de huurder krijgt een laatste kans om te betalen.`,
              confirm: 'Overdragen',
              deny: 'Annuleren',
            },
          }
        : {}),
    }),
  );
}

export function caseCardBlocks(dossier: Dossier, options: CaseCardOptions): Block[] {
  const c = options.case ?? dossier.case;
  const blocks: Block[] = [];
  const tenants = dossier.tenants.length > 0 ? dossier.tenants.join(' & ') : 'huurder onbekend';
  blocks.push(section(`*${escapeMrkdwn(dossier.contractId)}* · ${escapeMrkdwn(dossier.address)} · ${escapeMrkdwn(tenants)}`));

  const lines: string[] = [];
  const arrears = arrearsPhrase(dossier.balanceCents, dossier.monthsInArrears);
  if (!c) {
    lines.push(`${arrears} · Geen zaak`);
  } else if (c.stage === 'closed') {
    const reason = c.closedReason ? CLOSED_LABELS[c.closedReason] : 'gesloten';
    lines.push(`${arrears} · *Zaak gesloten*${c.closedOn ? ` op ${formatDutchDate(c.closedOn)}` : ''}: ${reason}`);
    if (c.nextAction) lines.push(`Volgende stap: ${escapeMrkdwn(lowerFirst(c.nextAction))}`);
  } else {
    lines.push(`${arrears} · Fase: ${STAGE_LABELS[c.stage]} sinds ${formatDutchDate(c.stageSince)}`);
    if (options.hold) {
      lines.push(
        `:double_vertical_bar: *Gepauzeerd tot en met ${formatDutchDate(options.hold.until)}* (${holdLabel(options.hold.reason)}): geen escalatie zolang de pauze loopt`,
      );
    } else if (c.nextAction) {
      lines.push(`Volgende stap: ${escapeMrkdwn(lowerFirst(c.nextAction))}${c.dueOn ? `, uiterlijk ${formatDutchDate(c.dueOn)}` : ''}`);
    }
  }
  if (options.duringProbation && c && c.stage !== 'closed') {
    lines.push(
      `:warning: Geopend tijdens de proeftijd${dossier.probationUntil ? ` (tot ${formatDutchDate(dossier.probationUntil)})` : ''}: direct naar de teambespreking (P4.a.3)`,
    );
  }
  blocks.push(section(lines.join('\n')));

  if (c) {
    const buttons = cardButtons(dossier, c, options);
    if (buttons.length > 0) blocks.push(actions(`case_card:${options.caseId}`, buttons));
  }

  const facts: string[] = [];
  if (options.letter) {
    facts.push(`14-dagenbrief ${formatDutchDate(options.letter.sentOn)} (ontvangen ${formatDutchDate(options.letter.receivedOn)})`);
  }
  const signal = options.signal !== undefined ? options.signal : dossier.earlySignal;
  if (signal) facts.push(`vroegsignalering: ${signalText(signal)}`);
  if (facts.length > 0) blocks.push(context([facts.join(' · ')]));
  return blocks;
}

/** The notification text of a card: contract, stage and arrears; no names. */
export function caseCardText(dossier: Dossier, options: Pick<CaseCardOptions, 'case'>): string {
  const c = options.case ?? dossier.case;
  const stage = !c ? 'geen zaak' : c.stage === 'closed' ? 'zaak gesloten' : STAGE_LABELS[c.stage];
  return clip(
    `${dossier.contractId} · ${stage} · ${lowerFirst(arrearsPhrase(dossier.balanceCents, dossier.monthsInArrears))}`,
    LIMITS.fallbackText,
  );
}

export function caseCardMessage(dossier: Dossier, options: CaseCardOptions): SlackMessage {
  return { text: caseCardText(dossier, options), blocks: caseCardBlocks(dossier, options) };
}

/**
 * The case's history in its thread, one reply per change: `Fase: huisbezoek (P2.d): …`. The
 * summary comes from the engine, which writes summaries to be shown on the card (never a note).
 */
export function stageReplyText(stage: CaseStage, clause: string | null, summary: string): string {
  return clip(`Fase: ${STAGE_NAMES[stage]}${clause ? ` (${clause})` : ''}: ${escapeMrkdwn(summary)}`, LIMITS.sectionText);
}

/**
 * The first message in every case thread (DESIGN.md, Privacy): replies here become dossier notes,
 * so the team is reminded where special-category data belongs (the MaSS flags, yes/no).
 */
export const PRIVACY_REMINDER =
  ':lock: Elk antwoord in deze draad wordt als notitie in het dossier bewaard. ' +
  'Schrijf hier geen medische of andere gevoelige gegevens (gezondheid, verslaving, psychische problemen); ' +
  'gebruik voor de teambespreking de MaSS-vragen (knop *MaSS-bespreking* op de kaart), die alleen ja/nee vastleggen.';
