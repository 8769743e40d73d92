import type { types } from '@slack/bolt';
import { formatDutchDate, type IsoDate } from '../../domain/calendar.js';
import type { SignalStatus, SummonsWindowStatus } from '../../domain/signal.js';
import { ACTIONS } from '../ids.js';
import { arrearsPhrase } from './case-card.js';
import { actions, button, clip, context, header, LIMITS, section, type Block, type SlackMessage } from './format.js';

/**
 * The MT vote in the MT channel (DESIGN.md, "Slack sketches"; P3.c and P4.b): the question, what
 * a judge will look at (months in arrears, the early-signal report and its 2-month window, the
 * steps taken with their dates), the MaSS discussion and an earlier verdict as yes/no flags only,
 * the ballot buttons and the live tally. Pure: `loadVoteView` (src/slack/vote-view.ts) gathers
 * the view from the database; the outbox posts it and the vote feature re-renders it per ballot.
 */

export type VoteStatus = 'open' | 'approved' | 'rejected' | 'no_quorum';

/** A dossier event, reduced to what names a step; never its summary text or a note. */
export interface VoteStepEvent {
  on: IsoDate;
  type: string;
  clause: string | null;
  from: string | null;
  to: string | null;
}

export interface VoteView {
  caseId: number;
  contractId: string;
  kind: 'eviction' | 'repeat_verdict';
  status: VoteStatus;
  openedOn: IsoDate | null;
  closesOn: IsoDate | null;
  decidedOn: IsoDate | null;
  /** MT members' ballots only, as the decision counts them. */
  tally: { for: number; against: number; abstain: number };
  quorum: number;
  balanceCents: number;
  monthsInArrears: number;
  letter: { sentOn: IsoDate; receivedOn: IsoDate } | null;
  signal: { state: SignalStatus; reportedOn: IsoDate | null; summonsWindow: SummonsWindowStatus } | null;
  events: VoteStepEvent[];
  massDiscussedOn: IsoDate | null;
  earlierVerdict: boolean;
}

export interface VoteButtonValue {
  caseId: number;
}

const QUESTION: Record<VoteView['kind'], string> = {
  eviction: 'ontruimingsprocedure starten',
  repeat_verdict: 'ontruimen na eerder vonnis',
};

const OUTCOME: Record<VoteView['kind'], Record<Exclude<VoteStatus, 'open'>, string>> = {
  eviction: {
    approved: 'ingestemd: de deurwaarder start de ontruimingsprocedure (P3.d)',
    rejected: 'tegengestemd: de zaak gaat terug naar de teambespreking',
    no_quorum: 'geen quorum: de zaak gaat terug naar de teambespreking',
  },
  repeat_verdict: {
    approved: 'ingestemd: ontruiming na eerder vonnis (P4.b)',
    rejected: 'tegengestemd: de zaak gaat terug naar de teambespreking',
    no_quorum: 'geen quorum: de zaak gaat terug naar de teambespreking',
  },
};

const SIGNAL_NOT_REPORTED: Record<SignalStatus, string> = {
  none: 'vroegsignalering niet aangeboden',
  offered: 'vroegsignalering aangeboden, nog geen antwoord',
  objected: 'huurder maakte bezwaar',
  agreed: 'huurder akkoord, nog niet gemeld',
  no_reaction: 'geen reactie, nog niet gemeld',
  reported: 'gemeld',
};

const WINDOW: Record<SummonsWindowStatus, string> = {
  not_reported: '',
  too_early: ' (nog geen 2 maanden geleden: dagvaarden kan nog niet)',
  ok: ' (2 maanden verstreken)',
  too_late: ' (meer dan 6 maanden geleden)',
};

/** The early-signal report as the court sees it (Wet gemeentelijke schuldhulpverlening). */
export function signalPhrase(signal: VoteView['signal']): string {
  if (!signal) return 'niet gemeld bij de gemeente (geen vroegsignalering vastgelegd)';
  if (signal.reportedOn) return `gemeld bij gemeente ${formatDutchDate(signal.reportedOn)}${WINDOW[signal.summonsWindow]}`;
  return `niet gemeld bij de gemeente (${SIGNAL_NOT_REPORTED[signal.state]})`;
}

/** A step of the procedure as the MT reads it, or null for events that are no step (ballots, notes). */
export function stepLabel(e: VoteStepEvent): string | null {
  switch (e.type) {
    case 'stage_changed':
      switch (e.to) {
        case 'contact':
          return 'contact';
        case 'visit':
          return 'geen reactie';
        case 'arrangement':
          return 'betalingsregeling';
        case 'escalation':
          return e.from === 'mt_vote' ? 'MT: terug naar teambespreking' : 'teambespreking';
        case 'bailiff':
          return 'deurwaarder';
        case 'mt_vote':
          return e.from === 'bailiff' ? 'termijn deurwaarder verstreken' : 'vonnis, eerder vonnis';
        case 'eviction_procedure':
          return 'MT: ontruimingsprocedure';
        case 'verdict':
          return 'vonnis';
        default:
          return null;
      }
    case 'conversation_recorded':
      return 'gesprek';
    case 'home_visit':
      return 'huisbezoek';
    case 'card_left':
      return 'kaart';
    case 'mass_discussed':
      return 'MaSS-bespreking';
    case 'hold_placed':
      return 'pauze';
    case 'hold_released':
    case 'hold_ended':
      return 'pauze voorbij';
    default:
      return null;
  }
}

// The first steps show how it started (the letter, the first contact), the last ones where it stands.
const FIRST_STEPS = 4;

function stepsText(view: VoteView, maxChars: number): string {
  const steps: string[] = [];
  if (view.letter) steps.push(`14-dagenbrief ${formatDutchDate(view.letter.sentOn)}`);
  for (const e of view.events) {
    const label = stepLabel(e);
    if (label) steps.push(`${label} ${formatDutchDate(e.on)}`);
  }
  if (steps.length === 0) return 'geen vastgelegd';
  const all = steps.join(' · ');
  if (all.length <= maxChars) return all;
  const head = steps.slice(0, FIRST_STEPS);
  const tail: string[] = [];
  for (let i = steps.length - 1; i >= FIRST_STEPS; i--) {
    const candidate = [...head, `… ${steps.length - FIRST_STEPS - tail.length - 1} stappen …`, steps[i]!, ...tail].join(' · ');
    if (candidate.length > maxChars) break;
    tail.unshift(steps[i]!);
  }
  return [...head, `… ${steps.length - head.length - tail.length} stappen …`, ...tail].join(' · ');
}

export function tallyText(view: Pick<VoteView, 'tally' | 'quorum'>): string {
  const t = view.tally;
  return `${t.for} voor · ${t.against} tegen · ${t.abstain} onthouding (quorum ${view.quorum})`;
}

export function voteBlocks(view: VoteView): Block[] {
  const blocks: Block[] = [header(`MT-besluit: ${QUESTION[view.kind]} voor ${view.contractId}?`)];
  blocks.push(section(`${arrearsPhrase(view.balanceCents, view.monthsInArrears)} · ${signalPhrase(view.signal)}`));
  blocks.push(section(`*Stappen:* ${stepsText(view, LIMITS.sectionText - 20)}`));
  blocks.push(
    section(
      `MaSS besproken: ${view.massDiscussedOn ? `ja (${formatDutchDate(view.massDiscussedOn)})` : 'nee'} · eerder vonnis: ${view.earlierVerdict ? 'ja' : 'nee'}`,
    ),
  );

  const value = JSON.stringify({ caseId: view.caseId } satisfies VoteButtonValue);
  const dossier = button({ text: 'Dossier', actionId: ACTIONS.voteDossier, value });
  if (view.status === 'open') {
    const ballots: types.Button[] = [
      button({ text: 'Voor', actionId: ACTIONS.voteFor, value, style: 'primary' }),
      button({ text: 'Tegen', actionId: ACTIONS.voteAgainst, value, style: 'danger' }),
      button({ text: 'Onthouding', actionId: ACTIONS.voteAbstain, value }),
      dossier,
    ];
    blocks.push(actions(`mt_vote:${view.caseId}`, ballots));
    blocks.push(context([`Stand: ${tallyText(view)}${view.closesOn ? ` · stemming sluit ${formatDutchDate(view.closesOn)}` : ''}`]));
  } else {
    blocks.push(section(`*Besluit${view.decidedOn ? ` ${formatDutchDate(view.decidedOn)}` : ''}:* ${OUTCOME[view.kind][view.status]}`));
    blocks.push(actions(`mt_vote:${view.caseId}`, [dossier]));
    blocks.push(context([`Eindstand: ${tallyText(view)} · stemming gesloten`]));
  }
  return blocks;
}

export function voteText(view: VoteView): string {
  const state = view.status === 'open' ? `stand ${tallyText(view)}` : `besluit: ${OUTCOME[view.kind][view.status]}`;
  return clip(`MT-besluit: ${QUESTION[view.kind]} voor ${view.contractId}? ${state}`, LIMITS.fallbackText);
}

export function voteMessage(view: VoteView): SlackMessage {
  return { text: voteText(view), blocks: voteBlocks(view) };
}
