import { sql } from 'drizzle-orm';
import { LOCK_KEYS } from '../db/lock-keys.js';
import { z } from 'zod';
import type { Config } from '../config.js';
import { balancesOn } from '../db/arrears.js';
import { recordAudit } from '../db/audit.js';
import { queryRows, type Database, type Tx } from '../db/client.js';
import { parseIsoDate, todayInAmsterdam, type IsoDate } from '../domain/calendar.js';
import { procedureRules, type CaseState, type OpenStage } from '../domain/case-state.js';
import * as outcomes from '../domain/outcomes.js';
import type { FieldError, OutcomeResult } from '../domain/outcomes.js';
import type { OpenCase } from '../domain/procedure.js';
import { applyTransitions, stageAfter } from './case-store.js';
import { recordCaseLetters } from './letter-records.js';
import { enqueueCaseMessages } from './messages.js';

/**
 * The outcomes the team and the MT record, as the Slack layer calls them. Each call validates the
 * input (Dutch messages by field), checks who acts, and then in one transaction locks the case,
 * applies the pure rule of src/domain/outcomes.ts, and writes the case, its event, its Slack
 * messages and an audit row together.
 *
 * Every call carries an idempotency key (a Slack action or view id): the events it writes carry it,
 * so a double click or a Slack retry finds them and changes nothing.
 */

export interface ActionOptions {
  /**
   * Names one user action; a second call with it changes nothing. A modal: its `view.id` (a retried
   * submission repeats it). A card button: action, case and the card's version from the outbox
   * payload, so a double click on the same card is one action. Never the bare Slack `action_id`:
   * it is the same for every click on that button.
   */
  key: string;
  /** The day it happened; default today in Amsterdam. */
  date?: IsoDate;
}

export type OutcomeRefusal = 'not_found' | 'no_open_case' | 'not_authorised' | 'wrong_stage';

export type OutcomeResponse =
  | {
      ok: true;
      caseId: number;
      stage: OpenStage | 'closed';
      /** Dutch; the summary of the event this call wrote (or wrote the first time, for a repeat). */
      summary: string;
      /** True when the key was seen before: nothing changed now. */
      duplicate: boolean;
    }
  | { ok: false; reason: 'invalid'; errors: FieldError[] }
  | { ok: false; reason: OutcomeRefusal; message: string };

export type NoteResponse =
  | { ok: true; eventId: number | null; caseId: number | null; duplicate: boolean }
  | { ok: false; reason: 'invalid'; errors: FieldError[] }
  | { ok: false; reason: 'not_found' | 'not_authorised'; message: string };

export interface NoteOptions {
  /** Where the note comes from, e.g. `slack_thread`. */
  source: string;
  /** Its id there (e.g. channel and message ts): a note is stored once per source and id. */
  sourceId: string;
  date?: IsoDate;
}

export interface OutcomeServiceOptions {
  database: Database;
  config: Config;
  /**
   * MT membership beyond `config.mt.members`, e.g. a Slack user group the Slack layer checks.
   * Called outside any transaction, so it may call Slack.
   */
  isMtMember?: (userId: string) => boolean | Promise<boolean>;
}

// ---------------------------------------------------------------------------
// Input schemas: shapes here, meaning in the pure rules.

const yesNo = z.boolean({ error: 'Kies ja of nee.' });
const checkbox = z.boolean({ error: 'Kies ja of nee.' }).default(false);
const isoDate = z
  .string({ error: 'Vul een datum in.' })
  .refine((v) => parseIsoDate(v) !== null, { error: 'Geen geldige datum (JJJJ-MM-DD).' });
const cents = z.number({ error: 'Vul een bedrag in.' }).int({ error: 'Een bedrag in hele centen.' });
const slackUser = z.string({ error: 'Kies een medewerker.' }).regex(/^[UW][A-Z0-9]{8,}$/, { error: 'Geen geldige Slack-gebruiker.' });

const conversationSchema = z.object(
  {
    cause: z.string({ error: 'Vul de oorzaak van de achterstand in (P2.a.1).' }).max(2000, { error: 'Hoogstens 2000 tekens.' }),
    referralConsent: yesNo,
    consequencesExplained: checkbox,
    obligations: z
      .object({ noNewArrears: checkbox, registerWithAid: checkbox, reportRegistration: checkbox, paymentArrangement: checkbox })
      .default({ noNewArrears: false, registerWithAid: false, reportRegistration: false, paymentArrangement: false }),
    commitments: z
      .object({ passDetailsOn: checkbox, noCollection: checkbox, noInterest: checkbox, acceptArrangement: checkbox })
      .default({ passDetailsOn: false, noCollection: false, noInterest: false, acceptArrangement: false }),
    arrangement: z
      .object({
        installments: z.array(z.object({ dueOn: isoDate, amountCents: cents }), { error: 'Voeg de termijnen toe.' }),
      })
      .nullish(),
  },
  { error: 'Vul het gesprek in.' },
);

const employees = z.array(slackUser, { error: 'Kies twee medewerkers.' });
const homeVisitSchema = z.discriminatedUnion(
  'outcome',
  [
    z.object({ outcome: z.literal('spoken'), employees, conversation: conversationSchema.nullish() }),
    z.object({ outcome: z.literal('nobody_home'), employees }),
  ],
  { error: 'Kies: huurder gesproken of niemand thuis.' },
);

const massSchema = z.object(
  { childrenInHome: yesNo, referralGrounds: yesNo, nuisance: yesNo, structuralProblems: yesNo, earlierVerdict: yesNo },
  { error: 'Beantwoord de vragen.' },
);

const ballotSchema = z.object({ ballot: z.enum(['for', 'against', 'abstain'], { error: 'Kies voor, tegen of onthouding.' }) });

const verdictSchema = z.object({ verdictOn: isoDate, evictionOn: isoDate, amountCents: cents }, { error: 'Vul het vonnis in.' });

const holdSchema = z.object(
  {
    reason: z.enum(['moratorium', 'wsnp', 'debt_help'], { error: 'Kies moratorium, Wsnp of schuldhulpverlening.' }),
    until: isoDate,
    note: z.string().trim().max(2000, { error: 'Hoogstens 2000 tekens.' }).optional(),
  },
  { error: 'Vul de pauze in.' },
);

const signalSchema = z.object({ answer: z.enum(['objected', 'agreed'], { error: 'Kies bezwaar of akkoord.' }) });

const noteSchema = z.object({
  text: z
    .string({ error: 'De notitie is leeg.' })
    .trim()
    .min(1, { error: 'De notitie is leeg.' })
    .max(10_000, { error: 'Hoogstens 10.000 tekens.' }),
  source: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, { error: 'Onbekende bron.' }),
  sourceId: z.string().min(1, { error: 'Geen bron-id.' }).max(200, { error: 'Bron-id te lang.' }),
});

export type ConversationRequest = z.input<typeof conversationSchema>;
export type HomeVisitRequest = z.input<typeof homeVisitSchema>;
export type MassDiscussionRequest = z.input<typeof massSchema>;
export type BallotRequest = z.input<typeof ballotSchema>;
export type VerdictRequest = z.input<typeof verdictSchema>;
export type HoldRequest = z.input<typeof holdSchema>;
export type SignalAnswerRequest = z.input<typeof signalSchema>;

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: 'invalid'; errors: FieldError[] };

function parse<S extends z.ZodType>(schema: S, raw: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    reason: 'invalid',
    errors: result.error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || 'input', message: issue.message })),
  };
}

// ---------------------------------------------------------------------------

interface TenancyRow {
  contract_id: string;
  team_key: string;
  monthly_rent_cents: number;
  earlier_verdict_date: string | null;
  [key: string]: unknown;
}

interface CaseRow {
  id: number;
  stage: OpenStage;
  opened_on: string;
  stage_since: string;
  state: CaseState;
  [key: string]: unknown;
}

interface DecideContext {
  tx: Tx;
  open: OpenCase;
  date: IsoDate;
  tenancy: TenancyRow;
}

interface Note {
  clause: string | null;
  summary: string;
  text: string;
}

interface Spec {
  /** For the audit log. */
  action: string;
  who: 'team' | 'mt';
  decide(ctx: DecideContext): Promise<OutcomeResult> | OutcomeResult;
  /** Free text to keep as note events beside the transition, never in it. */
  notes?: Note[];
  /** Extra audit detail; never free text. */
  audit?: Record<string, unknown>;
}

function refusal(reason: OutcomeRefusal, message: string): OutcomeResponse {
  return { ok: false, reason, message };
}

function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

async function loadTenancy(executor: Database['db'] | Tx, contractId: string): Promise<TenancyRow | undefined> {
  const [row] = await queryRows<TenancyRow>(
    executor,
    sql`select contract_id, team_key, monthly_rent_cents, earlier_verdict_date::text as earlier_verdict_date
        from tenancies where contract_id = ${contractId}`,
  );
  return row;
}

async function insertNote(
  tx: Tx,
  note: Note & { contractId: string; caseId: number | null; date: IsoDate; actor: string; source: string; sourceId: string; key: string },
): Promise<number | null> {
  const [row] = await queryRows<{ id: number }>(
    tx,
    sql`insert into case_events (contract_id, case_id, "on", type, clause, actor, summary, data, idempotency_key)
        values (${note.contractId}, ${note.caseId}, ${note.date}::date, 'note', ${note.clause}, ${note.actor}, ${note.summary},
                ${JSON.stringify({ text: note.text, source: note.source, sourceId: note.sourceId })}::jsonb, ${note.key})
        on conflict (idempotency_key) do nothing
        returning id`,
  );
  return row?.id ?? null;
}

export type OutcomeService = ReturnType<typeof createOutcomeService>;

export function createOutcomeService({ database, config, isMtMember }: OutcomeServiceOptions) {
  const rules = procedureRules(config);

  function team(key: string) {
    return config.teams.find((t) => t.key === key);
  }

  async function isMt(actor: string): Promise<boolean> {
    if (!config.mt) return false;
    if (config.mt.members.includes(actor)) return true;
    return (await isMtMember?.(actor)) === true;
  }

  async function perform(actor: string, contractId: string, options: ActionOptions, spec: Spec): Promise<OutcomeResponse> {
    if (typeof options.key !== 'string' || options.key.length === 0 || options.key.length > 200) {
      throw new TypeError('outcome service: an idempotency key of 1 to 200 characters is required');
    }
    const date = options.date ?? todayInAmsterdam();
    if (parseIsoDate(date) === null) throw new RangeError(`outcome service: expected a date YYYY-MM-DD, got ${JSON.stringify(date)}`);
    if (spec.who === 'mt' && !(await isMt(actor))) {
      return refusal('not_authorised', 'Alleen leden van het MT kunnen stemmen.');
    }
    const prefix = `act:${options.key}`;

    return database.db.transaction(async (tx): Promise<OutcomeResponse> => {
      const tenancy = await loadTenancy(tx, contractId);
      if (!tenancy) return refusal('not_found', `Huurovereenkomst ${contractId} bestaat niet.`);
      if (spec.who === 'team') {
        const own = team(tenancy.team_key);
        if (!own?.members.includes(actor)) {
          return refusal(
            'not_authorised',
            `Alleen leden van ${own?.name ?? `team ${tenancy.team_key}`} kunnen dit vastleggen voor huurovereenkomst ${contractId}.`,
          );
        }
      }

      // The run reads every case without locking it and writes later: an outcome committed in
      // between would be overwritten. Shared, this waits for a running day and the run waits for us.
      await tx.execute(sql`select pg_advisory_xact_lock_shared(${LOCK_KEYS.dailyRun})`);
      const [row] = await queryRows<CaseRow>(
        tx,
        sql`select id, stage, opened_on::text as opened_on, stage_since::text as stage_since, state
            from cases where contract_id = ${contractId} and closed_on is null
            for update`,
      );

      // After the lock, so that a concurrent repeat sees what the first call committed.
      const replay = await findReplay(tx, contractId, prefix);
      if (replay) return replay;
      if (!row) return refusal('no_open_case', `Er loopt geen zaak voor huurovereenkomst ${contractId}.`);

      const open: OpenCase = { id: row.id, stage: row.stage, openedOn: row.opened_on, stageSince: row.stage_since, state: row.state };
      const result = await spec.decide({ tx, open, date, tenancy });
      if (!result.ok) {
        if (result.reason === 'wrong_stage') return refusal('wrong_stage', result.errors.map((e) => e.message).join(' '));
        return { ok: false, reason: 'invalid', errors: result.errors };
      }

      const t = result.transition;
      const [applied] = await applyTransitions(tx, [{ contractId, caseId: open.id, stageSince: open.stageSince, transition: t }], {
        date,
        actor,
        keyPrefix: prefix,
        rules,
      });
      let n = 0;
      for (const note of spec.notes ?? []) {
        await insertNote(tx, {
          ...note,
          contractId,
          caseId: open.id,
          date,
          actor,
          source: spec.action,
          sourceId: options.key,
          key: `${prefix}:${open.id}:note:${n++}`,
        });
      }
      await enqueueCaseMessages(tx, [applied!], config);
      await recordCaseLetters(tx, [applied!], { date, actor, config });
      await recordAudit(tx, {
        actor,
        action: `outcome.${spec.action}`,
        subject: contractId,
        detail: {
          key: options.key,
          caseId: open.id,
          on: date,
          event: t.type === 'update' ? t.event : t.type,
          from: open.stage,
          to: stageAfter(t),
          clause: t.clause,
          ...spec.audit,
        },
      });
      return { ok: true, caseId: open.id, stage: stageAfter(t), summary: t.summary, duplicate: false };
    });
  }

  /** The events an earlier call with this key wrote: `act:<key>:<case>:<version>` and its notes. */
  async function findReplay(tx: Tx, contractId: string, prefix: string): Promise<OutcomeResponse | null> {
    const rows = await queryRows<{ case_id: number; idempotency_key: string; summary: string; stage: OpenStage | 'closed' }>(
      tx,
      sql`select e.case_id, e.idempotency_key, e.summary, c.stage
          from case_events e join cases c on c.id = e.case_id
          where e.contract_id = ${contractId} and e.idempotency_key like ${`${likeEscape(prefix)}:%`}
          order by e.id`,
    );
    // LIKE also matches a longer key that merely starts with this one plus a colon.
    const own = rows.filter((r) => /^\d+:\d+$/.test(r.idempotency_key.slice(prefix.length + 1)));
    const first = own[0];
    return first ? { ok: true, caseId: first.case_id, stage: first.stage, summary: first.summary, duplicate: true } : null;
  }

  async function conversationFacts(tx: Tx, tenancy: TenancyRow, date: IsoDate): Promise<outcomes.ConversationFacts> {
    const balances = await balancesOn(tx, date, { contractIds: [tenancy.contract_id] });
    return { balanceCents: balances.get(tenancy.contract_id) ?? 0, monthlyRentCents: tenancy.monthly_rent_cents };
  }

  function causeNote(cause: string, clause: string): Note {
    return { clause, summary: 'Oorzaak van de achterstand vastgelegd (P2.a.1)', text: cause.trim() };
  }

  return {
    /** P2.a: a conversation, with or without an arrangement (P2.b, P2.c). */
    async recordConversation(actor: string, contractId: string, input: ConversationRequest, options: ActionOptions) {
      const parsed = parse(conversationSchema, input);
      if (!parsed.ok) return parsed;
      const value = parsed.value;
      return perform(actor, contractId, options, {
        action: 'conversation',
        who: 'team',
        notes: value.cause.trim() ? [causeNote(value.cause, 'P2.a.1')] : [],
        audit: { arrangement: Boolean(value.arrangement) },
        decide: async ({ tx, open, date, tenancy }) =>
          outcomes.recordConversation(open, value, date, rules, await conversationFacts(tx, tenancy, date)),
      });
    },

    /** P2.d: no response to the invitation. */
    async recordNoResponse(actor: string, contractId: string, options: ActionOptions) {
      return perform(actor, contractId, options, {
        action: 'no_response',
        who: 'team',
        decide: ({ open, date }) => outcomes.recordNoResponse(open, date, rules),
      });
    },

    /** P2.d.1 / P2.d.2: the home visit by two employees; nobody home leaves a card. */
    async recordHomeVisit(actor: string, contractId: string, input: HomeVisitRequest, options: ActionOptions) {
      const parsed = parse(homeVisitSchema, input);
      if (!parsed.ok) return parsed;
      const value = parsed.value;
      const cause = value.outcome === 'spoken' ? value.conversation?.cause.trim() : undefined;
      return perform(actor, contractId, options, {
        action: 'home_visit',
        who: 'team',
        notes: cause ? [causeNote(cause, 'P2.a.1')] : [],
        audit: { outcome: value.outcome, employees: value.employees },
        decide: async ({ tx, open, date, tenancy }) =>
          outcomes.recordHomeVisit(open, value, date, rules, await conversationFacts(tx, tenancy, date)),
      });
    },

    /** P3.a: the team discussion as yes/no flags; the discussion itself goes in notes. */
    async recordMassDiscussion(actor: string, contractId: string, input: MassDiscussionRequest, options: ActionOptions) {
      const parsed = parse(massSchema, input);
      if (!parsed.ok) return parsed;
      return perform(actor, contractId, options, {
        action: 'mass_discussion',
        who: 'team',
        decide: ({ open, date }) => outcomes.recordMassDiscussion(open, parsed.value, date, rules),
      });
    },

    /** P3.b: the file goes to the bailiff. */
    async handToBailiff(actor: string, contractId: string, options: ActionOptions) {
      return perform(actor, contractId, options, {
        action: 'bailiff',
        who: 'team',
        decide: ({ open, date }) => outcomes.handToBailiff(open, date, rules),
      });
    },

    /** P3.c / P4.b: an MT member's ballot; `actor` is the voter. */
    async castBallot(actor: string, contractId: string, input: BallotRequest, options: ActionOptions) {
      const parsed = parse(ballotSchema, input);
      if (!parsed.ok) return parsed;
      return perform(actor, contractId, options, {
        action: 'ballot',
        who: 'mt',
        // The vote leaves the case state when it closes: the audit log keeps each ballot.
        audit: { ballot: parsed.value.ballot },
        decide: ({ open, date }) => outcomes.castMtBallot(open, { member: actor, ...parsed.value }, date, rules, { isMember: true }),
      });
    },

    /** P4: the court's verdict; first (P4.a) or repeat (P4.b) follows from the tenancy's history. */
    async registerVerdict(actor: string, contractId: string, input: VerdictRequest, options: ActionOptions) {
      const parsed = parse(verdictSchema, input);
      if (!parsed.ok) return parsed;
      return perform(actor, contractId, options, {
        action: 'verdict',
        who: 'team',
        decide: async ({ tx, open, date, tenancy }) => {
          const earlier = await queryRows<{ verdict_on: string }>(
            tx,
            sql`select state->'verdict'->>'verdictOn' as verdict_on from cases
                where contract_id = ${contractId} and id <> ${open.id} and state->'verdict'->>'verdictOn' is not null`,
          );
          const dates = earlier.map((r) => r.verdict_on);
          if (tenancy.earlier_verdict_date) dates.push(tenancy.earlier_verdict_date);
          const balance = (await balancesOn(tx, date, { contractIds: [contractId] })).get(contractId) ?? 0;
          return outcomes.registerVerdict(open, parsed.value, date, rules, { earlierVerdictDates: dates, balanceCents: balance });
        },
      });
    },

    /** Pauses escalation (moratorium, Wsnp, debt help); a note is kept apart from the case state. */
    async placeHold(actor: string, contractId: string, input: HoldRequest, options: ActionOptions) {
      const parsed = parse(holdSchema, input);
      if (!parsed.ok) return parsed;
      const { note, ...hold } = parsed.value;
      return perform(actor, contractId, options, {
        action: 'hold',
        who: 'team',
        notes: note ? [{ clause: null, summary: 'Toelichting bij de pauze', text: note }] : [],
        audit: { reason: hold.reason, until: hold.until },
        decide: ({ open, date }) => outcomes.placeHold(open, hold, date, rules),
      });
    },

    /** Ends a hold before its end date. */
    async releaseHold(actor: string, contractId: string, options: ActionOptions) {
      return perform(actor, contractId, options, {
        action: 'hold_release',
        who: 'team',
        decide: ({ open, date }) => outcomes.releaseHold(open, date, rules),
      });
    },

    /** P2.a.2: the tenant's answer to the early-signalling offer. */
    async recordSignalAnswer(actor: string, contractId: string, input: SignalAnswerRequest, options: ActionOptions) {
      const parsed = parse(signalSchema, input);
      if (!parsed.ok) return parsed;
      return perform(actor, contractId, options, {
        action: 'signal_answer',
        who: 'team',
        decide: ({ open, date }) => outcomes.recordSignalAnswer(open, parsed.value, date, rules),
      });
    },

    /**
     * A note for the dossier, e.g. a reply in the case thread (P3.a). It may hold special-category
     * data, so it goes into case_events only: no outbox row, no text in the audit log.
     */
    async addNote(actor: string, contractId: string, text: string, options: NoteOptions): Promise<NoteResponse> {
      const parsed = parse(noteSchema, { text, source: options.source, sourceId: options.sourceId });
      if (!parsed.ok) return parsed;
      const date = options.date ?? todayInAmsterdam();
      if (parseIsoDate(date) === null) throw new RangeError(`addNote: expected a date YYYY-MM-DD, got ${JSON.stringify(date)}`);

      const tenancy = await loadTenancy(database.db, contractId);
      if (!tenancy) return { ok: false, reason: 'not_found', message: `Huurovereenkomst ${contractId} bestaat niet.` };
      const own = team(tenancy.team_key);
      if (!own?.members.includes(actor) && !(await isMt(actor))) {
        return {
          ok: false,
          reason: 'not_authorised',
          message: `Alleen leden van ${own?.name ?? `team ${tenancy.team_key}`} of het MT kunnen notities vastleggen.`,
        };
      }
      const { source, sourceId } = parsed.value;
      return database.db.transaction(async (tx): Promise<NoteResponse> => {
        // A late reply in the thread of a closed case still belongs to that case.
        const [current] = await queryRows<{ id: number; stage: string }>(
          tx,
          sql`select id, stage from cases where contract_id = ${contractId} order by (closed_on is null) desc, id desc limit 1`,
        );
        const eventId = await insertNote(tx, {
          clause: current?.stage === 'escalation' ? 'P3.a' : null,
          summary: source === 'slack_thread' ? 'Notitie uit de casusdraad' : 'Notitie',
          text: parsed.value.text,
          contractId,
          caseId: current?.id ?? null,
          date,
          actor,
          source,
          sourceId,
          key: `note:${source}:${sourceId}`,
        });
        if (eventId === null) return { ok: true, eventId: null, caseId: current?.id ?? null, duplicate: true };
        await recordAudit(tx, {
          actor,
          action: 'note.add',
          subject: contractId,
          detail: { source, sourceId, caseId: current?.id ?? null, eventId },
        });
        return { ok: true, eventId, caseId: current?.id ?? null, duplicate: false };
      });
    },
  };
}
