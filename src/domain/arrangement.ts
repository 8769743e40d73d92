import { addMonths, formatDutchDate, parseIsoDate, type IsoDate } from './calendar.js';
import { formatEuro, type Cents } from './money.js';

/**
 * The payment arrangement (betalingsregeling) of P2.b.4 / P2.c.4: the tenant pays the arrears off in
 * installments, the corporation accepts at most 6 months.
 */

/** P2.c.4: "een betalingsregeling van maximaal 6 maanden". */
export const MAX_ARRANGEMENT_MONTHS = 6;

export interface Installment {
  dueOn: IsoDate;
  amountCents: Cents;
}

export interface ArrangementInput {
  arrearsCents: Cents;
  installments: readonly Installment[];
  agreedOn: IsoDate;
}

export interface ArrangementRules {
  maxMonths: number;
}

export const DEFAULT_ARRANGEMENT_RULES: Readonly<ArrangementRules> = Object.freeze({ maxMonths: MAX_ARRANGEMENT_MONTHS });

/**
 * `field` names the input the message belongs to, so a modal can put it under the right block:
 * `arrearsCents`, `agreedOn`, `installments` (the list as a whole), `installments.N.dueOn` or
 * `installments.N.amountCents` (N 0-based; the message counts from 1, as people do).
 */
export interface ArrangementError {
  field: string;
  message: string;
}

export type ArrangementValidation = { ok: true } | { ok: false; errors: ArrangementError[] };

/**
 * `months` equal monthly installments that add up to exactly `arrearsCents`. The remainder cents go
 * into the first installment, so the tenant is never asked for a cent more later on than at the start.
 * Every due date is computed from `firstDueOn` rather than from the previous one, so a schedule that
 * starts on the 31st returns to the 31st after February instead of sticking at the 28th.
 */
export function monthlyInstallments(arrearsCents: Cents, months: number, firstDueOn: IsoDate): Installment[] {
  if (!Number.isSafeInteger(arrearsCents) || arrearsCents <= 0) {
    throw new RangeError(`monthlyInstallments: arrears must be a positive whole number of cents, got ${arrearsCents}`);
  }
  if (!Number.isInteger(months) || months < 1) throw new RangeError(`monthlyInstallments: months must be an integer >= 1, got ${months}`);
  if (arrearsCents < months) {
    throw new RangeError(`monthlyInstallments: ${arrearsCents} cents cannot be split into ${months} installments of at least 1 cent`);
  }
  const base = Math.floor(arrearsCents / months);
  const remainder = arrearsCents - base * months;
  return Array.from({ length: months }, (_, i) => ({
    dueOn: addMonths(firstDueOn, i),
    amountCents: i === 0 ? base + remainder : base,
  }));
}

function monthsWord(n: number): string {
  return n === 1 ? '1 maand' : `${n} maanden`;
}

/**
 * Checks an arrangement before it is recorded. All problems are reported at once, so a team member
 * fixes the modal in one go. The rules:
 * - P2.b.4: it must clear the debt, so the installments add up to at least the arrears;
 * - P2.c.4: it runs at most `maxMonths` months, read as both at most `maxMonths` installments and the
 *   last due date no later than `maxMonths` calendar months after the day it was agreed;
 * - every installment is a positive amount, due on or after the agreement, in strictly increasing order.
 */
export function validateArrangement(
  input: ArrangementInput,
  rules: Readonly<ArrangementRules> = DEFAULT_ARRANGEMENT_RULES,
): ArrangementValidation {
  const { maxMonths } = rules;
  if (!Number.isInteger(maxMonths) || maxMonths < 1)
    throw new RangeError(`validateArrangement: maxMonths must be an integer >= 1, got ${maxMonths}`);

  const errors: ArrangementError[] = [];
  const agreedOn = parseIsoDate(input.agreedOn);
  if (agreedOn === null) errors.push({ field: 'agreedOn', message: 'De datum van de afspraak is geen geldige datum.' });

  if (!Number.isSafeInteger(input.arrearsCents) || input.arrearsCents <= 0) {
    errors.push({ field: 'arrearsCents', message: 'Er is geen achterstand om een regeling voor af te spreken.' });
  }

  const { installments } = input;
  if (installments.length === 0) {
    errors.push({ field: 'installments', message: 'Voeg ten minste één termijn toe.' });
    return { ok: false, errors };
  }
  if (installments.length > maxMonths) {
    errors.push({
      field: 'installments',
      message: `Een regeling duurt hoogstens ${monthsWord(maxMonths)}: maximaal ${maxMonths} termijnen, dit zijn er ${installments.length}.`,
    });
  }

  let total = 0;
  let previousDue: IsoDate | null = null;
  installments.forEach((installment, i) => {
    const n = i + 1;
    if (!Number.isSafeInteger(installment.amountCents) || installment.amountCents <= 0) {
      errors.push({ field: `installments.${i}.amountCents`, message: `Termijn ${n}: het bedrag moet hoger zijn dan € 0,00.` });
    } else {
      total += installment.amountCents;
    }

    const dueOn = parseIsoDate(installment.dueOn);
    if (dueOn === null) {
      errors.push({ field: `installments.${i}.dueOn`, message: `Termijn ${n}: de vervaldatum is geen geldige datum.` });
      // An unreadable date says nothing about the order of the next one.
      previousDue = null;
      return;
    }
    if (i === 0 && agreedOn !== null && dueOn < agreedOn) {
      errors.push({
        field: `installments.${i}.dueOn`,
        message: `Termijn 1 (${formatDutchDate(dueOn)}) valt vóór de datum van de afspraak (${formatDutchDate(agreedOn)}).`,
      });
    }
    if (previousDue !== null && dueOn <= previousDue) {
      errors.push({
        field: `installments.${i}.dueOn`,
        message: `Termijn ${n} (${formatDutchDate(dueOn)}) moet na termijn ${i} (${formatDutchDate(previousDue)}) vallen.`,
      });
    }
    previousDue = dueOn;
  });

  const last = installments[installments.length - 1];
  const lastDue = last === undefined ? null : parseIsoDate(last.dueOn);
  if (agreedOn !== null && lastDue !== null) {
    const latest = addMonths(agreedOn, maxMonths);
    if (lastDue > latest) {
      errors.push({
        field: `installments.${installments.length - 1}.dueOn`,
        message: `De laatste termijn (${formatDutchDate(lastDue)}) valt meer dan ${monthsWord(maxMonths)} na de afspraak; uiterlijk ${formatDutchDate(latest)}.`,
      });
    }
  }

  // Only meaningful when every amount is usable; otherwise the amount errors above say what to fix.
  const amountsValid = installments.every((x) => Number.isSafeInteger(x.amountCents) && x.amountCents > 0);
  if (amountsValid && Number.isSafeInteger(input.arrearsCents) && input.arrearsCents > 0 && total < input.arrearsCents) {
    errors.push({
      field: 'installments',
      message: `De termijnen samen (${formatEuro(total)}) lossen de achterstand van ${formatEuro(input.arrearsCents)} niet af: er ontbreekt ${formatEuro(input.arrearsCents - total)}.`,
    });
  }

  return errors.length === 0 ? { ok: true } : { ok: false, errors };
}

/** What should still be owed of the arrears on `onDate` if every installment due by then was paid. */
export function expectedBalanceCents(input: ArrangementInput, onDate: IsoDate): Cents {
  let paid = 0;
  for (const installment of input.installments) {
    // ISO dates compare as strings; an installment due today counts as due.
    if (installment.dueOn <= onDate) paid += installment.amountCents;
  }
  return Math.max(0, input.arrearsCents - paid);
}

export interface BrokenCheck {
  /** Its `arrearsCents` must be the balance B(agreedOn) that the arrangement pays off. */
  arrangement: ArrangementInput;
  /** The real balance B(onDate) from the ledger: rent charged since the agreement included. */
  balanceCents: Cents;
  /**
   * @deprecated Kept only so callers written against the first draft still compile; drop it. The
   * running rent is already in `balanceCents`, so any value but 0 would count it twice.
   */
  rentDueSinceAgreementCents?: 0;
  onDate: IsoDate;
  /** Slack for rounding and small differences, e.g. the configured minimum arrears. */
  toleranceCents: Cents;
}

/**
 * The arrangement is broken when the tenant did not pay both the installments due so far and the
 * running rent (P2.b.1: "let the arrears grow no further"; P3: escalation).
 *
 * Since the agreement, B has gone up by the rent charged and down by what the tenant paid. A tenant
 * who pays the rent and every installment due therefore has B(onDate) equal to the schedule's
 * expected balance, and any unpaid rent or missed installment shows as B above it. The running rent
 * must not be added to the threshold: that would let a tenant who pays only the installments build
 * new arrears without breaking the arrangement.
 *
 * Call it on a detection day D(M): payments take a few working days to arrive (P1.a), so a rent or
 * installment due on the 1st is only fairly checked from then.
 */
export function isArrangementBroken(check: BrokenCheck): boolean {
  const { arrangement, balanceCents, onDate, toleranceCents } = check;
  return balanceCents > expectedBalanceCents(arrangement, onDate) + toleranceCents;
}
