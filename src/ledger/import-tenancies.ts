import { sql } from 'drizzle-orm';
import { LOCK_KEYS } from '../db/lock-keys.js';
import { z } from 'zod';
import type { Config } from '../config.js';
import { queryRows, type Database, type Tx } from '../db/client.js';
import { syncTeams } from '../db/teams.js';
import { imports } from '../db/schema.js';
import { formatDutchDate, todayInAmsterdam, type IsoDate } from '../domain/calendar.js';
import { formatEuro } from '../domain/money.js';
import { openCsv } from './csv-reader.js';
import { ImportFailedError, ImportProblems } from './import-errors.js';
import type { ImportResult } from './import-ledger.js';
import {
  amountCents,
  issuesByColumn,
  optionalDate,
  optionalText,
  postcode,
  requiredDate,
  requiredText,
  whenColumnsValid,
} from './fields.js';

const REQUIRED = ['contract_id', 'team', 'tenant_names', 'address', 'postcode', 'city', 'monthly_rent', 'start_date'] as const;

const tenantNames = z.string().transform((value, ctx) => {
  const names = value.split(' & ').map((n) => n.trim());
  if (names.length > 2 || names.some((n) => n.length === 0 || n.length > 200)) {
    ctx.addIssue({ code: 'custom', message: `verwacht één of twee namen, gescheiden door " & ", gevonden "${value.slice(0, 60)}"` });
    return z.NEVER;
  }
  return names;
});

const tenancyRow = z
  .object({
    contract_id: requiredText(50),
    team: requiredText(32),
    tenant_names: tenantNames,
    address: requiredText(200),
    postcode,
    city: requiredText(100),
    monthly_rent: amountCents,
    start_date: requiredDate,
    end_date: optionalDate,
    phone: optionalText(50),
    email: optionalText(200),
    earlier_verdict_date: optionalDate,
  })
  .refine((row) => !row.end_date || row.end_date >= row.start_date, {
    path: ['end_date'],
    message: 'ligt vóór start_date: een huurovereenkomst eindigt niet voordat ze begint',
    ...whenColumnsValid('start_date', 'end_date'),
  });

type TenancyRow = z.output<typeof tenancyRow> & { line: number };

/** The house number in "Kerkstraat 4", "Dorpsstraat 12a" or "Laan 4-II": the last number standing alone. */
export function houseNumberOf(address: string): string | null {
  return /(?:^|\s)(\d+)\D*$/.exec(address)?.[1] ?? /(\d+)/.exec(address)?.[1] ?? null;
}

interface StoredTenancy {
  team_key: string;
  names: string | null;
  address: string;
  postcode: string;
  city: string;
  monthly_rent_cents: number;
  start_date: string;
  end_date: string | null;
  phone: string | null;
  email: string | null;
  earlier_verdict_date: string | null;
}

export interface TenancyImportOptions {
  batchSize?: number;
  errorCap?: number;
  /** The date of the change events (default: today in Amsterdam). */
  today?: IsoDate;
}

/**
 * Imports the ERP's tenancies export whole or not at all. New tenancies are added; a known one
 * whose data changed (rent, end date, tenants, ...) is updated in place and the change becomes an
 * event in its dossier. Unchanged tenancies are left alone, so a re-import changes nothing.
 */
export async function importTenancies(
  database: Database,
  file: string,
  config: Config,
  options: TenancyImportOptions = {},
): Promise<ImportResult> {
  const batchSize = options.batchSize ?? 2000;
  const today = options.today ?? todayInAmsterdam();
  const problems = new ImportProblems(file.split('/').pop() ?? file, options.errorCap);
  const csv = await openCsv(file, REQUIRED, problems);
  if (!csv) throw new ImportFailedError(problems);
  const teamKeys = new Set(config.teams.map((t) => t.key));

  return database.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_KEYS.import})`);
    await syncTeams(tx, config);
    const [record] = await tx
      .insert(imports)
      .values({ kind: 'tenancies', fileName: csv.name, sha256: 'pending', rows: 0, inserted: 0, skipped: 0 })
      .returning({ id: imports.id });
    const importId = record!.id;

    const firstLine = new Map<string, number>();
    let rows = 0;
    let inserted = 0;
    let updated = 0;
    let batch: TenancyRow[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const counts = await writeBatch(tx, batch, importId, today);
      inserted += counts.inserted;
      updated += counts.updated;
      batch = [];
    };

    for await (const { line, values } of csv.rows) {
      rows++;
      const parsed = tenancyRow.safeParse(values);
      const team = values.team ?? '';
      const teamKnown = team === '' || teamKeys.has(team);
      if (!teamKnown) {
        const known = [...teamKeys].join(', ') || 'geen: vul teams in huurwacht.yml';
        problems.add(line, 'team', `team "${team}" staat niet in de configuratie (bekend: ${known})`);
      }
      if (!parsed.success) {
        for (const issue of issuesByColumn(parsed.error)) problems.add(line, issue.column, issue.message);
        continue;
      }
      if (!teamKnown) continue;
      const row: TenancyRow = { ...parsed.data, line };
      const earlier = firstLine.get(row.contract_id);
      if (earlier !== undefined) {
        problems.add(
          line,
          'contract_id',
          `${row.contract_id} staat ook op regel ${earlier}: een huurovereenkomst hoort één keer in het bestand`,
        );
        continue;
      }
      firstLine.set(row.contract_id, line);
      batch.push(row);
      if (batch.length >= batchSize) await flush();
    }
    await flush();

    if (problems.count > 0) throw new ImportFailedError(problems);
    const skipped = rows - inserted - updated;
    if (inserted + updated === 0) {
      await tx.delete(imports).where(sql`${imports.id} = ${importId}`);
      return { file: csv.name, rows, inserted, updated, skipped, importId: null };
    }
    await tx
      .update(imports)
      .set({ sha256: csv.sha256(), rows, inserted, updated, skipped })
      .where(sql`${imports.id} = ${importId}`);
    return { file: csv.name, rows, inserted, updated, skipped, importId };
  });
}

async function writeBatch(tx: Tx, batch: TenancyRow[], importId: number, today: IsoDate): Promise<{ inserted: number; updated: number }> {
  const byContract = new Map(batch.map((r) => [r.contract_id, r]));
  const payload = JSON.stringify(
    batch.map((r) => ({
      contract_id: r.contract_id,
      team_key: r.team,
      names: r.tenant_names.join(' & '),
      address: r.address,
      postcode: r.postcode,
      house_number: houseNumberOf(r.address),
      city: r.city,
      monthly_rent_cents: r.monthly_rent,
      start_date: r.start_date,
      end_date: r.end_date,
      phone: r.phone,
      email: r.email,
      earlier_verdict_date: r.earlier_verdict_date,
    })),
  );
  const changes = await queryRows<{ contract_id: string; before: StoredTenancy | null }>(
    tx,
    sql`
    with input as (
      select * from json_to_recordset(${payload}::json) as i(
        contract_id text, team_key text, names text, address text, postcode text, house_number text, city text,
        monthly_rent_cents int, start_date date, end_date date, phone text, email text, earlier_verdict_date date)
    ),
    before as (
      select t.contract_id, t.team_key, t.address, t.postcode, t.city, t.monthly_rent_cents,
             t.start_date, t.end_date, t.phone, t.email, t.earlier_verdict_date,
             (select string_agg(n.name, ' & ' order by n.position) from tenants n where n.contract_id = t.contract_id) as names
      from tenancies t join input i on i.contract_id = t.contract_id
    ),
    upserted as (
      insert into tenancies as t (contract_id, team_key, address, postcode, house_number, city, monthly_rent_cents,
                                  start_date, end_date, phone, email, earlier_verdict_date)
      select contract_id, team_key, address, postcode, house_number, city, monthly_rent_cents,
             start_date, end_date, phone, email, earlier_verdict_date
      from input
      on conflict (contract_id) do update set
        team_key = excluded.team_key, address = excluded.address, postcode = excluded.postcode,
        house_number = excluded.house_number, city = excluded.city, monthly_rent_cents = excluded.monthly_rent_cents,
        start_date = excluded.start_date, end_date = excluded.end_date, phone = excluded.phone, email = excluded.email,
        earlier_verdict_date = excluded.earlier_verdict_date, updated_at = now()
      where (t.team_key, t.address, t.postcode, t.city, t.monthly_rent_cents, t.start_date, t.end_date,
             t.phone, t.email, t.earlier_verdict_date)
        is distinct from (excluded.team_key, excluded.address, excluded.postcode, excluded.city,
             excluded.monthly_rent_cents, excluded.start_date, excluded.end_date, excluded.phone, excluded.email,
             excluded.earlier_verdict_date)
      returning t.contract_id
    )
    select i.contract_id, case when b.contract_id is null then null else to_jsonb(b) - 'contract_id' end as before
    from input i left join before b on b.contract_id = i.contract_id
    where b.contract_id is null
       or i.contract_id in (select contract_id from upserted)
       or b.names is distinct from i.names
  `,
  );
  if (changes.length === 0) return { inserted: 0, updated: 0 };

  const changedIds = changes.map((c) => c.contract_id);
  const names = changedIds.flatMap((id) => byContract.get(id)!.tenant_names.map((name, position) => ({ id, position, name })));
  await tx.execute(
    sql`delete from tenants where contract_id in (select value from json_array_elements_text(${JSON.stringify(changedIds)}::json))`,
  );
  await tx.execute(sql`
    insert into tenants (contract_id, position, name)
    select id, position, name from json_to_recordset(${JSON.stringify(names)}::json) as n(id text, position smallint, name text)
  `);

  const events = changes
    .filter((c) => c.before !== null)
    .map((c) => {
      const row = byContract.get(c.contract_id)!;
      const diff = describeChanges(c.before!, row);
      return {
        contract_id: c.contract_id,
        summary: diff.summary,
        data: JSON.stringify({ importId, line: row.line, changes: diff.changes }),
      };
    });
  if (events.length > 0) {
    await tx.execute(sql`
      insert into case_events (contract_id, "on", type, actor, summary, data)
      select contract_id, ${today}::date, 'tenancy_updated', 'import', summary, data::jsonb
      from json_to_recordset(${JSON.stringify(events)}::json) as e(contract_id text, summary text, data text)
    `);
  }
  return { inserted: changes.length - events.length, updated: events.length };
}

const LABELS: Record<string, string> = {
  team_key: 'team',
  names: 'huurders',
  address: 'adres',
  postcode: 'postcode',
  city: 'plaats',
  monthly_rent_cents: 'huur',
  start_date: 'ingangsdatum',
  end_date: 'einddatum',
  phone: 'telefoon',
  email: 'e-mail',
  earlier_verdict_date: 'eerder vonnis',
};

function describeChanges(before: StoredTenancy, row: TenancyRow) {
  const after: StoredTenancy = {
    team_key: row.team,
    names: row.tenant_names.join(' & '),
    address: row.address,
    postcode: row.postcode,
    city: row.city,
    monthly_rent_cents: row.monthly_rent,
    start_date: row.start_date,
    end_date: row.end_date,
    phone: row.phone,
    email: row.email,
    earlier_verdict_date: row.earlier_verdict_date,
  };
  const show = (key: string, value: unknown): string => {
    if (value === null || value === undefined || value === '') return '(leeg)';
    if (key === 'monthly_rent_cents') return formatEuro(value as number);
    if (key.endsWith('_date')) return formatDutchDate(value as string);
    return String(value);
  };
  const changes: { field: string; from: unknown; to: unknown }[] = [];
  for (const key of Object.keys(LABELS) as (keyof StoredTenancy)[]) {
    if ((before[key] ?? null) !== (after[key] ?? null)) changes.push({ field: key, from: before[key] ?? null, to: after[key] ?? null });
  }
  const summary =
    'Gegevens gewijzigd door import: ' +
    changes.map((c) => `${LABELS[c.field]} ${show(c.field, c.from)} → ${show(c.field, c.to)}`).join('; ');
  return { summary, changes };
}
