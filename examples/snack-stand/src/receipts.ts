/**
 * The stand's order receipts: a PDF the host renders with its `order-receipt` document template
 * when an order is confirmed — the lines, the total, and the pick-up code (the order number) as a
 * QR code the counter scans — sent to the customer as a document.
 * @module
 */
import type { Contact } from '@switchboard/core';
import { builtInDocumentTemplates, documentContactOf, documentMessage, DocumentTemplates, renderDocument, type DocumentContent, type RenderedDocument } from '@switchboard/host';
import type { DocumentServer } from './document-server.js';
import type { Order } from './order-store.js';

/** The stand, as its receipts name it. */
export const STAND = { name: 'Imbiss Ecke', address: 'Kastanienallee 1, Berlin' } as const;

/**
 * The stand's locale and time zone: what a receipt uses where the customer's profile says nothing
 * (the platforms rarely tell a business its customer's language).
 */
export const STAND_LOCALE = { locale: 'de-DE', timeZone: 'Europe/Berlin' } as const;

/**
 * The data of an order's receipt, for the host's `order-receipt` template.
 * @param order - a confirmed order
 * @returns the message's data (checked by the template's schema when rendered)
 */
export function receiptData(order: Order): Record<string, unknown> {
  if (!order.number) throw new Error(`order ${order.id} has no number: only confirmed orders have receipts`);
  return {
    merchant: STAND, orderNumber: order.number,
    ...(order.confirmedAt ? { orderedAt: order.confirmedAt.toISOString() } : {}),
    items: order.lines.map((l) => ({ description: l.name, quantity: l.quantity, unitPrice: l.unitCents })),
    currency: 'EUR', total: order.totalCents, pickupCode: order.number,
    note: 'Paid at the stand when you collect your order.',
  };
}

/** Renders receipts and publishes them where the platforms download them. */
export class Receipts {
  private readonly templates = new DocumentTemplates(builtInDocumentTemplates);

  /** @param files - the stand's document server */
  constructor(private readonly files: DocumentServer) {}

  /**
   * The receipt of a confirmed order, as a message.
   * @param order - the order
   * @param contact - the customer (name, and locale and time zone when their profile has them)
   * @param at - now (the receipt's date)
   * @returns the rendered PDF and the `document` content that sends it
   */
  async message(order: Order, contact: Pick<Contact, 'profile'>, at: Date): Promise<{ rendered: RenderedDocument; content: DocumentContent }> {
    const rendered = await renderDocument(this.templates, 'order-receipt', {
      data: receiptData(order),
      contact: { ...STAND_LOCALE, ...documentContactOf(contact) },
      at,
    });
    const message = documentMessage(rendered, { caption: `Your receipt for order ${order.number!}: show the code at the counter` });
    // until the host stores files itself (POST /v1/media, then message.content(id)), the stand serves the PDF
    // the link ends in the file name: Telegram shows a document sent by URL under its last segment
    const link = this.files.publish(`/receipts/${order.id}/${rendered.filename}`, message.file);
    return { rendered, content: message.contentAt(link) };
  }
}
