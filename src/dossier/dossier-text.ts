import type { CaseStage, ClosedReason } from '../db/schema.js';
import { formatDutchDate, MONTH_ABBR_NL } from '../domain/calendar.js';
import { formatEuro, formatMonthsNl } from '../domain/money.js';
import type { SummonsWindowStatus } from '../domain/signal.js';
import type { Dossier, TenancyMatch } from './dossier.js';
import { formatPostcode } from './dossier.js';

export const STAGE_LABELS: Record<CaseStage, string> = {
  reminder: '14-dagenbrief (P1)',
  contact: 'contact (P2)',
  visit: 'huisbezoek (P2.d)',
  arrangement: 'betalingsregeling (P2.b/c)',
  escalation: 'teambespreking (P3.a)',
  bailiff: 'deurwaarder (P3.b)',
  mt_vote: 'MT-besluit (P3.c)',
  eviction_procedure: 'ontruimingsprocedure (P3.d)',
  verdict: 'vonnis (P4)',
  closed: 'gesloten',
};

export const CLOSED_LABELS: Record<ClosedReason, string> = {
  paid: 'betaald',
  postponed: 'ontruiming uitgesteld, proeftijd',
  evicted: 'ontruimd',
  ended: 'huur beëindigd',
};

function shortMonth(key: string): string {
  const [year, month] = key.split('-');
  return `${MONTH_ABBR_NL[Number(month) - 1]} ${year}`;
}

/** The dossier as a person reads it in a terminal: Dutch, amounts as `€ 1.234,56`, dates DD-MM-YYYY. */
export function formatDossierText(d: Dossier): string {
  const lines: string[] = [];
  lines.push(`Huurovereenkomst ${d.contractId} · ${d.teamName}`);
  lines.push(`${d.tenants.join(' & ') || '(geen huurders bekend)'}`);
  lines.push(d.address);
  const contact = [d.phone && `tel. ${d.phone}`, d.email].filter(Boolean).join(' · ');
  if (contact) lines.push(contact);
  lines.push(
    `Huur ${formatEuro(d.monthlyRentCents)} per maand · sinds ${formatDutchDate(d.startDate)}` +
      (d.endDate ? ` · beëindigd per ${formatDutchDate(d.endDate)}` : ''),
  );
  if (d.earlierVerdictDate) lines.push(`Eerder vonnis ontbinding/ontruiming: ${formatDutchDate(d.earlierVerdictDate)}`);
  if (d.probationUntil) lines.push(`Proeftijd tot ${formatDutchDate(d.probationUntil)} (laatste waarschuwing)`);
  lines.push('');
  const owed = d.balanceCents > 0;
  lines.push(
    `Saldo op ${formatDutchDate(d.asOf)}: ${formatEuro(d.balanceCents)}` +
      (owed ? ` achterstand (${formatMonthsNl(d.monthsInArrears)})` : d.balanceCents < 0 ? ' tegoed' : ''),
  );
  const last = d.ledger.lastPaymentOn
    ? `laatste betaling ${formatDutchDate(d.ledger.lastPaymentOn)} (${formatEuro(d.ledger.lastPaymentCents ?? 0)})`
    : 'nog geen betaling';
  lines.push(`${d.ledger.entries} boekingen · ${last}`);
  if (d.ledger.months.length > 0) {
    lines.push('');
    lines.push('Maand       In rekening     Betaald       Saldo');
    for (const m of d.ledger.months) {
      lines.push(
        `${shortMonth(m.month).padEnd(10)} ${formatEuro(m.chargedCents).padStart(12)} ${formatEuro(m.paidCents).padStart(12)} ${formatEuro(m.balanceCents).padStart(12)}`,
      );
    }
  }
  lines.push('');
  if (d.case) {
    const c = d.case;
    const stage = c.stage === 'closed' ? `gesloten (${c.closedReason ? CLOSED_LABELS[c.closedReason] : '?'})` : STAGE_LABELS[c.stage];
    lines.push(`Zaak: ${stage} · geopend ${formatDutchDate(c.openedOn)} · in deze fase sinds ${formatDutchDate(c.stageSince)}`);
    if (c.nextAction) lines.push(`Volgende stap: ${c.nextAction}${c.dueOn ? `, uiterlijk ${formatDutchDate(c.dueOn)}` : ''}`);
  } else {
    lines.push('Geen zaak: deze huurovereenkomst heeft nooit in de achterstandsprocedure gezeten.');
  }
  if (d.earlySignal) lines.push(`Vroegsignalering: ${signalText(d.earlySignal)}`);
  lines.push('');
  lines.push(d.events.length > 0 ? 'Tijdlijn:' : 'Tijdlijn: nog geen gebeurtenissen.');
  for (const e of d.events) {
    lines.push(`  ${formatDutchDate(e.on)}  ${e.clause ? `[${e.clause}] ` : ''}${e.summary} (${e.actor})${e.text ? `: ${e.text}` : ''}`);
  }
  return lines.join('\n');
}

const WINDOW_LABELS: Record<SummonsWindowStatus, string> = {
  not_reported: '',
  too_early: ' (nog geen 2 maanden: dagvaarden kan nog niet)',
  ok: ' (2 tot 6 maanden geleden: dagvaarden kan)',
  too_late: ' (meer dan 6 maanden geleden)',
};

/** One line on early signalling; the report date decides when a summons may follow. */
export function signalText(s: NonNullable<Dossier['earlySignal']>): string {
  const date = (d: string | null) => (d ? formatDutchDate(d) : '?');
  switch (s.state) {
    case 'none':
      return 'nog niet aangeboden';
    case 'offered':
      return `aangeboden in de 14-dagenbrief van ${date(s.offeredOn)}`;
    case 'objected':
      return `huurder maakte bezwaar op ${date(s.answeredOn)}: geen melding`;
    case 'agreed':
      return `huurder akkoord op ${date(s.answeredOn)}: melding volgt`;
    case 'no_reaction':
      return `geen reactie op het aanbod van ${date(s.offeredOn)}: melding volgt`;
    case 'reported':
      return `gemeld bij de gemeente op ${date(s.reportedOn)}${WINDOW_LABELS[s.summonsWindow]}`;
  }
}

export function formatMatchList(query: string, matches: TenancyMatch[]): string {
  if (matches.length === 0) return `Geen huurovereenkomst gevonden voor "${query}".`;
  return [
    `${matches.length} huurovereenkomsten gevonden voor "${query}"${matches.length >= 10 ? ' (de eerste 10)' : ''}; kies er één:`,
    ...matches.map((m) => `  ${m.contractId}  ${m.tenants} · ${m.address}, ${formatPostcode(m.postcode)} ${m.city}`),
  ].join('\n');
}
