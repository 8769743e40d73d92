import type { App } from '@slack/bolt';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { TeamConfig } from '../config.js';
import { recordAudit } from '../db/audit.js';
import { queryRows, type Executor } from '../db/client.js';
import { addWorkingDays, todayInAmsterdam, type HolidayOptions, type IsoDate } from '../domain/calendar.js';
import type { CaseState, OpenStage, VoteFacts } from '../domain/case-state.js';
import { nextStep } from '../domain/next-step.js';
import { tally } from '../domain/vote.js';
import type { SlackDeps } from './app.js';
import {
  HOME_TASKS_SHOWN,
  HOME_VOTES_SHOWN,
  homeView,
  noAccessHomeView,
  type HomeTask,
  type HomeVote,
  type TaskGroup,
  type WorkList,
} from './blocks/home.js';
import { mayLookUp, resolveAsker, type Asker } from './commands.js';

/**
 * The App Home: when an employee opens Huurwacht's Home tab, it shows their work list (the tasks
 * of their team or teams, and for MT members the open votes), published with `views.publish`.
 * Tasks belong to a team, not to one person: the procedure assigns work per neighbourhood team.
 */

/** "The next days": this many working days after today. */
export const UPCOMING_WORKDAYS = 5;

interface TaskRow extends Record<string, unknown> {
  team_key: string;
  contract_id: string;
  address: string;
  stage: OpenStage;
  due_on: string;
  stage_since: string;
  state: CaseState;
  bucket: 'overdue' | 'today' | 'upcoming';
  total: number;
}

interface VoteRow extends Record<string, unknown> {
  contract_id: string;
  address: string;
  vote: VoteFacts;
}

/** The work list of these teams on `date`: per bucket the first tasks by due date and the total. */
export async function loadWorkList(
  executor: Executor,
  asker: Asker,
  allTeams: TeamConfig[],
  date: IsoDate,
  holidays: HolidayOptions,
  /** Known MT members: only their ballots count in the tally (empty: membership by user group). */
  mtMembers: readonly string[] = [],
): Promise<WorkList> {
  const teams = asker.teams;
  const upcomingUntil = addWorkingDays(date, UPCOMING_WORKDAYS, holidays);
  const keys = JSON.stringify(teams.map((t) => t.key));
  const names = new Map(allTeams.map((t) => [t.key, t.name]));
  const rows =
    teams.length === 0
      ? []
      : await queryRows<TaskRow>(
          executor,
          sql`select team_key, contract_id, address, stage, due_on, stage_since, state, bucket, total from (
                select t.team_key, c.contract_id, t.address, c.stage, c.due_on::text as due_on, c.stage_since::text as stage_since, c.state,
                       b.bucket,
                       row_number() over (partition by b.bucket order by c.due_on, c.contract_id) as rank,
                       count(*) over (partition by b.bucket)::int8 as total
                from cases c
                join tenancies t on t.contract_id = c.contract_id
                cross join lateral (select case when c.due_on < ${date}::date then 'overdue'
                                                when c.due_on = ${date}::date then 'today'
                                                else 'upcoming' end as bucket) b
                where c.closed_on is null and c.stage <> 'reminder' and c.due_on <= ${upcomingUntil}::date
                  and t.team_key in (select json_array_elements_text(${keys}::json))
              ) ranked
              where rank <= ${HOME_TASKS_SHOWN}
              order by due_on, contract_id`,
        );
  const [letters] =
    teams.length === 0
      ? [{ n: 0 }]
      : await queryRows<{ n: number }>(
          executor,
          sql`select count(*)::int8 as n from cases c join tenancies t on t.contract_id = c.contract_id
              where c.closed_on is null and c.stage = 'reminder' and c.opened_on = ${date}::date
                and t.team_key in (select json_array_elements_text(${keys}::json))`,
        );
  const group = (bucket: TaskRow['bucket']): TaskGroup => {
    const mine = rows.filter((r) => r.bucket === bucket);
    return {
      total: mine[0]?.total ?? 0,
      shown: mine.map((r): HomeTask => ({
        contractId: r.contract_id,
        address: r.address,
        stage: r.stage,
        dueOn: r.due_on,
        teamName: names.get(r.team_key) ?? r.team_key,
        task: nextStep(r.stage, r.state, r.stage_since, holidays).text,
      })),
    };
  };
  const list: WorkList = {
    date,
    upcomingUntil,
    teams: teams.map((t) => ({ key: t.key, name: t.name })),
    mt: asker.mt,
    overdue: group('overdue'),
    today: group('today'),
    upcoming: group('upcoming'),
    newLetters: letters?.n ?? 0,
  };
  if (asker.mt) {
    const votes = await queryRows<VoteRow>(
      executor,
      sql`select c.contract_id, t.address, c.state->'vote' as vote
          from cases c join tenancies t on t.contract_id = c.contract_id
          where c.closed_on is null and c.stage = 'mt_vote' and c.state ? 'vote'
          order by (c.state->'vote'->>'closesOn'), c.contract_id`,
    );
    const members = new Set(mtMembers);
    const counted = (ballots: VoteFacts['ballots']) =>
      members.size === 0 ? ballots : Object.fromEntries(Object.entries(ballots).filter(([id]) => members.has(id)));
    const shown = votes.slice(0, HOME_VOTES_SHOWN).map((v): HomeVote => ({
      contractId: v.contract_id,
      address: v.address,
      kind: v.vote.kind,
      openedOn: v.vote.openedOn,
      closesOn: v.vote.closesOn,
      myBallot: v.vote.ballots[asker.userId] ?? null,
      tally: (({ for: f, against, abstain }) => ({ for: f, against, abstain }))(tally(counted(v.vote.ballots))),
    }));
    list.votes = { total: votes.length, shown };
  }
  return list;
}

const homeOpenedSchema = z.object({
  user: z.string().min(1),
  tab: z.string().optional(),
});

export function register(app: App, deps: SlackDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    const parsed = homeOpenedSchema.safeParse(event);
    // The Messages tab is off in manifest.yml; should it be turned on, it needs no work list.
    if (!parsed.success || (parsed.data.tab && parsed.data.tab !== 'home')) return;
    const userId = parsed.data.user;
    try {
      const asker = await resolveAsker(deps, client, userId);
      let view;
      if (!mayLookUp(asker)) {
        view = noAccessHomeView();
      } else {
        const list = await loadWorkList(
          deps.database.db,
          asker,
          deps.config.teams,
          todayInAmsterdam(),
          deps.config.holidays,
          deps.config.mt?.members,
        );
        // The list shows addresses of tenancies in arrears: processing of personal data, so audited.
        await recordAudit(deps.database.db, {
          actor: userId,
          action: 'home.view',
          detail: {
            via: 'slack',
            teams: asker.teams.map((t) => t.key),
            ...(asker.mt ? { mt: true, votes: list.votes?.total ?? 0 } : {}),
            tasks: { overdue: list.overdue.total, today: list.today.total, upcoming: list.upcoming.total },
          },
        });
        view = homeView(list);
      }
      await client.views.publish({ user_id: userId, view });
    } catch (err) {
      deps.log.error('App Home failed', { cause: err instanceof Error ? err.message : String(err) });
    }
  });
}
