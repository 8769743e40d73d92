import { formatDutchDate, formatDutchLongDate, type IsoDate } from '../../domain/calendar.js';
import { OPEN_STAGES, STAGE_SHORT_NL, type OpenStage } from '../../domain/case-state.js';
import { formatEuro } from '../../domain/money.js';
import {
  clip,
  context,
  divider,
  escapeMrkdwn,
  header,
  MAX_MESSAGE_BLOCKS,
  MAX_SECTION_CHARS,
  packLines,
  section,
  type Block,
  type SlackMessage,
} from './dossier.js';

/**
 * Pure Block Kit builder for `/achterstand`: per team the open cases per stage, the total arrears
 * of the open cases, and what is due today or overdue. Ids, addresses, stages and dates only.
 */

export interface OverviewTask {
  contractId: string;
  address: string;
  stage: OpenStage;
  dueOn: IsoDate;
  /** Dutch, what the team does next (nextStep). */
  task: string;
}

export interface TeamOverview {
  team: string;
  teamName: string;
  counts: Partial<Record<OpenStage, number>>;
  openCases: number;
  /** The sum of the positive balances of the tenancies with an open case, on `date`. */
  arrearsCents: number;
  /** 14-day letters of cases that opened today (they go out as one list, see the digest). */
  newLetters: number;
  dueToday: number;
  overdue: number;
  /** The first of the due tasks (overdue first), at most `TASKS_SHOWN` per team. */
  tasks: OverviewTask[];
}

export interface Overview {
  date: IsoDate;
  /** `mt`: an MT member sees every team. */
  scope: 'team' | 'mt';
  teams: TeamOverview[];
}

export const OVERVIEW_TASKS_SHOWN = 10;

export function taskLine(t: OverviewTask, date: IsoDate): string {
  const when = t.dueOn < date ? `verlopen ${formatDutchDate(t.dueOn)}` : t.dueOn === date ? 'vandaag' : formatDutchDate(t.dueOn);
  return `• *${escapeMrkdwn(t.contractId)}* ${escapeMrkdwn(clip(t.address, 80))} · ${STAGE_SHORT_NL[t.stage]} · ${when}\n    ${escapeMrkdwn(clip(t.task, 200))}`;
}

function teamBlocks(o: TeamOverview, date: IsoDate): Block[] {
  const perStage = OPEN_STAGES.filter((s) => o.counts[s]).map((s) => `${STAGE_SHORT_NL[s]} ${o.counts[s]}`);
  const blocks: Block[] = [
    section(
      `*${escapeMrkdwn(o.teamName)}*\n` +
        `${o.openCases} open ${o.openCases === 1 ? 'zaak' : 'zaken'} · totale achterstand ${formatEuro(o.arrearsCents)}` +
        (perStage.length ? `\n${perStage.join(' · ')}` : '') +
        `\nNieuwe 14-dagenbrieven vandaag: ${o.newLetters} · taken vandaag: ${o.dueToday} · verlopen: ${o.overdue}`,
    ),
  ];
  if (o.tasks.length > 0) {
    const more = o.dueToday + o.overdue - o.tasks.length;
    const lines = o.tasks.map((t) => taskLine(t, date));
    if (more > 0) lines.push(`… en nog ${more} ${more === 1 ? 'taak' : 'taken'}`);
    blocks.push(...packLines(lines, 2 * MAX_SECTION_CHARS).blocks);
  }
  return blocks;
}

export function overviewBlocks(overview: Overview): SlackMessage {
  const blocks: Block[] = [header(`Achterstanden · ${formatDutchLongDate(overview.date)}`)];
  if (overview.teams.length === 0) {
    blocks.push(section('Er zijn geen teams ingesteld in huurwacht.yml.'));
  }
  let omittedTeams = 0;
  for (const team of overview.teams) {
    const add = [divider(), ...teamBlocks(team, overview.date)];
    // Room is kept for the "… en nog" line and the footer.
    if (blocks.length + add.length + 2 > MAX_MESSAGE_BLOCKS) {
      omittedTeams++;
      continue;
    }
    blocks.push(...add);
  }
  if (omittedTeams > 0) blocks.push(context(`… en nog ${omittedTeams} teams: vraag hun overzicht op in hun eigen kanaal.`));
  blocks.push(
    context(
      `${overview.scope === 'mt' ? 'MT-overzicht van alle teams' : 'Overzicht van jouw team'} · alleen jij ziet dit antwoord · vastgelegd in het auditlog`,
    ),
  );
  return { text: `Achterstanden ${formatDutchDate(overview.date)}`, blocks };
}
