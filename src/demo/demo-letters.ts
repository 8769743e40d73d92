import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { letterFileName, printLetters, type RefusedLetter } from '../cases/letter-printing.js';
import type { Config } from '../config.js';
import { queryRows, type Database } from '../db/client.js';
import type { IsoDate } from '../domain/calendar.js';
import type { LetterKind } from '../letters/letter-kinds.js';
import { loadLetterTemplates } from '../letters/templates.js';

/**
 * Writes every letter the demo's procedure made, as the teams would print them: the 14-day
 * letters of a team and day in one PDF (the digest's), every other letter on its own.
 */
export async function writeDemoLetters(
  database: Database,
  config: Config,
  dir: string,
): Promise<{ letters: number; files: number; seconds: number; refused: RefusedLetter[] }> {
  const started = Date.now();
  const templates = loadLetterTemplates(config.letters?.templatesDir);
  const rows = await queryRows<{ id: number; kind: LetterKind; contract_id: string; letter_date: IsoDate; team_key: string }>(
    database.db,
    sql`select l.id, l.kind, l.contract_id, l.letter_date::text as letter_date, t.team_key
        from letters l join tenancies t on t.contract_id = l.contract_id
        order by l.letter_date, t.team_key, l.contract_id, l.id`,
  );
  mkdirSync(dir, { recursive: true });
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    const file =
      r.kind === 'reminder'
        ? `${r.letter_date}-14-dagenbrieven-${r.team_key}.pdf`
        : `${r.letter_date}-${letterFileName({ kind: r.kind, contractId: r.contract_id, letterDate: r.letter_date })}`;
    groups.set(file, [...(groups.get(file) ?? []), r.id]);
  }
  const refused: RefusedLetter[] = [];
  let letters = 0;
  let files = 0;
  for (const [file, ids] of groups) {
    const printed = await database.db.transaction((tx) => printLetters(tx, ids, { config, templates }));
    refused.push(...printed.refused);
    if (!printed.pdf) continue;
    writeFileSync(join(dir, file), printed.pdf);
    letters += printed.letters.length;
    files++;
  }
  return { letters, files, seconds: (Date.now() - started) / 1000, refused };
}
