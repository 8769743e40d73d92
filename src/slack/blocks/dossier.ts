import type { types } from '@slack/bolt';
import { formatDutchDate } from '../../domain/calendar.js';
import { formatEuro, formatMonthsNl } from '../../domain/money.js';
import { formatPostcode, type Dossier, type TenancyMatch } from '../../dossier/dossier.js';
import { CLOSED_LABELS, STAGE_LABELS, signalText } from '../../dossier/dossier-text.js';
import { ACTIONS, COMMANDS } from '../ids.js';
import { clip, escapeMrkdwn } from './format.js';

// One escaping and clipping for every builder (names like "A & B" must be escaped).
export { clip, escapeMrkdwn };

/**
 * Pure Block Kit builders for `/huurder`: the dossier, the pick list, and the short answers.
 * Only the dossier's own fields and its events' summaries are shown: a note event's summary is
 * neutral ("Notitie uit de casusdraad"), its text stays in the database (DESIGN.md, Privacy).
 */

export type Block = types.KnownBlock;

export interface SlackMessage {
  /** The notification and fallback text: no personal data beyond the contract number. */
  text: string;
  blocks: Block[];
}

/** Slack's limits (STACK-NOTES.md): 50 blocks a message, 3000 characters a section text. */
export const MAX_MESSAGE_BLOCKS = 50;
export const MAX_SECTION_CHARS = 3000;
const MAX_HEADER_CHARS = 150;
const MAX_FIELD_CHARS = 2000;
const MAX_BUTTON_TEXT = 75;

/** The timeline shows the newest events; the terminal's `huurwacht dossier` shows them all. */
export const TIMELINE_MAX_EVENTS = 20;
/** Keeps the whole message far below `msg_blocks_too_long` (about 13k characters of block text). */
const TIMELINE_MAX_CHARS = 6000;
const EVENT_LINE_MAX_CHARS = 280;
const LEDGER_MONTHS_SHOWN = 6;

export function section(text: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, MAX_SECTION_CHARS) } };
}

export function header(text: string): types.HeaderBlock {
  return { type: 'header', text: { type: 'plain_text', text: clip(text, MAX_HEADER_CHARS), emoji: false } };
}

export function context(text: string): types.ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: clip(text, MAX_SECTION_CHARS) }] };
}

export function divider(): types.DividerBlock {
  return { type: 'divider' };
}

function fields(pairs: [string, string][]): types.SectionBlock {
  return {
    type: 'section',
    // At most 10 fields a section.
    fields: pairs.slice(0, 10).map(([label, value]) => ({ type: 'mrkdwn', text: clip(`*${label}*\n${value}`, MAX_FIELD_CHARS) })),
  };
}

/**
 * Packs lines into as few sections as fit in 3000 characters each, up to `maxChars` in total.
 * `counts[i]` is the number of lines (title excluded) in `blocks[i]`.
 */
export function packLines(lines: string[], maxChars: number, title?: string): { blocks: types.SectionBlock[]; counts: number[] } {
  const blocks: types.SectionBlock[] = [];
  const counts: number[] = [];
  let current = title ? [title] : [];
  let currentChars = title ? title.length + 1 : 0;
  let currentCount = 0;
  let total = currentChars;
  const flush = () => {
    if (current.length > 0) {
      blocks.push(section(current.join('\n')));
      counts.push(currentCount);
    }
    current = [];
    currentChars = 0;
    currentCount = 0;
  };
  for (const line of lines) {
    if (total + line.length + 1 > maxChars) break;
    if (currentChars + line.length + 1 > MAX_SECTION_CHARS) flush();
    current.push(line);
    currentChars += line.length + 1;
    currentCount++;
    total += line.length + 1;
  }
  flush();
  return { blocks, counts };
}

const MONTHS_SHORT = ['jan', 'feb', 'mrt', 'apr', 'mei', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'];
function shortMonth(key: string): string {
  const [year, month] = key.split('-');
  return `${MONTHS_SHORT[Number(month) - 1] ?? month} ${year}`;
}

function caseLines(d: Dossier): string[] {
  if (!d.case) return ['*Zaak:* geen; deze huurovereenkomst heeft nooit in de achterstandsprocedure gezeten.'];
  const c = d.case;
  const stage = c.stage === 'closed' ? `gesloten (${c.closedReason ? CLOSED_LABELS[c.closedReason] : 'onbekend'})` : STAGE_LABELS[c.stage];
  const lines = [
    `*Zaak:* ${stage} · geopend ${formatDutchDate(c.openedOn)} · in deze fase sinds ${formatDutchDate(c.stageSince)}` +
      (c.closedOn ? ` · gesloten ${formatDutchDate(c.closedOn)}` : ''),
  ];
  if (c.nextAction) {
    const due = c.dueOn ? `, uiterlijk ${formatDutchDate(c.dueOn)}${c.dueOn < d.asOf ? ' (verlopen)' : ''}` : '';
    lines.push(`*Volgende stap:* ${escapeMrkdwn(c.nextAction)}${due}`);
  }
  return lines;
}

function particulars(d: Dossier): string[] {
  const lines: string[] = [];
  if (d.earlySignal) lines.push(`*Vroegsignalering:* ${signalText(d.earlySignal)}`);
  if (d.probationUntil) lines.push(`*Proeftijd* tot ${formatDutchDate(d.probationUntil)} (laatste waarschuwing, P4.a)`);
  if (d.earlierVerdictDate) lines.push(`*Eerder vonnis* ontbinding/ontruiming: ${formatDutchDate(d.earlierVerdictDate)}`);
  return lines;
}

function ledgerTable(d: Dossier): string | null {
  const months = d.ledger.months.slice(0, LEDGER_MONTHS_SHOWN);
  if (months.length === 0) return null;
  const rows = months.map(
    (m) =>
      `${shortMonth(m.month).padEnd(9)}${formatEuro(m.chargedCents).padStart(13)}${formatEuro(m.paidCents).padStart(13)}${formatEuro(m.balanceCents).padStart(13)}`,
  );
  return `*Laatste maanden*\n\`\`\`${'maand'.padEnd(9)}${'in rekening'.padStart(13)}${'betaald'.padStart(13)}${'saldo'.padStart(13)}\n${rows.join('\n')}\`\`\``;
}

/** A Slack user id becomes a mention (it shows the name; mentions in an ephemeral answer notify nobody). */
export function actorText(actor: string): string {
  return /^[UW][A-Z0-9]{8,}$/.test(actor) ? `<@${actor}>` : escapeMrkdwn(clip(actor, 60));
}

function eventLine(e: Dossier['events'][number]): string {
  const line = `${formatDutchDate(e.on)} · ${e.clause ? `[${e.clause}] ` : ''}${e.summary}`.replace(/\s+/g, ' ');
  return `${escapeMrkdwn(clip(line, EVENT_LINE_MAX_CHARS))} (${actorText(e.actor)})`;
}

export function truncationText(omitted: number, contractId: string): string {
  return `… en nog ${omitted} ${omitted === 1 ? 'gebeurtenis' : 'gebeurtenissen'}, zie \`huurwacht dossier ${escapeMrkdwn(contractId)}\``;
}

/**
 * The dossier as an ephemeral message: tenants, address, rent, balance and months in arrears,
 * the case with its next step and due date, early signalling, and the newest events. Stays
 * within 50 blocks and 3000 characters a section whatever the history's length.
 */
export function dossierBlocks(d: Dossier): SlackMessage {
  const blocks: Block[] = [];
  blocks.push(header(`Dossier ${d.contractId} · ${d.teamName}`));

  const who = [
    `*${escapeMrkdwn(d.tenants.join(' & ') || '(geen huurders bekend)')}*`,
    escapeMrkdwn(d.address),
    [d.phone && `tel. ${escapeMrkdwn(d.phone)}`, d.email && escapeMrkdwn(d.email)].filter(Boolean).join(' · '),
  ].filter(Boolean);
  blocks.push(section(who.join('\n')));

  const owed = d.balanceCents > 0;
  const balance = owed
    ? `${formatEuro(d.balanceCents)} achterstand`
    : d.balanceCents < 0
      ? `${formatEuro(-d.balanceCents)} tegoed`
      : formatEuro(0);
  const lastPayment = d.ledger.lastPaymentOn
    ? `${formatDutchDate(d.ledger.lastPaymentOn)} (${formatEuro(d.ledger.lastPaymentCents ?? 0)})`
    : 'nog geen betaling';
  blocks.push(
    fields([
      ['Huur', `${formatEuro(d.monthlyRentCents)} per maand`],
      [`Saldo op ${formatDutchDate(d.asOf)}`, balance],
      ['Achterstand in maanden', owed ? formatMonthsNl(d.monthsInArrears) : 'geen'],
      ['Laatste betaling', lastPayment],
      ['Huurovereenkomst', `sinds ${formatDutchDate(d.startDate)}${d.endDate ? ` · beëindigd per ${formatDutchDate(d.endDate)}` : ''}`],
    ]),
  );

  blocks.push(section(caseLines(d).join('\n')));
  const more = particulars(d);
  if (more.length > 0) blocks.push(section(more.join('\n')));
  const table = ledgerTable(d);
  if (table) blocks.push(section(table));

  blocks.push(divider());
  const footer = context('Alleen jij ziet dit antwoord. Deze opvraging is vastgelegd in het auditlog.');
  if (d.events.length === 0) {
    blocks.push(section('*Tijdlijn:* nog geen gebeurtenissen.'));
  } else {
    // Newest first: the last events matter most; older ones are in `huurwacht dossier`.
    const newest = d.events.slice(-TIMELINE_MAX_EVENTS).reverse().map(eventLine);
    const packed = packLines(newest, TIMELINE_MAX_CHARS, `*Tijdlijn* (nieuwste eerst, ${d.events.length} in totaal)`);
    const room = Math.max(1, MAX_MESSAGE_BLOCKS - blocks.length - 2); // the truncation line and the footer
    blocks.push(...packed.blocks.slice(0, room));
    const omitted = d.events.length - packed.counts.slice(0, room).reduce((a, b) => a + b, 0);
    if (omitted > 0) blocks.push(context(truncationText(omitted, d.contractId)));
  }
  blocks.push(footer);
  return { text: `Dossier ${d.contractId}`, blocks };
}

/** Several matches: one section per tenancy with a button that opens its dossier. */
export function pickListBlocks(query: string, matches: TenancyMatch[], limit: number): SlackMessage {
  const blocks: Block[] = [
    section(
      matches.length >= limit
        ? `Ten minste ${limit} huurovereenkomsten gevonden voor "${escapeMrkdwn(clip(query, 100))}"; dit zijn de eerste ${limit}. Maak je zoekopdracht preciezer of kies er één:`
        : `${matches.length} huurovereenkomsten gevonden voor "${escapeMrkdwn(clip(query, 100))}". Kies er één:`,
    ),
  ];
  for (const m of matches) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          `*${escapeMrkdwn(m.contractId)}* · ${escapeMrkdwn(m.tenants || '(geen huurders bekend)')}\n${escapeMrkdwn(
            `${m.address}, ${formatPostcode(m.postcode)} ${m.city}`,
          )}`,
          MAX_SECTION_CHARS,
        ),
      },
      accessory: {
        type: 'button',
        action_id: ACTIONS.pickTenancy,
        text: { type: 'plain_text', text: clip(`Dossier ${m.contractId}`, MAX_BUTTON_TEXT) },
        value: m.contractId,
      },
    });
  }
  blocks.push(context('Alleen jij ziet dit antwoord. Deze opvraging is vastgelegd in het auditlog.'));
  return { text: `${matches.length} huurovereenkomsten gevonden`, blocks };
}

export function noMatchMessage(query: string): SlackMessage {
  const text =
    `Geen huurovereenkomst gevonden voor "${escapeMrkdwn(clip(query, 100))}". ` +
    'Zoek op contractnummer, (een deel van) de naam van de huurder, of postcode met huisnummer, bijvoorbeeld `1234 AB 12`.';
  return { text: 'Geen huurovereenkomst gevonden', blocks: [section(text)] };
}

export function usageMessage(): SlackMessage {
  const text = [
    `*Gebruik:* \`${COMMANDS.tenant} <contractnummer | naam | postcode + huisnummer>\``,
    `Bijvoorbeeld \`${COMMANDS.tenant} 100123\`, \`${COMMANDS.tenant} Jansen\` of \`${COMMANDS.tenant} 1234 AB 12\`.`,
    'Het antwoord ziet alleen jij; elke opvraging wordt vastgelegd in het auditlog.',
  ].join('\n');
  return { text: `Gebruik: ${COMMANDS.tenant} <contractnummer | naam | postcode + huisnummer>`, blocks: [section(text)] };
}

export function refusalMessage(what: 'dossier' | 'overzicht'): SlackMessage {
  const text =
    what === 'dossier'
      ? 'Je hebt geen toegang tot huurdersdossiers: alleen leden van een wijkteam of het MT (huurwacht.yml) kunnen huurders opzoeken. Vraag de beheerder van Huurwacht om je toe te voegen.'
      : 'Je hebt geen toegang tot het achterstandsoverzicht: alleen leden van een wijkteam of het MT (huurwacht.yml) kunnen het opvragen. Vraag de beheerder van Huurwacht om je toe te voegen.';
  return { text: 'Geen toegang', blocks: [section(text)] };
}

export function failureMessage(): SlackMessage {
  return {
    text: 'Er ging iets mis',
    blocks: [section('Er ging iets mis bij het opzoeken. Probeer het zo nog eens; blijft het misgaan, meld het dan bij de beheerder.')],
  };
}

export function waitMessage(): SlackMessage {
  return { text: 'Even zoeken…', blocks: [section('Even zoeken… het antwoord volgt hier zo.')] };
}
