import { sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import { createOutcomeService } from '../cases/outcome-service.js';
import { balancesOn } from '../db/arrears.js';
import { queryRows, type Database } from '../db/client.js';
import { monthlyInstallments } from '../domain/arrangement.js';
import { addDays, addMonths, firstOfMonth, workingDaysBetween, type IsoDate } from '../domain/calendar.js';
import type { OpenStage } from '../domain/case-state.js';

/**
 * The demo plays the teams and the MT, so a newcomer sees the whole procedure and not only cases
 * piling up in `contact`. Each case's behaviour follows from its contract number, so the demo is
 * the same every time: some tenants agree to an arrangement, some never answer, and so on.
 */
export function simulateTeams(database: Database, config: Config): (day: IsoDate) => Promise<void> {
  const service = createOutcomeService({ database, config });
  const teamMember = new Map(config.teams.map((t) => [t.key, t.members]));
  const mt = config.mt?.members ?? [];
  const since = (from: IsoDate, day: IsoDate) => workingDaysBetween(from, day, config.holidays);

  return async (day) => {
    const open = await queryRows<{
      contract_id: string;
      case_id: number;
      stage: OpenStage;
      stage_since: string;
      team_key: string;
      [k: string]: unknown;
    }>(
      database.db,
      sql`select c.contract_id, c.id as case_id, c.stage, c.stage_since::text as stage_since, t.team_key
          from cases c join tenancies t on t.contract_id = c.contract_id
          where c.closed_on is null and c.stage in ('contact', 'visit', 'escalation', 'mt_vote', 'eviction_procedure')
          order by c.contract_id`,
    );
    if (open.length === 0) return;
    const balances = await balancesOn(database.db, day, { contractIds: open.map((o) => o.contract_id) });
    for (const c of open) {
      const [first, second] = teamMember.get(c.team_key) ?? [];
      if (!first) continue;
      const behaviour = Number(c.contract_id) % 10;
      const age = since(c.stage_since, day);
      const key = (action: string) => `demo:${action}:${c.case_id}:${day}`;
      const options = (action: string) => ({ key: key(action), date: day });

      if (c.stage === 'contact' && age === 2) {
        const arrears = balances.get(c.contract_id) ?? 0;
        if (arrears <= config.minimumArrears) continue; // paid meanwhile: the run closes it
        if (behaviour < 4) {
          const [y, m] = day.split('-').map(Number) as [number, number];
          await service.recordConversation(
            first,
            c.contract_id,
            {
              cause: 'Inkomensterugval na verlies van werk',
              referralConsent: true,
              consequencesExplained: true,
              obligations: { noNewArrears: true, registerWithAid: true, reportRegistration: true, paymentArrangement: true },
              commitments: { passDetailsOn: true, noCollection: true, noInterest: true, acceptArrangement: true },
              arrangement: { installments: monthlyInstallments(arrears, 4, addMonths(firstOfMonth(y, m), 1)) },
            },
            options('conversation'),
          );
        } else if (behaviour < 7) {
          await service.recordNoResponse(first, c.contract_id, options('no-response'));
        }
      } else if (c.stage === 'visit' && age === 2 && second) {
        await service.recordHomeVisit(first, c.contract_id, { outcome: 'nobody_home', employees: [first, second] }, options('visit'));
      } else if (c.stage === 'escalation' && age === 3) {
        await service.recordMassDiscussion(
          first,
          c.contract_id,
          { childrenInHome: behaviour % 2 === 0, referralGrounds: false, nuisance: false, structuralProblems: true, earlierVerdict: false },
          options('mass'),
        );
        await service.handToBailiff(first, c.contract_id, options('bailiff'));
      } else if (c.stage === 'mt_vote' && age === 1) {
        for (const member of mt.slice(0, 2))
          await service.castBallot(member, c.contract_id, { ballot: 'for' }, options(`ballot-${member}`));
      } else if (c.stage === 'eviction_procedure' && age === 5) {
        await service.registerVerdict(
          first,
          c.contract_id,
          { verdictOn: day, evictionOn: addDays(day, 35), amountCents: (balances.get(c.contract_id) ?? 0) + 45000 },
          options('verdict'),
        );
      }
    }
  };
}
