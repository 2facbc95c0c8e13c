/**
 * Reads a PDF as a reader would, with Mozilla's pdf.js (a maintained parser, not ours): its pages and the text on
 * them. A file pdf.js cannot open is not a valid PDF.
 */
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface PdfContent {
  pages: number;
  /** The text of every page, in reading order, items separated by spaces. */
  text: string;
  /** The document's title, from its metadata. */
  title: string | undefined;
  /** The URLs of its links. */
  links: string[];
}

export async function readPdf(bytes: Uint8Array): Promise<PdfContent> {
  const doc = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false }).promise;
  try {
    const parts: string[] = [];
    const links: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      parts.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
      for (const annotation of (await page.getAnnotations()) as { url?: string }[]) {
        if (annotation.url) links.push(annotation.url);
      }
    }
    const info = (await doc.getMetadata()).info as { Title?: string };
    return { pages: doc.numPages, text: parts.join('\n').replace(/\s+/g, ' '), title: info.Title, links };
  } finally {
    await doc.destroy();
  }
}
