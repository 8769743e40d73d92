import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays, addMonths } from '../../src/domain/calendar.js';
import {
  NO_SIGNAL,
  isReportable,
  markNoReaction,
  markReported,
  monthsSinceReport,
  offer,
  recordAgreement,
  recordObjection,
  reportPreconditions,
  summonsWindow,
  summonsWindowStatus,
  type SignalResult,
  type SignalState,
} from '../../src/domain/signal.js';

function ok(result: SignalResult): SignalState {
  if (!result.ok) throw new Error(`expected a transition, got ${result.error.code}: ${result.error.message}`);
  return result.state;
}

const OFFERED = ok(offer(NO_SIGNAL, '2026-01-13'));
const TERM_ENDS = '2026-01-28';

describe('early signalling transitions (Wet gemeentelijke schuldhulpverlening, Besluit art. 2)', () => {
  it('P2.a.2 the 14-day letter makes the offer', () => {
    expect(OFFERED).toEqual({ state: 'offered', offeredOn: '2026-01-13', answeredOn: null, reportedOn: null });
    expect(NO_SIGNAL.state).toBe('none');
  });

  it('P2.a.2 the offer is made once', () => {
    const again = offer(OFFERED, '2026-02-10');
    expect(again.ok).toBe(false);
    if (!again.ok) {
      expect(again.error.code).toBe('invalid_transition');
      expect(again.error.message).toBe('Kan het aanbod niet vastleggen: de vroegsignalering staat op "aangeboden".');
    }
  });

  it('P2.a.2 an objection means no report, ever', () => {
    const objected = ok(recordObjection(OFFERED, '2026-01-20'));
    expect(objected).toEqual({ state: 'objected', offeredOn: '2026-01-13', answeredOn: '2026-01-20', reportedOn: null });
    expect(isReportable(objected)).toBe(false);
    const report = markReported(objected, '2026-02-01');
    expect(report.ok).toBe(false);
    if (!report.ok) expect(report.error.message).toBe('Kan de melding niet vastleggen: de vroegsignalering staat op "bezwaar gemaakt".');
  });

  it('P2.a.2 agreement makes the tenant reportable, and the report is recorded with its date', () => {
    const agreed = ok(recordAgreement(OFFERED, '2026-01-15'));
    expect(isReportable(agreed)).toBe(true);
    expect(ok(markReported(agreed, '2026-01-20'))).toEqual({
      state: 'reported',
      offeredOn: '2026-01-13',
      answeredOn: '2026-01-15',
      reportedOn: '2026-01-20',
    });
  });

  it('P2.a.2 no reaction can be marked only after the letter’s term ended', () => {
    const early = markNoReaction(OFFERED, TERM_ENDS, TERM_ENDS);
    expect(early.ok).toBe(false);
    if (!early.ok) {
      expect(early.error.code).toBe('term_not_ended');
      expect(early.error.message).toBe('De huurder kan nog reageren tot en met 28-01-2026; "geen reactie" kan pas daarna.');
    }
    const none = ok(markNoReaction(OFFERED, addDays(TERM_ENDS, 1), TERM_ENDS));
    expect(none).toEqual({ state: 'no_reaction', offeredOn: '2026-01-13', answeredOn: null, reportedOn: null });
    expect(isReportable(none)).toBe(true);
    expect(ok(markReported(none, '2026-02-02')).reportedOn).toBe('2026-02-02');
  });

  it('P2.a.2 no reaction only follows an open offer', () => {
    expect(markNoReaction(NO_SIGNAL, '2026-02-01', TERM_ENDS).ok).toBe(false);
    expect(markNoReaction(ok(recordAgreement(OFFERED, '2026-01-15')), '2026-02-01', TERM_ENDS).ok).toBe(false);
  });

  it('P2.a.2 the tenant’s last word before the report counts (AVG art. 7 lid 3)', () => {
    const agreed = ok(recordAgreement(OFFERED, '2026-01-15'));
    const withdrawn = ok(recordObjection(agreed, '2026-01-18'));
    expect(withdrawn.state).toBe('objected');
    expect(isReportable(withdrawn)).toBe(false);
    const none = ok(markNoReaction(OFFERED, '2026-01-29', TERM_ENDS));
    expect(ok(recordObjection(none, '2026-01-30')).state).toBe('objected');
    expect(ok(recordAgreement(withdrawn, '2026-01-25')).state).toBe('agreed');
  });

  it('P2.a.2 nothing changes after the report', () => {
    const reported = ok(markReported(ok(recordAgreement(OFFERED, '2026-01-15')), '2026-01-20'));
    expect(recordObjection(reported, '2026-01-21').ok).toBe(false);
    expect(recordAgreement(reported, '2026-01-21').ok).toBe(false);
    expect(markReported(reported, '2026-01-21').ok).toBe(false);
    expect(isReportable(reported)).toBe(false);
  });

  it('P2.a.2 no answer or report before the offer', () => {
    expect(recordObjection(NO_SIGNAL, '2026-01-20').ok).toBe(false);
    expect(recordAgreement(NO_SIGNAL, '2026-01-20').ok).toBe(false);
    expect(markReported(NO_SIGNAL, '2026-01-20').ok).toBe(false);
    const backdated = recordAgreement(OFFERED, '2026-01-12');
    expect(backdated.ok).toBe(false);
    if (!backdated.ok) {
      expect(backdated.error.code).toBe('date_out_of_order');
      expect(backdated.error.message).toBe('De datum 12-01-2026 ligt vóór het aanbod van 13-01-2026.');
    }
  });

  it('P2.a.2 a report is not dated before the tenant’s answer', () => {
    const agreed = ok(recordAgreement(OFFERED, '2026-01-15'));
    const result = markReported(agreed, '2026-01-14');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('date_out_of_order');
  });

  it('P2.a.2 transitions never modify the state they are given', () => {
    const frozen = Object.freeze({ ...OFFERED });
    ok(recordAgreement(frozen, '2026-01-15'));
    expect(frozen).toEqual(OFFERED);
  });
});

describe('reportPreconditions (Besluit gemeentelijke schuldhulpverlening art. 2)', () => {
  const all = { contactTriedOn: '2026-02-12', debtHelpPointedOn: '2026-02-12', reminderSentOn: '2026-01-13', offeredOn: '2026-01-13' };

  it('P2.a.2 nothing is missing when (a) to (d) happened', () => {
    expect(reportPreconditions(all)).toEqual([]);
  });

  it('P2.a.2 lists everything missing, in the order (a) to (d), with Dutch labels', () => {
    expect(reportPreconditions({ contactTriedOn: null, debtHelpPointedOn: null, reminderSentOn: null, offeredOn: null })).toEqual([
      { key: 'contact_tried', label: 'Persoonlijk contact met de huurder geprobeerd' },
      { key: 'debt_help_pointed', label: 'Huurder gewezen op schuldhulpverlening' },
      { key: 'reminder_sent', label: 'Ten minste één schriftelijke betalingsherinnering verstuurd' },
      { key: 'offer_in_reminder', label: 'In die herinnering aangeboden de contactgegevens door te geven aan de gemeente' },
    ]);
  });

  it('P2.a.2 (a) personal contact must have been tried', () => {
    expect(reportPreconditions({ ...all, contactTriedOn: null }).map((m) => m.key)).toEqual(['contact_tried']);
  });

  it('P2.a.2 (b) the tenant must have been pointed to debt assistance', () => {
    expect(reportPreconditions({ ...all, debtHelpPointedOn: null }).map((m) => m.key)).toEqual(['debt_help_pointed']);
  });

  it('P2.a.2 (c) and (d): an offer without a written reminder does not count', () => {
    expect(reportPreconditions({ ...all, reminderSentOn: null }).map((m) => m.key)).toEqual(['reminder_sent', 'offer_in_reminder']);
  });

  it('P2.a.2 (d) the offer must be made in that reminder, not separately', () => {
    expect(reportPreconditions({ ...all, offeredOn: null }).map((m) => m.key)).toEqual(['offer_in_reminder']);
    expect(reportPreconditions({ ...all, offeredOn: '2026-02-12' }).map((m) => m.key)).toEqual(['offer_in_reminder']);
  });
});

describe('summons window after the report', () => {
  it('P2.a.2 the summons may come from 2 to 6 months after the report', () => {
    expect(summonsWindow('2026-01-20')).toEqual({ earliest: '2026-03-20', latest: '2026-07-20' });
  });

  it('P2.a.2 months clamp at the end of a short month', () => {
    expect(summonsWindow('2026-08-31')).toEqual({ earliest: '2026-10-31', latest: '2027-02-28' });
    expect(summonsWindow('2025-12-31')).toEqual({ earliest: '2026-02-28', latest: '2026-06-30' });
  });

  it('P2.a.2 status: not reported, too early, ok (both ends included), too late', () => {
    expect(summonsWindowStatus(null, '2026-05-01')).toBe('not_reported');
    expect(summonsWindowStatus('2026-01-20', '2026-01-20')).toBe('too_early');
    expect(summonsWindowStatus('2026-01-20', '2026-03-19')).toBe('too_early');
    expect(summonsWindowStatus('2026-01-20', '2026-03-20')).toBe('ok');
    expect(summonsWindowStatus('2026-01-20', '2026-07-20')).toBe('ok');
    expect(summonsWindowStatus('2026-01-20', '2026-07-21')).toBe('too_late');
  });

  it('P2.a.2 monthsSinceReport counts whole calendar months', () => {
    expect(monthsSinceReport('2026-01-20', '2026-01-20')).toBe(0);
    expect(monthsSinceReport('2026-01-20', '2026-02-19')).toBe(0);
    expect(monthsSinceReport('2026-01-20', '2026-02-20')).toBe(1);
    expect(monthsSinceReport('2026-01-20', '2026-03-31')).toBe(2);
    expect(monthsSinceReport('2026-01-31', '2026-02-28')).toBe(1);
    expect(monthsSinceReport('2026-01-31', '2027-01-30')).toBe(11);
    expect(monthsSinceReport('2026-01-31', '2027-01-31')).toBe(12);
    expect(() => monthsSinceReport('2026-01-20', '2026-01-19')).toThrow(RangeError);
  });

  it('P2.a.2 monthsSinceReport agrees with the window: ok exactly from 2 up to 6 whole months (and the last day of the 6th)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 400 }), (start, gap) => {
        const reportedOn = addDays('2024-01-01', start);
        const onDate = addDays(reportedOn, gap);
        const months = monthsSinceReport(reportedOn, onDate);
        expect(addMonths(reportedOn, months) <= onDate).toBe(true);
        expect(addMonths(reportedOn, months + 1) > onDate).toBe(true);
        const status = summonsWindowStatus(reportedOn, onDate);
        expect(status === 'too_early').toBe(months < 2);
        if (months > 6) expect(status).toBe('too_late');
      }),
    );
  });
});
