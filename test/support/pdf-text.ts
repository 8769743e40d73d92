import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** The text of each page of a PDF, read back with pdf.js: what a reader (or a judge) sees. */
export async function pdfPages(pdf: Uint8Array): Promise<string[]> {
  // pdf.js takes ownership of the buffer it is given: pass a copy so the caller's bytes stay intact.
  const task = getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false, verbosity: 0 });
  const document = await task.promise;
  try {
    const pages: string[] = [];
    for (let n = 1; n <= document.numPages; n++) {
      const page = await document.getPage(n);
      const content = await page.getTextContent();
      let text = '';
      let end: { x: number; y: number } | null = null;
      for (const item of content.items) {
        if (!('str' in item)) continue;
        const x = item.transform[4] as number;
        const y = item.transform[5] as number;
        // A bold word inside a sentence is its own run: glue runs that touch, space the others.
        const touches = end !== null && Math.abs(end.y - y) < 1 && Math.abs(x - end.x) < 0.5;
        text += (text && !touches && !text.endsWith('\n') ? ' ' : '') + item.str + (item.hasEOL ? '\n' : '');
        end = item.hasEOL ? null : { x: x + item.width, y };
      }
      pages.push(text);
    }
    return pages;
  } finally {
    await task.destroy();
  }
}

/** All pages as one string with every run of whitespace as one space, so wrapped sentences match. */
export async function pdfText(pdf: Uint8Array): Promise<string> {
  return (await pdfPages(pdf)).join('\n').replace(/\s+/g, ' ');
}

/** The page-level view: words squeezed the same way, per page. */
export async function pdfPageTexts(pdf: Uint8Array): Promise<string[]> {
  return (await pdfPages(pdf)).map((p) => p.replace(/\s+/g, ' '));
}
