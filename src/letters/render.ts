import PDFDocument from 'pdfkit';
import * as fontkit from 'fontkit';
import type { LetterDocument, LetterTable } from './letter-document.js';
import type { LetterFonts, LetterTemplates, Span, TemplateBlock } from './templates.js';

/**
 * Lays letters out on A4 as a Dutch business letter: letterhead, the recipient in the window of a
 * standard window envelope (NEN 1026: 20–110 mm from the left, 50–90 mm from the top of the sheet),
 * a reference line, the text, and "Pagina x van y" per letter.
 *
 * Deterministic: the same documents and templates give the same bytes, because the dossier stores
 * a content hash of each letter. pdfkit's only sources of variation are CreationDate (fixed here to
 * the letter date), the file ID (an md5 of the info dictionary, so fixed with it) and nothing else:
 * its subset tags derive from the font's resource name.
 */

const MM = 72 / 25.4;
const PAGE = { width: 595.28, height: 841.89 };
const LEFT = 25 * MM;
const RIGHT = 20 * MM;
const WIDTH = PAGE.width - LEFT - RIGHT;
const TOP_CONTINUED = 22 * MM;
const BOTTOM = 25 * MM;
const BODY_SIZE = 10;
const SMALL = 8;
const INK = '#1a1a1a';
const GREY = '#5a5a5a';
const ACCENT = '#1f3a5f';
const RULE = '#b8c2cc';

type Doc = PDFKit.PDFDocument;

// Parsing a TrueType font costs far more than laying out a letter: parse each once, not per PDF.
// The subset pdfkit embeds is made per document, so sharing the parsed font changes no output byte.
const fontCache = new WeakMap<LetterFonts, { regular: fontkit.Font; bold: fontkit.Font }>();

function parsedFonts(fonts: LetterFonts): { regular: fontkit.Font; bold: fontkit.Font } {
  let parsed = fontCache.get(fonts);
  if (!parsed) {
    parsed = { regular: fontkit.create(fonts.regular), bold: fontkit.create(fonts.bold) };
    fontCache.set(fonts, parsed);
  }
  return parsed;
}

// Characters the dossier's own texts use that a text font may lack (an import's "adres A → B").
const STAND_INS: Record<string, string> = { '→': '->', '←': '<-', '✓': 'v', '✗': 'x' };

/** The text with every character the font cannot show replaced by a stand-in, or "?" (never a gap). */
export function printable(text: string, font: fontkit.Font): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    out += cp < 0x20 || font.hasGlyphForCodePoint(cp) ? ch : (STAND_INS[ch] ?? '?');
  }
  return out;
}

/** Letters end up side by side in one print file; each counts its own pages. */
export async function renderLettersPdf(docs: LetterDocument[], templates: LetterTemplates): Promise<Uint8Array> {
  if (docs.length === 0) throw new RangeError('renderLettersPdf: no letters to render');
  const first = docs[0]!;
  const pdf = new PDFDocument({
    size: 'A4',
    autoFirstPage: false,
    bufferPages: true,
    margins: { top: TOP_CONTINUED, bottom: BOTTOM, left: LEFT, right: RIGHT },
    lang: 'nl-NL',
    displayTitle: true,
    info: {
      Title: docs.length === 1 ? `${first.title} ${first.contractId}` : `${docs.length} brieven`,
      Author: first.sender.name,
      Subject: [...new Set(docs.map((d) => d.title))].join(', '),
      Creator: 'Huurwacht',
      Producer: 'Huurwacht (PDFKit)',
      CreationDate: new Date(`${first.letterDate}T12:00:00Z`),
    },
  });
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    pdf.on('end', resolve);
    pdf.on('error', reject);
  });

  const fonts = parsedFonts(templates.fonts);
  // pdfkit takes fontkit's font objects as they are; its typings only know bytes.
  pdf.registerFont('regular', fonts.regular as unknown as Buffer);
  pdf.registerFont('bold', fonts.bold as unknown as Buffer);
  // Every text goes through here: a character the font has no glyph for would print as nothing.
  const write = pdf.text.bind(pdf);
  pdf.text = ((text: unknown, ...rest: unknown[]) =>
    (write as (...args: unknown[]) => Doc)(typeof text === 'string' ? printable(text, fonts.regular) : text, ...rest)) as Doc['text'];

  for (const doc of docs) {
    const before = pdf.bufferedPageRange();
    const start = before.start + before.count;
    renderLetter(pdf, doc, templates);
    const count = pdf.bufferedPageRange().count - before.count;
    for (let i = 0; i < count; i++) {
      pdf.switchToPage(start + i);
      // Drawn afterwards, not on pdfkit's pageAdded: writing text there corrupts a paragraph that is
      // being wrapped across the page break.
      if (i > 0) continuationHeader(pdf, doc);
      footer(pdf, doc, i + 1, count);
    }
    // A letter's pages are final once numbered: writing them out keeps a day's print file of
    // thousands of letters from holding every page in memory.
    pdf.flushPages();
  }
  pdf.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

function renderLetter(pdf: Doc, doc: LetterDocument, templates: LetterTemplates): void {
  const template = templates.templates[doc.kind];
  const value = (name: string): string => {
    const v = doc.fields[name];
    // The templates are checked at load against the same list, so this is a stored document from an
    // older field list: refuse rather than print a gap.
    if (v === undefined) throw new Error(`renderLettersPdf: ${doc.kind} ${doc.contractId} has no value for field "${name}"`);
    return v;
  };

  pdf.addPage();
  pdf.outline.addItem(`${doc.title} · ${doc.contractId}`);
  letterhead(pdf, doc, spansText(template.subject, value));
  pdf.font('regular').fontSize(BODY_SIZE).fillColor(INK);
  renderBlocks(pdf, doc, template.blocks, value);
}

function letterhead(pdf: Doc, doc: LetterDocument, subject: string): void {
  pdf
    .font('bold')
    .fontSize(15)
    .fillColor(ACCENT)
    .text(doc.sender.name, LEFT, 15 * MM, { width: 95 * MM });
  pdf.rect(LEFT, 15 * MM + 22, 30 * MM, 1.5).fill(ACCENT);

  const columnX = 135 * MM;
  pdf.font('regular').fontSize(SMALL).fillColor(GREY);
  pdf.text(doc.sender.lines.join('\n'), columnX, 15 * MM, { width: PAGE.width - RIGHT - columnX, lineGap: 1.5 });

  // The return address sits just above the window, small, so the post office returns undeliverable mail.
  pdf
    .fontSize(6.5)
    .fillColor(GREY)
    .text(doc.sender.returnAddress, LEFT, 47 * MM, { width: 85 * MM, lineBreak: false, ellipsis: true });
  pdf.font('regular').fontSize(10.5).fillColor(INK);
  let y = 52 * MM;
  for (const line of doc.recipient.slice(0, 6)) {
    pdf.text(line, LEFT, y, { width: 85 * MM, lineBreak: false, ellipsis: true });
    y += 13.5;
  }

  // Reference line: what a Dutch reader looks for before the text.
  const refY = 100 * MM;
  const refs: [string, string][] = [
    ['Datum', doc.fields.letterDate ?? ''],
    ['Contractnummer', doc.contractId],
    ['Betreft', doc.title],
  ];
  const shares = [0.28, 0.25, 0.47];
  let refX = LEFT;
  refs.forEach(([label, text], i) => {
    const colW = shares[i]! * WIDTH;
    pdf.font('regular').fontSize(7.5).fillColor(GREY);
    pdf.text(label.toUpperCase(), refX, refY, { width: colW - 8, characterSpacing: 0.4 });
    pdf.font('regular').fontSize(BODY_SIZE).fillColor(INK);
    pdf.text(text, refX, refY + 11, { width: colW - 8, lineBreak: false, ellipsis: true });
    refX += colW;
  });
  pdf
    .moveTo(LEFT, refY + 30)
    .lineTo(LEFT + WIDTH, refY + 30)
    .lineWidth(0.5)
    .strokeColor(RULE)
    .stroke();

  pdf
    .font('bold')
    .fontSize(11)
    .fillColor(INK)
    .text(subject, LEFT, refY + 40, { width: WIDTH });
  pdf.x = LEFT;
  pdf.y = pdf.y + 10;
}

function spansText(spans: Span[], value: (name: string) => string): string {
  return spans.map((s) => (s.field ? value(s.field) : (s.text ?? ''))).join('');
}

function renderBlocks(pdf: Doc, doc: LetterDocument, blocks: TemplateBlock[], value: (name: string) => string): void {
  for (const block of blocks) {
    switch (block.type) {
      case 'paragraph':
        for (const line of block.lines) richLine(pdf, line, value, LEFT, WIDTH);
        gap(pdf, 6);
        break;
      case 'heading':
        // A heading stays with the start of what it heads (two lines, or a table's header and first row).
        keepWithNext(pdf, 70);
        pdf.font('bold').fontSize(10.5).fillColor(ACCENT).text(spansText(block.spans, value), LEFT, pdf.y, { width: WIDTH });
        pdf.fillColor(INK);
        gap(pdf, 3);
        break;
      case 'bullets':
        for (const item of block.items) {
          keepWithNext(pdf, 14);
          const y = pdf.y;
          pdf
            .font('regular')
            .fontSize(BODY_SIZE)
            .fillColor(INK)
            .text('•', LEFT + 4, y, { width: 10, lineBreak: false });
          pdf.y = y;
          richLine(pdf, item, value, LEFT + 16, WIDTH - 16);
          gap(pdf, 2);
        }
        gap(pdf, 4);
        break;
      case 'table': {
        const table = doc.tables[block.name];
        if (!table) throw new Error(`renderLettersPdf: ${doc.kind} ${doc.contractId} has no table "${block.name}"`);
        renderTable(pdf, table);
        gap(pdf, 8);
        break;
      }
      case 'space':
        gap(pdf, 14);
        break;
      case 'if': {
        const has = (doc.fields[block.field] ?? '').trim() !== '';
        renderBlocks(pdf, doc, has !== block.negate ? block.then : block.else, value);
        break;
      }
    }
  }
}

function gap(pdf: Doc, points: number): void {
  pdf.y += points;
}

/** Starts a new page when less than `points` are left, so a heading never ends a page alone. */
function keepWithNext(pdf: Doc, points: number): void {
  if (pdf.y + points > PAGE.height - BOTTOM) pdf.addPage();
}

function richLine(pdf: Doc, spans: Span[], value: (name: string) => string, x: number, width: number): void {
  const parts = spans.map((s) => ({ text: s.field ? value(s.field) : (s.text ?? ''), bold: s.bold })).filter((p) => p.text.length > 0);
  pdf.fillColor(INK).fontSize(BODY_SIZE);
  if (parts.length === 0) {
    pdf.font('regular').text(' ', x, pdf.y, { width });
    return;
  }
  parts.forEach((part, i) => {
    pdf.font(part.bold ? 'bold' : 'regular');
    const options = { width, lineGap: 2, continued: i < parts.length - 1 };
    if (i === 0) pdf.text(part.text, x, pdf.y, options);
    else pdf.text(part.text, options);
  });
  pdf.x = LEFT;
}

function renderTable(pdf: Doc, table: LetterTable): void {
  const size = 9;
  const pad = 3;
  const widths = table.columns.map((c) => c.width * WIDTH);
  const xs = widths.map((_, i) => LEFT + widths.slice(0, i).reduce((a, b) => a + b, 0));

  const rowHeight = (cells: string[], font: string): number => {
    pdf.font(font).fontSize(size);
    return Math.max(...cells.map((c, i) => pdf.heightOfString(c || ' ', { width: widths[i]! - 2 * pad }))) + 2 * pad;
  };
  const drawRow = (cells: string[], font: string, color: string): void => {
    const h = rowHeight(cells, font);
    const y = pdf.y;
    pdf.font(font).fontSize(size).fillColor(color);
    cells.forEach((cell, i) => {
      pdf.text(cell, xs[i]! + pad, y + pad, { width: widths[i]! - 2 * pad, align: table.columns[i]!.align });
    });
    pdf.x = LEFT;
    pdf.y = y + h;
  };
  const rule = (weight: number): void => {
    pdf
      .moveTo(LEFT, pdf.y)
      .lineTo(LEFT + WIDTH, pdf.y)
      .lineWidth(weight)
      .strokeColor(RULE)
      .stroke();
  };
  const header = (): void => {
    drawRow(
      table.columns.map((c) => c.header),
      'bold',
      GREY,
    );
    rule(0.8);
  };
  const fits = (h: number): boolean => pdf.y + h <= PAGE.height - BOTTOM;

  const headerHeight = rowHeight(
    table.columns.map((c) => c.header),
    'bold',
  );
  const firstRow = table.rows[0] ?? table.total;
  if (!fits(headerHeight + (firstRow ? rowHeight(firstRow, 'regular') : 0))) pdf.addPage();
  header();
  if (table.rows.length === 0 && !table.total) {
    drawRow(['—', ...table.columns.slice(1).map(() => '')], 'regular', GREY);
  }
  table.rows.forEach((row, i) => {
    if (!fits(rowHeight(row, 'regular'))) {
      pdf.addPage();
      header();
    }
    drawRow(row, 'regular', INK);
    if (i < table.rows.length - 1) rule(0.3);
  });
  if (table.total) {
    if (!fits(rowHeight(table.total, 'bold'))) {
      pdf.addPage();
      header();
    }
    rule(0.8);
    drawRow(table.total, 'bold', INK);
  }
  pdf.fillColor(INK).font('regular').fontSize(BODY_SIZE);
}

function continuationHeader(pdf: Doc, doc: LetterDocument): void {
  pdf.font('regular').fontSize(SMALL).fillColor(GREY);
  pdf.text(`${doc.sender.name} · ${doc.title} · ${doc.contractId} · ${doc.fields.letterDate ?? ''}`, LEFT, 12 * MM, {
    width: WIDTH,
    lineBreak: false,
  });
}

function footer(pdf: Doc, doc: LetterDocument, page: number, pages: number): void {
  // Writing below the bottom margin would make pdfkit start a new page: lift the margin for the footer.
  const margin = pdf.page.margins.bottom;
  pdf.page.margins.bottom = 0;
  const y = PAGE.height - 14 * MM;
  pdf
    .moveTo(LEFT, y - 6)
    .lineTo(LEFT + WIDTH, y - 6)
    .lineWidth(0.4)
    .strokeColor(RULE)
    .stroke();
  pdf.font('regular').fontSize(SMALL).fillColor(GREY);
  pdf.text(`${doc.sender.name} · contract ${doc.contractId}`, LEFT, y, { width: WIDTH * 0.7, lineBreak: false, ellipsis: true });
  pdf.text(`Pagina ${page} van ${pages}`, LEFT + WIDTH * 0.7, y, { width: WIDTH * 0.3, align: 'right', lineBreak: false });
  pdf.page.margins.bottom = margin;
}
