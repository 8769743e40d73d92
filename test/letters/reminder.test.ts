import { describe, expect, it } from 'vitest';
import { DEFAULT_HOLIDAYS, nextWorkingDay } from '../../src/domain/calendar.js';
import { collectionCostsCents, reminderLetterTerms } from '../../src/domain/collection-costs.js';
import { formatEuro } from '../../src/domain/money.js';
import { reminderFacts } from '../../src/letters/example-sources.js';
import { amountByMonth, buildLetterDocument } from '../../src/letters/letter-document.js';
import { renderLettersPdf } from '../../src/letters/render.js';
import { dutchDate, dutchDeadline } from '../../src/letters/letter-format.js';
import { build, ctx, letterText, source, templates } from './fixtures.js';
import { pdfText } from '../support/pdf-text.js';

/** A 14-day letter sent on `sentOn` over `principal`, its facts computed as the daily run does. */
function reminderOn(
  sentOn: string,
  principal = 142_470,
  unpaid: [string, number][] = [
    ['2026-09', 71_235],
    ['2026-10', 71_235],
  ],
) {
  const src = source('reminder');
  src.letterDate = sentOn;
  src.state = { ...src.state, letter: reminderFacts(sentOn, principal) };
  src.unpaidByMonth = unpaid.map(([month, cents]) => ({ month, cents }));
  src.balanceCents = unpaid.reduce((s, [, c]) => s + c, 0);
  return src;
}

describe('P1 the 14-day letter: term (art. 6:96 lid 6 BW)', () => {
  it('P1 reminder states the term "binnen 14 dagen na de dag waarop u deze brief ontvangt" with receipt and end date', async () => {
    const src = reminderOn('2026-10-12');
    const terms = reminderLetterTerms('2026-10-12');
    const text = await letterText(src);
    expect(text).toContain('binnen 14 dagen na de dag waarop u deze brief ontvangt');
    expect(text).toContain(`ontvangt op ${dutchDate(terms.receivedOn)}`);
    expect(text).toContain(`uiterlijk op ${dutchDeadline(terms.termEndsOn)}`);
    expect(text).toContain('uiterlijk op dinsdag 27 oktober 2026');
    expect(build(src).receivedOn).toBe(src.state.letter!.receivedOn);
  });

  it('P1.b a letter sent on a Friday is received on Monday: the 14 days run from Tuesday', async () => {
    const src = reminderOn('2026-10-09'); // Friday
    expect(src.state.letter!.receivedOn).toBe(nextWorkingDay('2026-10-09', DEFAULT_HOLIDAYS));
    const text = await letterText(src);
    expect(text).toContain('ontvangt op 12 oktober 2026');
    expect(text).toContain('uiterlijk op maandag 26 oktober 2026');
  });

  it('P1.b a letter sent before Christmas is received after the holidays and the weekend', async () => {
    const src = reminderOn('2026-12-24'); // Thursday; 25 and 26 December, then Sunday
    const text = await letterText(src);
    expect(text).toContain('ontvangt op 28 december 2026');
    expect(text).toContain(`uiterlijk op ${dutchDeadline(reminderLetterTerms('2026-12-24').termEndsOn)}`);
    expect(text).toContain('uiterlijk op maandag 11 januari 2027');
  });

  it('P1.b a term that would end on Christmas Day ends on the next working day (Algemene termijnenwet)', async () => {
    const src = reminderOn('2026-12-10'); // received Friday 11 December; + 14 = Friday 25 December
    const text = await letterText(src);
    expect(text).toContain('ontvangt op 11 december 2026');
    expect(text).toContain('uiterlijk op maandag 28 december 2026');
    expect(text).toContain('binnen 14 dagen na de dag waarop u deze brief ontvangt');
  });

  it("P1.b a letter sent the day before King's Day is received the day after it", async () => {
    const src = reminderOn('2027-04-26'); // Monday; Tuesday 27 April is Koningsdag
    const text = await letterText(src);
    expect(text).toContain('ontvangt op 28 april 2027');
    expect(text).toContain('uiterlijk op woensdag 12 mei 2027');
  });

  it('P1 refuses a letter dated otherwise than the sending date its term was computed from', () => {
    const src = reminderOn('2026-10-12');
    src.letterDate = '2026-10-13';
    expect(() => build(src)).toThrow(/state\.letter\.sentOn/);
  });
});

describe('P1 the 14-day letter: principal and statutory collection costs', () => {
  // Besluit vergoeding voor buitengerechtelijke incassokosten art. 2: every edge of the scale.
  const edges: [string, number, string][] = [
    ['the € 40 minimum', 10_000, '€ 40,00'],
    ['15% just above the minimum', 30_000, '€ 45,00'],
    ['the € 2.500 band boundary', 250_000, '€ 375,00'],
    ['the € 5.000 band boundary', 500_000, '€ 625,00'],
    ['the € 10.000 band boundary', 1_000_000, '€ 875,00'],
    ['the € 200.000 band boundary', 20_000_000, '€ 2.775,00'],
    ['the € 6.775 maximum', 200_000_000, '€ 6.775,00'],
  ];
  for (const [name, principal, costs] of edges) {
    it(`P1 reminder states the collection costs at ${name} (principal ${formatEuro(principal)})`, async () => {
      expect(formatEuro(collectionCostsCents(principal))).toBe(costs);
      const text = await letterText(reminderOn('2026-10-12', principal, [['2026-10', principal]]));
      expect(text).toContain(`bedrag van ${formatEuro(principal)} te betalen`);
      expect(text).toContain(`bedragen voor deze achterstand ${costs}`);
      expect(text).toContain(`in totaal ${formatEuro(principal + collectionCostsCents(principal))} betalen`);
    });
  }

  it('P1 reminder shows the principal per month, newest months first until covered, the oldest trimmed', async () => {
    const src = reminderOn('2026-10-12', 100_000, [
      ['2026-08', 71_235],
      ['2026-09', 71_235],
      ['2026-10', 71_235],
    ]);
    const text = await letterText(src);
    expect(text).toContain('September 2026 (restant) € 287,65 Oktober 2026 € 712,35 Totaal € 1.000,00');
    expect(text).not.toContain('Augustus 2026');
  });

  it('P1 reminder puts what the months do not cover on one line "Overige openstaande posten"', async () => {
    const text = await letterText(reminderOn('2026-10-12', 100_000, [['2026-10', 71_235]]));
    expect(text).toContain('Overige openstaande posten € 287,65 Oktober 2026 € 712,35 Totaal € 1.000,00');
  });

  it('P1 the lines per month add up exactly to the principal, whatever the months', () => {
    const months = [
      { month: '2026-07', cents: 5 },
      { month: '2026-08', cents: 0 },
      { month: '2026-09', cents: 71_235 },
      { month: '2026-10', cents: 33_333 },
    ];
    for (const principal of [1, 5, 33_333, 33_334, 104_568, 104_573, 104_574, 250_000]) {
      const lines = amountByMonth(principal, months);
      expect(lines.reduce((s, l) => s + l.cents, 0)).toBe(principal);
      expect(lines.every((l) => l.cents > 0)).toBe(true);
    }
  });
});

describe('P1 the 14-day letter: debt help and early signalling', () => {
  it("P1 reminder gives the Traverse leaflet's contact details", async () => {
    const text = await letterText(reminderOn('2026-10-12'));
    expect(text).toContain('folder van Traverse over schuldhulpverlening en budgetbeheer');
    expect(text).toContain('telefoon 020-7654321');
    expect(text).toContain('www.traverse-ergens.nl');
  });

  it('P1 reminder offers to pass contact details to the municipality unless the tenant objects, and says how to object (Besluit art. 2)', async () => {
    const text = await letterText(reminderOn('2026-10-12'));
    expect(text).toContain('geven wij uw naam, adres, telefoonnummer, e-mailadres en het bedrag van de achterstand door aan de gemeente');
    expect(text).toContain('Wilt u niet dat wij uw gegevens doorgeven? Laat het ons dan uiterlijk op dinsdag 27 oktober 2026 weten');
    expect(text).toContain('telefoon 020-1234567 of e-mail huurincasso@voorbeeld.nl');
    expect(text).toContain('Dan geven wij uw gegevens niet door');
  });

  it('P1 reminder prints payment instructions with the IBAN, and leaves them out when none is configured', async () => {
    expect(await letterText(reminderOn('2026-10-12'))).toContain('IBAN NL91 ABNA 0417 1643 00, onder vermelding van "huur H-1004"');
    const src = reminderOn('2026-10-12');
    const noIban = { ...ctx, letters: { ...ctx.letters, sender: { ...ctx.letters.sender, iban: '' } } };
    const text = await pdfText(await renderLettersPdf([buildLetterDocument(src, noIban)], templates));
    expect(text).not.toContain('IBAN');
    expect(text).toContain('Vermeld bij uw betaling "huur H-1004"');
  });
});
