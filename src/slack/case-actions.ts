import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs, webApi } from '@slack/bolt';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { OutcomeResponse, OutcomeService } from '../cases/outcome-service.js';
import { balancesOn } from '../db/arrears.js';
import { recordAudit } from '../db/audit.js';
import { queryRows, type Executor } from '../db/client.js';
import { monthlyInstallments } from '../domain/arrangement.js';
import { parseDutchOrIsoDate, todayInAmsterdam, type IsoDate } from '../domain/calendar.js';
import type { CaseState, OpenStage } from '../domain/case-state.js';
import { parseEuroAmount } from '../domain/money.js';
import type { FieldError } from '../domain/outcomes.js';
import { loadDossier } from '../dossier/dossier.js';
import type { SlackDeps } from './app.js';
import {
  CLOSED_CASE_TEXT,
  COMMITMENTS,
  conversationErrorBlock,
  conversationModal,
  errorsByBlock,
  FAILURE_TEXT,
  holdErrorBlock,
  holdModal,
  homeVisitErrorBlock,
  homeVisitModal,
  MASS_QUESTIONS,
  massDiscussionModal,
  massErrorBlock,
  noticeView,
  OBLIGATIONS,
  pendingView,
  plainMessage,
  recordedMessage,
  refusalMessage,
  signalAnswerModal,
  signalErrorBlock,
  STALE_CARD_TEXT,
  summaryBlocks,
  teamOnlyText,
  UNREADABLE_TEXT,
  verdictErrorBlock,
  verdictModal,
  type CardRef,
  type CaseSummary,
  type ModalView,
  type ShortMessage,
} from './blocks/modals.js';
import { isMtMember } from './commands.js';
import { ACTIONS, CALLBACKS, FIELDS, type FieldBlock } from './ids.js';

/**
 * The case card's buttons and their modals (DESIGN.md, Slack; issue 4 item 4). Each button either
 * opens its modal (`views.open` with the card's `{caseId, contractId, version}` in private_metadata)
 * or, for "Geen reactie", "Naar deurwaarder" and "Pauze opheffen", acts at once and answers
 * ephemerally. Submissions are validated in the modal: what cannot be read is refused here, the
 * rest by the outcome service, whose field errors go back as `response_action: 'errors'`.
 *
 * No business rule lives here. Who may act, in which stage and with what input is the service's
 * call; this file only refuses early what the service would refuse later anyway (someone outside
 * the tenancy's team, a card that is no longer current), so nobody fills in a modal in vain.
 *
 * Idempotency keys: a modal submission uses its `view.id` (a double click on "Vastleggen" repeats
 * it); a direct button uses `action:caseId:cardVersion`, so a double click on one card is one
 * action while the same button on the next version of the card is a new one.
 */

// ---------------------------------------------------------------------------
// Shared with votes.ts and threads.ts

/** Today in Amsterdam, or the clock of `deps.today` (tests run the procedure on fixed dates). */
export function clockOf(deps: SlackDeps): () => IsoDate {
  return deps.today ?? (() => todayInAmsterdam());
}

export function causeOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Posts an answer only the user sees; a failure is logged (ids only), never thrown. */
export async function ephemeral(
  client: webApi.WebClient,
  deps: SlackDeps,
  where: { channel?: string; user: string },
  message: ShortMessage,
): Promise<void> {
  if (!where.channel) {
    deps.log.warn('ephemeral answer without a channel', { user: where.user });
    return;
  }
  try {
    await client.chat.postEphemeral({ channel: where.channel, user: where.user, text: message.text, blocks: message.blocks });
  } catch (err) {
    deps.log.warn('ephemeral answer failed', { channel: where.channel, user: where.user, cause: causeOf(err) });
  }
}

const jsonText = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not JSON' });
    return z.NEVER;
  }
});

/** A card button's value: the case and the card's version (the outbox payload). */
export const cardValueSchema = jsonText.pipe(
  z.object({
    caseId: z.number().int().positive(),
    contractId: z.string().min(1).max(64),
    version: z.number().int().min(0),
  }),
);

/** A vote button's value: the case; the version is not needed there. */
export const caseValueSchema = jsonText.pipe(
  z.object({
    caseId: z.number().int().positive(),
    contractId: z.string().min(1).max(64),
  }),
);

export const blockActionSchema = z.object({
  user: z.object({ id: z.string().min(1) }),
  trigger_id: z.string().optional(),
  channel: z.object({ id: z.string() }).optional(),
  container: z.object({ channel_id: z.string().optional(), message_ts: z.string().optional() }).optional(),
  message: z.object({ ts: z.string() }).optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
});

export type BlockActionBody = z.infer<typeof blockActionSchema>;

export function channelOf(body: BlockActionBody): string | undefined {
  return body.channel?.id ?? body.container?.channel_id;
}

export interface CardCase {
  caseId: number;
  contractId: string;
  version: number;
  stage: OpenStage | 'closed';
  closed: boolean;
  teamKey: string;
}

export async function loadCardCase(executor: Executor, caseId: number): Promise<CardCase | null> {
  const [row] = await queryRows<{
    id: number;
    contract_id: string;
    version: number;
    stage: OpenStage | 'closed';
    closed: boolean;
    team_key: string;
  }>(
    executor,
    sql`select c.id, c.contract_id, c.version, c.stage, (c.closed_on is not null) as closed, t.team_key
        from cases c join tenancies t on t.contract_id = c.contract_id
        where c.id = ${caseId}`,
  );
  return row
    ? {
        caseId: row.id,
        contractId: row.contract_id,
        version: Number(row.version),
        stage: row.stage,
        closed: row.closed,
        teamKey: row.team_key,
      }
    : null;
}

function teamOf(config: Config, key: string) {
  return config.teams.find((t) => t.key === key);
}

/** What the MT reads before it votes and the team sees behind "Dossier": no note texts. */
export async function loadCaseSummary(executor: Executor, contractId: string, asOf: IsoDate): Promise<CaseSummary | null> {
  const dossier = await loadDossier(executor, contractId, asOf);
  if (!dossier) return null;
  const [current] = await queryRows<{ stage: OpenStage | 'closed'; state: CaseState }>(
    executor,
    sql`select stage, state from cases where contract_id = ${contractId} order by (closed_on is null) desc, id desc limit 1`,
  );
  const verdicts = await queryRows<{ verdict_on: string }>(
    executor,
    sql`select state->'verdict'->>'verdictOn' as verdict_on from cases
        where contract_id = ${contractId} and state->'verdict'->>'verdictOn' is not null`,
  );
  const dates = verdicts.map((v) => v.verdict_on);
  if (dossier.earlierVerdictDate) dates.push(dossier.earlierVerdictDate);
  return { dossier, stage: current?.stage ?? null, state: current?.state ?? null, verdicts: dates };
}

/** A dossier look-up is processing of personal data: who, what, when (DESIGN.md, Privacy). */
export async function auditLookup(deps: SlackDeps, actor: string, contractId: string, detail: Record<string, unknown>): Promise<void> {
  await recordAudit(deps.database.db, { actor, action: 'dossier.lookup', subject: contractId, detail: { via: 'slack', ...detail } });
}

// ---------------------------------------------------------------------------
// Reading a submitted modal

const inputState = z.object({
  type: z.string().optional(),
  value: z.string().nullish(),
  selected_option: z.object({ value: z.string() }).nullish(),
  selected_options: z.array(z.object({ value: z.string() })).nullish(),
  selected_date: z.string().nullish(),
  selected_user: z.string().nullish(),
});

const viewSubmissionSchema = z.object({
  user: z.object({ id: z.string().min(1) }),
  view: z.object({
    id: z.string().min(1).max(100),
    callback_id: z.string(),
    private_metadata: jsonText.pipe(
      z.object({
        caseId: z.number().int().positive(),
        contractId: z.string().min(1).max(64),
        version: z.number().int().min(0),
        channel: z.string().optional(),
      }),
    ),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), inputState)) }),
  }),
});

type InputState = z.infer<typeof inputState>;

class FormValues {
  constructor(private readonly values: Record<string, Record<string, InputState>>) {}
  private get(block: FieldBlock): InputState | undefined {
    return this.values[block]?.[block] ?? Object.values(this.values[block] ?? {})[0];
  }
  text(block: FieldBlock): string {
    return this.get(block)?.value?.trim() ?? '';
  }
  choice(block: FieldBlock): string | null {
    return this.get(block)?.selected_option?.value ?? null;
  }
  checked(block: FieldBlock): Set<string> {
    return new Set((this.get(block)?.selected_options ?? []).map((o) => o.value));
  }
  date(block: FieldBlock): string | null {
    return this.get(block)?.selected_date ?? null;
  }
  user(block: FieldBlock): string | null {
    return this.get(block)?.selected_user ?? null;
  }
}

function yesNo(value: string | null): boolean | undefined {
  return value === 'yes' ? true : value === 'no' ? false : undefined;
}

/** A datepicker gives `YYYY-MM-DD`; empty stays undefined so the service names the missing field. */
function dateOrUndefined(value: string | null): string | undefined {
  return value ?? undefined;
}

/** `1234,56`, `1234.56`, `€ 1234,56`: the amount in cents, or null. Thousands separators are refused (see money.ts). */
export function parseAmountInput(text: string): number | null {
  return parseEuroAmount(text.replace(/^€\s*/, '').trim());
}

/**
 * Installments written out, one a line: `01-02-2027 350,00` or `2027-02-01 € 350`. Returns the
 * installments or the lines that could not be read (Dutch, counting from 1).
 */
export function parseInstallmentLines(
  text: string,
): { ok: true; installments: { dueOn: string; amountCents: number }[] } | { ok: false; message: string } {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const installments: { dueOn: string; amountCents: number }[] = [];
  const bad: number[] = [];
  lines.forEach((line, i) => {
    const m = /^(\S+)\s*[:;,]?\s+(?:€\s*)?(\d+(?:[.,]\d{1,2})?)$/.exec(line);
    const dueOn = m ? parseDutchOrIsoDate(m[1]!) : null;
    const amountCents = m ? parseEuroAmount(m[2]!) : null;
    if (dueOn === null || amountCents === null) bad.push(i + 1);
    else installments.push({ dueOn, amountCents });
  });
  if (bad.length > 0) {
    return {
      ok: false,
      message: `${bad.length === 1 ? 'Regel' : 'Regels'} ${bad.join(', ')}: schrijf per regel een datum en een bedrag, bijvoorbeeld 01-02-2027 350,00.`,
    };
  }
  return { ok: true, installments };
}

type Call = (
  service: OutcomeService,
  user: string,
  contractId: string,
  options: { key: string; date: IsoDate },
) => Promise<OutcomeResponse>;

type ReadResult = { ok: true; call: Call; blockOf: (field: string) => FieldBlock } | { ok: false; errors: Record<string, string> };

interface ModalSpec {
  title: string;
  read(form: FormValues, ref: CardRef, user: string, today: IsoDate): Promise<ReadResult> | ReadResult;
}

const invalid = (block: FieldBlock, message: string): ReadResult => ({ ok: false, errors: { [block]: message } });

function conversationSpec(deps: SlackDeps): ModalSpec {
  return {
    title: 'Gesprek vastleggen',
    async read(form, ref, _user, today) {
      const obligations = form.checked(FIELDS.obligations);
      const commitments = form.checked(FIELDS.commitments);
      const months = form.choice(FIELDS.months);
      const firstDue = form.date(FIELDS.firstDue);
      const lines = form.text(FIELDS.installments);

      let mode: 'none' | 'months' | 'lines' = 'none';
      let installments: { dueOn: string; amountCents: number }[] | null = null;
      if (lines && (months || firstDue)) {
        return invalid(FIELDS.installments, 'Kies een aantal maanden met een eerste termijn, óf schrijf de termijnen uit; niet allebei.');
      }
      if (months || firstDue) {
        if (!months) return invalid(FIELDS.months, 'Kies ook het aantal maanden.');
        if (!firstDue) return invalid(FIELDS.firstDue, 'Kies ook de datum van de eerste termijn.');
        mode = 'months';
        // Equal installments of B(today), the same balance the service checks the arrangement against.
        const balance = (await balancesOn(deps.database.db, today, { contractIds: [ref.contractId] })).get(ref.contractId) ?? 0;
        const n = Number(months);
        if (!Number.isInteger(n) || n < 1) return invalid(FIELDS.months, 'Kies een aantal maanden.');
        if (balance < n) return invalid(FIELDS.months, 'Er is geen achterstand om in termijnen te verdelen.');
        installments = monthlyInstallments(balance, n, firstDue);
      } else if (lines) {
        mode = 'lines';
        const parsed = parseInstallmentLines(lines);
        if (!parsed.ok) return invalid(FIELDS.installments, parsed.message);
        installments = parsed.installments;
      }
      const input = {
        cause: form.text(FIELDS.cause),
        referralConsent: yesNo(form.choice(FIELDS.referral)),
        consequencesExplained: form.checked(FIELDS.consequences).has('yes'),
        obligations: Object.fromEntries(OBLIGATIONS.map(([key]) => [key, obligations.has(key)])),
        commitments: Object.fromEntries(COMMITMENTS.map(([key]) => [key, commitments.has(key)])),
        arrangement: installments ? { installments } : null,
      } as Parameters<OutcomeService['recordConversation']>[2];
      return {
        ok: true,
        call: (s, user, contractId, options) => s.recordConversation(user, contractId, input, options),
        blockOf: (field) => conversationErrorBlock(field, mode),
      };
    },
  };
}

const homeVisitSpec: ModalSpec = {
  title: 'Huisbezoek vastleggen',
  read(form) {
    const first = form.user(FIELDS.employee1);
    const employees = [first, form.user(FIELDS.employee2)].filter((u): u is string => Boolean(u));
    const outcome = form.choice(FIELDS.visitOutcome);
    const input = { outcome, employees } as Parameters<OutcomeService['recordHomeVisit']>[2];
    return {
      ok: true,
      call: (s, user, contractId, options) => s.recordHomeVisit(user, contractId, input, options),
      blockOf: (field) => homeVisitErrorBlock(field, Boolean(first)),
    };
  },
};

const massSpec: ModalSpec = {
  title: 'Teambespreking (MaSS)',
  read(form) {
    const input = Object.fromEntries(MASS_QUESTIONS.map(([flag, block]) => [flag, yesNo(form.choice(block))])) as Parameters<
      OutcomeService['recordMassDiscussion']
    >[2];
    return {
      ok: true,
      call: (s, user, contractId, options) => s.recordMassDiscussion(user, contractId, input, options),
      blockOf: massErrorBlock,
    };
  },
};

const verdictSpec: ModalSpec = {
  title: 'Vonnis registreren',
  read(form) {
    const amountText = form.text(FIELDS.amount);
    let amountCents: number | undefined;
    if (amountText) {
      const parsed = parseAmountInput(amountText);
      if (parsed === null) {
        return invalid(FIELDS.amount, 'Schrijf het bedrag in euro met hoogstens twee decimalen en zonder punten, bijvoorbeeld 1234,56.');
      }
      amountCents = parsed;
    }
    const input = {
      verdictOn: dateOrUndefined(form.date(FIELDS.verdictOn)),
      evictionOn: dateOrUndefined(form.date(FIELDS.evictionOn)),
      amountCents,
    } as Parameters<OutcomeService['registerVerdict']>[2];
    return {
      ok: true,
      call: (s, user, contractId, options) => s.registerVerdict(user, contractId, input, options),
      blockOf: verdictErrorBlock,
    };
  },
};

const holdSpec: ModalSpec = {
  title: 'Zaak pauzeren',
  read(form) {
    const note = form.text(FIELDS.holdNote);
    const input = {
      reason: form.choice(FIELDS.holdReason) ?? undefined,
      until: dateOrUndefined(form.date(FIELDS.holdUntil)),
      ...(note ? { note } : {}),
    } as Parameters<OutcomeService['placeHold']>[2];
    return {
      ok: true,
      call: (s, user, contractId, options) => s.placeHold(user, contractId, input, options),
      blockOf: holdErrorBlock,
    };
  },
};

const signalSpec: ModalSpec = {
  title: 'Vroegsignalering',
  read(form) {
    const input = { answer: form.choice(FIELDS.signalAnswer) ?? undefined } as Parameters<OutcomeService['recordSignalAnswer']>[2];
    return {
      ok: true,
      call: (s, user, contractId, options) => s.recordSignalAnswer(user, contractId, input, options),
      blockOf: signalErrorBlock,
    };
  },
};

/** Slack closes the submit after 3 s; a slower service gets a "busy" view and the result after it. */
const SUBMIT_ANSWER_MS = 2500;

type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

function messagesOf(errors: readonly FieldError[]): string {
  return errors.map((e) => e.message).join(' ');
}

async function submit(args: ViewArgs, deps: SlackDeps, spec: ModalSpec): Promise<void> {
  const { ack, client } = args;
  const parsed = viewSubmissionSchema.safeParse(args.body);
  if (!parsed.success) {
    deps.log.warn('modal submission: unexpected payload', { issues: parsed.error.issues.length });
    await ack({ response_action: 'update', view: noticeView(spec.title, UNREADABLE_TEXT) });
    return;
  }
  const { user, view } = parsed.data;
  const ref: CardRef = view.private_metadata;
  const today = clockOf(deps)();
  const form = new FormValues(view.state.values);

  let read: ReadResult;
  try {
    read = await spec.read(form, ref, user.id, today);
  } catch (err) {
    deps.log.error('modal submission: reading failed', { callback: view.callback_id, caseId: ref.caseId, cause: causeOf(err) });
    await ack({ response_action: 'update', view: noticeView(spec.title, FAILURE_TEXT) });
    return;
  }
  if (!read.ok) {
    await ack({ response_action: 'errors', errors: read.errors });
    return;
  }

  // The view id names this submission: a second click on "Vastleggen" repeats it and changes nothing.
  const pending = read.call(deps.outcomes, user.id, ref.contractId, { key: `view:${view.id}`, date: today }).then(
    (result) => ({ ok: true as const, result }),
    (err: unknown) => ({ ok: false as const, err }),
  );
  let timer: NodeJS.Timeout | undefined;
  const quick = await Promise.race([pending, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), SUBMIT_ANSWER_MS)))]);
  clearTimeout(timer);

  if (quick === null) {
    await ack({ response_action: 'update', view: pendingView(spec.title) });
    const late = await pending;
    const text = !late.ok
      ? FAILURE_TEXT
      : late.result.ok
        ? recordedMessage(ref.contractId, late.result.summary, late.result.duplicate).text
        : late.result.reason === 'invalid'
          ? `Niet vastgelegd: ${messagesOf(late.result.errors)} Open het formulier opnieuw vanaf de kaart.`
          : refusalMessage(late.result.message).text;
    if (!late.ok) deps.log.error('modal submission failed', { callback: view.callback_id, caseId: ref.caseId, cause: causeOf(late.err) });
    try {
      await client.views.update({ view_id: view.id, view: noticeView(spec.title, text) });
    } catch (err) {
      deps.log.warn('modal result update failed', { callback: view.callback_id, cause: causeOf(err) });
    }
    return;
  }
  if (!quick.ok) {
    deps.log.error('modal submission failed', { callback: view.callback_id, caseId: ref.caseId, cause: causeOf(quick.err) });
    await ack({ response_action: 'update', view: noticeView(spec.title, FAILURE_TEXT) });
    return;
  }
  const result = quick.result;
  if (!result.ok) {
    if (result.reason === 'invalid') {
      await ack({ response_action: 'errors', errors: errorsByBlock(result.errors, read.blockOf) });
    } else {
      await ack({ response_action: 'update', view: noticeView(spec.title, refusalMessage(result.message).text) });
    }
    return;
  }
  await ack();
  await ephemeral(client, deps, { channel: ref.channel, user: user.id }, recordedMessage(ref.contractId, result.summary, result.duplicate));
}

// ---------------------------------------------------------------------------
// Buttons

type CardCheck = { ok: true; ref: CardRef; card: CardCase } | { ok: false; message: ShortMessage };

/** Reads the button, loads the case, and refuses what the service would refuse anyway. */
async function checkCard(deps: SlackDeps, body: BlockActionBody, options: { allowStale: boolean }): Promise<CardCheck> {
  const value = cardValueSchema.safeParse(body.actions[0]!.value ?? '');
  if (!value.success) return { ok: false, message: plainMessage(UNREADABLE_TEXT) };
  const card = await loadCardCase(deps.database.db, value.data.caseId);
  if (!card || card.contractId !== value.data.contractId) return { ok: false, message: plainMessage(UNREADABLE_TEXT) };
  const team = teamOf(deps.config, card.teamKey);
  if (!team?.members.includes(body.user.id)) {
    return { ok: false, message: refusalMessage(teamOnlyText(team?.name ?? `team ${card.teamKey}`, card.contractId)) };
  }
  if (card.closed) return { ok: false, message: plainMessage(CLOSED_CASE_TEXT) };
  if (!options.allowStale && card.version !== value.data.version) return { ok: false, message: plainMessage(STALE_CARD_TEXT) };
  return { ok: true, ref: { ...value.data, channel: channelOf(body) }, card };
}

/** True when an outcome with this key was recorded before (its audit row carries the key). */
async function keyRecorded(executor: Executor, contractId: string, key: string): Promise<boolean> {
  const rows = await queryRows<{ n: number }>(
    executor,
    sql`select count(*)::int8 as n from audit_log
        where subject = ${contractId} and action like 'outcome.%' and detail->>'key' = ${key}`,
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

const DIRECT: Record<string, Call> = {
  [ACTIONS.noResponse]: (s, user, contractId, options) => s.recordNoResponse(user, contractId, options),
  [ACTIONS.handToBailiff]: (s, user, contractId, options) => s.handToBailiff(user, contractId, options),
  [ACTIONS.releaseHold]: (s, user, contractId, options) => s.releaseHold(user, contractId, options),
};

function answerOf(contractId: string, result: OutcomeResponse): ShortMessage {
  if (result.ok) return recordedMessage(contractId, result.summary, result.duplicate);
  if (result.reason === 'invalid') return refusalMessage(messagesOf(result.errors));
  return refusalMessage(result.message);
}

type ModalOpener = (deps: SlackDeps, ref: CardRef, user: string) => Promise<ModalView> | ModalView;

const MODALS: Record<string, ModalOpener> = {
  [ACTIONS.recordConversation]: async (deps, ref) => {
    const today = clockOf(deps)();
    const balance = (await balancesOn(deps.database.db, today, { contractIds: [ref.contractId] })).get(ref.contractId) ?? null;
    return conversationModal({ ref, arrearsCents: balance, asOf: today, maxMonths: deps.config.maxArrangementMonths });
  },
  [ACTIONS.homeVisit]: (_deps, ref, user) => homeVisitModal(ref, user),
  [ACTIONS.massDiscussion]: (_deps, ref) => massDiscussionModal(ref),
  [ACTIONS.registerVerdict]: (_deps, ref) => verdictModal(ref),
  [ACTIONS.placeHold]: (_deps, ref) => holdModal(ref),
  [ACTIONS.signalAnswer]: (_deps, ref) => signalAnswerModal(ref),
};

export function register(app: App, deps: SlackDeps): void {
  const today = clockOf(deps);

  for (const [actionId, open] of Object.entries(MODALS)) {
    app.action(actionId, async ({ ack, body, client }) => {
      await ack();
      const parsed = blockActionSchema.safeParse(body);
      if (!parsed.success || !parsed.data.trigger_id) {
        deps.log.warn('case button: unexpected payload', { action: actionId });
        return;
      }
      const where = { channel: channelOf(parsed.data), user: parsed.data.user.id };
      try {
        const check = await checkCard(deps, parsed.data, { allowStale: false });
        if (!check.ok) return ephemeral(client, deps, where, check.message);
        const view = await open(deps, check.ref, parsed.data.user.id);
        await client.views.open({ trigger_id: parsed.data.trigger_id, view });
      } catch (err) {
        deps.log.error('case button failed', { action: actionId, cause: causeOf(err) });
        await ephemeral(client, deps, where, plainMessage(FAILURE_TEXT));
      }
    });
  }

  for (const [actionId, call] of Object.entries(DIRECT)) {
    app.action(actionId, async ({ ack, body, client }) => {
      await ack();
      const parsed = blockActionSchema.safeParse(body);
      if (!parsed.success) {
        deps.log.warn('case button: unexpected payload', { action: actionId });
        return;
      }
      const user = parsed.data.user.id;
      const where = { channel: channelOf(parsed.data), user };
      try {
        const check = await checkCard(deps, parsed.data, { allowStale: true });
        if (!check.ok) return ephemeral(client, deps, where, check.message);
        const { ref, card } = check;
        // One click on one version of the card is one action: a double click repeats the key.
        const key = `${actionId}:${ref.caseId}:${ref.version}`;
        if (card.version !== ref.version) {
          // The card moved on: either this very click's twin got there first, or the card is old.
          const message = (await keyRecorded(deps.database.db, ref.contractId, key))
            ? plainMessage(`Dit was al vastgelegd voor huurovereenkomst ${ref.contractId}; er is niets dubbel vastgelegd.`)
            : plainMessage(STALE_CARD_TEXT);
          return ephemeral(client, deps, where, message);
        }
        const result = await call(deps.outcomes, user, ref.contractId, { key, date: today() });
        await ephemeral(client, deps, where, answerOf(ref.contractId, result));
      } catch (err) {
        deps.log.error('case button failed', { action: actionId, cause: causeOf(err) });
        await ephemeral(client, deps, where, plainMessage(FAILURE_TEXT));
      }
    });
  }

  app.action(ACTIONS.openDossier, async ({ ack, body, client }) => {
    await ack();
    const parsed = blockActionSchema.safeParse(body);
    if (!parsed.success) {
      deps.log.warn('dossier button: unexpected payload', {});
      return;
    }
    const user = parsed.data.user.id;
    const where = { channel: channelOf(parsed.data), user };
    try {
      const value = caseValueSchema.safeParse(parsed.data.actions[0]!.value ?? '');
      if (!value.success) return ephemeral(client, deps, where, plainMessage(UNREADABLE_TEXT));
      const { contractId, caseId } = value.data;
      const teams = deps.config.teams.filter((t) => t.members.includes(user));
      const mt = await isMtMember(deps.config, client, user, deps.log);
      if (teams.length === 0 && !mt) {
        await auditLookup(deps, user, contractId, { via: 'case_card', caseId, outcome: 'refused' });
        return ephemeral(
          client,
          deps,
          where,
          plainMessage(
            'Alleen leden van een wijkteam of het MT kunnen dossiers inzien. Vraag de beheerder van Huurwacht om je toe te voegen.',
          ),
        );
      }
      const summary = await loadCaseSummary(deps.database.db, contractId, today());
      if (!summary) return ephemeral(client, deps, where, plainMessage(UNREADABLE_TEXT));
      const crossTeam = !teams.some((t) => t.key === summary.dossier.team);
      await auditLookup(deps, user, contractId, {
        via: 'case_card',
        caseId,
        outcome: 'dossier',
        ...(crossTeam ? { crossTeam: true } : {}),
      });
      await ephemeral(client, deps, where, { text: `Dossier ${contractId}`, blocks: summaryBlocks(summary) });
    } catch (err) {
      deps.log.error('dossier button failed', { cause: causeOf(err) });
      await ephemeral(client, deps, where, plainMessage(FAILURE_TEXT));
    }
  });

  app.view(CALLBACKS.conversation, (args) => submit(args, deps, conversationSpec(deps)));
  app.view(CALLBACKS.homeVisit, (args) => submit(args, deps, homeVisitSpec));
  app.view(CALLBACKS.massDiscussion, (args) => submit(args, deps, massSpec));
  app.view(CALLBACKS.verdict, (args) => submit(args, deps, verdictSpec));
  app.view(CALLBACKS.hold, (args) => submit(args, deps, holdSpec));
  app.view(CALLBACKS.signalAnswer, (args) => submit(args, deps, signalSpec));
}
