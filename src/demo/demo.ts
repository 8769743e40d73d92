import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { stringify as stringifyYaml } from 'yaml';
import { parseConfig, type Config } from '../config.js';
import { openDatabase, queryRows, type Executor } from '../db/client.js';
import { arrearsForMonth } from '../db/arrears.js';
import { syncTeams } from '../db/teams.js';
import { detectionDay, type ArrearsRules } from '../domain/arrears.js';
import { addDays, addMonths, firstOfMonth, formatDutchDate, formatDutchLongDate, todayInAmsterdam } from '../domain/calendar.js';
import { writeDemoLetters } from './demo-letters.js';
import { runProcedureSpan } from './demo-run.js';
import { simulateTeams } from './team-simulation.js';
import { formatEuro, formatMonthsNl } from '../domain/money.js';
import { formatPostcode } from '../dossier/dossier.js';
import { importLedger } from '../ledger/import-ledger.js';
import { importTenancies } from '../ledger/import-tenancies.js';
import { DEFAULT_TEAMS, defaultPortfolioOptions, writePortfolio } from './generate.js';

export interface DemoOptions {
  tenancies: number;
  months: number;
  seed: number;
  endMonth?: string;
  /** Keep CSVs and the embedded database here; otherwise everything is thrown away. */
  keep?: string;
  /** Run the procedure day by day over the last N months of the ledger (0: skip). */
  procedureMonths?: number;
  /** Write the letters the procedure made to this directory (false: don't). */
  letters?: string | false;
  out: (text: string) => void;
}

/** The demo's own configuration: three neighbourhood teams with made-up Slack ids. */
function demoConfigInput() {
  const channels = ['C0DEMONOORD', 'C0DEMOOOST1', 'C0DEMOZUID1'];
  return {
    teams: DEFAULT_TEAMS.slice(0, 3).map((team, i) => ({ ...team, channel: channels[i], members: [`U0DEMO00${i}A`, `U0DEMO00${i}B`] })),
    mt: { channel: 'C0DEMOMT001', members: ['U0DEMOMT01', 'U0DEMOMT02', 'U0DEMOMT03'], quorum: 2 },
    letters: {
      sender: { name: 'Woonstichting Voorbeeld', address: 'Postbus 1, 1000 AA Ergens', phone: '020-1234567', email: 'huur@voorbeeld.nl' },
      debtHelp: { name: 'Traverse', phone: '020-7654321', url: 'https://traverse.example' },
    },
  };
}

export function demoConfig(): Config {
  return parseConfig(demoConfigInput(), 'demo');
}

export function arrearsRules(config: Config): ArrearsRules {
  return { detectionWorkday: config.detectionWorkday, minimumArrearsCents: config.minimumArrears, holidays: config.holidays };
}

/**
 * Generates a portfolio, imports it through the same code as `huurwacht import`, and prints
 * what a collector wants to know first: arrears per team and the largest debtors.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const { out } = options;
  const config = demoConfig();
  const today = todayInAmsterdam();
  const endMonth = options.endMonth ?? today.slice(0, 7);
  const workDir = options.keep ? resolve(options.keep) : mkdtempSync(join(tmpdir(), 'huurwacht-demo-'));
  mkdirSync(workDir, { recursive: true });
  const teams = config.teams.map((t) => ({ key: t.key, name: t.name }));

  try {
    const started = Date.now();
    const stats = await writePortfolio(
      workDir,
      defaultPortfolioOptions(endMonth, { tenancies: options.tenancies, months: options.months, seed: options.seed, teams }),
    );
    out(
      `Huurwacht demo · portefeuille van ${stats.tenancies} huurovereenkomsten, ${stats.ledgerLines} boekingen over ${options.months} maanden (t/m ${endMonth})`,
    );

    const database = await openDatabase({ dataDir: options.keep ? join(workDir, 'data') : 'memory' });
    try {
      await syncTeams(database.db, config);
      const tenancyImport = await importTenancies(database, join(workDir, 'tenancies.csv'), config, { today });
      const ledgerImport = await importLedger(database, join(workDir, 'ledger.csv'));
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      out(
        `Geïmporteerd: ${tenancyImport.inserted} huurovereenkomsten en ${ledgerImport.inserted} boekingen in ${seconds} s (${database.kind}).`,
      );
      await printSummary(database.db, config, endMonth, out);
      const months = options.procedureMonths ?? 3;
      if (months > 0) {
        const [year, month] = endMonth.split('-').map(Number) as [number, number];
        const from = addMonths(firstOfMonth(year, month), -(Math.min(months, options.months) - 1));
        const to = addDays(addMonths(firstOfMonth(year, month), 1), -1);
        out('');
        out(
          `De procedure, werkdag voor werkdag van ${formatDutchDate(from)} tot en met ${formatDutchDate(to)}: wat Huurwacht in Slack zou posten`,
        );
        const span = await runProcedureSpan(database, config, { from, to }, out, simulateTeams(database, config));
        out('');
        const cases = Object.entries(span.cases)
          .map(([state, n]) => `${state} ${n}`)
          .join(' · ');
        out(
          `${span.days} werkdagen · ${span.transitions} overgangen door de dagelijkse run · ${span.teamActions} acties van teams en MT · ${span.messages} Slack-berichten in de outbox`,
        );
        out(`Zaken nu: ${cases}`);
        if (options.letters !== false) {
          const dir = resolve(options.letters ?? (options.keep ? join(workDir, 'brieven') : 'huurwacht-demo-brieven'));
          const written = await writeDemoLetters(database, config, dir);
          out(`Brieven: ${written.letters} brieven in ${written.files} PDF-bestanden in ${dir} (${written.seconds.toFixed(1)} s)`);
          for (const r of written.refused) out(`  niet gemaakt: ${r.contractId} ${formatDutchDate(r.letterDate)}: ${r.reason}`);
        }
      }
    } finally {
      await database.close();
    }
    if (options.keep) {
      writeFileSync(join(workDir, 'huurwacht.yml'), stringifyYaml(demoConfigInput()));
      out('');
      out(`De CSV-bestanden, de configuratie en de database staan in ${workDir}. Bekijk een dossier met:`);
      out(`  npx huurwacht --config ${join(workDir, 'huurwacht.yml')} --data ${join(workDir, 'data')} dossier <contract>`);
    }
  } finally {
    if (!options.keep) rmSync(workDir, { recursive: true, force: true });
  }
}

async function printSummary(db: Executor, config: Config, endMonth: string, out: (text: string) => void): Promise<void> {
  const [year, month] = endMonth.split('-').map(Number) as [number, number];
  const rules = arrearsRules(config);
  const asOf = detectionDay(year, month, rules);
  const arrears = await arrearsForMonth(db, year, month, rules);
  const tenancies = await queryRows<{
    contract_id: string;
    team_key: string;
    end_date: string | null;
    address: string;
    postcode: string;
    city: string;
    tenants: string;
  }>(
    db,
    sql`select t.contract_id, t.team_key, t.end_date::text as end_date, t.address, t.postcode, t.city,
               coalesce((select string_agg(n.name, ' & ' order by n.position) from tenants n where n.contract_id = t.contract_id), '') as tenants
        from tenancies t`,
  );
  const byContract = new Map(tenancies.map((t) => [t.contract_id, t]));

  out('');
  out(`Stand op de ${config.detectionWorkday}e werkdag van de maand: ${formatDutchLongDate(asOf)} (P1.a)`);
  out('');
  const header = `${'Team'.padEnd(16)}${'Contracten'.padStart(11)}${'Achterstand'.padStart(13)}${'2+ maanden'.padStart(12)}${'Gegroeid'.padStart(10)}${'Totaal'.padStart(16)}`;
  out(header);
  out('-'.repeat(header.length));
  let all = { count: 0, late: 0, twice: 0, grew: 0, total: 0 };
  for (const team of config.teams) {
    const rows = arrears.filter((a) => byContract.get(a.contractId)?.team_key === team.key);
    const late = rows.filter((a) => a.late);
    const line = {
      count: rows.length,
      late: late.length,
      twice: late.filter((a) => a.lateBefore).length,
      grew: late.filter((a) => a.grew).length,
      total: late.reduce((sum, a) => sum + a.balanceCents, 0),
    };
    all = {
      count: all.count + line.count,
      late: all.late + line.late,
      twice: all.twice + line.twice,
      grew: all.grew + line.grew,
      total: all.total + line.total,
    };
    out(
      `${team.name.padEnd(16)}${String(line.count).padStart(11)}${String(line.late).padStart(13)}${String(line.twice).padStart(12)}${String(line.grew).padStart(10)}${formatEuro(line.total).padStart(16)}`,
    );
  }
  out('-'.repeat(header.length));
  out(
    `${'Totaal'.padEnd(16)}${String(all.count).padStart(11)}${String(all.late).padStart(13)}${String(all.twice).padStart(12)}${String(all.grew).padStart(10)}${formatEuro(all.total).padStart(16)}`,
  );
  out('');
  out('Achterstand: saldo boven het minimum op de peildatum. 2+ maanden: ook de vorige maand in achterstand (P2).');
  out('Gegroeid: hoger saldo dan op de peildatum van de vorige maand (P2, P3).');

  const largest = arrears
    .filter((a) => a.late)
    .sort((a, b) => b.balanceCents - a.balanceCents)
    .slice(0, 10);
  if (largest.length > 0) {
    out('');
    out('Grootste achterstanden:');
    for (const a of largest) {
      const t = byContract.get(a.contractId)!;
      const ended = t.end_date && t.end_date <= asOf ? ` · huur beëindigd ${formatDutchDate(t.end_date)}` : '';
      out(
        `  ${a.contractId}  ${formatEuro(a.balanceCents).padStart(11)}  ${formatMonthsNl(a.monthsInArrears).padEnd(12)} ${t.tenants} · ${t.address}, ${formatPostcode(t.postcode)} ${t.city}${ended}`,
      );
    }
  }
}
