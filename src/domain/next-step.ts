import { addWorkingDays, formatDutchDate, type HolidayOptions, type IsoDate } from './calendar.js';
import type { CaseState, OpenStage } from './case-state.js';

export interface NextStep {
  /** Dutch, imperative: what the team does next. */
  text: string;
  /** The day it should be done by; null when the team waits for someone else. */
  dueOn: IsoDate | null;
}

// The team gets a working week for a task it starts itself (calling, visiting, discussing).
const TASK_WORKDAYS = 5;

/** What the team is asked to do in a stage, and by when (DESIGN.md, the stage table). */
export function nextStep(stage: OpenStage, state: CaseState, since: IsoDate, holidays: HolidayOptions): NextStep {
  const inAWeek = () => addWorkingDays(since, TASK_WORKDAYS, holidays);
  if (state.hold) {
    return { text: `Gepauzeerd (${holdLabel(state.hold.reason)}) tot ${formatDutchDate(state.hold.until)}`, dueOn: state.hold.until };
  }
  switch (stage) {
    case 'reminder':
      return {
        text: `Verstuur de 14-dagenbrief met de folder van Traverse; de termijn loopt tot ${formatDutchDate(state.letter?.termEndsOn ?? since)}`,
        dueOn: state.letter?.sentOn ?? since,
      };
    case 'contact':
      // After the conversation the team waits: the next detection day checks the arrears (P3).
      return state.conversationOn
        ? { text: 'Bevestig de afspraken schriftelijk (P2.a.4) en bewaak ze tot de volgende peildag', dueOn: null }
        : { text: 'Bel de huurder of nodig uit voor een gesprek', dueOn: inAWeek() };
    case 'visit':
      if (state.visit?.cardTermEndsOn) {
        return {
          text: `Wacht op reactie op de kaart; zonder reactie gaat het dossier naar de deurwaarder`,
          dueOn: state.visit.cardTermEndsOn,
        };
      }
      return { text: 'Leg met twee medewerkers een huisbezoek af', dueOn: inAWeek() };
    case 'arrangement': {
      // The run checks the installments on every detection day; nothing is due from the team.
      const next = state.arrangement?.installments.find((i) => i.dueOn >= since);
      return next
        ? { text: `De betalingsregeling loopt; volgende termijn ${formatDutchDate(next.dueOn)}`, dueOn: null }
        : { text: 'De betalingsregeling loopt; alle termijnen zijn vervallen', dueOn: null };
    }
    case 'escalation':
      return {
        text: 'Bespreek de zaak in het team (MaSS, omstandigheden) en draag het dossier over aan de deurwaarder',
        dueOn: inAWeek(),
      };
    case 'bailiff':
      return { text: 'De deurwaarder geeft de huurder een laatste kans om te betalen', dueOn: state.bailiff?.termEndsOn ?? null };
    case 'mt_vote':
      return { text: 'Het MT stemt over de ontruimingsprocedure', dueOn: state.vote?.closesOn ?? null };
    case 'eviction_procedure':
      return { text: 'Registreer het vonnis zodra de kantonrechter uitspraak doet', dueOn: null };
    case 'verdict':
      return state.verdict?.first
        ? {
            text: `Volledige betaling (incl. kosten) uiterlijk ${formatDutchDate(state.verdict.payBy)} stelt de ontruiming uit`,
            dueOn: state.verdict.payBy,
          }
        : state.mtDecision?.outcome === 'approved'
          ? { text: `Het MT besloot tot ontruiming (P4.b): ontruiming op ${formatDutchDate(state.verdict!.evictionOn)}`, dueOn: null }
          : { text: 'Eerder vonnis: het MT besluit over de ontruiming', dueOn: state.verdict?.evictionOn ?? null };
  }
}

export function holdLabel(reason: NonNullable<CaseState['hold']>['reason']): string {
  return { moratorium: 'moratorium', wsnp: 'Wsnp-schuldsanering', debt_help: 'schuldhulpverlening' }[reason];
}
