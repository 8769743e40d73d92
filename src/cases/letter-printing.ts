import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import { queryRows, type Executor } from '../db/client.js';
import type { IsoDate } from '../domain/calendar.js';
import { procedureRules, type CaseState } from '../domain/case-state.js';
import { unpaidByMonth } from '../domain/unpaid-months.js';
import { buildLetterDocument, LetterDataError, type LetterDocument } from '../letters/letter-document.js';
import type { LetterKind } from '../letters/letter-kinds.js';
import type { LetterSource } from '../letters/letter-source.js';
import { letterTemplatesFromTexts, type LetterTemplates } from '../letters/templates.js';

/**
 * Turns recorded letters into PDF. The first rendering freezes each letter: the document (every
 * value it prints), the templates' hash and the PDF's hash are stored, and from then on the letter
 * is rendered from that document alone, so it comes out byte for byte the same, whatever the
 * ledger, the address or the case did since.
 */

/** A recorded letter: which it is, of which case, sent and received when. */
export interface LetterRef {
  id: number;
  key: string;
  caseId: number;
  contractId: string;
  kind: LetterKind;
  letterDate: IsoDate;
  receivedOn: IsoDate;
}

export interface StoredLetter extends LetterRef {
  document: LetterDocument;
  pdfSha256: string;
  /** The templates it was made with: today's, or the texts kept from before a change. */
  templates: LetterTemplates;
}

/**
 * The templates a letter was first printed with, from the texts kept in the database, with
 * today's fonts. Different fonts would print it differently: refused, never printed otherwise.
 */
async function earlierTemplates(
  executor: Executor,
  letterKey: string,
  sha: string,
  current: LetterTemplates,
  cache: Map<string, LetterTemplates>,
): Promise<LetterTemplates> {
  const cached = cache.get(sha);
  if (cached) return cached;
  const [row] = await queryRows<{ texts: Record<LetterKind, string> }>(
    executor,
    sql`select texts from letter_templates where sha256 = ${sha}`,
  );
  const rebuilt = row ? letterTemplatesFromTexts(row.texts, current.fonts, current.dir) : null;
  if (!rebuilt || rebuilt.sha256 !== sha) {
    throw new LetterPrintingError(
      `De brief ${letterKey} is gemaakt met brieftemplates (sha256 ${sha}) die ${row ? 'een ander lettertype hadden' : 'niet bewaard zijn'}; ` +
        'zet dat lettertype of die templates terug om hem exact te herhalen.',
    );
  }
  cache.set(sha, rebuilt);
  return rebuilt;
}

/** A letter cannot be printed as the dossier requires; the message is Dutch, for whoever asked for it. */
export class LetterPrintingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LetterPrintingError';
  }
}

interface LetterRow {
  id: number;
  key: string;
  case_id: number;
  contract_id: string;
  kind: LetterKind;
  letter_date: string;
  received_on: string;
  state: CaseState;
  document: LetterDocument | null;
  template_sha256: string | null;
  pdf_sha256: string | null;
  tenants: string[] | null;
  address: string;
  postcode: string;
  city: string;
  monthly_rent_cents: number;
  earlier_verdict_date: string | null;
  charges: { month: string; cents: number }[] | null;
  settled_cents: number;
  events: LetterSource['events'] | null;
}

/**
 * Everything the letters draw from, for any number of letters in one statement: the tenancy,
 * the ledger as of the sending date (the same rule as the arrears: charges from their due date,
 * money from its booking date), and this case's events up to the letter's own; an earlier case
 * of the tenancy is not this case's evidence.
 */
async function loadRows(executor: Executor, ids: readonly number[]): Promise<LetterRow[]> {
  return queryRows<LetterRow & Record<string, unknown>>(
    executor,
    sql`select l.id, l.key, l.case_id, l.contract_id, l.kind, l.letter_date::text as letter_date, l.received_on::text as received_on,
               l.state, l.document, l.template_sha256, l.pdf_sha256,
               t.address, t.postcode, t.city, t.monthly_rent_cents, t.earlier_verdict_date::text as earlier_verdict_date,
               (select json_agg(n.name order by n.position) from tenants n where n.contract_id = l.contract_id) as tenants,
               case when l.document is null then
                 (select json_agg(json_build_object('month', m.month, 'cents', m.cents) order by m.month)
                  from (select to_char(e.due_date, 'YYYY-MM') as month, sum(e.amount_cents)::int8 as cents
                        from ledger_entries e
                        where e.contract_id = l.contract_id and e.type in ('rent', 'costs') and e.due_date <= l.letter_date
                        group by 1) m)
               end as charges,
               case when l.document is null then
                 (select coalesce(sum(e.amount_cents), 0)::int8 from ledger_entries e
                  where e.contract_id = l.contract_id and e.type in ('payment', 'credit') and e.booking_date <= l.letter_date)
               else 0 end as settled_cents,
               case when l.document is null then
                 (select json_agg(json_build_object('on', ev."on"::text, 'type', ev.type, 'clause', ev.clause, 'actor', ev.actor, 'summary', ev.summary) order by ev.id)
                  from case_events ev
                  where ev.case_id = l.case_id
                    and ev.id <= coalesce((select le.id from case_events le where le.idempotency_key = l.key), ev.id))
               end as events
        from letters l join tenancies t on t.contract_id = l.contract_id
        where l.id in (select value::int8 from json_array_elements_text(${JSON.stringify(ids)}::json))
        order by l.id
        for update of l`,
  );
}

function letterSource(r: LetterRow): LetterSource {
  const charges = r.charges ?? [];
  const chargedCents = charges.reduce((s, c) => s + c.cents, 0);
  return {
    kind: r.kind,
    contractId: r.contract_id,
    letterDate: r.letter_date,
    tenants: r.tenants ?? [],
    address: r.address,
    postcode: r.postcode,
    city: r.city,
    monthlyRentCents: r.monthly_rent_cents,
    balanceCents: chargedCents - r.settled_cents,
    state: r.state,
    unpaidByMonth: unpaidByMonth(charges, r.settled_cents),
    events: r.events ?? [],
    earlierVerdictDate: r.earlier_verdict_date,
  };
}

// PDFKit takes a fifth of a second to load: only the commands and the worker that print pay for it.
const renderer = () => import('../letters/render.js');

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A recorded letter that cannot be made, e.g. a card for a tenant who paid that morning: why, in Dutch. */
export interface RefusedLetter extends LetterRef {
  reason: string;
}

/**
 * The letters with their frozen documents, freezing those rendered for the first time (in the
 * caller's transaction). A letter frozen with other templates than today's cannot be reproduced
 * exactly, and is refused rather than printed differently. A letter whose facts do not allow it
 * (no arrears left on its date) is listed in `refused` and stays unfrozen.
 */
export async function freezeLetters(
  executor: Executor,
  ids: readonly number[],
  ctx: { config: Config; templates: LetterTemplates },
): Promise<{ letters: StoredLetter[]; refused: RefusedLetter[]; firstPrints: Map<number, Uint8Array> }> {
  const refused: RefusedLetter[] = [];
  if (ids.length === 0) return { letters: [], refused, firstPrints: new Map() };
  const rows = await loadRows(executor, ids);
  const letters = ctx.config.letters;
  const holidays = procedureRules(ctx.config).holidays;
  const fresh: { id: number; document: LetterDocument; pdf_sha256: string }[] = [];
  const firstPrints = new Map<number, Uint8Array>();
  const out: StoredLetter[] = [];
  const earlier = new Map<string, LetterTemplates>();
  for (const r of rows) {
    const ref: LetterRef = {
      id: r.id,
      key: r.key,
      caseId: r.case_id,
      contractId: r.contract_id,
      kind: r.kind,
      letterDate: r.letter_date,
      receivedOn: r.received_on,
    };
    let document = r.document;
    let pdfSha256 = r.pdf_sha256;
    let templates = ctx.templates;
    if (document && r.template_sha256 && r.template_sha256 !== ctx.templates.sha256) {
      templates = await earlierTemplates(executor, r.key, r.template_sha256, ctx.templates, earlier);
    }
    if (!document || !pdfSha256) {
      if (!letters) {
        throw new LetterPrintingError('Brieven maken kan pas als letters.sender en letters.debtHelp in huurwacht.yml staan.');
      }
      try {
        document = buildLetterDocument(letterSource(r), {
          letters,
          holidays,
          maxArrangementMonths: ctx.config.maxArrangementMonths,
          probationYears: ctx.config.probationYears,
        });
      } catch (err) {
        if (!(err instanceof LetterDataError)) throw err;
        refused.push({ ...ref, reason: err.messageNl });
        continue;
      }
      const pdf = await (await renderer()).renderLettersPdf([document], ctx.templates);
      pdfSha256 = sha256(pdf);
      fresh.push({ id: r.id, document, pdf_sha256: pdfSha256 });
      firstPrints.set(r.id, pdf);
    }
    out.push({ ...ref, document, pdfSha256, templates });
  }
  if (fresh.length > 0) {
    await executor.execute(sql`
      insert into letter_templates (sha256, texts) values (${ctx.templates.sha256}, ${JSON.stringify(ctx.templates.texts)}::jsonb)
      on conflict (sha256) do nothing`);
    // `document is null`: a letter frozen by someone else meanwhile keeps that first freezing.
    await executor.execute(sql`
      update letters l set document = f.document, template_sha256 = ${ctx.templates.sha256}, pdf_sha256 = f.pdf_sha256, rendered_at = now()
      from json_to_recordset(${JSON.stringify(fresh)}::json) as f(id int8, document jsonb, pdf_sha256 text)
      where l.id = f.id and l.document is null`);
  }
  return { letters: out, refused, firstPrints };
}

/**
 * One PDF of these letters, in this order, each frozen on its first rendering; `pdf` is null when
 * none of them can be made (`refused` says why).
 */
export async function printLetters(
  executor: Executor,
  ids: readonly number[],
  ctx: { config: Config; templates: LetterTemplates },
): Promise<{ pdf: Uint8Array | null; letters: StoredLetter[]; refused: RefusedLetter[] }> {
  const { letters, refused, firstPrints } = await freezeLetters(executor, ids, ctx);
  const byId = new Map(letters.map((l) => [l.id, l]));
  const ordered = ids.map((id) => byId.get(id)).filter((l): l is StoredLetter => l !== undefined);
  // A letter printed alone for the first time was just rendered to take its hash: those are the bytes.
  const only = ordered.length === 1 ? firstPrints.get(ordered[0]!.id) : undefined;
  const sets = new Set(ordered.map((l) => l.templates));
  if (sets.size > 1) {
    throw new LetterPrintingError('Deze brieven zijn met verschillende brieftemplates gemaakt; druk ze een voor een af.');
  }
  const [templates = ctx.templates] = sets;
  const pdf =
    only ??
    (ordered.length
      ? await (
          await renderer()
        ).renderLettersPdf(
          ordered.map((l) => l.document),
          templates,
        )
      : null);
  return { pdf, letters: ordered, refused };
}

const FILE_SLUG: Record<LetterKind, string> = {
  reminder: '14-dagenbrief',
  invitation: 'uitnodiging',
  confirmation: 'bevestiging-afspraken',
  card: 'brief-na-huisbezoek',
  last_warning: 'laatste-waarschuwing',
  bailiff_handover: 'overdracht-deurwaarder',
};

/** `14-dagenbrief-100234-2026-12-04.pdf`: sorts by contract, then date. */
export function letterFileName(letter: Pick<StoredLetter, 'kind' | 'contractId' | 'letterDate'>): string {
  return `${FILE_SLUG[letter.kind]}-${letter.contractId}-${letter.letterDate}.pdf`;
}

/** The 14-day letters of these tenancies sent on `date`, in contract order: the digest's PDF. */
export async function letterRowsForDigest(executor: Executor, date: IsoDate, contractIds: readonly string[]): Promise<number[]> {
  const rows = await queryRows<{ id: number }>(
    executor,
    sql`select id from letters
        where letter_date = ${date}::date and kind = 'reminder'
          and contract_id in (select value from json_array_elements_text(${JSON.stringify(contractIds)}::json))
        order by contract_id, id`,
  );
  return rows.map((r) => r.id);
}

/** The letters of a tenancy, newest first: what `huurwacht letter` and the dossier offer. */
export async function lettersOfTenancy(
  executor: Executor,
  contractId: string,
): Promise<{ id: number; kind: LetterKind; letterDate: IsoDate; receivedOn: IsoDate; pdfSha256: string | null }[]> {
  return queryRows(
    executor,
    sql`select id, kind, letter_date::text as "letterDate", received_on::text as "receivedOn", pdf_sha256 as "pdfSha256"
        from letters where contract_id = ${contractId} order by letter_date desc, id desc`,
  );
}
