import type { App, RespondFn, webApi } from '@slack/bolt';
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Config, TeamConfig } from '../config.js';
import { auditInsert, recordAudit, type AuditEntry } from '../db/audit.js';
import { queryRows, type Executor } from '../db/client.js';
import { todayInAmsterdam, type IsoDate } from '../domain/calendar.js';
import type { CaseState, OpenStage } from '../domain/case-state.js';
import { nextStep } from '../domain/next-step.js';
import { findAndLoadDossier, findTenancies, loadDossier, type TenancyMatch } from '../dossier/dossier.js';
import type { Logger } from '../log.js';
import type { SlackDeps } from './app.js';
import {
  dossierBlocks,
  failureMessage,
  noMatchMessage,
  pickListBlocks,
  refusalMessage,
  usageMessage,
  waitMessage,
  type SlackMessage,
} from './blocks/dossier.js';
import { overviewBlocks, OVERVIEW_TASKS_SHOWN, type Overview, type TeamOverview } from './blocks/overview.js';
import { ACTIONS, COMMANDS } from './ids.js';

/**
 * `/huurder` and `/achterstand`: look-ups, answered ephemerally (only the asker sees them) and
 * audit-logged, refusals included (DESIGN.md, Privacy). No business rule lives here: the dossier,
 * the search and the next steps come from src/dossier and src/domain.
 *
 * Slack wants an answer within 3 s. A look-up normally takes milliseconds, so the answer goes in
 * the acknowledgement itself (one round trip, nothing else to fail). Should the database be slow,
 * the command is acknowledged with "Even zoeken…" after ANSWER_IN_ACK_MS and the answer follows
 * through the response_url.
 */

const ANSWER_IN_ACK_MS = 2000;
const MAX_QUERY_CHARS = 100;
/** findTenancies returns at most this many matches. */
const MATCH_LIMIT = 10;

// ---------------------------------------------------------------------------------------------
// Who is asking

export interface Asker {
  userId: string;
  /** The teams the user is a configured member of. */
  teams: TeamConfig[];
  mt: boolean;
}

const USERGROUP_TTL_MS = 5 * 60_000;
const usergroupCache = new Map<string, { at: number; users: Set<string> }>();
/** One look-up at a time per group: fifty people asking at once cost Slack one call. */
const usergroupPending = new Map<string, Promise<Set<string> | null>>();

/**
 * MT membership: the configured members, or the Slack user group of `mt.usergroup` (needs the
 * `usergroups:read` scope), cached for five minutes. When Slack cannot answer, the last known
 * membership holds; without one the answer is "not a member" (a refusal, never an accidental
 * grant), and the failure is logged.
 */
export async function isMtMember(
  config: Config,
  client: Pick<webApi.WebClient, 'usergroups'>,
  userId: string,
  log?: Logger,
  now: () => number = Date.now,
): Promise<boolean> {
  const mt = config.mt;
  if (!mt) return false;
  if (mt.members.includes(userId)) return true;
  const group = mt.usergroup;
  if (!group) return false;
  const cached = usergroupCache.get(group);
  if (cached && now() - cached.at < USERGROUP_TTL_MS) return cached.users.has(userId);
  let pending = usergroupPending.get(group);
  if (!pending) {
    pending = client.usergroups.users
      .list({ usergroup: group })
      .then((result) => {
        const users = new Set(result.users ?? []);
        usergroupCache.set(group, { at: now(), users });
        return users;
      })
      .catch((err: unknown) => {
        log?.warn('MT user group look-up failed', { usergroup: group, cause: err instanceof Error ? err.message : String(err) });
        return null;
      })
      .finally(() => usergroupPending.delete(group));
    usergroupPending.set(group, pending);
  }
  const users = (await pending) ?? cached?.users;
  return users?.has(userId) ?? false;
}

export async function resolveAsker(deps: SlackDeps, client: Pick<webApi.WebClient, 'usergroups'>, userId: string): Promise<Asker> {
  const teams = deps.config.teams.filter((t) => t.members.includes(userId));
  return { userId, teams, mt: await isMtMember(deps.config, client, userId, deps.log) };
}

export function mayLookUp(asker: Asker): boolean {
  return asker.mt || asker.teams.length > 0;
}

// ---------------------------------------------------------------------------------------------
// /huurder

export type LookupOutcome = 'dossier' | 'pick_list' | 'no_match' | 'refused' | 'usage' | 'overview';

export interface LookupResult {
  outcome: LookupOutcome;
  message: SlackMessage;
}

const commandSchema = z.object({
  text: z.string().default(''),
  user_id: z.string().min(1),
  channel_id: z.string().default(''),
  response_url: z.string().default(''),
});

const pickSchema = z.object({
  user: z.object({ id: z.string().min(1) }),
  actions: z.array(z.object({ action_id: z.literal(ACTIONS.pickTenancy), value: z.string().min(1).max(100) })).min(1),
  channel: z.object({ id: z.string() }).optional(),
});

/**
 * One dossier, as of today. Looking up is allowed for every team member and the MT, also for a
 * tenancy of another team: tenants move between neighbourhoods, colleagues stand in for each other
 * and the MT needs the whole picture. Acting on a case stays limited to its own team (the outcome
 * service checks that). A look-up across teams is marked `crossTeam` in the audit log, so the
 * privacy officer can review exactly those.
 */
async function showDossier(deps: SlackDeps, asker: Asker, contractId: string, detail: Record<string, unknown>): Promise<LookupResult> {
  const dossier = await loadDossier(deps.database.db, contractId, todayInAmsterdam(), {
    alongside: dossierAudit(asker, sql`${contractId}`, detail),
  });
  if (!dossier) {
    await audit(deps.database.db, asker, contractId, { ...detail, outcome: 'no_match' });
    return { outcome: 'no_match', message: noMatchMessage(contractId) };
  }
  return { outcome: 'dossier', message: dossierBlocks(dossier) };
}

/**
 * The audit row of a dossier shown, written by the statement that reads the dossier (one round
 * trip, and no dossier without its row). `contract` is the tenancy's id as SQL: a value, or the
 * search's single match. The contract, its team, the cross-team mark and the number of events come
 * from the tenancy in that same snapshot.
 */
function dossierAudit(asker: Asker, contract: SQL, detail: Record<string, unknown>): SQL {
  const myTeams = JSON.stringify(asker.teams.map((t) => t.key));
  return auditInsert(auditEntry(asker, null, { ...detail, outcome: 'dossier' }), {
    subject: sql`t.contract_id`,
    more: sql`jsonb_build_object('shown', jsonb_build_array(t.contract_id), 'team', t.team_key,
                                 'events', (select count(*) from case_events e where e.contract_id = t.contract_id))
              || case when t.team_key in (select json_array_elements_text(${myTeams}::json)) then '{}'::jsonb
                      else '{"crossTeam": true}'::jsonb end`,
    from: sql`from tenancies t where t.contract_id = ${contract}`,
  });
}

function auditEntry(asker: Asker, subject: string | null, detail: Record<string, unknown>): AuditEntry {
  return {
    actor: asker.userId,
    action: 'dossier.lookup',
    subject,
    detail: { via: 'slack', ...detail, ...(asker.mt ? { mt: true } : {}) },
  };
}

function audit(executor: Executor, asker: Asker, subject: string | null, detail: Record<string, unknown>): Promise<void> {
  return recordAudit(executor, auditEntry(asker, subject, detail));
}

/** How `/huurder` searches; findTenancies of src/dossier unless a caller (the bench) passes another. */
export type TenancySearch = (executor: Executor, query: string) => Promise<TenancyMatch[]>;

export interface CommandOptions {
  search?: TenancySearch;
}

/** The whole `/huurder` look-up: who may ask, the search, the answer and its audit row. */
export async function lookUpTenant(
  deps: SlackDeps,
  asker: Asker,
  rawQuery: string,
  channel: string,
  search: TenancySearch = findTenancies,
): Promise<LookupResult> {
  const query = rawQuery.trim().replace(/\s+/g, ' ').slice(0, MAX_QUERY_CHARS);
  const base = { command: COMMANDS.tenant, query, channel };
  if (!mayLookUp(asker)) {
    await audit(deps.database.db, asker, null, { ...base, outcome: 'refused' });
    return { outcome: 'refused', message: refusalMessage('dossier') };
  }
  if (!query) return { outcome: 'usage', message: usageMessage() };
  let matches: TenancyMatch[];
  if (search === findTenancies) {
    // The search, the answer and its audit row in one round trip: the dossier's row when exactly
    // one tenancy matched, else the pick list's or the no-match row.
    const found = await findAndLoadDossier(deps.database.db, query, todayInAmsterdam(), {
      alongside: ({ one, count, shown }) => [
        dossierAudit(asker, one, { ...base, matches: 1 }),
        auditInsert(auditEntry(asker, null, base), {
          more: sql`case when f.n = 0 then jsonb_build_object('outcome', 'no_match', 'matches', 0)
                         else jsonb_build_object('outcome', 'pick_list', 'matches', f.n, 'shown', f.shown) end`,
          from: sql`from (select ${count} as n, ${shown} as shown) f where f.n <> 1`,
        }),
      ],
    });
    if (found.dossier) return { outcome: 'dossier', message: dossierBlocks(found.dossier) };
    if (found.matches.length === 0) return { outcome: 'no_match', message: noMatchMessage(query) };
    if (found.matches.length > 1) return { outcome: 'pick_list', message: pickListBlocks(query, found.matches, MATCH_LIMIT) };
    matches = found.matches;
  } else {
    matches = await search(deps.database.db, query);
  }
  if (matches.length === 1) return showDossier(deps, asker, matches[0]!.contractId, { ...base, matches: 1 });
  if (matches.length === 0) {
    await audit(deps.database.db, asker, null, { ...base, outcome: 'no_match', matches: 0 });
    return { outcome: 'no_match', message: noMatchMessage(query) };
  }
  await audit(deps.database.db, asker, null, {
    ...base,
    outcome: 'pick_list',
    matches: matches.length,
    shown: matches.map((m) => m.contractId),
  });
  return { outcome: 'pick_list', message: pickListBlocks(query, matches, MATCH_LIMIT) };
}

/** A button of the pick list: the chosen dossier, audited like a look-up. */
export async function pickTenant(deps: SlackDeps, asker: Asker, contractId: string, channel: string): Promise<LookupResult> {
  const base = { command: COMMANDS.tenant, picked: contractId, channel };
  if (!mayLookUp(asker)) {
    await audit(deps.database.db, asker, contractId, { ...base, outcome: 'refused' });
    return { outcome: 'refused', message: refusalMessage('dossier') };
  }
  return showDossier(deps, asker, contractId, base);
}

// ---------------------------------------------------------------------------------------------
// /achterstand

interface StageRow extends Record<string, unknown> {
  team_key: string;
  stage: OpenStage;
  n: number;
  arrears: number;
  new_letters: number;
  due_today: number;
  overdue: number;
}

interface TaskRow extends Record<string, unknown> {
  team_key: string;
  contract_id: string;
  address: string;
  stage: OpenStage;
  due_on: string;
  stage_since: string;
  state: CaseState;
}

/** Team keys as a JSON parameter: the same SQL on PGlite and postgres.js. */
function keysParam(keys: string[]) {
  return sql`(select json_array_elements_text(${JSON.stringify(keys)}::json))`;
}

/**
 * Per team: open cases per stage, the total arrears of those cases (positive balances on `date`),
 * the letters of cases opened today, and the tasks due today or overdue (the 14-day letters are
 * excluded there, as in the digest: they go out as one list).
 */
export async function loadOverview(
  executor: Executor,
  config: Config,
  teams: TeamConfig[],
  date: IsoDate,
  scope: Overview['scope'],
): Promise<Overview> {
  const keys = teams.map((t) => t.key);
  const stageRows = await queryRows<StageRow>(
    executor,
    sql`select t.team_key, c.stage, count(*)::int8 as n,
               coalesce(sum(greatest(b.balance, 0)), 0)::int8 as arrears,
               count(*) filter (where c.stage = 'reminder' and c.opened_on = ${date}::date)::int8 as new_letters,
               count(*) filter (where c.stage <> 'reminder' and c.due_on = ${date}::date)::int8 as due_today,
               count(*) filter (where c.stage <> 'reminder' and c.due_on < ${date}::date)::int8 as overdue
        from cases c
        join tenancies t on t.contract_id = c.contract_id
        cross join lateral (
          select coalesce(sum(case when l.type in ('rent', 'costs') and l.due_date <= ${date}::date then l.amount_cents
                                   when l.type in ('payment', 'credit') and l.booking_date <= ${date}::date then -l.amount_cents
                                   else 0 end), 0) as balance
          from ledger_entries l where l.contract_id = c.contract_id
        ) b
        where c.closed_on is null and t.team_key in ${keysParam(keys)}
        group by t.team_key, c.stage`,
  );
  const taskRows = await queryRows<TaskRow>(
    executor,
    sql`select team_key, contract_id, address, stage, due_on, stage_since, state from (
          select t.team_key, c.contract_id, t.address, c.stage, c.due_on::text as due_on, c.stage_since::text as stage_since, c.state,
                 row_number() over (partition by t.team_key order by c.due_on, c.contract_id) as rank
          from cases c join tenancies t on t.contract_id = c.contract_id
          where c.closed_on is null and c.stage <> 'reminder' and c.due_on <= ${date}::date and t.team_key in ${keysParam(keys)}
        ) ranked
        where rank <= ${OVERVIEW_TASKS_SHOWN}
        order by team_key, due_on, contract_id`,
  );
  const result: TeamOverview[] = teams.map((team) => {
    const mine = stageRows.filter((r) => r.team_key === team.key);
    const counts: TeamOverview['counts'] = {};
    for (const r of mine) counts[r.stage] = r.n;
    const sum = (f: (r: StageRow) => number) => mine.reduce((n, r) => n + f(r), 0);
    return {
      team: team.key,
      teamName: team.name,
      counts,
      openCases: sum((r) => r.n),
      arrearsCents: sum((r) => r.arrears),
      newLetters: sum((r) => r.new_letters),
      dueToday: sum((r) => r.due_today),
      overdue: sum((r) => r.overdue),
      tasks: taskRows
        .filter((r) => r.team_key === team.key)
        .map((r) => ({
          contractId: r.contract_id,
          address: r.address,
          stage: r.stage,
          dueOn: r.due_on,
          task: nextStep(r.stage, r.state, r.stage_since, config.holidays).text,
        })),
    };
  });
  return { date, scope, teams: result };
}

/** The asker's overview: their team(s); an MT member gets every team. Audited, refusals too. */
export async function teamOverview(deps: SlackDeps, asker: Asker, channel: string): Promise<LookupResult> {
  const base = { command: COMMANDS.overview, channel };
  if (!mayLookUp(asker)) {
    await recordAudit(deps.database.db, {
      actor: asker.userId,
      action: 'overview.lookup',
      detail: { via: 'slack', ...base, outcome: 'refused' },
    });
    return { outcome: 'refused', message: refusalMessage('overzicht') };
  }
  const teams = asker.mt ? deps.config.teams : asker.teams;
  const overview = await loadOverview(deps.database.db, deps.config, teams, todayInAmsterdam(), asker.mt ? 'mt' : 'team');
  await recordAudit(deps.database.db, {
    actor: asker.userId,
    action: 'overview.lookup',
    detail: {
      via: 'slack',
      ...base,
      outcome: 'overview',
      teams: teams.map((t) => t.key),
      shown: overview.teams.flatMap((t) => t.tasks.map((task) => task.contractId)),
      ...(asker.mt ? { mt: true } : {}),
    },
  });
  return { outcome: 'overview', message: overviewBlocks(overview) };
}

// ---------------------------------------------------------------------------------------------
// Slack listeners

type AckFn = (response?: { response_type: 'ephemeral'; text: string; blocks: SlackMessage['blocks'] }) => Promise<void>;

function ephemeral(message: SlackMessage) {
  return { response_type: 'ephemeral' as const, text: message.text, blocks: message.blocks };
}

/**
 * Answers in the acknowledgement when the work is done in time, else acknowledges with a
 * "searching" note and answers through the response_url. Errors are logged without the query
 * (it may hold a name) and answered with a neutral Dutch message.
 */
async function answerWithin3s(ack: AckFn, respond: RespondFn, log: Logger, what: string, work: () => Promise<LookupResult>): Promise<void> {
  const started = Date.now();
  const pending = work().then(
    (result) => ({ ok: true as const, result }),
    (err: unknown) => ({ ok: false as const, err }),
  );
  let timer: NodeJS.Timeout | undefined;
  const quick = await Promise.race([
    pending,
    new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), ANSWER_IN_ACK_MS);
    }),
  ]);
  clearTimeout(timer);
  const fail = (err: unknown) => {
    log.error(`${what} failed`, { cause: err instanceof Error ? err.message : String(err) });
    return failureMessage();
  };
  if (quick) {
    await ack(ephemeral(quick.ok ? quick.result.message : fail(quick.err)));
    return;
  }
  await ack(ephemeral(waitMessage()));
  const late = await pending;
  log.warn(`${what} slow: answered through the response_url`, { ms: Date.now() - started });
  await respond({ ...ephemeral(late.ok ? late.result.message : fail(late.err)), replace_original: true });
}

export function register(app: App, deps: SlackDeps, options: CommandOptions = {}): void {
  app.command(COMMANDS.tenant, async ({ command, ack, respond, client }) => {
    const parsed = commandSchema.safeParse(command);
    if (!parsed.success) {
      await ack(ephemeral(failureMessage()));
      return;
    }
    const { text, user_id, channel_id } = parsed.data;
    await answerWithin3s(ack as AckFn, respond, deps.log, COMMANDS.tenant, async () =>
      lookUpTenant(deps, await resolveAsker(deps, client, user_id), text, channel_id, options.search),
    );
  });

  app.action(ACTIONS.pickTenancy, async ({ body, ack, respond, client }) => {
    await ack();
    const parsed = pickSchema.safeParse(body);
    if (!parsed.success) {
      deps.log.warn('pick list: unexpected payload', { issues: parsed.error.issues.length });
      return;
    }
    const contractId = parsed.data.actions[0]!.value;
    let message: SlackMessage;
    try {
      const asker = await resolveAsker(deps, client, parsed.data.user.id);
      message = (await pickTenant(deps, asker, contractId, parsed.data.channel?.id ?? '')).message;
    } catch (err) {
      deps.log.error('pick list failed', { cause: err instanceof Error ? err.message : String(err) });
      message = failureMessage();
    }
    await respond({ ...ephemeral(message), replace_original: true });
  });

  app.command(COMMANDS.overview, async ({ command, ack, respond, client }) => {
    const parsed = commandSchema.safeParse(command);
    if (!parsed.success) {
      await ack(ephemeral(failureMessage()));
      return;
    }
    const { user_id, channel_id } = parsed.data;
    await answerWithin3s(ack as AckFn, respond, deps.log, COMMANDS.overview, async () =>
      teamOverview(deps, await resolveAsker(deps, client, user_id), channel_id),
    );
  });
}
