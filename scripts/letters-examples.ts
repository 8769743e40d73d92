// Writes one example PDF per letter kind to docs/letters/, from the example dossier with fixed dates.
// Usage: npx tsx scripts/letters-examples.ts [outDir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_HOLIDAYS } from '../src/domain/calendar.js';
import { EXAMPLE_LETTERS_CONFIG, exampleSources } from '../src/letters/example-sources.js';
import { buildLetterDocument } from '../src/letters/letter-document.js';
import { LETTER_KINDS, LETTER_KIND_NL } from '../src/letters/letter-kinds.js';
import { renderLettersPdf } from '../src/letters/render.js';
import { loadLetterTemplates } from '../src/letters/templates.js';

const out = process.argv[2] ?? 'docs/letters';
mkdirSync(out, { recursive: true });
const templates = loadLetterTemplates();
const sources = exampleSources();
for (const kind of LETTER_KINDS) {
  const doc = buildLetterDocument(sources[kind], { letters: EXAMPLE_LETTERS_CONFIG, holidays: DEFAULT_HOLIDAYS });
  const pdf = await renderLettersPdf([doc], templates);
  const file = join(
    out,
    `${LETTER_KIND_NL[kind]
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')}.pdf`,
  );
  writeFileSync(file, pdf);
  console.log(`${file}  ${pdf.length} bytes`);
}
