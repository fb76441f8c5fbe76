/**
 * Reading a generated PDF back as a person's viewer would, for tests: Mozilla's pdf.js parses it
 * (page count, metadata, the text through the fonts' Unicode maps), draws each page to pixels on a
 * canvas, and ZXing (zxing-wasm, its WebAssembly loaded from node_modules, offline) scans the
 * pixels for barcodes. Nothing here knows how the PDF was written.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createCanvas } from '@napi-rs/canvas';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

const require = createRequire(import.meta.url);
let zxing: Promise<unknown> | undefined;

function zxingReady(): Promise<unknown> {
  if (!zxing) {
    const wasm = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
    const wasmBinary = wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer;
    zxing = prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
  }
  return zxing;
}

/** What a viewer sees in a PDF. */
export interface ReadPdf {
  pages: number;
  /** Each page's text, its runs joined by single spaces. */
  text: string[];
  /** The document information dictionary (Title, CreationDate…). */
  info: Record<string, unknown>;
}

/**
 * Parses a PDF and extracts its text.
 * @param bytes - the PDF
 */
export async function readPdf(bytes: Uint8Array): Promise<ReadPdf> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false }).promise;
  try {
    const text: string[] = [];
    for (let i = 1; i <= pdf.numPages; i++) {
      const content = await (await pdf.getPage(i)).getTextContent();
      text.push(content.items.map((item) => ('str' in item ? item.str : '')).filter((s) => s.trim() !== '').join(' '));
    }
    const { info } = await pdf.getMetadata();
    return { pages: pdf.numPages, text, info: info as Record<string, unknown> };
  } finally {
    await pdf.destroy();
  }
}

/** A page drawn to pixels. */
export interface PagePixels {
  width: number;
  height: number;
  /** RGBA, row by row. */
  data: Uint8ClampedArray;
  /** The page as a PNG, to look at. */
  png(): Promise<Buffer>;
}

/**
 * Draws one page on a white canvas.
 * @param bytes - the PDF
 * @param pageNumber - 1-based
 * @param scale - pixels per PDF point (2 ≈ a phone screen at 144 dpi)
 */
export async function renderPage(bytes: Uint8Array, pageNumber: number, scale = 2): Promise<PagePixels> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false }).promise;
  try {
    const page = await pdf.getPage(pageNumber);
    const viewport = page.getViewport({ scale });
    const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    await page.render({ canvas: canvas as unknown as HTMLCanvasElement, canvasContext: ctx as unknown as CanvasRenderingContext2D, viewport }).promise;
    const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    return { width: image.width, height: image.height, data: image.data, png: () => canvas.encode('png') };
  } finally {
    await pdf.destroy();
  }
}

/** A barcode found on a page. */
export interface ScannedBarcode {
  page: number;
  /** ZXing's name of the symbology: `PDF417`, `Aztec`, `QRCode`. */
  format: string;
  text: string;
}

/**
 * Scans every page of a PDF for barcodes, as a phone or a gate reader would scan the screen.
 * @param bytes - the PDF
 * @param scale - pixels per PDF point
 */
export async function scanPdf(bytes: Uint8Array, scale = 2): Promise<ScannedBarcode[]> {
  await zxingReady();
  const { pages } = await readPdf(bytes);
  const found: ScannedBarcode[] = [];
  for (let page = 1; page <= pages; page++) {
    const pixels = await renderPage(bytes, page, scale);
    const results = await readBarcodes({ width: pixels.width, height: pixels.height, data: pixels.data, colorSpace: 'srgb' } as ImageData, { formats: ['PDF417', 'Aztec', 'QRCode'], tryHarder: true, maxNumberOfSymbols: 4 });
    for (const r of results) if (r.isValid) found.push({ page, format: r.format, text: r.text });
  }
  return found;
}
