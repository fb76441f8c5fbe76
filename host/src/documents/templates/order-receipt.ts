/**
 * The `order-receipt` template: a shop's or a snack stand's receipt for an order — the lines with
 * quantities and prices, the total in the order's currency for the reader's locale, and the
 * pick-up code as a QR code the counter scans.
 * @module
 */
import { z } from 'zod';
import { defineDocumentTemplate, documentText } from '../document-template.js';
import { isKnownCurrency } from '../format.js';

/** Most lines a receipt takes. */
export const MAX_RECEIPT_ITEMS = 200;
/** Highest unit price, in minor units (one million in a two-decimal currency): every total stays an exact integer. */
export const MAX_UNIT_PRICE = 100_000_000;

/** One line of a receipt. */
export const ReceiptItemSchema = z.strictObject({
  description: documentText(80),
  quantity: z.number().int().min(1).max(999),
  /** Price of one, in the currency's minor unit (cents). */
  unitPrice: z.number().int().min(0).max(MAX_UNIT_PRICE),
});

/** The data of an order receipt. */
export const OrderReceiptSchema = z.strictObject({
  merchant: z.strictObject({
    /** The business's name, printed under the title. */
    name: documentText(60),
    /** Its address, printed under the name. */
    address: documentText(120).optional(),
  }),
  /** The order's number as the business calls it out (`A-101`). */
  orderNumber: documentText(32),
  /** When the order was placed (ISO 8601 with an offset); default: the message's time. */
  orderedAt: z.iso.datetime({ offset: true }).optional(),
  items: z.array(ReceiptItemSchema).min(1, 'must hold at least one item').max(MAX_RECEIPT_ITEMS, `must hold at most ${MAX_RECEIPT_ITEMS} items`),
  /** ISO 4217 currency of the prices. */
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code in capitals').refine(isKnownCurrency, 'is not a currency the host knows'),
  /** The total the business computed, in minor units: when given, it must be what the items add up to. */
  total: z.number().int().min(0).optional(),
  /** What the customer shows at the counter: printed, and held by the QR code. */
  pickupCode: z.string().regex(/^[\x21-\x7e]{1,64}$/, 'must be 1–64 printable ASCII characters without spaces'),
  /** A line under the total (`Paid at pick-up`). */
  note: documentText(200).optional(),
}).superRefine((receipt, ctx) => {
  // zod runs this check after format problems too: compare only when every line is itself valid
  if (receipt.total === undefined || !receipt.items.every((i) => ReceiptItemSchema.safeParse(i).success)) return;
  const sum = receipt.items.reduce((n, i) => n + i.quantity * i.unitPrice, 0);
  if (receipt.total !== sum) {
    ctx.addIssue({ code: 'custom', path: ['total'], message: `is ${receipt.total} but the items add up to ${sum}` });
  }
});

/** A parsed order receipt. */
export type OrderReceiptData = z.output<typeof OrderReceiptSchema>;

/** The `order-receipt` template. */
export const orderReceiptTemplate = defineDocumentTemplate({
  name: 'order-receipt',
  description: 'An order receipt: lines, total in the order\'s currency, and the pick-up code as a QR code',
  schema: OrderReceiptSchema,
  pageSize: 'A5',
  title: (r) => `Order ${r.orderNumber} — ${r.merchant.name}`,
  filename: (r) => `Receipt ${r.orderNumber}.pdf`,
  render({ data: r, contact, at, layout }) {
    layout.title('Order receipt', r.merchant.address ? `${r.merchant.name} · ${r.merchant.address}` : r.merchant.name);
    layout.keyValues([
      ['Order', r.orderNumber],
      ['Ordered', layout.dateTime(r.orderedAt ? new Date(r.orderedAt) : at)],
      ...(contact.name ? [['Customer', contact.name] as const] : []),
    ], { columns: 2 });
    layout.lineItems(r.items, r.currency, { item: 'Item', quantity: 'Qty', unitPrice: 'Unit price', amount: 'Amount', total: 'Total' });
    if (r.note) layout.paragraph(r.note);
    layout.barcode({ symbology: 'qr', text: r.pickupCode }, { caption: `Pick-up code ${r.pickupCode}: show it at the counter` });
    layout.footer(`${r.merchant.name} · order ${r.orderNumber}`);
  },
});
