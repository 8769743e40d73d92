// npm run bench:letters — 1 000 14-day letters rendered into one print PDF (the daily batch of a
// large corporation), which must take under 10 s on the 2-core reference machine.
import { DEFAULT_HOLIDAYS, addWorkingDays } from '../src/domain/calendar.js';
import { EXAMPLE_LETTERS_CONFIG, exampleSources, reminderFacts } from '../src/letters/example-sources.js';
import { buildLetterDocument } from '../src/letters/letter-document.js';
import { renderLettersPdf } from '../src/letters/render.js';
import { loadLetterTemplates } from '../src/letters/templates.js';

const COUNT = Number(process.env.LETTERS ?? 1000);
const LIMIT_MS = 10_000;
const ctx = { letters: EXAMPLE_LETTERS_CONFIG, holidays: DEFAULT_HOLIDAYS };

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);

const started = performance.now();
const templates = loadLetterTemplates();
const base = exampleSources().reminder;
const docs = Array.from({ length: COUNT }, (_, i) => {
  const sentOn = addWorkingDays('2026-10-12', i % 3);
  const principal = 20_000 + ((i * 7_919) % 400_000);
  return buildLetterDocument(
    {
      ...base,
      contractId: `H-${10_000 + i}`,
      letterDate: sentOn,
      tenants: i % 2 ? ['Şahin Yıldız'] : ['Zoë de Vries', 'Łukasz Nowak'],
      address: `Dorpsstraat ${1 + (i % 250)}${i % 4 === 0 ? ' A' : ''}`,
      balanceCents: principal,
      state: { letter: reminderFacts(sentOn, principal) },
      unpaidByMonth: [
        { month: '2026-09', cents: Math.floor(principal / 2) },
        { month: '2026-10', cents: principal - Math.floor(principal / 2) },
      ],
    },
    ctx,
  );
});
const built = performance.now();
const pdf = await renderLettersPdf(docs, templates);
const finished = performance.now();
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

const pages = (
  Buffer.from(pdf)
    .toString('latin1')
    .match(/\/Type \/Page\b/g) ?? []
).length;
const total = finished - started;
console.log(`letters: ${COUNT} 14-day letters in one PDF`);
console.log(`  documents built  ${(built - started).toFixed(0)} ms`);
console.log(`  rendered         ${(finished - built).toFixed(0)} ms`);
console.log(`  total            ${total.toFixed(0)} ms (limit ${LIMIT_MS} ms)`);
console.log(`  pages            ${pages}`);
console.log(`  bytes            ${pdf.length} (${(pdf.length / 1024 / 1024).toFixed(1)} MiB)`);
console.log(`  peak RSS         ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
if (total > LIMIT_MS) {
  console.error(`letters: too slow: ${total.toFixed(0)} ms > ${LIMIT_MS} ms`);
  process.exitCode = 1;
}
