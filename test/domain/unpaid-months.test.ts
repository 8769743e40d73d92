import { describe, expect, it } from 'vitest';
import { unpaidByMonth } from '../../src/domain/unpaid-months.js';

describe('unpaid charges per month (P1: the 14-day letter states the principal per month)', () => {
  const charges = [
    { month: '2026-10', cents: 70_000 },
    { month: '2026-11', cents: 70_000 },
    { month: '2026-12', cents: 72_500 },
  ];

  it('P1 payments settle the oldest month first', () => {
    expect(unpaidByMonth(charges, 100_000)).toEqual([
      { month: '2026-11', cents: 40_000 },
      { month: '2026-12', cents: 72_500 },
    ]);
  });

  it('P1 months paid in full are left out; nothing paid leaves every month', () => {
    expect(unpaidByMonth(charges, 212_500)).toEqual([]);
    expect(unpaidByMonth(charges, 0)).toEqual(charges);
    expect(unpaidByMonth(charges, 300_000)).toEqual([]);
  });

  it('P1 the unpaid months add up to the balance when it is positive', () => {
    for (const paid of [0, 1, 69_999, 70_000, 140_001, 212_499]) {
      const total = unpaidByMonth(charges, paid).reduce((s, m) => s + m.cents, 0);
      expect(total).toBe(212_500 - paid);
    }
  });
});
