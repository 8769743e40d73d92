import { DEFAULT_HOLIDAYS } from '../../src/domain/calendar.js';
import { EXAMPLE_LETTERS_CONFIG, exampleSources } from '../../src/letters/example-sources.js';
import { buildLetterDocument, type LetterDocument } from '../../src/letters/letter-document.js';
import type { LetterKind } from '../../src/letters/letter-kinds.js';
import type { LetterSource } from '../../src/letters/letter-source.js';
import { renderLettersPdf } from '../../src/letters/render.js';
import { loadLetterTemplates } from '../../src/letters/templates.js';
import { pdfPageTexts, pdfText } from '../support/pdf-text.js';

export const ctx = { letters: EXAMPLE_LETTERS_CONFIG, holidays: DEFAULT_HOLIDAYS };
export const templates = loadLetterTemplates();

/** A fresh, mutable copy of the example dossier's source for one letter. */
export function source(kind: LetterKind, start?: string): LetterSource {
  return structuredClone(exampleSources(start)[kind]);
}

export function build(src: LetterSource): LetterDocument {
  return buildLetterDocument(src, ctx);
}

/** The letter as a reader sees it: rendered to PDF and read back. */
export async function letterText(src: LetterSource): Promise<string> {
  return pdfText(await renderLettersPdf([build(src)], templates));
}

export async function letterPages(src: LetterSource): Promise<string[]> {
  return pdfPageTexts(await renderLettersPdf([build(src)], templates));
}
