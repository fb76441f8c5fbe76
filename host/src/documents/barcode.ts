/**
 * Two-dimensional barcodes as module matrices, encoded by bwip-js (the Barcode Writer in Pure
 * PostScript, run in JavaScript). A document draws the matrix as vector squares, so the code stays
 * sharp at any zoom and on any printer.
 * @module
 */
import bwipjs from 'bwip-js/node';

/**
 * The symbologies a document can carry: PDF417 and Aztec for boarding passes (IATA Resolution 792
 * names both; PDF417 for paper, Aztec for phones), QR for everything else.
 */
export type BarcodeSymbology = 'pdf417' | 'aztec' | 'qr';

/** An encoded symbol: `rows × columns` modules, `dark[row * columns + column]` true for a dark one. */
export interface BarcodeMatrix {
  symbology: BarcodeSymbology;
  /** What it encodes. */
  text: string;
  columns: number;
  rows: number;
  dark: boolean[];
}

/** Longest text a document barcode takes (a BCBP with its security data is far below). */
export const MAX_BARCODE_TEXT = 1000;

/**
 * The encoder's options per symbology: PDF417 at error-correction level 5 as IATA recommends for
 * boarding passes; QR at level M (15 %), which survives a scratched screen or a creased print.
 * Aztec keeps bwip-js's default of 23 % + 3 codewords, the level ISO/IEC 24778 recommends.
 */
const ENCODER: Record<BarcodeSymbology, { bcid: string; options: Record<string, string | number | boolean> }> = {
  pdf417: { bcid: 'pdf417', options: { eclevel: 5, columns: 6 } },
  aztec: { bcid: 'azteccode', options: {} },
  qr: { bcid: 'qrcode', options: { eclevel: 'M' } },
};

/**
 * Encodes text as a 2-D barcode.
 * @param symbology - which kind of code
 * @param text - what it holds: printable ASCII, at most {@link MAX_BARCODE_TEXT} characters
 * @returns the module matrix
 * @throws RangeError for text that is empty, too long or not printable ASCII
 */
export function encodeBarcode(symbology: BarcodeSymbology, text: string): BarcodeMatrix {
  if (text.length === 0 || text.length > MAX_BARCODE_TEXT || !/^[\x20-\x7e]+$/.test(text)) {
    throw new RangeError(`a document barcode holds 1–${MAX_BARCODE_TEXT} printable ASCII characters`);
  }
  const { bcid, options } = ENCODER[symbology];
  // bwip-js reads a backslash as the start of an escape only with parse/parsefnc, both off here
  const [symbol] = bwipjs.raw({ bcid, text, ...options });
  if (!symbol || !('pixs' in symbol)) throw new Error(`bwip-js returned no module matrix for ${bcid}`);
  return { symbology, text, columns: symbol.pixx, rows: symbol.pixy, dark: symbol.pixs.map((p) => p === 1) };
}
