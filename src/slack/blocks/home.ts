import type { types } from '@slack/bolt';
import { formatDutchDate, formatDutchLongDate, type IsoDate } from '../../domain/calendar.js';
import type { Ballot } from '../../domain/vote.js';
import { clip, context, divider, escapeMrkdwn, header, section, type Block } from './dossier.js';
import { taskLine, type OverviewTask } from './overview.js';

/**
 * Pure Block Kit builder for the App Home: the employee's own work list. The tasks of their
 * team(s) (overdue, today, the next working days) with stage and due date; for MT members also the
 * open votes with their own ballot. Ids, addresses, stages and dates only.
 */

/** Slack's limit for a Home tab view. */
export const MAX_HOME_BLOCKS = 100;
/** Tasks shown per group (overdue, today, upcoming); the rest is counted. */
export const HOME_TASKS_SHOWN = 20;
export const HOME_VOTES_SHOWN = 15;

export interface HomeTask extends OverviewTask {
  teamName: string;
}

export interface HomeVote {
  contractId: string;
  address: string;
  kind: 'eviction' | 'repeat_verdict';
  openedOn: IsoDate;
  closesOn: IsoDate;
  /** This member's ballot, null when they have not voted yet. */
  myBallot: Ballot | null;
  tally: Record<Ballot, number>;
}

export interface TaskGroup {
  total: number;
  /** The first `HOME_TASKS_SHOWN`, by due date. */
  shown: HomeTask[];
}

export interface WorkList {
  date: IsoDate;
  /** The last day of "the next days". */
  upcomingUntil: IsoDate;
  teams: { key: string; name: string }[];
  mt: boolean;
  overdue: TaskGroup;
  today: TaskGroup;
  upcoming: TaskGroup;
  /** 14-day letters of cases opened today: they go out as one list (the team digest). */
  newLetters: number;
  /** MT members only. */
  votes?: { total: number; shown: HomeVote[] };
}

const BALLOT_NL: Record<Ballot, string> = { for: 'voor', against: 'tegen', abstain: 'onthouding' };

function groupBlocks(title: string, group: TaskGroup, date: IsoDate, multiTeam: boolean): Block[] {
  const blocks: Block[] = [section(`*${title}* (${group.total})`)];
  if (group.total === 0) {
    blocks.push(context('Niets.'));
    return blocks;
  }
  for (const task of group.shown) {
    blocks.push(section(`${taskLine(task, date)}${multiTeam ? `\n    _${escapeMrkdwn(task.teamName)}_` : ''}`));
  }
  const more = group.total - group.shown.length;
  if (more > 0) blocks.push(context(`… en nog ${more} ${more === 1 ? 'taak' : 'taken'}: zie \`/achterstand\` en het teamkanaal`));
  return blocks;
}

function voteLine(v: HomeVote): string {
  const what = v.kind === 'eviction' ? 'ontruimingsprocedure starten' : 'ontruiming na eerder vonnis';
  const mine = v.myBallot ? `jouw stem: *${BALLOT_NL[v.myBallot]}*` : '*je hebt nog niet gestemd*';
  return (
    `• *${escapeMrkdwn(v.contractId)}* ${escapeMrkdwn(clip(v.address, 80))} · ${what}\n` +
    `    sluit ${formatDutchDate(v.closesOn)} · stand ${v.tally.for} voor, ${v.tally.against} tegen, ${v.tally.abstain} onthouding · ${mine}`
  );
}

/** The Home tab view. Always at most 100 blocks. */
export function homeView(list: WorkList): types.HomeView {
  const blocks: Block[] = [header('Mijn werklijst')];
  const teamNames = list.teams.map((t) => t.name);
  blocks.push(
    context(
      `${teamNames.length ? escapeMrkdwn(teamNames.join(' · ')) : 'Geen team'}${list.mt ? ' · MT' : ''} · ${formatDutchLongDate(list.date)}`,
    ),
  );
  if (list.teams.length > 0) {
    const multiTeam = list.teams.length > 1;
    if (list.newLetters > 0) {
      blocks.push(section(`Nieuwe 14-dagenbrieven vandaag: *${list.newLetters}* (de lijst staat in de digest van het teamkanaal).`));
    }
    blocks.push(divider(), ...groupBlocks('Verlopen', list.overdue, list.date, multiTeam));
    blocks.push(divider(), ...groupBlocks('Vandaag', list.today, list.date, multiTeam));
    blocks.push(
      divider(),
      ...groupBlocks(`Komende dagen (t/m ${formatDutchDate(list.upcomingUntil)})`, list.upcoming, list.date, multiTeam),
    );
  }
  if (list.mt && list.votes) {
    blocks.push(divider(), section(`*Open MT-stemmingen* (${list.votes.total})`));
    if (list.votes.total === 0) blocks.push(context('Geen open stemmingen.'));
    for (const vote of list.votes.shown) blocks.push(section(voteLine(vote)));
    const more = list.votes.total - list.votes.shown.length;
    if (more > 0) blocks.push(context(`… en nog ${more} stemmingen: zie het MT-kanaal`));
    if (list.votes.total > 0) blocks.push(context('Stemmen doe je met de knoppen in het MT-kanaal.'));
  }
  blocks.push(divider(), context('Bijgewerkt bij het openen van deze pagina. Alleen jij ziet deze lijst.'));
  return { type: 'home', blocks: fitBlocks(blocks, MAX_HOME_BLOCKS) };
}

/** Drops blocks before the footer so the view fits; the shown-counts above keep it far below this. */
function fitBlocks(blocks: Block[], max: number): Block[] {
  if (blocks.length <= max) return blocks;
  const footer = blocks.slice(-2);
  return [...blocks.slice(0, max - 3), context('… de lijst is ingekort.'), ...footer];
}

/** The Home tab of someone who is neither in a team nor in the MT: no data, only how to get access. */
export function noAccessHomeView(): types.HomeView {
  return {
    type: 'home',
    blocks: [
      header('Huurwacht'),
      section(
        'Huurwacht begeleidt de huurachterstandsprocedure van de wijkteams. Je staat (nog) niet in een wijkteam of het MT in huurwacht.yml, ' +
          'dus hier staat geen werklijst. Vraag de beheerder van Huurwacht om je toe te voegen.',
      ),
    ],
  };
}
