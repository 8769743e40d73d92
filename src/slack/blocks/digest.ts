import type { TeamDigest } from '../../cases/messages.js';
import { formatDutchDate, formatDutchLongDate } from '../../domain/calendar.js';
import { OPEN_STAGES, type OpenStage } from '../../domain/case-state.js';
import { COMMANDS } from '../ids.js';
import { clip, compactList, context, escapeMrkdwn, header, LIMITS, section, STAGE_NAMES, type Block, type SlackMessage } from './format.js';

/**
 * The team digest, one per team per working day (DESIGN.md, "Slack sketches"): the new 14-day
 * letters as one list, the cases per stage, what is due today and which deadlines passed.
 * Contract numbers, stages and dates only: names, amounts and notes stay in the dossier.
 */

/** What the team does for a case that is due, by stage: the digest names the task, not the rule. */
const TASKS: Record<OpenStage, string> = {
  reminder: '14-dagenbrief versturen',
  contact: 'bellen of uitnodigen',
  visit: 'huisbezoek of kaart-termijn',
  arrangement: 'termijn betalingsregeling',
  escalation: 'teambespreking en deurwaarder',
  bailiff: 'termijn deurwaarder verloopt',
  mt_vote: 'MT-stemming sluit',
  eviction_procedure: 'vonnis registreren',
  verdict: 'betaaltermijn vonnis',
};

// Leaves room for the heading inside the section's 3000 characters.
const LIST_CHARS = LIMITS.sectionText - 200;

export function digestBlocks(digest: TeamDigest): Block[] {
  const blocks: Block[] = [header(`${digest.teamName} · ${formatDutchLongDate(digest.date)}`)];

  const letters = digest.newLetters.map(escapeMrkdwn);
  blocks.push(
    section(
      letters.length > 0
        ? `*Nieuwe 14-dagenbrieven: ${letters.length}*${digest.lettersPdf ? ' (de brieven volgen in de thread, als één PDF om te printen)' : ''}\n${compactList(letters, LIST_CHARS, ', ')}`
        : '*Nieuwe 14-dagenbrieven:* geen',
    ),
  );

  const counts = OPEN_STAGES.filter((s) => (digest.counts[s] ?? 0) > 0).map((s) => `${STAGE_NAMES[s]} ${digest.counts[s]}`);
  blocks.push(section(`*Zaken per fase:* ${counts.length > 0 ? counts.join(' · ') : 'geen lopende zaken'}`));

  const today = digest.due.filter((d) => !d.overdue);
  const passed = digest.due.filter((d) => d.overdue);
  blocks.push(
    section(
      today.length > 0
        ? `*Vandaag (${today.length}):* ${compactList(
            today.map((d) => `${escapeMrkdwn(d.contractId)} ${TASKS[d.stage]}`),
            LIST_CHARS,
          )}`
        : '*Vandaag:* geen taken',
    ),
  );
  if (passed.length > 0) {
    blocks.push(
      section(
        `:warning: *Termijn verstreken (${passed.length}):* ${compactList(
          passed.map((d) => `${escapeMrkdwn(d.contractId)} ${TASKS[d.stage]} (uiterlijk ${formatDutchDate(d.dueOn)})`),
          LIST_CHARS,
        )}`,
      ),
    );
  }
  blocks.push(
    context([
      escapeMrkdwn(`${COMMANDS.overview} toont het overzicht van het team, ${COMMANDS.tenant} <contract> een dossier (alleen voor jou).`),
    ]),
  );
  return blocks;
}

export function digestText(digest: TeamDigest): string {
  const due = digest.due.length;
  return clip(
    `${digest.teamName} · ${formatDutchLongDate(digest.date)}: ${digest.newLetters.length} nieuwe 14-dagenbrieven, ${due} ${due === 1 ? 'taak' : 'taken'}`,
    LIMITS.fallbackText,
  );
}

export function digestMessage(digest: TeamDigest): SlackMessage {
  return { text: digestText(digest), blocks: digestBlocks(digest) };
}
