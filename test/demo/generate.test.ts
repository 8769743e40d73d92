import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultPortfolioOptions,
  generateLedger,
  generateTenancy,
  LEDGER_COLUMNS,
  PROFILE_SHARES,
  PROFILES,
  TENANCY_COLUMNS,
  tenanciesForLedgerLines,
  writeLedgerOnly,
  writePortfolio,
  type PortfolioOptions,
  type PortfolioStats,
  type Profile,
} from '../../src/demo/generate.js';

type Row = Record<string, string>;

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'huurwacht-generate-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let dirCount = 0;
function freshDir(): string {
  return join(root, `run-${dirCount++}`);
}

function parseCsv(text: string, delimiter: string): Row[] {
  return parse(text, { columns: true, delimiter, bom: true, skip_empty_lines: true }) as Row[];
}

function cents(amount: string): number {
  const m = /^(\d+)(?:[.,](\d{1,2}))?$/.exec(amount);
  if (!m) throw new Error(`not an amount: ${amount}`);
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

function isoFromNl(date: string): string {
  const [d, m, y] = date.split('-');
  return `${y}-${m}-${d}`;
}

const base = (overrides: Partial<PortfolioOptions> = {}): PortfolioOptions =>
  defaultPortfolioOptions('2026-06', { tenancies: 300, ...overrides });

describe('determinism', () => {
  it('writes identical bytes for the same seed and different ones for another seed', async () => {
    const [a, b, c] = [freshDir(), freshDir(), freshDir()];
    await writePortfolio(a, base({ seed: 7 }));
    await writePortfolio(b, base({ seed: 7 }));
    await writePortfolio(c, base({ seed: 8 }));
    for (const file of ['tenancies.csv', 'ledger.csv']) {
      const [x, y, z] = await Promise.all([a, b, c].map((d) => readFile(join(d, file))));
      expect(x!.equals(y!)).toBe(true);
      expect(x!.equals(z!)).toBe(false);
    }
  });

  it('keeps the first tenancies the same whatever the portfolio size', async () => {
    const [small, large] = [freshDir(), freshDir()];
    await writePortfolio(small, base({ tenancies: 120 }));
    await writePortfolio(large, base({ tenancies: 300 }));
    for (const file of ['tenancies.csv', 'ledger.csv']) {
      const s = await readFile(join(small, file), 'utf8');
      const l = await readFile(join(large, file), 'utf8');
      expect(l.startsWith(s)).toBe(true);
    }
  });
});

describe('dialects', () => {
  it("'nl' writes a BOM, ';', CRLF, decimal commas and DD-MM-YYYY dates", async () => {
    const dir = freshDir();
    await writePortfolio(dir, base({ dialect: 'nl' }));
    const raw = await readFile(join(dir, 'ledger.csv'));
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = raw.toString('utf8');
    expect(text.slice(1, text.indexOf('\r\n'))).toBe(LEDGER_COLUMNS.join(';'));
    expect(text.replaceAll('\r\n', '')).not.toContain('\n');

    const ledger = parseCsv(text, ';');
    expect(ledger.every((r) => /^\d{2}-\d{2}-\d{4}$/.test(r.booking_date!))).toBe(true);
    expect(ledger.every((r) => /^\d+(,\d{1,2})?$/.test(r.amount!))).toBe(true);
    expect(ledger.some((r) => r.amount!.includes(','))).toBe(true);

    const tenText = await readFile(join(dir, 'tenancies.csv'), 'utf8');
    expect(tenText.charCodeAt(0)).toBe(0xfeff);
    expect(tenText.slice(1, tenText.indexOf('\r\n'))).toBe(TENANCY_COLUMNS.join(';'));
    const tenancies = parseCsv(tenText, ';');
    expect(tenancies.every((r) => /^\d{2}-\d{2}-\d{4}$/.test(r.start_date!))).toBe(true);
    expect(tenancies.every((r) => /^\d+(,\d{1,2})?$/.test(r.monthly_rent!))).toBe(true);
  });

  it("'iso' writes no BOM, ',', LF, '.' with two decimals and YYYY-MM-DD dates", async () => {
    const dir = freshDir();
    await writePortfolio(dir, base({ dialect: 'iso' }));
    const text = await readFile(join(dir, 'ledger.csv'), 'utf8');
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    expect(text).not.toContain('\r');
    expect(text.slice(0, text.indexOf('\n'))).toBe(LEDGER_COLUMNS.join(','));

    const ledger = parseCsv(text, ',');
    expect(ledger.every((r) => /^\d{4}-\d{2}-\d{2}$/.test(r.booking_date!))).toBe(true);
    expect(ledger.every((r) => /^\d+\.\d{2}$/.test(r.amount!))).toBe(true);

    const tenText = await readFile(join(dir, 'tenancies.csv'), 'utf8');
    expect(tenText.slice(0, tenText.indexOf('\n'))).toBe(TENANCY_COLUMNS.join(','));
    const tenancies = parseCsv(tenText, ',');
    expect(tenancies.every((r) => /^\d{4}-\d{2}-\d{2}$/.test(r.start_date!))).toBe(true);
  });

  it('writes the same data in both dialects', async () => {
    const [nl, iso] = [freshDir(), freshDir()];
    await writePortfolio(nl, base({ dialect: 'nl' }));
    await writePortfolio(iso, base({ dialect: 'iso' }));
    const a = parseCsv(await readFile(join(nl, 'ledger.csv'), 'utf8'), ';');
    const b = parseCsv(await readFile(join(iso, 'ledger.csv'), 'utf8'), ',');
    expect(a.map((r) => [r.entry_id, isoFromNl(r.booking_date!), cents(r.amount!), r.description])).toEqual(
      b.map((r) => [r.entry_id, r.booking_date, cents(r.amount!), r.description]),
    );
  });
});

describe('a portfolio of 2 000 tenancies', () => {
  const opts = defaultPortfolioOptions('2026-06', { tenancies: 2000, months: 12, dialect: 'nl', seed: 3 });
  let stats: PortfolioStats;
  let tenancies: Row[];
  let ledger: Row[];
  let ledgerText: string;
  const byContract = new Map<string, Row[]>();

  beforeAll(async () => {
    const dir = freshDir();
    stats = await writePortfolio(dir, opts);
    tenancies = parseCsv(await readFile(join(dir, 'tenancies.csv'), 'utf8'), ';');
    ledgerText = await readFile(join(dir, 'ledger.csv'), 'utf8');
    ledger = parseCsv(ledgerText, ';');
    for (const row of ledger) {
      const list = byContract.get(row.contract_id!) ?? [];
      list.push(row);
      byContract.set(row.contract_id!, list);
    }
  });

  it('counts what it wrote', () => {
    expect(tenancies).toHaveLength(2000);
    expect(stats.tenancies).toBe(2000);
    expect(ledger).toHaveLength(stats.ledgerLines);
    expect(stats.ledgerLines / 2000 / 12).toBeGreaterThan(1.8);
  });

  it('deals the profiles in the stated shares', () => {
    const total = PROFILES.reduce((n, p) => n + stats.byProfile[p], 0);
    expect(total).toBe(2000);
    for (const p of PROFILES) {
      expect(Math.abs(stats.byProfile[p] / 2000 - PROFILE_SHARES[p] / 100)).toBeLessThan(0.01);
    }
  });

  it('has unique contract ids from 100000 and unique entry ids, all contracts known', () => {
    const ids = tenancies.map((t) => t.contract_id!);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toBe('100000');
    const known = new Set(ids);
    expect(ledger.every((r) => known.has(r.contract_id!))).toBe(true);
    const entryIds = ledger.map((r) => r.entry_id!);
    expect(new Set(entryIds).size).toBe(entryIds.length);
    expect(ledger.every((r) => /^(R-\d+-\d{6}|[PCK]-\d+-\d{6}-\d+)$/.test(r.entry_id!))).toBe(true);
  });

  it('writes plausible tenancies', () => {
    const teams = new Set(opts.teams.map((t) => t.key));
    expect(tenancies.every((t) => teams.has(t.team!))).toBe(true);
    for (const key of teams) {
      expect(tenancies.filter((t) => t.team === key).length).toBe(2000 / teams.size);
    }
    expect(tenancies.every((t) => /^[1-9]\d{3} [A-Z]{2}$/.test(t.postcode!))).toBe(true);
    expect(tenancies.some((t) => /S[ADS]$/.test(t.postcode!))).toBe(false);
    const rents = tenancies.map((t) => cents(t.monthly_rent!));
    expect(Math.min(...rents)).toBeGreaterThanOrEqual(45_000);
    expect(Math.max(...rents)).toBeLessThanOrEqual(110_000);
    const share = (pred: (t: Row) => boolean) => tenancies.filter(pred).length / tenancies.length;
    expect(share((t) => t.tenant_names!.includes(' & '))).toBeGreaterThan(0.25);
    expect(share((t) => t.tenant_names!.includes(' & '))).toBeLessThan(0.35);
    expect(tenancies.every((t) => t.tenant_names!.split(' & ').every((n) => /^(\p{Lu}\.)+ \S/u.test(n)))).toBe(true);
    expect(share((t) => /[^\x00-\x7f]/.test(t.tenant_names!))).toBeGreaterThan(0.02);
    expect(share((t) => /^\S+( \S+)* \d+/.test(t.address!))).toBe(1);
    expect(share((t) => /\d+(-I+|[a-c])$/.test(t.address!))).toBeGreaterThan(0.02);
    expect(share((t) => /^06-\d{8}$/.test(t.phone!))).toBeGreaterThan(0.7);
    expect(share((t) => /^[a-z0-9.]+@example\.(nl|com|org|net)$/.test(t.email!))).toBeGreaterThan(0.6);
    expect(share((t) => t.earlier_verdict_date !== '')).toBeGreaterThan(0.002);
    expect(share((t) => t.earlier_verdict_date !== '')).toBeLessThan(0.03);
    const inSpan = share((t) => isoFromNl(t.start_date!) >= '2025-07-01');
    expect(inSpan).toBeGreaterThan(0.03);
    expect(inSpan).toBeLessThan(0.15);
  });

  it('gives every profile its payment behaviour', () => {
    const spanEnd = '2026-06-30';
    const seen = new Set<Profile>();
    for (const t of tenancies) {
      const tenancy = generateTenancy(opts, Number(t.contract_id) - 100000);
      const rows = byContract.get(t.contract_id!) ?? [];
      const booked = rows.map((r) => ({
        type: r.type!,
        due_date: r.due_date!,
        booking_date: r.booking_date!,
        description: r.description!,
        booking: isoFromNl(r.booking_date!),
        cents: cents(r.amount!),
      }));
      let balance = 0;
      for (const r of booked) balance += r.type === 'rent' || r.type === 'costs' ? r.cents : -r.cents;
      const rents = booked.filter((r) => r.type === 'rent');
      const payments = booked.filter((r) => r.type === 'payment');
      expect(booked.every((r) => r.booking <= spanEnd)).toBe(true);
      expect(rents.every((r) => r.due_date === r.booking_date && r.booking_date.startsWith('01-'))).toBe(true);
      expect((t.end_date !== '') === (tenancy.profile === 'ended')).toBe(true);
      seen.add(tenancy.profile);
      switch (tenancy.profile) {
        case 'punctual':
          expect(balance).toBe(0);
          for (const p of payments.filter((r) => !/factuur/i.test(r.description))) {
            const day = Number(p.booking.slice(8));
            expect(day <= 8 || day >= 25).toBe(true);
          }
          break;
        case 'late':
          expect(balance).toBe(0);
          expect(payments.some((r) => Number(r.booking.slice(8)) > 12)).toBe(true);
          break;
        case 'partial':
          expect(balance).toBeGreaterThan(0);
          break;
        case 'stopped': {
          expect(balance).toBeGreaterThanOrEqual(2 * 45_000 * 0.9);
          const lastTwoMonths = payments.filter((r) => r.booking >= '2026-05-01');
          expect(lastTwoMonths).toEqual([]);
          break;
        }
        case 'ended': {
          expect(balance).toBe(0);
          const end = isoFromNl(t.end_date!);
          expect(rents.every((r) => r.booking <= end)).toBe(true);
          const last = booked[booked.length - 1]!;
          expect(['credit', 'payment']).toContain(last.type);
          expect(last.booking > end).toBe(true);
          break;
        }
      }
    }
    expect(seen.size).toBe(PROFILES.length);
    expect(ledger.filter((r) => r.type === 'costs').length).toBeGreaterThan(20);
  });

  it('quotes descriptions with the delimiter or quotes, and they round-trip', () => {
    const tricky = ledger.filter((r) => /[;"]/.test(r.description!));
    expect(tricky.filter((r) => r.description!.includes(';')).length).toBeGreaterThan(10);
    expect(tricky.filter((r) => r.description!.includes('"')).length).toBeGreaterThan(10);
    expect(ledgerText).toMatch(/;"[^"\r\n]*""[^\r\n]*;\d/);
    for (const row of tricky.slice(0, 200)) {
      const index = Number(row.contract_id) - 100000;
      const expected = generateLedger(opts, index).find((e) => e.entryId === row.entry_id);
      expect(row.description).toBe(expected?.description);
    }
  });
});

describe('writeLedgerOnly', () => {
  const opts = defaultPortfolioOptions('2026-12', { months: 24, dialect: 'iso', seed: 5 });

  it('writes exactly the requested lines, a prefix of the portfolio ledger', async () => {
    const lines = 5_003;
    const tenancies = tenanciesForLedgerLines(lines, opts);
    const dir = freshDir();
    const stats = await writePortfolio(dir, { ...opts, tenancies });
    expect(stats.ledgerLines).toBeGreaterThanOrEqual(lines);
    const file = join(dir, 'bench-ledger.csv');
    expect(await writeLedgerOnly(file, { ...opts, tenancies, lines })).toBe(lines);
    const text = await readFile(file, 'utf8');
    expect(text.split('\n').filter((l) => l !== '')).toHaveLength(lines + 1);
    const full = await readFile(join(dir, 'ledger.csv'), 'utf8');
    expect(full.startsWith(text)).toBe(true);
    const known = new Set(parseCsv(await readFile(join(dir, 'tenancies.csv'), 'utf8'), ',').map((r) => r.contract_id));
    expect(parseCsv(text, ',').every((r) => known.has(r.contract_id))).toBe(true);
  });

  it('writes a header only for zero lines', async () => {
    const file = join(root, 'empty-ledger.csv');
    expect(await writeLedgerOnly(file, { ...opts, tenancies: 10, lines: 0 })).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(`${LEDGER_COLUMNS.join(',')}\n`);
  });

  it('refuses when the tenancies cannot cover the lines, leaving no file', async () => {
    const file = join(root, 'short-ledger.csv');
    await expect(writeLedgerOnly(file, { ...opts, tenancies: 3, lines: 10_000 })).rejects.toThrow(/tenanciesForLedgerLines/);
    await expect(stat(file)).rejects.toThrow();
  });
});

describe('options', () => {
  it('rejects invalid options with every problem named', async () => {
    const bad = { ...base(), months: 0, endMonth: '2026-13', teams: [] };
    await expect(writePortfolio(freshDir(), bad)).rejects.toThrow(/months.*teams.*endMonth/);
  });
});
