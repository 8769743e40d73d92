import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { Transform } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { ImportProblems } from './import-errors.js';

export type Delimiter = ';' | ',';

export interface CsvRow {
  /** 1-based line in the file where the record starts (the header is line 1). */
  line: number;
  /** Field values by lower-case column name; absent columns are missing from the object. */
  values: Record<string, string>;
}

const BOM = '\uFEFF';

/** Reads the header line to choose the delimiter: Dutch Excel writes `;`, most tools `,`. */
export async function detectDelimiter(file: string): Promise<Delimiter> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    let header = buffer.subarray(0, bytesRead).toString('utf8');
    if (header.startsWith(BOM)) header = header.slice(1);
    const end = header.search(/\r?\n/);
    if (end >= 0) header = header.slice(0, end);
    const count = (ch: string) => header.split(ch).length - 1;
    return count(';') >= count(',') && count(';') > 0 ? ';' : ',';
  } finally {
    await handle.close();
  }
}

export interface CsvFile {
  name: string;
  delimiter: Delimiter;
  columns: string[];
  rows: AsyncIterable<CsvRow>;
  /** SHA-256 of the bytes read; complete once `rows` is exhausted. */
  sha256(): string;
}

/**
 * Streams a CSV export record by record (memory stays flat), checks the header against the
 * required columns, and reports malformed lines to `problems` instead of stopping at the first.
 */
export async function openCsv(file: string, required: readonly string[], problems: ImportProblems): Promise<CsvFile | null> {
  const name = basename(file);
  let delimiter: Delimiter;
  try {
    delimiter = await detectDelimiter(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'bestand niet gevonden'
        : code === 'EISDIR'
          ? 'dit is een map, geen bestand'
          : code === 'EACCES'
            ? 'geen leesrechten'
            : null;
    if (!reason) throw err;
    problems.add(0, null, `${reason} (${file})`);
    return null;
  }
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const parser = createReadStream(file)
    .pipe(hashing)
    .pipe(
      // No `info` (it doubles csv-parse's cost) and no `skip_empty_lines`: line numbers are
      // counted below, and an empty line arrives as one empty field.
      parse({ bom: true, delimiter, trim: true, relax_column_count: true }),
    );
  const iterator: AsyncIterator<string[]> = parser[Symbol.asyncIterator]();

  let first: IteratorResult<string[]>;
  try {
    first = await iterator.next();
  } catch (err) {
    problems.add(lineOf(err, 1), null, csvMessage(err));
    parser.destroy();
    return null;
  }
  if (first.done) {
    problems.add(1, null, 'het bestand is leeg: de eerste regel moet de kolomnamen bevatten');
    return null;
  }
  const columns = first.value.map((c) => c.toLowerCase());
  let line = 1 + lineBreaksIn(first.value);
  const seen = new Set<string>();
  columns.forEach((column) => {
    if (column && seen.has(column)) problems.add(1, column, 'deze kolom staat twee keer in de kopregel');
    seen.add(column);
  });
  const missing = required.filter((column) => !seen.has(column));
  for (const column of missing) {
    problems.add(1, column, `verplichte kolom ontbreekt in de kopregel (gevonden: ${columns.join(delimiter)})`);
  }
  if (missing.length > 0 || problems.count > 0) {
    parser.destroy();
    return null;
  }

  async function* rows(): AsyncGenerator<CsvRow> {
    while (true) {
      let next: IteratorResult<string[]>;
      try {
        next = await iterator.next();
      } catch (err) {
        // A broken quote leaves the rest of the file unreadable: report it and stop here.
        problems.add(lineOf(err, 0), null, csvMessage(err));
        return;
      }
      if (next.done) return;
      const record = next.value;
      const start = ++line;
      line += lineBreaksIn(record);
      if (record.length === 1 && record[0] === '') continue;
      if (record.length !== columns.length) {
        problems.add(start, null, `verwacht ${columns.length} velden (zoals de kopregel), gevonden ${record.length}`);
        continue;
      }
      const values: Record<string, string> = {};
      for (let i = 0; i < columns.length; i++) values[columns[i]!] = record[i]!;
      yield { line: start, values };
    }
  }

  let digest: string | undefined;
  return { name, delimiter, columns, rows: rows(), sha256: () => (digest ??= hash.digest('hex')) };
}

/** Line breaks inside quoted fields: the next record starts that many lines further down. */
function lineBreaksIn(record: string[]): number {
  let n = 0;
  for (const field of record) {
    for (let i = field.indexOf('\n'); i !== -1; i = field.indexOf('\n', i + 1)) n++;
  }
  return n;
}

function lineOf(err: unknown, fallback: number): number {
  return err instanceof CsvError && typeof (err as { lines?: number }).lines === 'number'
    ? (err as unknown as { lines: number }).lines
    : fallback;
}

function csvMessage(err: unknown): string {
  if (err instanceof CsvError) {
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') return 'een aanhalingsteken wordt niet gesloten (de rest van het bestand is niet gelezen)';
    if (err.code === 'CSV_INVALID_CLOSING_QUOTE')
      return 'ongeldig aanhalingsteken: een veld met " moet helemaal tussen aanhalingstekens staan, met "" binnenin';
    return `onleesbare CSV (${err.code}): ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}
