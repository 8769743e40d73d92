import { z } from 'zod';
import { parseDutchOrIsoDate } from '../domain/calendar.js';
import { parseEuroAmount } from '../domain/money.js';

/** Field parsers for the ERP's CSV exports; every message says what was expected, in Dutch. */

const shown = (value: unknown) => `gevonden "${String(value).slice(0, 60)}"`;

export const requiredText = (max: number) => z.string().min(1, 'mag niet leeg zijn').max(max, `hoogstens ${max} tekens`);

/** Empty cells are absent values, not empty strings. */
export const optionalText = (max: number) =>
  z
    .string()
    .max(max, `hoogstens ${max} tekens`)
    .optional()
    .transform((v) => (v ? v : null));

export const amountCents = z.string().transform((value, ctx) => {
  const cents = parseEuroAmount(value);
  if (cents === null || cents <= 0) {
    ctx.addIssue({
      code: 'custom',
      message: `verwacht een positief bedrag in euro's met hoogstens 2 decimalen en zonder duizendtalscheiding (712,35 of 712.35), ${shown(value)}`,
    });
    return z.NEVER;
  }
  if (cents > 2_000_000_000) {
    ctx.addIssue({ code: 'custom', message: `bedrag is onwaarschijnlijk groot, ${shown(value)}` });
    return z.NEVER;
  }
  return cents;
});

function parseDate(value: string, ctx: z.RefinementCtx): string {
  const date = parseDutchOrIsoDate(value);
  if (date === null) {
    ctx.addIssue({ code: 'custom', message: `verwacht een datum JJJJ-MM-DD of DD-MM-JJJJ, ${shown(value)}` });
    return z.NEVER;
  }
  return date;
}

export const requiredDate = z.string().min(1, 'verwacht een datum, het veld is leeg').transform(parseDate);

export const optionalDate = z
  .string()
  .optional()
  .transform((value, ctx) => (value ? parseDate(value, ctx) : null));

/** `1234 AB` or `1234AB`, stored as `1234AB`. Letter pairs SA, SD and SS are not issued. */
export const postcode = z.string().transform((value, ctx) => {
  const match = /^([1-9]\d{3})\s?([A-Za-z]{2})$/.exec(value);
  const letters = match?.[2]?.toUpperCase();
  if (!match || !letters || ['SA', 'SD', 'SS'].includes(letters)) {
    ctx.addIssue({ code: 'custom', message: `verwacht een Nederlandse postcode zoals 1234 AB, ${shown(value)}` });
    return z.NEVER;
  }
  return `${match[1]}${letters}`;
});

/**
 * Options for a cross-field rule that should run even when other columns of the line failed,
 * as long as the columns it reads parsed: one run reports every problem of a line.
 */
export function whenColumnsValid(...columns: string[]) {
  return {
    when: (payload: { issues: readonly { path?: readonly PropertyKey[] }[] }) =>
      !payload.issues.some((issue) => columns.includes(String(issue.path?.[0]))),
  };
}

/** Presents zod issues as (column, message) pairs; the path's first part is the column name. */
export function issuesByColumn(error: z.ZodError): { column: string | null; message: string }[] {
  return error.issues.map((issue) => {
    const column = typeof issue.path[0] === 'string' ? issue.path[0] : null;
    let message = issue.message;
    if (issue.code === 'invalid_type' && issue.input === undefined) message = 'ontbreekt';
    return { column, message };
  });
}
