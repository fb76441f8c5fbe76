/**
 * The stand's order receipts: a PDF the host renders with its `order-receipt` document template
 * when an order is confirmed — the lines, the total, and the pick-up code (the order number) as a
 * QR code the counter scans — sent to the customer as a document by the bot (`ctx.replyDocument`).
 * @module
 */
import type { BotContext } from '@switchboard/host';
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

/** Sends receipts: the host renders the `order-receipt` template, stores the PDF and sends it as a document. */
export class Receipts {
  /**
   * Answers in the conversation with the receipt of a confirmed order (`ctx.replyDocument`): the
   * host renders it from the order and the customer's contact (their name; their locale and time
   * zone when the profile has them, else the stand's), at the message's time, and sends it through
   * the policy, the outbox and the platform's upload (Telegram's multipart sendDocument, WhatsApp's
   * media upload).
   * @param ctx - the bot context of the confirming message
   * @param order - the confirmed order
   * @returns the outcome: queued (with the message id) or denied with the policy's reasons
   */
  async send(ctx: Pick<BotContext, 'replyDocument'>, order: Order): Promise<Awaited<ReturnType<BotContext['replyDocument']>>> {
    return ctx.replyDocument('order-receipt', receiptData(order), {
      caption: `Your receipt for order ${order.number!}: show the code at the counter`, ...STAND_LOCALE,
    });
  }
}
