import type { Server } from 'node:http';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { App } from '@slack/bolt';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { DataDirLockedError } from './db/dir-lock.js';
import { recordAudit } from './db/audit.js';
import { syncTeams } from './db/teams.js';
import { formatDutchDate, parseIsoDate, todayInAmsterdam } from './domain/calendar.js';
import { findTenancies, loadDossier } from './dossier/dossier.js';
import { formatDossierText, formatMatchList } from './dossier/dossier-text.js';
import { ImportFailedError } from './ledger/import-errors.js';
import { importLedger, type ImportResult } from './ledger/import-ledger.js';
import { importTenancies } from './ledger/import-tenancies.js';
import { runDemo } from './demo/demo.js';
import { createDailyJob, startScheduler, type Scheduler } from './daily/scheduler.js';
import { jsonLogger, type Logger } from './log.js';
import { exportSignals } from './cases/signal-export.js';
import { DailyRunRefused, runDaily } from './daily/daily-run.js';
import { formatDailyReport } from './daily/daily-report-text.js';
import { createOutcomeService } from './cases/outcome-service.js';
import type { SlackEnv } from './slack/app.js';
import { letterFileName, LetterPrintingError, lettersOfTenancy, printLetters } from './cases/letter-printing.js';
import { LetterDataError } from './letters/letter-document.js';
import { isLetterKind, LETTER_KIND_NL, LETTER_KINDS, type LetterKind } from './letters/letter-kinds.js';
import { loadLetterTemplates, LetterTemplateError, type LetterTemplates } from './letters/templates.js';

interface GlobalOptions {
  config?: string;
  data?: string;
}

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
};

/** Errors a person can fix (bad file, bad config, database busy): shown plainly, without a stack. */
function isUserError(err: unknown): err is Error {
  return (
    err instanceof ConfigError ||
    err instanceof ImportFailedError ||
    err instanceof DataDirLockedError ||
    err instanceof UsageError ||
    err instanceof DailyRunRefused ||
    err instanceof LetterTemplateError ||
    err instanceof LetterPrintingError ||
    err instanceof LetterDataError
  );
}

class UsageError extends Error {}

function isoDateArg(value: string): string {
  const date = parseIsoDate(value);
  if (!date) throw new InvalidArgumentError('verwacht een datum JJJJ-MM-DD');
  return date;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('verwacht een positief geheel getal');
  return n;
}

function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** Resolves on the first SIGTERM or SIGINT; a second one ends the process at once (the PGlite lock is released on exit). */
function stopSignal(log: Logger): { signal: Promise<string>; dispose: () => void } {
  let stopping = false;
  let resolveSignal: (signal: string) => void = () => {};
  const signal = new Promise<string>((resolve) => {
    resolveSignal = resolve;
  });
  const onSignal = (name: NodeJS.Signals) => {
    if (stopping) {
      log.warn('second signal: stopping now, without waiting', { signal: name });
      process.exit(130);
    }
    stopping = true;
    resolveSignal(name);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    signal,
    dispose: () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}

/** How long a stop waits for Slack requests already being handled. */
const DRAIN_MS = 10_000;

/**
 * `huurwacht start`: the interactive Bolt app, the outbox worker on a client of its own (a bulk
 * send that Slack rate-limits pauses that client only, never a modal's 3-second window), and the
 * daily scheduler. On SIGTERM/SIGINT: stop accepting Slack requests, let those in progress and
 * the message in flight finish, stop the scheduler (a run in progress finishes); the caller then
 * closes the database, which releases the PGlite lock.
 */
function letterKindArg(value: string): LetterKind {
  if (!isLetterKind(value)) throw new InvalidArgumentError(`kies uit ${LETTER_KINDS.join(', ')}`);
  return value;
}

async function runService(database: Database, config: Config, env: SlackEnv, log: Logger, templates: LetterTemplates): Promise<void> {
  const stopped = stopSignal(log);
  try {
    await serve(database, config, env, log, stopped.signal, templates);
  } finally {
    stopped.dispose();
  }
}

async function serve(
  database: Database,
  config: Config,
  env: SlackEnv,
  log: Logger,
  stopped: Promise<string>,
  letterTemplates: LetterTemplates,
): Promise<void> {
  // Bolt takes a tenth of a second to load: only `start` pays for it, not every command.
  const [{ webApi }, { createSlackApp, trackInFlight }, { isMtMember }, { FEATURES }, { createOutboxClient, createOutboxWorker }] =
    await Promise.all([
      import('@slack/bolt'),
      import('./slack/app.js'),
      import('./slack/commands.js'),
      import('./slack/features.js'),
      import('./slack/outbox-worker.js'),
    ]);
  const clientOptions = env.apiUrl ? { slackApiUrl: env.apiUrl } : {};

  // Who the bot is, asked once with a few quick retries: a wrong token is a clear message at
  // start-up, not an unhandled rejection inside Bolt.
  let identity: { botUserId: string; botId: string };
  try {
    const auth = await new webApi.WebClient(env.botToken, { ...clientOptions, retryConfig: { retries: 2, factor: 1 } }).auth.test();
    identity = { botUserId: String(auth.user_id ?? ''), botId: String(auth.bot_id ?? '') };
  } catch (err) {
    throw new UsageError(
      `Slack weigert de verbinding met SLACK_BOT_TOKEN (${err instanceof Error ? err.message : String(err)}). ` +
        'Controleer het token (OAuth & Permissions, xoxb-...) en of de app in de workspace is geïnstalleerd.',
    );
  }

  let app: App | undefined;
  const outcomes = createOutcomeService({
    database,
    config,
    isMtMember: (userId) => (app ? isMtMember(config, app.client, userId, log) : false),
  });
  app = createSlackApp(env, { database, config, outcomes, log }, FEATURES, identity);
  const inFlight = trackInFlight(app);

  const worker = createOutboxWorker({
    database,
    config,
    client: createOutboxClient({ token: env.botToken, apiUrl: env.apiUrl }),
    log,
    letterTemplates,
  });
  let scheduler: Scheduler | undefined;
  let appStarted = false;
  try {
    if (env.appToken) {
      await app.start();
      appStarted = true;
      log.info('huurwacht started', { transport: 'socket-mode', database: database.kind, botUserId: identity.botUserId });
    } else {
      const server = (await app.start(env.port)) as Server;
      appStarted = true;
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : env.port;
      log.info('huurwacht started', {
        transport: 'http',
        port,
        path: '/slack/events',
        database: database.kind,
        botUserId: identity.botUserId,
      });
    }
    worker.start();
    const job = createDailyJob({ run: (date) => runDaily(database, config, { date }), log });
    scheduler = startScheduler(config, job, log);

    const signal = await stopped;
    log.info('stopping: no new Slack requests; finishing the requests, the message in flight and the run in progress', { signal });
  } finally {
    if (appStarted) await app.stop().catch((err: unknown) => log.warn('stopping the Slack app failed', { cause: String(err) }));
    if (!(await inFlight.drained(DRAIN_MS))) log.warn('Slack requests still running at stop', { inFlight: inFlight.count() });
    await worker.stop().catch((err: unknown) => log.error('stopping the outbox worker failed', { cause: String(err) }));
    await scheduler?.stop().catch((err: unknown) => log.error('stopping the scheduler failed', { cause: String(err) }));
    log.info('stopped');
  }
}

/** `outcome.exitCode` carries a non-error exit code (3: nothing found) out of an action. */
export function buildProgram(io: CliIo = defaultIo, outcome: { exitCode: number } = { exitCode: 0 }): Command {
  const program = new Command('huurwacht')
    .description('Huurwacht: runs the rent-arrears procedure of a housing corporation (P1 ... P4.b).')
    .option('--config <file>', 'configuration file (default: $HUURWACHT_CONFIG, else ./huurwacht.yml)')
    .option('--data <dir>', 'embedded database directory when DATABASE_URL is not set (default: $HUURWACHT_DATA, else ./data)')
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();

  const globals = (): GlobalOptions => program.opts<GlobalOptions>();

  async function withDatabase<T>(fn: (database: Database, config: Config) => Promise<T>): Promise<T> {
    const { config } = loadConfig({ file: globals().config, env: io.env });
    const database = await openDatabase({
      url: io.env.DATABASE_URL || undefined,
      // `||`: an empty HUURWACHT_DATA must not put a database cluster in the working directory.
      dataDir: globals().data || io.env.HUURWACHT_DATA || './data',
    });
    try {
      await syncTeams(database.db, config);
      return await fn(database, config);
    } finally {
      await database.close();
    }
  }

  program
    .command('migrate')
    .description('Apply pending database migrations (also done automatically by every command).')
    .action(async () => {
      await withDatabase(async (database) => {
        io.out(`Database is up to date (${database.kind}: ${database.location}).`);
      });
    });

  const importCommand = program.command('import').description('Import an ERP export (CSV, see DATA-FORMATS.md): whole or not at all.');
  const reportImport = (kind: string, result: ImportResult) => {
    const changed = result.inserted + result.updated;
    io.out(
      `${result.file}: ${result.rows} regels gelezen · ${result.inserted} nieuw` +
        (kind === 'tenancies' ? ` · ${result.updated} gewijzigd` : '') +
        ` · ${result.skipped} ongewijzigd${changed === 0 ? ' (niets gewijzigd)' : ''}`,
    );
  };
  importCommand
    .command('tenancies')
    .argument('<file>', 'tenancies.csv')
    .description('Import or update tenancies; changes to known tenancies are recorded in their dossier.')
    .action(async (file: string) => {
      await withDatabase(async (database, config) => reportImport('tenancies', await importTenancies(database, file, config)));
    });
  importCommand
    .command('ledger')
    .argument('<file>', 'ledger.csv')
    .description('Import rent ledger lines; lines already imported are skipped, a changed line is an error.')
    .action(async (file: string) => {
      await withDatabase(async (database) => reportImport('ledger', await importLedger(database, file)));
    });

  program
    .command('dossier')
    .argument('<query>', 'contract number, tenant name, or postcode + house number ("1234AB 12")')
    .description("A tenancy's dossier: tenants, balance, ledger, case and timeline (the look-up is audit-logged).")
    .option('--json', 'print the JSON of DATA-FORMATS.md')
    .option('--date <date>', 'balance as of this date (YYYY-MM-DD; default today in Amsterdam)', isoDateArg)
    .action(async (query: string, options: { json?: boolean; date?: string }) => {
      await withDatabase(async (database) => {
        const matches = await findTenancies(database.db, query);
        await recordAudit(database.db, {
          actor: cliActor(),
          action: 'dossier.lookup',
          subject: matches.length === 1 ? matches[0]!.contractId : null,
          detail: { query, matches: matches.length },
        });
        if (matches.length !== 1) {
          if (options.json) io.out(JSON.stringify({ query, matches }, null, 2));
          else io.out(formatMatchList(query, matches));
          if (matches.length === 0) outcome.exitCode = 3;
          return;
        }
        const dossier = await loadDossier(database.db, matches[0]!.contractId, options.date ?? todayInAmsterdam());
        if (!dossier) throw new UsageError(`Huurovereenkomst ${matches[0]!.contractId} is niet gevonden.`);
        io.out(options.json ? JSON.stringify(dossier, null, 2) : formatDossierText(dossier));
      });
    });

  const outboxCommand = program
    .command('outbox')
    .description(
      'Slack messages that failed for good (they hold back the later messages of their case), and putting them back in the queue.',
    );
  outboxCommand
    .command('failed')
    .description('List the failed messages with their last error.')
    .action(async () => {
      await withDatabase(async (database) => {
        const { listFailedOutbox } = await import('./slack/outbox-worker.js');
        const failed = await listFailedOutbox(database.db);
        io.out(
          failed.length === 0
            ? 'Geen mislukte Slack-berichten.'
            : [
                `${failed.length} mislukt${failed.length === 1 ? '' : 'e'} Slack-bericht${failed.length === 1 ? '' : 'en'} (de latere berichten van hun zaak wachten):`,
                ...failed.map((f) => `  ${f.key}  ${f.kind} naar ${f.channel}, ${f.attempts} pogingen: ${f.lastError ?? 'onbekende fout'}`),
              ].join('\n'),
        );
      });
    });
  outboxCommand
    .command('retry')
    .argument('[keys...]', 'the messages to retry (default: every failed message)')
    .description('Put failed messages back in the queue; one that may have reached Slack is looked for before it is sent again.')
    .action(async (keys: string[]) => {
      await withDatabase(async (database) => {
        const { retryFailedOutbox } = await import('./slack/outbox-worker.js');
        const n = await retryFailedOutbox(database.db, keys.length ? keys : undefined);
        await recordAudit(database.db, { actor: cliActor(), action: 'outbox.retry', subject: null, detail: { keys, requeued: n } });
        io.out(`${n} bericht${n === 1 ? '' : 'en'} opnieuw in de wachtrij; \`huurwacht start\` verstuurt ze.`);
        if (n === 0) outcome.exitCode = 3;
      });
    });

  program
    .command('letter')
    .argument('<contract>', 'contract number')
    .description(
      "Write a letter of a tenancy's dossier as PDF, exactly as it was made (the first print freezes it); without --kind, list the letters.",
    )
    .option('--kind <kind>', `which letter: ${LETTER_KINDS.join(', ')}`, letterKindArg)
    .option('--date <date>', 'the letter sent on this date (YYYY-MM-DD; default the latest of its kind)', isoDateArg)
    .option('--out <file>', 'where to write the PDF (default: <kind>-<contract>-<date>.pdf here)')
    .action(async (contractId: string, options: { kind?: LetterKind; date?: string; out?: string }) => {
      await withDatabase(async (database, config) => {
        const letters = await lettersOfTenancy(database.db, contractId);
        const listing = letters.map((l) => `  ${l.kind.padEnd(17)} ${formatDutchDate(l.letterDate)}  ${LETTER_KIND_NL[l.kind]}`).join('\n');
        if (!options.kind) {
          io.out(letters.length ? `Brieven van ${contractId}:\n${listing}` : `Geen brieven in het dossier van ${contractId}.`);
          if (letters.length === 0) outcome.exitCode = 3;
          return;
        }
        const letter = letters.find((l) => l.kind === options.kind && (!options.date || l.letterDate === options.date));
        if (!letter) {
          const what = `${LETTER_KIND_NL[options.kind]}${options.date ? ` van ${formatDutchDate(options.date)}` : ''}`;
          io.err(`Geen ${what} in het dossier van ${contractId}.${letters.length ? `\nWel:\n${listing}` : ''}`);
          outcome.exitCode = 3;
          return;
        }
        const templates = loadLetterTemplates(config.letters?.templatesDir);
        const {
          pdf,
          letters: printed,
          refused,
        } = await database.db.transaction((tx) => printLetters(tx, [letter.id], { config, templates }));
        if (!pdf || !printed[0]) throw new LetterPrintingError(refused[0]?.reason ?? 'De brief kan niet worden gemaakt.');
        // The stored hash is the promise that this is the letter that was sent: check it, never just trust it.
        const sha = createHash('sha256').update(pdf).digest('hex');
        if (sha !== printed[0].pdfSha256) {
          throw new LetterPrintingError(
            `De brief komt niet byte voor byte overeen met de eerste afdruk (sha256 ${printed[0].pdfSha256}, nu ${sha}); ` +
              'is de PDF-bibliotheek of het lettertype veranderd?',
          );
        }
        await recordAudit(database.db, {
          actor: cliActor(),
          action: 'letter.print',
          subject: contractId,
          detail: { letterId: letter.id, kind: letter.kind, letterDate: letter.letterDate },
        });
        const file = options.out ?? letterFileName({ kind: letter.kind, contractId, letterDate: letter.letterDate });
        await writeFile(file, pdf);
        io.out(
          `${LETTER_KIND_NL[letter.kind]} van ${contractId} (verstuurd ${formatDutchDate(letter.letterDate)}, ontvangst ${formatDutchDate(letter.receivedOn)}) ` +
            `geschreven naar ${file}: ${pdf.length} bytes, sha256 ${sha}`,
        );
      });
    });

  program
    .command('start')
    .description(
      'Run Huurwacht as a service: the Slack app (Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT), the outbox delivery ' +
        'and the daily run at dailyRunAt (Europe/Amsterdam) on working days, until SIGTERM or SIGINT.',
    )
    .action(async () => {
      // Checked before the database is opened: nothing is locked or migrated for a start that cannot work.
      const { MISSING_SLACK_HELP, readSlackEnv } = await import('./slack/app.js');
      const slack = readSlackEnv(io.env);
      if (!slack.ok) {
        throw new UsageError(
          `Slack is niet ingesteld: ${slack.missing.join(' en ')} ${slack.missing.length === 1 ? 'ontbreekt' : 'ontbreken'}.\n\n${MISSING_SLACK_HELP}`,
        );
      }
      await withDatabase(async (database, config) => {
        // The letter templates are checked before anything runs: an unknown field is an error now, not a blank in a letter later.
        const templates = loadLetterTemplates(config.letters?.templatesDir);
        await runService(
          database,
          config,
          slack.env,
          jsonLogger((line) => io.out(line)),
          templates,
        );
      });
    });

  program
    .command('run-daily')
    .description('The daily run: moves every tenancy through the procedure for a working day (and any missed working days before it).')
    .option('--date <date>', 'the day to run (YYYY-MM-DD; default today in Amsterdam); dates before the last run are refused', isoDateArg)
    .option('--dry-run', 'show what would happen, change nothing')
    .option('--json', 'print the JSON of DATA-FORMATS.md')
    .action(async (options: { date?: string; dryRun?: boolean; json?: boolean }) => {
      await withDatabase(async (database, config) => {
        const report = await runDaily(database, config, { date: options.date ?? todayInAmsterdam(), dryRun: options.dryRun });
        io.out(options.json ? JSON.stringify(report, null, 2) : formatDailyReport(report));
      });
    });

  program
    .command('export')
    .description('Exports for other systems.')
    .command('signals')
    .description("The month's early-signalling report for the municipality (P2.a.2): contact details and arrears; marks them reported.")
    .requiredOption('--month <YYYY-MM>', 'the report month')
    .option('--out <file>', 'the CSV file to write (default vroegsignalering-YYYY-MM.csv)')
    .option('--date <date>', 'the report date (YYYY-MM-DD; default today in Amsterdam)', isoDateArg)
    .action(async (options: { month: string; out?: string; date?: string }) => {
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(options.month)) throw new UsageError('--month: verwacht JJJJ-MM');
      await withDatabase(async (database, config) => {
        const result = await exportSignals(database, config, {
          month: options.month,
          date: options.date ?? todayInAmsterdam(),
          out: options.out ?? `vroegsignalering-${options.month}.csv`,
          actor: cliActor(),
        });
        io.out(`${result.file}: ${result.rows} meldingen (${result.newlyReported} nieuw gemeld)`);
        for (const w of result.waiting) io.out(`  nog niet gemeld: ${w.contractId} (ontbreekt: ${w.missing.join(', ')})`);
      });
    });

  program
    .command('demo')
    .description(
      'Generate a realistic portfolio into a throw-away embedded database, import it and show the arrears (no Slack or database needed).',
    )
    .option('--tenancies <n>', 'number of tenancies', positiveInt, 500)
    .option('--months <n>', 'months of ledger', positiveInt, 12)
    .option('--seed <n>', 'random seed (same seed, same portfolio)', positiveInt, 1)
    .option('--end-month <YYYY-MM>', 'last month of the ledger (default: the current month)')
    .option('--keep <dir>', 'keep the generated CSV files and the embedded database in this directory')
    .option(
      '--procedure-months <n>',
      'run the procedure day by day over the last N months (0: skip)',
      (v) => (v === '0' ? 0 : positiveInt(v)),
      3,
    )
    .option(
      '--letters <dir>',
      'write the letters the procedure made to this directory (default: ./huurwacht-demo-brieven, or <keep>/brieven)',
    )
    .option('--no-letters', 'do not write the letters')
    .action(
      async (options: {
        tenancies: number;
        months: number;
        seed: number;
        endMonth?: string;
        keep?: string;
        procedureMonths: number;
        letters?: string | boolean;
      }) => {
        if (options.endMonth && !/^\d{4}-(0[1-9]|1[0-2])$/.test(options.endMonth)) {
          throw new UsageError('--end-month: verwacht JJJJ-MM');
        }
        await runDemo({
          ...options,
          letters: typeof options.letters === 'string' ? options.letters : options.letters === false ? false : undefined,
          out: io.out,
        });
      },
    );

  return program;
}

export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const outcome = { exitCode: 0 };
  const program = buildProgram(io, outcome);
  let code: number;
  try {
    await program.parseAsync(argv);
    code = outcome.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      code = err.exitCode;
    } else {
      io.err(
        err instanceof LetterDataError
          ? err.messageNl
          : isUserError(err)
            ? err.message
            : err instanceof Error
              ? (err.stack ?? err.message)
              : String(err),
      );
      code = err instanceof ImportFailedError ? 2 : 1;
    }
  }
  // Not process.exit(): open handles (the database) close first, and output is flushed.
  process.exitCode = code;
  return code;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main(process.argv);
}
