/**
 * Generated documents: templates rendered to PDF per message (a boarding pass, an order receipt),
 * then sent as a `document` through the outbound path. See `README.md` beside this file.
 * @module
 */
import type { DocumentTemplate } from './document-template.js';
import { boardingPassTemplate } from './templates/boarding-pass.js';
import { orderReceiptTemplate } from './templates/order-receipt.js';

export * from './document-template.js';
export * from './render-document.js';
export * from './bcbp.js';
export { encodeBarcode, MAX_BARCODE_TEXT, type BarcodeMatrix, type BarcodeSymbology } from './barcode.js';
export { currencyDigits, formatCalendarDate, formatDateTime, formatMoney, isKnownCurrency, isUsableLocale } from './format.js';
export { DocumentLayout, documentFonts, renderPdf, type DocumentFonts, type LineItem, type LineItemLabels, type PageSize, type PdfMetadata } from './pdf-layout.js';
export { BoardingPassSchema, boardingPassBcbp, boardingPassTemplate, type BoardingPassData } from './templates/boarding-pass.js';
export { MAX_RECEIPT_ITEMS, MAX_UNIT_PRICE, OrderReceiptSchema, orderReceiptTemplate, type OrderReceiptData } from './templates/order-receipt.js';

/** The templates the host ships: `boarding-pass` and `order-receipt`. */
export const builtInDocumentTemplates: readonly DocumentTemplate[] = [boardingPassTemplate, orderReceiptTemplate];
