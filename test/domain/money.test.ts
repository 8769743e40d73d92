import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatEuro, formatMonthsNl, monthsInArrears, parseEuroAmount } from '../../src/domain/money.js';

describe('formatEuro', () => {
  it.each([
    [123456, '€ 1.234,56'],
    [123456789, '€ 1.234.567,89'],
    [5, '€ 0,05'],
    [0, '€ 0,00'],
    [71235, '€ 712,35'],
    [71250, '€ 712,50'],
    [100000, '€ 1.000,00'],
    [99999, '€ 999,99'],
    [-1200, '-€ 12,00'],
    [-123456, '-€ 1.234,56'],
    [-5, '-€ 0,05'],
    [Number.MAX_SAFE_INTEGER, '€ 90.071.992.547.409,91'],
  ])('%i cents -> %s', (cents, expected) => {
    expect(formatEuro(cents)).toBe(expected);
  });

  it('uses a plain space after the euro sign', () => {
    expect(formatEuro(100).charCodeAt(1)).toBe(0x20);
  });

  it('does not print negative zero', () => {
    expect(formatEuro(-0)).toBe('€ 0,00');
  });

  it('rejects fractional or unsafe cents', () => {
    expect(() => formatEuro(1.5)).toThrow(RangeError);
    expect(() => formatEuro(Number.NaN)).toThrow(RangeError);
    expect(() => formatEuro(Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
  });
});

describe('parseEuroAmount', () => {
  it.each([
    ['712.35', 71235],
    ['712,35', 71235],
    ['712', 71200],
    ['712,5', 71250],
    ['712.5', 71250],
    ['0,05', 5],
    ['0', 0],
    ['1234,56', 123456],
    ['0.10', 10],
    ['1.01', 101], // 1.01 * 100 is 100.99999999999999 in floating point
    ['4.35', 435], // 4.35 * 100 is 434.99999999999994 in floating point
    ['  712,35\n', 71235],
  ])('%j -> %i cents', (text, expected) => {
    expect(parseEuroAmount(text)).toBe(expected);
  });

  it.each([
    '1.234,56',
    '1,234.56',
    '1.234.567',
    '712,356',
    '1.234', // ambiguous: thousands separator or three decimals
    '-712',
    '+712',
    '',
    '   ',
    '712 ,35',
    '7 12',
    '€ 712',
    '€712',
    '712,',
    ',35',
    '.5',
    '712,3a',
    '1e3',
    'NaN',
    '99999999999999999999',
  ])('rejects %j', (text) => {
    expect(parseEuroAmount(text)).toBeNull();
  });

  it('round-trips every two-decimal amount exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), (cents) => {
        const text = `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')}`;
        expect(parseEuroAmount(text)).toBe(cents);
        expect(parseEuroAmount(text.replace(',', '.'))).toBe(cents);
      }),
    );
  });
});

describe('monthsInArrears', () => {
  it.each([
    [142470, 71235, 2],
    [71235, 71235, 1],
    [35618, 71235, 0.5], // 0.50001 months
    [106853, 71235, 1.5], // 1.500007 months
    [106852, 71235, 1.5], // 1.49999 months rounds to 1.5 at one decimal
    [10000, 80000, 0.1], // 0.125 -> half up
    [5000, 80000, 0.1], // 0.0625
    [3000, 80000, 0], // 0.0375
    [125, 1000, 0.1], // 0.125
    [150, 1000, 0.2], // exactly 0.15 rounds half up
  ])('%i cents against rent %i is %f months', (balance, rent, expected) => {
    expect(monthsInArrears(balance, rent)).toBe(expected);
  });

  it('is 0 without arrears or without a positive rent', () => {
    expect(monthsInArrears(0, 71235)).toBe(0);
    expect(monthsInArrears(-5000, 71235)).toBe(0);
    expect(monthsInArrears(71235, 0)).toBe(0);
    expect(monthsInArrears(71235, -100)).toBe(0);
  });
});

describe('formatMonthsNl', () => {
  it.each([
    [2, '2,0 maanden'],
    [1, '1,0 maand'],
    [0.5, '0,5 maanden'],
    [1.5, '1,5 maanden'],
    [0, '0,0 maanden'],
    [12.3, '12,3 maanden'],
    [0.96, '1,0 maand'],
    [2.04, '2,0 maanden'],
  ])('%f -> %s', (months, expected) => {
    expect(formatMonthsNl(months)).toBe(expected);
  });

  it('formats monthsInArrears output', () => {
    expect(formatMonthsNl(monthsInArrears(142470, 71235))).toBe('2,0 maanden');
  });

  it('rejects non-finite input', () => {
    expect(() => formatMonthsNl(Number.NaN)).toThrow(RangeError);
    expect(() => formatMonthsNl(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
