import { describe, expect, it } from 'vitest';
import { addDays, addYears } from '../../src/domain/calendar.js';
import { formatEuro } from '../../src/domain/money.js';
import { LetterDataError } from '../../src/letters/letter-document.js';
import { dutchDate, dutchDeadline } from '../../src/letters/letter-format.js';
import { build, letterText, source } from './fixtures.js';

describe('P2 invitation for a conversation', () => {
  it('P2 invitation asks to phone or come to the office, says what it is about and states the current arrears', async () => {
    const src = source('invitation');
    const text = await letterText(src);
    expect(text).toContain('Uitnodiging voor een gesprek over uw huurachterstand');
    expect(text).toContain(`huurachterstand van ${formatEuro(src.balanceCents)}`);
    expect(text).toContain('telefonisch of bij ons op kantoor');
    expect(text).toContain('telefoon 020-1234567');
    expect(text).toContain('Ons kantoor vindt u aan Stationsplein 1, Ergens');
    expect(text).toContain('betalingsregeling');
    expect(text).toContain('deurwaarder'); // P2.a.3: what follows
    expect(text).toContain('Totaal € 1.544,70');
  });
});

describe('P2.a.4 confirmation of the agreements', () => {
  it('P2.a.4 / P2.b confirmation states the agreed arrears and the conversation date', async () => {
    const src = source('confirmation');
    const text = await letterText(src);
    expect(text).toContain(`In deze brief bevestigen wij wat we hebben afgesproken`);
    expect(text).toContain(
      `Op ${dutchDate(src.state.agreement!.agreedOn)} was uw huurachterstand ${formatEuro(src.state.agreement!.arrearsCents)}`,
    );
  });

  it("P2.b.1–4 confirmation lists the tenant's four obligations", async () => {
    const text = await letterText(source('confirmation'));
    expect(text).toContain('zodat de achterstand niet verder oploopt'); // P2.b.1
    expect(text).toContain('U meldt zich aan bij de gemeente of bij Traverse'); // P2.b.2
    expect(text).toContain('U laat ons weten dat u zich hebt aangemeld'); // P2.b.3
    expect(text).toContain('U betaalt de achterstand af met een betalingsregeling'); // P2.b.4
  });

  it("P2.c.1–4 confirmation lists the corporation's four commitments, the arrangement of at most 6 months", async () => {
    const text = await letterText(source('confirmation'));
    expect(text).toContain('Wij geven uw gegevens door aan de gemeente'); // P2.c.1
    expect(text).toContain('Wij starten geen incassoprocedure'); // P2.c.2
    expect(text).toContain('Wij brengen geen rente in rekening'); // P2.c.3
    expect(text).toContain('Wij accepteren een betalingsregeling van maximaal 6 maanden'); // P2.c.4
  });

  it('P2.b.4 confirmation lists every installment with its date and amount, adding up to the arrears', async () => {
    const src = source('confirmation');
    const text = await letterText(src);
    const installments = src.state.arrangement!.installments;
    for (const [i, inst] of installments.entries()) {
      expect(text).toContain(`${i + 1} ${dutchDate(inst.dueOn)} ${formatEuro(inst.amountCents)}`);
    }
    const total = installments.reduce((s, i) => s + i.amountCents, 0);
    expect(total).toBe(src.state.agreement!.arrearsCents);
    expect(text).toContain(`Totaal ${formatEuro(total)}`);
    expect(text).toContain(`in ${installments.length} termijnen, van ${dutchDate(installments[0]!.dueOn)} tot en met`);
  });

  it('P2.b confirmation leaves out what was not agreed and the arrangement part when there is none', async () => {
    const src = source('confirmation');
    src.state.agreement!.obligations.registerWithAid = false;
    delete src.state.arrangement;
    const text = await letterText(src);
    expect(text).not.toContain('U meldt zich aan bij de gemeente');
    expect(text).not.toContain('De betalingsregeling');
    expect(text).toContain('U betaalt de achterstand af met een betalingsregeling');
  });

  it('P2.a.4 a confirmation without recorded agreements is refused with a LetterDataError, in English and Dutch', () => {
    const src = source('confirmation');
    delete src.state.agreement;
    let error: unknown;
    try {
      build(src);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LetterDataError);
    const e = error as LetterDataError;
    expect(e.missing).toBe('state.agreement');
    expect(e.message).toMatch(/state\.agreement is missing/);
    expect(e.messageNl).toBe('De bevestiging van afspraken kan niet worden gemaakt: de vastgelegde afspraken (P2.a.4) ontbreekt.');
  });
});

describe('P2.d.2 the card after a visit with nobody home', () => {
  it('P2.d.2 card gives the conversation information and the one-week term after which the file goes to the bailiff, with the date', async () => {
    const src = source('card');
    const visit = src.state.visit!;
    expect(visit.cardTermEndsOn).toBe(addDays(visit.cardLeftOn!, 7));
    const text = await letterText(src);
    expect(text).toContain(`Op ${dutchDate(visit.visitedOn!)} zijn twee medewerkers`);
    expect(text).toContain(`Neem uiterlijk op ${dutchDeadline(visit.cardTermEndsOn!)} contact met ons op`);
    expect(text).toContain('Reageert u niet binnen deze 7 dagen, dan dragen wij uw dossier over aan de deurwaarder');
    expect(text).toContain(`betalingsregeling van maximaal 6 maanden`);
    expect(text).toContain('Reageer binnen 7 dagen');
    expect(text).toContain(`huurachterstand van ${formatEuro(src.balanceCents)}`);
    expect(text).toContain('schuldhulpverlening en budgetbeheer'); // P2.a.2
    expect(text).toContain('betalingsregeling'); // P2.b.4
    expect(text).toContain('ontruiming van uw woning'); // P2.a.3
  });

  it('P2.d.2 the card is put in the mailbox by hand: received the day it is left', () => {
    const src = source('card');
    expect(build(src).receivedOn).toBe(src.state.visit!.cardLeftOn);
  });

  it('P2.d.2 a card without the visit facts is refused', () => {
    const src = source('card');
    delete src.state.visit;
    expect(() => build(src)).toThrow(LetterDataError);
  });
});

describe('P4.a.1–3 the last warning after a postponed eviction', () => {
  it('P4.a.2 states "laatste waarschuwing" clearly, in the subject and the text', async () => {
    const text = await letterText(source('last_warning'));
    expect(text).toContain('Laatste waarschuwing: de ontruiming van uw woning is uitgesteld');
    expect(text).toContain('Dit is een laatste waarschuwing.');
  });

  it('P4.a.1 confirms the postponement with a probation of 2 years and its end date', async () => {
    const src = source('last_warning');
    const until = src.state.probationUntil!;
    expect(until).toBe(addYears(src.letterDate, 2));
    const text = await letterText(src);
    expect(text).toContain('Proeftijd van 2 jaar');
    expect(text).toContain(`tot en met ${dutchDate(until)}`);
    expect(text).toContain(`vonnis van ${dutchDate(src.state.verdict!.verdictOn)}`);
    expect(text).toContain(`gepland op ${dutchDate(src.state.verdict!.evictionOn)}`);
  });

  it('P4.a.3 states the consequences of new arrears within the probation', async () => {
    const text = await letterText(source('last_warning'));
    expect(text).toContain('Ontstaat er tijdens de proeftijd opnieuw een huurachterstand, dan krijgt u geen nieuwe kans');
    expect(text).toContain('de woning te ontruimen');
  });

  it('P4.a.1 a last warning without a probation end is refused', () => {
    const src = source('last_warning');
    delete src.state.probationUntil;
    expect(() => build(src)).toThrow(/state\.probationUntil/);
  });
});

describe('P3.b / P3.d the handover to the bailiff', () => {
  it('P3.b handover lists the 14-day letter with its sending, receipt and term dates and amounts', async () => {
    const src = source('bailiff_handover');
    const letter = src.state.letter!;
    const text = await letterText(src);
    expect(text).toContain(
      `verstuurd ${dutchDate(letter.sentOn)}, ontvangst aangenomen ${dutchDate(letter.receivedOn)}, termijn tot en met ${dutchDate(letter.termEndsOn)}`,
    );
    expect(text).toContain(`hoofdsom ${formatEuro(letter.principalCents)}, incassokosten ${formatEuro(letter.costsCents)}`);
  });

  it('P3.b handover states the early-signal report date and whether 2 months have passed', async () => {
    const src = source('bailiff_handover');
    const text = await letterText(src);
    expect(text).toContain(`gemeld bij de gemeente op ${dutchDate(src.state.signal!.reportedOn!)}`);
    expect(text).toContain('De melding is 2 maanden of langer geleden');

    const early = source('bailiff_handover');
    early.state.signal = { ...early.state.signal!, reportedOn: addDays(early.letterDate, -20) };
    expect(await letterText(early)).toContain('De melding is minder dan 2 maanden oud');
  });

  it('P3.b handover shows the agreements, the arrangement and how it was broken', async () => {
    const src = source('bailiff_handover');
    const text = await letterText(src);
    expect(text).toContain(`Afspraken bevestigd P2.a.4, P2.b, P2.c ${dutchDate(src.state.agreement!.agreedOn)}`);
    expect(text).toContain('Betalingsregeling niet nagekomen: termijn van 15 december 2026 niet betaald');
    expect(text).toContain('1 15 december 2026 € 257,45 vervallen');
    expect(text).toContain('nog niet vervallen');
  });

  it('P3.d handover after the MT decision states the decision with its ballots count and asks for the eviction procedure', async () => {
    const text = await letterText(source('bailiff_handover'));
    expect(text).toContain('16 februari 2027: ontruimingsprocedure goedgekeurd; 3 stemmen (2 voor, 0 tegen, 1 onthouding)');
    expect(text).toContain('Wij verzoeken u deze procedure');
    expect(build(source('bailiff_handover')).clause).toBe('P3.d');
  });

  it('P3.b handover before an MT decision asks the bailiff to give one more chance', async () => {
    const src = source('bailiff_handover');
    delete src.state.mtDecision;
    src.letterDate = src.state.bailiff!.handedOn;
    const text = await letterText(src);
    expect(text).toContain('nog één keer in de gelegenheid te stellen te betalen (P3.b)');
    expect(text).not.toContain('MT-besluit');
    expect(build(src).clause).toBe('P3.b');
  });

  it('P3.b handover lists the dossier steps with dates, oldest first', async () => {
    const src = source('bailiff_handover');
    const text = await letterText(src);
    expect(text).toContain('12 oktober 2026 14-dagenbrief verstuurd');
    expect(text.indexOf('Dossier overgedragen aan de deurwaarder')).toBeLessThan(
      text.indexOf('MT heeft ingestemd met de ontruimingsprocedure'),
    );
  });

  it('P3.a.1 handover never carries health or household details, nor notes (AVG art. 9)', async () => {
    const src = source('bailiff_handover');
    src.events.push({
      on: '2027-01-15',
      type: 'note',
      clause: 'P3.a',
      actor: 'U0AAAAAAAA',
      summary: 'Vermoeden van verslaving, psychiatrische zorg',
    });
    const text = await letterText(src);
    expect(src.state.mass?.childrenInHome).toBe(true); // the flag exists in the state...
    for (const word of ['kinderen', 'verslaving', 'psychiatr', 'MaSS-grond', 'Oorzaak van de achterstand']) {
      expect(text.toLowerCase()).not.toContain(word.toLowerCase()); // ...and never reaches the letter
    }
    expect(text).toContain('besproken 14 januari 2027');
  });

  it('P3.b handover of a dossier without a 14-day letter warns that no collection costs can be claimed', async () => {
    const src = source('bailiff_handover');
    delete src.state.letter;
    const text = await letterText(src);
    expect(text).toContain('het dossier bevat geen 14-dagenbrief. Incassokosten kunnen daarom niet worden gevorderd');
  });
});
