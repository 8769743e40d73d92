import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { arrearsForMonth, balancesOn } from '../../src/db/arrears.js';
import { queryRows } from '../../src/db/client.js';
import { imports, teams, tenancies } from '../../src/db/schema.js';
import {
  balanceOn,
  DEFAULT_ARREARS_RULES,
  detectionDay,
  monthArrears,
  type ArrearsRules,
  type LedgerLine,
  type MonthArrears,
} from '../../src/domain/arrears.js';
import { addDays, dutchPublicHolidays, firstOfMonth } from '../../src/domain/calendar.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});
beforeEach(async () => {
  await database.reset();
});

interface Tenancy {
  contractId: string;
  monthlyRentCents: number;
  lines: LedgerLine[];
}

/** Writes tenancies and their ledgers the way the importers leave them: a team, an import run, the lines. */
async function seed(list: readonly Tenancy[]): Promise<void> {
  await database.db.insert(teams).values({ key: 'noord', name: 'Noord', channel: 'C0123456789' });
  if (list.length === 0) return;
  await database.db.insert(tenancies).values(
    list.map((t) => ({
      contractId: t.contractId,
      teamKey: 'noord',
      address: `Dorpsstraat ${t.contractId}`,
      postcode: '1234AB',
      city: 'Ergens',
      monthlyRentCents: t.monthlyRentCents,
      startDate: '2020-01-01',
    })),
  );
  const [run] = await database.db
    .insert(imports)
    .values({ kind: 'ledger', fileName: 'test.csv', sha256: 'test', rows: 0, inserted: 0, skipped: 0 })
    .returning({ id: imports.id });
  const payload = JSON.stringify(
    list.flatMap((t) =>
      t.lines.map((l, i) => ({
        entry_id: `${t.contractId}-${i}`,
        contract_id: t.contractId,
        type: l.type,
        due_date: l.dueDate,
        booking_date: l.bookingDate,
        amount_cents: l.amountCents,
      })),
    ),
  );
  await database.db.execute(sql`
    insert into ledger_entries (entry_id, contract_id, type, due_date, booking_date, amount_cents, import_id)
    select entry_id, contract_id, type, due_date, booking_date, amount_cents, ${run!.id}
    from json_to_recordset(${payload}::json)
      as i(entry_id text, contract_id text, type text, due_date date, booking_date date, amount_cents int)
  `);
}

/** A case row as the case store leaves it, open unless `closed`. */
async function openCase(contractId: string, stage: 'reminder' | 'closed' = 'reminder'): Promise<void> {
  const closed = stage === 'closed';
  await database.db.execute(sql`
    insert into cases (contract_id, stage, opened_on, stage_since, closed_on, closed_reason)
    values (${contractId}, ${stage}, '2026-02-11', '2026-02-11', ${closed ? '2026-02-20' : null}, ${closed ? 'paid' : null})
  `);
}

function expected(list: readonly Tenancy[], year: number, month: number, rules: ArrearsRules): MonthArrears[] {
  return [...list]
    .sort((a, b) => a.contractId.localeCompare(b.contractId))
    .map((t) => monthArrears(t.contractId, t.lines, t.monthlyRentCents, year, month, rules));
}

const byContract = (rows: MonthArrears[]) => [...rows].sort((a, b) => a.contractId.localeCompare(b.contractId));

const RENT = 70_000;
const rent = (dueDate: string, bookingDate = dueDate): LedgerLine => ({ type: 'rent', dueDate, bookingDate, amountCents: RENT });
const payment = (bookingDate: string, amountCents = RENT): LedgerLine => ({ type: 'payment', dueDate: null, bookingDate, amountCents });

describe('arrearsForMonth and balancesOn (worked examples)', () => {
  // March 2026: D(M) = 11 March, D(M-1) = 11 February.
  const examples: Tenancy[] = [
    // P1.a: behind on the 1st working day, paid before D(M).
    {
      contractId: '100001',
      monthlyRentCents: RENT,
      lines: [rent('2026-02-01'), payment('2026-02-05'), rent('2026-03-01'), payment('2026-03-06')],
    },
    // P2: February and March unpaid, the arrears grew.
    { contractId: '100002', monthlyRentCents: RENT, lines: [rent('2026-02-01'), rent('2026-03-01')] },
    // Paid on D(M) itself; April's rent booked in advance does not count yet; a credit.
    {
      contractId: '100003',
      monthlyRentCents: RENT,
      lines: [
        rent('2026-03-01'),
        payment('2026-03-11', 60_000),
        rent('2026-04-01', '2026-03-05'),
        { type: 'credit', dueDate: null, bookingDate: '2026-03-10', amountCents: 9_500 },
      ],
    },
    // Exactly the minimum: not late.
    { contractId: '100004', monthlyRentCents: RENT, lines: [rent('2026-03-01'), payment('2026-03-02', RENT - 500)] },
    // No ledger lines at all.
    { contractId: '100005', monthlyRentCents: 65_000, lines: [] },
  ];

  it('gives every tenancy its month, as the reference does', async () => {
    await seed(examples);
    const rows = await arrearsForMonth(database.db, 2026, 3, DEFAULT_ARREARS_RULES);
    expect(rows).toEqual(expected(examples, 2026, 3, DEFAULT_ARREARS_RULES));
    expect(
      rows.map((r) => [r.contractId, r.balanceCents, r.previousBalanceCents, r.late, r.lateBefore, r.grew, r.monthsInArrears]),
    ).toEqual([
      ['100001', 0, 0, false, false, false, 0],
      ['100002', 2 * RENT, RENT, true, true, true, 2],
      ['100003', 500, 0, false, false, true, 0],
      ['100004', 500, 0, false, false, true, 0],
      ['100005', 0, 0, false, false, false, 0],
    ]);
    expect(rows[0]).toMatchObject({ detectionDay: '2026-03-11', previousDetectionDay: '2026-02-11' });
  });

  it('P1.a a later detection workday sees a later payment', async () => {
    await seed([{ contractId: '100001', monthlyRentCents: RENT, lines: [rent('2026-03-01'), payment('2026-03-12')] }]);
    const [eighth] = await arrearsForMonth(database.db, 2026, 3, DEFAULT_ARREARS_RULES);
    const [ninth] = await arrearsForMonth(database.db, 2026, 3, { ...DEFAULT_ARREARS_RULES, detectionWorkday: 9 });
    expect(eighth).toMatchObject({ detectionDay: '2026-03-11', late: true });
    expect(ninth).toMatchObject({ detectionDay: '2026-03-12', late: false });
  });

  it('balancesOn gives B(d) for every tenancy', async () => {
    await seed(examples);
    const balances = await balancesOn(database.db, '2026-03-11');
    expect([...balances]).toEqual([
      ['100001', 0],
      ['100002', 2 * RENT],
      ['100003', 500],
      ['100004', 500],
      ['100005', 0],
    ]);
    expect((await balancesOn(database.db, '2026-04-01')).get('100003')).toBe(RENT + 500);
  });

  it('contractIds restricts both to those tenancies; unknown ids are absent', async () => {
    await seed(examples);
    const rows = await arrearsForMonth(database.db, 2026, 3, DEFAULT_ARREARS_RULES, { contractIds: ['100002', '100005', 'nope'] });
    expect(rows.map((r) => [r.contractId, r.balanceCents])).toEqual([
      ['100002', 2 * RENT],
      ['100005', 0],
    ]);
    expect([...(await balancesOn(database.db, '2026-03-11', { contractIds: ['100003'] }))]).toEqual([['100003', 500]]);
    expect(await arrearsForMonth(database.db, 2026, 3, DEFAULT_ARREARS_RULES, { contractIds: [] })).toEqual([]);
    expect((await balancesOn(database.db, '2026-03-11', { contractIds: [] })).size).toBe(0);
  });

  it('lateOrOpenCaseOnly leaves out the tenancies that are neither late(M) nor have an open case', async () => {
    await seed(examples);
    // 100001 is not late but has an open case; 100005 (no lines) too; 100004 had a case, closed.
    await openCase('100001');
    await openCase('100005');
    await openCase('100004', 'closed');
    const rows = await arrearsForMonth(database.db, 2026, 3, DEFAULT_ARREARS_RULES, { lateOrOpenCaseOnly: true });
    const all = expected(examples, 2026, 3, DEFAULT_ARREARS_RULES);
    expect(rows).toEqual(all.filter((r) => ['100001', '100002', '100005'].includes(r.contractId)));
    const subset = await arrearsForMonth(database.db, 2026, 3, DEFAULT_ARREARS_RULES, {
      lateOrOpenCaseOnly: true,
      contractIds: ['100002', '100003', '100005'],
    });
    expect(subset.map((r) => r.contractId)).toEqual(['100002', '100005']);
  });

  it('contract ids with quotes and commas travel intact', async () => {
    const odd = ["a'b", 'c,d', '{e}', 'f"g'];
    await seed(odd.map((contractId) => ({ contractId, monthlyRentCents: RENT, lines: [rent('2026-03-01')] })));
    const balances = await balancesOn(database.db, '2026-03-11', { contractIds: odd });
    expect(new Map([...balances].sort())).toEqual(new Map(odd.map((id) => [id, RENT] as const).sort()));
  });

  it('January looks back to December across the year boundary', async () => {
    await seed([{ contractId: '100001', monthlyRentCents: RENT, lines: [rent('2025-12-01'), rent('2026-01-01'), payment('2026-01-13')] }]);
    const [row] = await arrearsForMonth(database.db, 2026, 1, DEFAULT_ARREARS_RULES);
    expect(row).toMatchObject({
      detectionDay: '2026-01-13',
      previousDetectionDay: '2025-12-10',
      previousBalanceCents: RENT,
      balanceCents: RENT,
      grew: false,
    });
  });

  it('sums stay exact far beyond int4', async () => {
    // 3 000 lines of € 21 474 836,47 (the int4 maximum) add up to about 6.4e12 cents.
    const big = 2_147_483_647;
    const lines = Array.from({ length: 3_000 }, (_, i) => ({
      type: 'costs' as const,
      dueDate: '2026-01-01',
      bookingDate: '2026-01-01',
      amountCents: big + (i % 2) - 1,
    }));
    await seed([{ contractId: '100001', monthlyRentCents: RENT, lines }]);
    const [row] = await arrearsForMonth(database.db, 2026, 3, DEFAULT_ARREARS_RULES);
    expect(row!.balanceCents).toBe(balanceOn(lines, '2026-03-11'));
    expect(typeof row!.balanceCents).toBe('number');
    expect(row!.balanceCents).toBeGreaterThan(2 ** 32);
  });

  it('refuses a date that is not YYYY-MM-DD', async () => {
    await expect(balancesOn(database.db, '11-03-2026')).rejects.toThrow(RangeError);
  });

  it('works inside a transaction', async () => {
    await seed(examples);
    const rows = await database.db.transaction((tx) => arrearsForMonth(tx, 2026, 3, DEFAULT_ARREARS_RULES));
    expect(rows).toHaveLength(examples.length);
  });
});

// ---------------------------------------------------------------------------
// Property: the SQL gives what the reference gives, for random ledgers.

const YEARS = [2026, 2027];
const MONTHS = YEARS.flatMap((year) => Array.from({ length: 12 }, (_, i) => ({ year, month: i + 1 })));

/** Dates where an off-by-one would show: detection days and their neighbours, month ends, holidays, weekends. */
const EDGE_DATES: string[] = (() => {
  const dates = new Set<string>();
  for (const { year, month } of [{ year: 2025, month: 12 }, ...MONTHS, { year: 2028, month: 1 }]) {
    const first = firstOfMonth(year, month);
    for (const d of [first, addDays(first, 1), addDays(first, -1), addDays(first, 5), addDays(first, 6)]) dates.add(d);
    for (const n of [1, 7, 8, 9, 10]) {
      const d = detectionDay(year, month, { ...DEFAULT_ARREARS_RULES, detectionWorkday: n });
      for (const near of [addDays(d, -1), d, addDays(d, 1)]) dates.add(near);
    }
  }
  for (const year of YEARS) for (const h of dutchPublicHolidays(year, { goodFriday: true, liberationDay: true })) dates.add(h.date);
  return [...dates].sort();
})();

const SPAN_START = '2025-11-01';
const SPAN_DAYS = 820; // to early 2028

const dateArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_DATES) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: SPAN_DAYS }).map((n) => addDays(SPAN_START, n)) },
);

const amountArb = fc.oneof(
  fc.integer({ min: 1, max: 1_000 }), // around the minimum
  fc.integer({ min: 1, max: 150_000 }),
);

const lineArb: fc.Arbitrary<LedgerLine> = fc.oneof(
  fc.record({ type: fc.constantFrom('rent' as const, 'costs' as const), dueDate: dateArb, bookingDate: dateArb, amountCents: amountArb }),
  // Payments sometimes carry a due date; it must be ignored.
  fc.record({
    type: fc.constantFrom('payment' as const, 'credit' as const),
    dueDate: fc.option(dateArb),
    bookingDate: dateArb,
    amountCents: amountArb,
  }),
);

const tenanciesArb: fc.Arbitrary<Tenancy[]> = fc
  .uniqueArray(fc.integer({ min: 100_000, max: 999_999 }), { minLength: 1, maxLength: 6 })
  .chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc.record({
          contractId: fc.constant(String(id)),
          monthlyRentCents: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 150_000 })),
          lines: fc.array(lineArb, { maxLength: 25 }),
        }),
      ),
    ),
  );

const rulesArb: fc.Arbitrary<ArrearsRules> = fc.record({
  detectionWorkday: fc.integer({ min: 1, max: 15 }),
  minimumArrearsCents: fc.oneof(fc.constant(500), fc.integer({ min: 0, max: 2_000 })),
  holidays: fc.record({ goodFriday: fc.boolean(), liberationDay: fc.boolean() }),
});

describe('arrearsForMonth and balancesOn (property)', () => {
  it('equal the pure reference for random ledgers, months, rules and dates', async () => {
    await fc.assert(
      fc.asyncProperty(
        tenanciesArb,
        rulesArb,
        fc.array(fc.constantFrom(...MONTHS), { minLength: 1, maxLength: 4 }),
        fc.array(dateArb, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        async (list, rules, months, dates, subsetSeed) => {
          await database.reset();
          await seed(list);
          for (const { year, month } of months) {
            const actual = await arrearsForMonth(database.db, year, month, rules);
            expect(byContract(actual)).toEqual(expected(list, year, month, rules));
          }
          const subset = list.filter((_, i) => ((subsetSeed >> i) & 1) === 1);
          const { year, month } = months[0]!;
          const subsetRows = await arrearsForMonth(database.db, year, month, rules, { contractIds: subset.map((t) => t.contractId) });
          expect(byContract(subsetRows)).toEqual(expected(subset, year, month, rules));
          // The subset gets open cases: the detection run's filter keeps exactly late(M) or a case.
          for (const t of subset) await openCase(t.contractId);
          const withCase = new Set(subset.map((t) => t.contractId));
          for (const { year, month } of months) {
            const kept = await arrearsForMonth(database.db, year, month, rules, { lateOrOpenCaseOnly: true });
            expect(byContract(kept)).toEqual(expected(list, year, month, rules).filter((r) => r.late || withCase.has(r.contractId)));
          }
          for (const date of dates) {
            const actual = await balancesOn(database.db, date);
            expect(new Map([...actual].sort())).toEqual(new Map(list.map((t) => [t.contractId, balanceOn(t.lines, date)] as const).sort()));
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('the seeded rows are what the reference sees', async () => {
    // Guards the property against a seed() that silently drops or reshapes lines.
    const list: Tenancy[] = [
      { contractId: '100001', monthlyRentCents: RENT, lines: [rent('2026-03-01', '2026-02-20'), payment('2026-03-02', 123)] },
    ];
    await seed(list);
    const rows = await queryRows(database.db, sql`select type, due_date, booking_date, amount_cents from ledger_entries order by entry_id`);
    expect(rows).toEqual([
      { type: 'rent', due_date: '2026-03-01', booking_date: '2026-02-20', amount_cents: RENT },
      { type: 'payment', due_date: null, booking_date: '2026-03-02', amount_cents: 123 },
    ]);
  });
});
