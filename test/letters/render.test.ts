import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { LETTER_KINDS } from '../../src/letters/letter-kinds.js';
import * as fontkit from 'fontkit';
import { printable, renderLettersPdf } from '../../src/letters/render.js';
import { BUILT_IN_TEMPLATES_DIR, LetterTemplateError, loadLetterTemplates } from '../../src/letters/templates.js';
import { buildLetterDocument } from '../../src/letters/letter-document.js';
import { build, ctx, letterPages, source, templates } from './fixtures.js';
import { pdfPageTexts, pdfText } from '../support/pdf-text.js';

const scratch = mkdtempSync(join(tmpdir(), 'huurwacht-letters-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the built-in templates with one file changed. */
function templatesWith(file: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(scratch, 'tpl-'));
  cpSync(BUILT_IN_TEMPLATES_DIR, dir, { recursive: true });
  writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')));
  return dir;
}

function templateProblems(dir: string): string[] {
  try {
    loadLetterTemplates(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(LetterTemplateError);
    return (err as LetterTemplateError).problems;
  }
  throw new Error('expected a LetterTemplateError');
}

describe('rendering', () => {
  it('every letter kind renders from the built-in templates with its title and page numbers', async () => {
    for (const kind of LETTER_KINDS) {
      const pages = await letterPages(source(kind));
      pages.forEach((page, i) => expect(page).toContain(`Pagina ${i + 1} van ${pages.length}`));
      expect(pages[0]).toContain('Woonstichting Voorbeeld');
    }
  });

  it('names with diacritics come back out of the PDF exactly (embedded Unicode font, not WinAnsi)', async () => {
    const src = source('reminder');
    src.tenants = ['Şahin Yıldız', 'Łukasz Żółć'];
    src.address = 'Rue de la Paix 3 Ñ';
    src.city = "'s-Hertogenbosch";
    const pages = await letterPages(src);
    expect(pages[0]).toContain("Şahin Yıldız Łukasz Żółć Rue de la Paix 3 Ñ 1234 AB 'S-HERTOGENBOSCH");
    expect(pages[0]).toContain('Beste Şahin Yıldız en Łukasz Żółć,');
    const zoe = source('invitation');
    zoe.tenants = ['Zoë Ñúñez'];
    expect((await letterPages(zoe))[0]).toContain('Beste Zoë Ñúñez,');
  });

  it('is deterministic: the same documents give byte-identical PDFs, also from a stored JSON copy', async () => {
    const docs = LETTER_KINDS.map((kind) => build(source(kind)));
    const a = await renderLettersPdf(docs, templates);
    // Another day on the clock: nothing of "now" may reach the file.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2031-03-04T05:06:07Z'));
    const b = await renderLettersPdf(docs, templates);
    vi.useRealTimers();
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const stored = JSON.parse(JSON.stringify(docs));
    const c = await renderLettersPdf(stored, loadLetterTemplates());
    expect(Buffer.from(c).equals(Buffer.from(a))).toBe(true);
  });

  it('each letter of a batch starts on a new page with its own page numbering', async () => {
    const docs = [build(source('reminder')), build(source('last_warning')), build(source('reminder'))];
    const pages = await pdfPageTexts(await renderLettersPdf(docs, templates));
    const numbers = pages.map((p) => /Pagina (\d+) van (\d+)/.exec(p)?.slice(1).join('/'));
    expect(numbers).toEqual(['1/2', '2/2', '1/1', '1/2', '2/2']);
    expect(pages[2]).toContain('Laatste waarschuwing');
  });

  it('the document is frozen and JSON-serialisable', () => {
    const doc = build(source('confirmation'));
    expect(Object.isFrozen(doc)).toBe(true);
    expect(Object.isFrozen(doc.fields)).toBe(true);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    expect(doc.version).toBe(1);
  });

  it('refuses a stored document that lacks a field its template prints, instead of leaving a blank', async () => {
    const doc = JSON.parse(JSON.stringify(build(source('reminder'))));
    delete doc.fields.termEndsOn;
    await expect(renderLettersPdf([doc], templates)).rejects.toThrow(/no value for field "termEndsOn"/);
  });
});

describe('the signature', () => {
  it('names who signs when letters.sender.signatory is set, above the corporation', async () => {
    const letters = { ...ctx.letters, sender: { ...ctx.letters.sender, signatory: 'J. de Vries' } };
    const doc = buildLetterDocument(source('invitation'), { ...ctx, letters });
    const text = await pdfText(await renderLettersPdf([doc], templates));
    expect(text).toMatch(/Met vriendelijke groet, J\. de Vries Woonstichting Voorbeeld/);
    expect(await pdfText(await renderLettersPdf([build(source('invitation'))], templates))).not.toContain('J. de Vries');
  });
});

describe('characters the font lacks', () => {
  it('an arrow from an import note prints as "->", anything else unknown as "?": never as a gap', () => {
    const font = fontkit.create(templates.fonts.regular);
    expect(printable('adres Dorpsstraat 12 → Dorpsstraat 14', font)).toBe('adres Dorpsstraat 12 -> Dorpsstraat 14');
    expect(printable('Şahin Yıldız, Łukasz, Zoë, € 1.234,56 · “ok”', font)).toBe('Şahin Yıldız, Łukasz, Zoë, € 1.234,56 · “ok”');
    expect(printable('\u{1F3E0} thuis', font)).toBe('? thuis');
  });
});

describe('templates', () => {
  it('the built-in templates load, and their hash is stable', () => {
    expect(loadLetterTemplates().sha256).toBe(templates.sha256);
    expect(templates.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a template naming an unknown field is a LetterTemplateError naming file, line, field and the known fields', () => {
    const dir = templatesWith('reminder.txt', (t) => t.replace('{salutation},', '{salutation}, {tenantName},'));
    const problems = templateProblems(dir);
    expect(problems).toHaveLength(1);
    const line =
      readFileSync(join(dir, 'reminder.txt'), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('{tenantName}')) + 1;
    expect(problems[0]).toMatch(new RegExp(`reminder\\.txt:${line}: unknown field "tenantName" \\(known: .*tenantNames.*\\)`));
    expect(problems[0]).toContain('termEndsOn');
  });

  it('every problem of every file is listed at once: unknown table, unclosed {if}, optional field outside its {if}', () => {
    const dir = templatesWith('card.txt', (t) => `${t}\n{table:installments}\n{if senderIban}\nIBAN {senderIban}\n`);
    const dir2 = templatesWith('invitation.txt', (t) => t.replace('{if senderVisitingAddress}\n', ''));
    cpSync(join(dir, 'card.txt'), join(dir2, 'card.txt'));
    const problems = templateProblems(dir2);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/card\.txt:\d+: unknown table "installments" \(known: arrears\)/),
        expect.stringMatching(/card\.txt:\d+: \{if senderIban\} without \{end\}/),
        expect.stringMatching(
          /invitation\.txt:\d+: field "senderVisitingAddress" may be empty: use it inside \{if senderVisitingAddress\}/,
        ),
      ]),
    );
  });

  it('a missing template file and a missing subject line are errors', () => {
    const dir = templatesWith('last_warning.txt', (t) => t.split('\n').slice(1).join('\n'));
    rmSync(join(dir, 'card.txt'));
    const problems = templateProblems(dir);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/card\.txt: missing/),
        expect.stringMatching(/last_warning\.txt:1: the first line must be "Onderwerp/),
      ]),
    );
  });

  it('an adapted template is used, and changes the hash', async () => {
    const dir = templatesWith('invitation.txt', (t) => t.replace('Wij maken ons zorgen', 'Wij maken ons echt zorgen'));
    const own = loadLetterTemplates(dir);
    expect(own.sha256).not.toBe(templates.sha256);
    expect(await pdfText(await renderLettersPdf([build(source('invitation'))], own))).toContain('Wij maken ons echt zorgen');
  });
});
