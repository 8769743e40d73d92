import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const now = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' }).notNull().defaultNow();

/** Mirrors the teams of the configuration, so rows can reference them and history keeps old teams. */
export const teams = pgTable('teams', {
  key: text('key').primaryKey(),
  name: text('name').notNull(),
  channel: text('channel').notNull(),
  updatedAt: now('updated_at'),
});

export const tenancies = pgTable(
  'tenancies',
  {
    contractId: text('contract_id').primaryKey(),
    teamKey: text('team_key')
      .notNull()
      .references(() => teams.key),
    address: text('address').notNull(),
    /** Normalised `1234AB`, so `1234 ab` and `1234AB` find the same home. */
    postcode: text('postcode').notNull(),
    /** Leading house number of the address, for look-ups by postcode + number. */
    houseNumber: text('house_number'),
    city: text('city').notNull(),
    monthlyRentCents: integer('monthly_rent_cents').notNull(),
    startDate: date('start_date', { mode: 'string' }).notNull(),
    endDate: date('end_date', { mode: 'string' }),
    phone: text('phone'),
    email: text('email'),
    earlierVerdictDate: date('earlier_verdict_date', { mode: 'string' }),
    createdAt: now('created_at'),
    updatedAt: now('updated_at'),
  },
  (t) => [
    index('tenancies_team_idx').on(t.teamKey),
    index('tenancies_postcode_idx').on(t.postcode, t.houseNumber),
    check('tenancies_rent_positive', sql`${t.monthlyRentCents} >= 0`),
  ],
);

export const tenants = pgTable(
  'tenants',
  {
    contractId: text('contract_id')
      .notNull()
      .references(() => tenancies.contractId),
    position: smallint('position').notNull(),
    name: text('name').notNull(),
  },
  (t) => [primaryKey({ columns: [t.contractId, t.position] }), index('tenants_name_idx').on(sql`lower(${t.name})`)],
);

/** One row per import run: the dossier can show which file brought which ledger line. */
export const imports = pgTable('imports', {
  id: serial('id').primaryKey(),
  kind: text('kind').notNull(),
  fileName: text('file_name').notNull(),
  sha256: text('sha256').notNull(),
  rows: integer('rows').notNull(),
  inserted: integer('inserted').notNull(),
  updated: integer('updated').notNull().default(0),
  skipped: integer('skipped').notNull(),
  importedAt: now('imported_at'),
});

export const LEDGER_TYPES = ['rent', 'costs', 'payment', 'credit'] as const;
export type LedgerType = (typeof LEDGER_TYPES)[number];

export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    entryId: text('entry_id').primaryKey(),
    contractId: text('contract_id')
      .notNull()
      .references(() => tenancies.contractId),
    type: text('type').$type<LedgerType>().notNull(),
    dueDate: date('due_date', { mode: 'string' }),
    bookingDate: date('booking_date', { mode: 'string' }).notNull(),
    amountCents: integer('amount_cents').notNull(),
    description: text('description'),
    importId: integer('import_id')
      .notNull()
      .references(() => imports.id),
  },
  (t) => [
    index('ledger_contract_idx').on(t.contractId, t.bookingDate),
    check('ledger_type_valid', sql`${t.type} in ('rent', 'costs', 'payment', 'credit')`),
    check('ledger_amount_positive', sql`${t.amountCents} > 0`),
    check('ledger_charge_has_due_date', sql`${t.type} in ('payment', 'credit') or ${t.dueDate} is not null`),
  ],
);

export const CASE_STAGES = [
  'reminder',
  'contact',
  'visit',
  'arrangement',
  'escalation',
  'bailiff',
  'mt_vote',
  'eviction_procedure',
  'verdict',
  'closed',
] as const;
export type CaseStage = (typeof CASE_STAGES)[number];
export const CLOSED_REASONS = ['paid', 'postponed', 'evicted', 'ended'] as const;
export type ClosedReason = (typeof CLOSED_REASONS)[number];

export const cases = pgTable(
  'cases',
  {
    id: serial('id').primaryKey(),
    contractId: text('contract_id')
      .notNull()
      .references(() => tenancies.contractId),
    stage: text('stage').$type<CaseStage>().notNull(),
    openedOn: date('opened_on', { mode: 'string' }).notNull(),
    stageSince: date('stage_since', { mode: 'string' }).notNull(),
    dueOn: date('due_on', { mode: 'string' }),
    closedOn: date('closed_on', { mode: 'string' }),
    closedReason: text('closed_reason').$type<ClosedReason>(),
    /** Stage-specific facts (letter dates, arrangement, vote, hold); the events are the history. */
    state: jsonb('state').notNull().default({}),
    version: integer('version').notNull().default(1),
    createdAt: now('created_at'),
  },
  (t) => [
    // At most one open case per tenancy: the procedure runs one track at a time.
    uniqueIndex('cases_one_open_per_tenancy')
      .on(t.contractId)
      .where(sql`${t.closedOn} is null`),
    index('cases_stage_idx').on(t.stage),
    index('cases_contract_idx').on(t.contractId, t.id),
    check(
      'cases_stage_valid',
      sql`${t.stage} in ('reminder','contact','visit','arrangement','escalation','bailiff','mt_vote','eviction_procedure','verdict','closed')`,
    ),
    check('cases_closed_consistent', sql`(${t.stage} = 'closed') = (${t.closedOn} is not null and ${t.closedReason} is not null)`),
  ],
);

/** The dossier: append-only (a trigger in the migrations refuses UPDATE and DELETE). */
export const caseEvents = pgTable(
  'case_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    contractId: text('contract_id')
      .notNull()
      .references(() => tenancies.contractId),
    caseId: integer('case_id').references(() => cases.id),
    on: date('on', { mode: 'string' }).notNull(),
    at: now('at'),
    type: text('type').notNull(),
    clause: text('clause'),
    actor: text('actor').notNull(),
    summary: text('summary').notNull(),
    data: jsonb('data').notNull().default({}),
    /** Makes retries (daily run, Slack, imports) record an event once. */
    idempotencyKey: text('idempotency_key').unique(),
  },
  (t) => [index('case_events_contract_idx').on(t.contractId, t.id), index('case_events_case_idx').on(t.caseId)],
);

/**
 * `sending`: claimed by the delivery worker (src/slack/outbox-worker.ts), so a message may exist in
 * Slack that the row does not know of yet; the worker looks for it before it posts again.
 */
export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** Messages for Slack, written in the same transaction as the change they report. */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    key: text('key').notNull().unique(),
    channel: text('channel').notNull(),
    kind: text('kind').notNull(),
    caseId: integer('case_id').references(() => cases.id),
    payload: jsonb('payload').notNull(),
    status: text('status').$type<OutboxStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: now('next_attempt_at'),
    lastError: text('last_error'),
    /** The row's main message's ts; for a letter file, the shared file's id. */
    slackTs: text('slack_ts'),
    createdAt: now('created_at'),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'string' }),
    /** When a send was first attempted without a definite answer since; bounds the search for it in Slack. */
    claimedAt: timestamp('claimed_at', { withTimezone: true, mode: 'string' }),
    /** The Slack messages of this row done so far (a card, its reminder, its thread reply), with their ts. */
    progress: jsonb('progress').notNull().default({}),
  },
  (t) => [
    index('outbox_pending_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
    index('outbox_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} in ('pending', 'sending')`),
    // Messages of one case go out in order: the worker asks for older unsent rows of the case.
    index('outbox_case_unsent_idx')
      .on(t.caseId, t.id)
      .where(sql`${t.status} <> 'sent'`),
    check('outbox_status_valid', sql`${t.status} in ('pending', 'sending', 'sent', 'failed')`),
  ],
);

/** Who looked at or did what: dossier look-ups are personal data processing (AVG art. 30). */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: now('at'),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subject: text('subject'),
    detail: jsonb('detail').notNull().default({}),
  },
  (t) => [index('audit_log_subject_idx').on(t.subject, t.at)],
);

/** One row per daily run: a date runs once; a crash rolls the whole day back, so a rerun redoes it. */
export const dailyRuns = pgTable('daily_runs', {
  runDate: date('run_date', { mode: 'string' }).primaryKey(),
  /** 'YYYY-MM' when this run did the month's detection (P1.a), which happens once per month. */
  detectionMonth: text('detection_month').unique(),
  transitions: integer('transitions').notNull(),
  messages: integer('messages').notNull(),
  summary: jsonb('summary').notNull().default({}),
  startedAt: timestamp('started_at', { withTimezone: true, mode: 'string' }).notNull(),
  finishedAt: now('finished_at'),
});

/**
 * Where a case's Slack messages live: its card in the team channel (updated in place, its thread
 * is the case's discussion) and its MT vote. Written by the outbox worker when Slack answers.
 */
export const slackMessages = pgTable(
  'slack_messages',
  {
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    kind: text('kind').$type<'card' | 'vote'>().notNull(),
    channel: text('channel').notNull(),
    ts: text('ts').notNull(),
    /** The outbox row that created it; the recovery after a crash looks messages up by this key. */
    outboxKey: text('outbox_key').notNull(),
    createdAt: now('created_at'),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.kind] }), uniqueIndex('slack_messages_channel_ts').on(t.channel, t.ts)],
);

/**
 * Every letter the procedure called for, made in the same transaction as the step that called
 * for it, with the case's facts at that moment. The printed document is frozen at its first
 * rendering (`document`, `template_sha256`, `pdf_sha256`): from then on the letter is reproduced
 * exactly, byte for byte, and a trigger refuses to change it.
 */
export const letters = pgTable(
  'letters',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** One letter per kind and fact of a case: `letter:<case>:<kind>:<the day (or step and day) it reports>`. */
    key: text('key').notNull().unique(),
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    contractId: text('contract_id')
      .notNull()
      .references(() => tenancies.contractId),
    kind: text('kind').notNull(),
    /** The sending date. */
    letterDate: date('letter_date', { mode: 'string' }).notNull(),
    /** Assumed receipt: the next working day after sending. */
    receivedOn: date('received_on', { mode: 'string' }).notNull(),
    /** The case's facts when the letter was made (CaseState). */
    state: jsonb('state').notNull(),
    createdAt: now('created_at'),
    /** Everything the letter prints (LetterDocument), frozen at the first rendering. */
    document: jsonb('document'),
    templateSha256: text('template_sha256'),
    pdfSha256: text('pdf_sha256'),
    renderedAt: timestamp('rendered_at', { withTimezone: true, mode: 'string' }),
  },
  (t) => [
    index('letters_contract_idx').on(t.contractId, t.id),
    index('letters_date_kind_idx').on(t.letterDate, t.kind),
    check('letters_kind_valid', sql`${t.kind} in ('reminder', 'invitation', 'confirmation', 'card', 'last_warning', 'bailiff_handover')`),
    check('letters_frozen_whole', sql`(${t.document} is null) = (${t.pdfSha256} is null)`),
  ],
);

/**
 * The letter templates' texts by their hash (letters.template_sha256): a letter printed before
 * the corporation changed its templates is printed again with the texts it was made with.
 */
export const letterTemplates = pgTable('letter_templates', {
  sha256: text('sha256').primaryKey(),
  /** Template file name -> text. */
  texts: jsonb('texts').notNull(),
  createdAt: now('created_at'),
});
