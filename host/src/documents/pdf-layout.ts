// the declarations name pdfkit's global PDFKit namespace: keep its types referenced in the emitted .d.ts
/// <reference types="pdfkit" preserve="true" />
/**
 * The layout helpers every document template draws with, over pdfkit: a title, paragraphs, a grid
 * of labelled values, a table of line items with its total, a barcode block and a footer on every
 * page. Each block measures itself first and starts a new page when it does not fit, so a receipt
 * of a hundred lines runs on over as many pages as it needs.
 *
 * Text is set in Noto Sans (embedded, subset to the glyphs used, with its Unicode map so a viewer
 * can search and copy the text): Latin, Greek and Cyrillic names print as written. Numbers, amounts
 * and dates are formatted for the reader's locale and time zone with `Intl`.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import { encodeBarcode, type BarcodeMatrix, type BarcodeSymbology } from './barcode.js';
import { formatDateTime, formatMoney } from './format.js';

const require = createRequire(import.meta.url);

/** The font files, from the `@expo-google-fonts/noto-sans` package (SIL Open Font License). */
const FONT_FILES = {
  regular: '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
} as const;

/** The document fonts' bytes and the regular face's character map. */
export interface DocumentFonts {
  regular: Buffer;
  bold: Buffer;
  /**
   * Whether the fonts have a glyph for a character (both faces cover the same characters).
   * @param codePoint - a Unicode code point
   */
  covers(codePoint: number): boolean;
}

let fonts: Promise<DocumentFonts> | undefined;

/**
 * The document fonts, read once per process.
 * @returns the fonts
 */
export function documentFonts(): Promise<DocumentFonts> {
  fonts ??= (async () => {
    const [regular, bold] = await Promise.all([readFile(require.resolve(FONT_FILES.regular)), readFile(require.resolve(FONT_FILES.bold))]);
    const face = fontkit.create(regular);
    if (!('hasGlyphForCodePoint' in face)) throw new Error('the document font is a collection, not one face');
    return { regular, bold, covers: (cp: number) => face.hasGlyphForCodePoint(cp) };
  })();
  fonts.catch(() => { fonts = undefined; });
  return fonts;
}

/** Page sizes a template may choose (ISO 216), in PDF points. */
export type PageSize = 'A4' | 'A5';

/** What a PDF says about itself (its document information dictionary). */
export interface PdfMetadata {
  /** The document's title, shown by viewers in their title bar. */
  title: string;
  /** Its subject. */
  subject?: string;
  /** Who issued it (the business). */
  author?: string;
  /** Its creation and modification date: the message's time, so the same input gives the same bytes. */
  at: Date;
  /** The reader's locale: the document's language (`/Lang`), for screen readers. */
  locale: string;
  /** The reader's IANA time zone. */
  timeZone: string;
  /** Page size (default A4). */
  pageSize?: PageSize;
}

/** One line of a {@link DocumentLayout.lineItems} table. */
export interface LineItem {
  /** What was sold. */
  description: string;
  /** How many, a positive integer. */
  quantity: number;
  /** Price of one, in the currency's minor unit (cents). */
  unitPrice: number;
}

/** Column headings of a {@link DocumentLayout.lineItems} table. */
export interface LineItemLabels {
  item: string;
  quantity: string;
  unitPrice: string;
  amount: string;
  total: string;
}

const MARGIN = 48;
const INK = '#111111';
const MUTED = '#5f6368';
const LINE = '#c4c7cc';

/**
 * Draws one document, top to bottom. Templates get one in their `render` and call its blocks in
 * order; each block returns the layout, so calls chain.
 */
export class DocumentLayout {
  private y: number;
  private footerText?: string;

  /**
   * @param doc - the pdfkit document (pages buffered, fonts `body` and `bold` registered)
   * @param locale - the reader's locale
   * @param timeZone - the reader's IANA time zone
   * @param covers - whether the fonts have a glyph for a code point (see {@link DocumentFonts.covers})
   */
  constructor(private readonly doc: PDFKit.PDFDocument, readonly locale: string, readonly timeZone: string, private readonly covers: (codePoint: number) => boolean) {
    this.y = doc.page.margins.top;
  }

  private get left(): number { return this.doc.page.margins.left; }
  private get width(): number { return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right; }
  private get bottom(): number { return this.doc.page.height - this.doc.page.margins.bottom; }

  /** Starts a new page when `height` points do not fit on this one (a block taller than a page starts at the top anyway). */
  private ensure(height: number): void {
    if (this.y + height > this.bottom && this.y > this.doc.page.margins.top) {
      this.doc.addPage();
      this.y = this.doc.page.margins.top;
    }
  }

  private measure(text: string, font: 'body' | 'bold', size: number, width: number): number {
    return this.doc.font(font).fontSize(size).heightOfString(text, { width });
  }

  private write(text: string, x: number, y: number, options: { font?: 'body' | 'bold'; size?: number; color?: string; width: number; align?: 'left' | 'right' | 'center' }): void {
    // the data was checked before rendering; this catches a template's own text (an arrow the font lacks would print as a box)
    const missing = [...text].filter((ch) => !/\s/u.test(ch) && !this.covers(ch.codePointAt(0)!));
    if (missing.length > 0) throw new RangeError(`the document font has no glyph for ${missing.map((ch) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(', ')} in "${text}"`);
    this.doc.font(options.font ?? 'body').fontSize(options.size ?? 11).fillColor(options.color ?? INK)
      .text(text, x, y, { width: options.width, align: options.align ?? 'left', lineGap: 1 });
  }

  /**
   * The document's title, large and bold, with an optional line under it (the issuer's name).
   * @param text - the title
   * @param subtitle - a line under it
   */
  title(text: string, subtitle?: string): this {
    const h = this.measure(text, 'bold', 24, this.width) + (subtitle ? this.measure(subtitle, 'body', 12, this.width) + 2 : 0);
    this.ensure(h);
    this.write(text, this.left, this.y, { font: 'bold', size: 24, width: this.width });
    this.y += this.measure(text, 'bold', 24, this.width);
    if (subtitle) {
      this.y += 2;
      this.write(subtitle, this.left, this.y, { size: 12, color: MUTED, width: this.width });
      this.y += this.measure(subtitle, 'body', 12, this.width);
    }
    return this.space(14);
  }

  /**
   * A paragraph of text, wrapped to the page width.
   * @param text - the text
   * @param options - `size` in points (default 11), `bold`, `muted` (grey), `align`
   */
  paragraph(text: string, options: { size?: number; bold?: boolean; muted?: boolean; align?: 'left' | 'center' | 'right' } = {}): this {
    const font = options.bold ? 'bold' : 'body';
    const size = options.size ?? 11;
    const h = this.measure(text, font, size, this.width);
    this.ensure(h);
    this.write(text, this.left, this.y, { font, size, width: this.width, ...(options.muted ? { color: MUTED } : {}), ...(options.align ? { align: options.align } : {}) });
    this.y += h;
    return this.space(6);
  }

  /**
   * Labelled values in a grid: each cell a small grey label over its value, `columns` cells a row.
   * @param rows - `[label, value]` pairs, in reading order
   * @param options - `columns` per row (default 2), `size` of the values in points (default 13)
   */
  keyValues(rows: readonly (readonly [label: string, value: string])[], options: { columns?: number; size?: number } = {}): this {
    const columns = Math.max(1, Math.min(4, options.columns ?? 2));
    const size = options.size ?? 13;
    const gap = 12;
    const cell = (this.width - gap * (columns - 1)) / columns;
    for (let i = 0; i < rows.length; i += columns) {
      const row = rows.slice(i, i + columns);
      const heights = row.map(([label, value]) => this.measure(label, 'body', 8.5, cell) + 1 + this.measure(value, 'bold', size, cell));
      const h = Math.max(...heights);
      this.ensure(h);
      row.forEach(([label, value], j) => {
        const x = this.left + j * (cell + gap);
        this.write(label.toUpperCase(), x, this.y, { size: 8.5, color: MUTED, width: cell });
        this.write(value, x, this.y + this.measure(label, 'body', 8.5, cell) + 1, { font: 'bold', size, width: cell });
      });
      this.y += h + 10;
    }
    return this.space(4);
  }

  /**
   * A table of line items — description, quantity, unit price and amount per line — and the total
   * under it, amounts formatted in the currency for the reader's locale. The heading row is repeated
   * on every page the table runs onto.
   * @param items - the lines
   * @param currency - ISO 4217 code of the prices
   * @param labels - the column headings and the total's label
   * @returns the total, in minor units
   * @throws RangeError when a line's amount or the total is not a safe integer
   */
  lineItems(items: readonly LineItem[], currency: string, labels: LineItemLabels): number {
    const w = this.width;
    const col = { qty: w * 0.12, unit: w * 0.2, amount: w * 0.2 };
    const descWidth = w - col.qty - col.unit - col.amount;
    const x = { desc: this.left, qty: this.left + descWidth, unit: this.left + descWidth + col.qty, amount: this.left + descWidth + col.qty + col.unit };
    const heading = (): void => {
      this.ensure(18 + 24);
      this.write(labels.item, x.desc, this.y, { font: 'bold', size: 9.5, color: MUTED, width: descWidth - 8 });
      this.write(labels.quantity, x.qty, this.y, { font: 'bold', size: 9.5, color: MUTED, width: col.qty - 8, align: 'right' });
      this.write(labels.unitPrice, x.unit, this.y, { font: 'bold', size: 9.5, color: MUTED, width: col.unit - 8, align: 'right' });
      this.write(labels.amount, x.amount, this.y, { font: 'bold', size: 9.5, color: MUTED, width: col.amount, align: 'right' });
      this.y += 16;
      this.rule();
    };
    heading();
    let total = 0;
    for (const item of items) {
      const amount = item.quantity * item.unitPrice;
      total += amount;
      if (!Number.isSafeInteger(amount) || !Number.isSafeInteger(total)) throw new RangeError('an amount exceeds what can be counted exactly');
      const h = this.measure(item.description, 'body', 11, descWidth - 8);
      if (this.y + h > this.bottom) { this.doc.addPage(); this.y = this.doc.page.margins.top; heading(); }
      this.write(item.description, x.desc, this.y, { width: descWidth - 8 });
      this.write(new Intl.NumberFormat(this.locale).format(item.quantity), x.qty, this.y, { width: col.qty - 8, align: 'right' });
      this.write(this.money(item.unitPrice, currency), x.unit, this.y, { width: col.unit - 8, align: 'right' });
      this.write(this.money(amount, currency), x.amount, this.y, { width: col.amount, align: 'right' });
      this.y += h + 6;
    }
    this.ensure(30);
    this.rule();
    this.write(labels.total, x.desc, this.y, { font: 'bold', size: 13, width: descWidth + col.qty });
    this.write(this.money(total, currency), x.unit, this.y, { font: 'bold', size: 13, width: col.unit + col.amount, align: 'right' });
    this.y += 22;
    this.space(8);
    return total;
  }

  /**
   * A barcode, centred, drawn as vector squares (one per dark module, runs merged), with a quiet
   * zone around it and an optional caption under it.
   * @param symbol - an encoded matrix, or the symbology and text to encode
   * @param options - `width` in points (default: a third of the page for square codes, two thirds for PDF417), `caption`
   */
  barcode(symbol: BarcodeMatrix | { symbology: BarcodeSymbology; text: string }, options: { width?: number; caption?: string } = {}): this {
    const matrix = 'dark' in symbol ? symbol : encodeBarcode(symbol.symbology, symbol.text);
    const width = Math.min(this.width, options.width ?? (matrix.symbology === 'pdf417' ? this.width * 0.7 : this.width * 0.36));
    const module = width / matrix.columns;
    const height = module * matrix.rows;
    const quiet = module * 4;
    const caption = options.caption ? this.measure(options.caption, 'body', 10, this.width) + 6 : 0;
    this.ensure(height + 2 * quiet + caption);
    const x0 = this.left + (this.width - width) / 2;
    const y0 = this.y + quiet;
    for (let r = 0; r < matrix.rows; r++) {
      let c = 0;
      while (c < matrix.columns) {
        if (!matrix.dark[r * matrix.columns + c]) { c++; continue; }
        let end = c;
        while (end < matrix.columns && matrix.dark[r * matrix.columns + end]) end++;
        this.doc.rect(x0 + c * module, y0 + r * module, (end - c) * module, module);
        c = end;
      }
    }
    this.doc.fillColor('#000000').fill();
    this.y = y0 + height + quiet;
    if (options.caption) {
      this.write(options.caption, this.left, this.y, { size: 10, color: MUTED, width: this.width, align: 'center' });
      this.y += caption;
    }
    return this.space(6);
  }

  /** A thin horizontal line across the page. */
  rule(): this {
    this.ensure(8);
    this.doc.moveTo(this.left, this.y).lineTo(this.left + this.width, this.y).lineWidth(0.6).strokeColor(LINE).stroke();
    this.y += 8;
    return this;
  }

  /**
   * Vertical space.
   * @param points - how much
   */
  space(points: number): this {
    this.y += points;
    return this;
  }

  /**
   * A line printed at the bottom of every page, with the page number (`… · 1/2`).
   * @param text - the line
   */
  footer(text: string): this {
    this.footerText = text;
    return this;
  }

  /**
   * An amount of money for the reader.
   * @param minor - in the currency's minor unit
   * @param currency - ISO 4217 code
   */
  money(minor: number, currency: string): string {
    return formatMoney(minor, currency, this.locale);
  }

  /**
   * An instant on the reader's wall clock.
   * @param at - the instant
   */
  dateTime(at: Date): string {
    return formatDateTime(at, this.locale, this.timeZone);
  }

  /** Draws the footers (called once, after the template has drawn everything). */
  finish(): void {
    const range = this.doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      this.doc.switchToPage(i);
      const bottom = this.doc.page.margins.bottom;
      // the footer sits in the bottom margin: with the margin left in place pdfkit would start a new page
      this.doc.page.margins.bottom = 0;
      const pages = range.count > 1 ? `${i - range.start + 1}/${range.count}` : '';
      const line = [this.footerText, pages].filter(Boolean).join(' · ');
      if (line) this.write(line, this.left, this.doc.page.height - bottom + 14, { size: 8.5, color: MUTED, width: this.width, align: 'center' });
      this.doc.page.margins.bottom = bottom;
    }
  }
}

/**
 * Renders one PDF: sets up the document (page size, fonts, fixed dates and metadata), lets `draw`
 * lay it out, and collects the bytes. Nothing in the output depends on the wall clock or on chance:
 * the dates are `meta.at`, the file identifier is derived from the metadata, and the font subsets
 * are named after their order of use, so the same input renders the same bytes.
 * @param meta - title, dates, locale and page size
 * @param draw - lays the document out
 * @returns the PDF's bytes
 */
export async function renderPdf(meta: PdfMetadata, draw: (layout: DocumentLayout) => void | Promise<void>): Promise<Buffer> {
  const { regular, bold, covers } = await documentFonts();
  const doc = new PDFDocument({
    size: meta.pageSize ?? 'A4',
    margin: MARGIN,
    bufferPages: true,
    lang: meta.locale,
    displayTitle: true,
    info: {
      Title: meta.title,
      ...(meta.subject ? { Subject: meta.subject } : {}),
      ...(meta.author ? { Author: meta.author } : {}),
      Creator: 'Switchboard document templates',
      Producer: 'Switchboard (pdfkit)',
      CreationDate: meta.at,
      ModDate: meta.at,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('body', regular);
  doc.registerFont('bold', bold);
  doc.font('body');
  const layout = new DocumentLayout(doc, meta.locale, meta.timeZone, covers);
  try {
    await draw(layout);
    layout.finish();
  } finally {
    doc.end();
  }
  return done;
}
