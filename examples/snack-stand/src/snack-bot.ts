/**
 * The snack stand's ordering bot: the menu as a list, the quantity by buttons, a confirmation,
 * and the order stored for the kitchen, with the receipt (a PDF with the pick-up code as a QR code)
 * after the confirmation. The "ready for collection" message is sent by the orders feature when the
 * kitchen marks the order ready.
 * @module
 */
import type { Clock, Content } from '@switchboard/core';
import type { BotContext, BotHandler } from '@switchboard/host';
import { euros, MENU, menuItem } from './menu.js';
import { orderSummary, type Order, type OrderStore } from './order-store.js';
import type { Receipts } from './receipts.js';

/** Button and row ids the bot understands. */
export const ACTIONS = { confirm: 'confirm', more: 'more', cancel: 'cancel' } as const;

/**
 * The menu as a list message: one section per menu section, one row per item with its price.
 * @param body - the text above the list
 */
export function menuMessage(body: string): Content {
  const sections = (['Snacks', 'Drinks'] as const).map((title) => ({
    title,
    rows: MENU.filter((m) => m.section === title).map((m) => ({ id: `item:${m.id}`, title: m.name, description: `${euros(m.priceCents)} · ${m.description}` })),
  }));
  return { type: 'interactive', body, list: { button: 'Menu', sections } };
}

/**
 * The order so far, with Confirm / Add more / Cancel buttons.
 * @param order - the draft
 */
export function basketMessage(order: Order): Content {
  const lines = order.lines.map((l) => `${l.quantity} × ${l.name}  ${euros(l.quantity * l.unitCents)}`);
  return {
    type: 'interactive',
    body: `Your order:\n${lines.join('\n')}\nTotal ${euros(order.totalCents)}, paid at pick-up.`,
    buttons: [{ id: ACTIONS.confirm, title: 'Confirm' }, { id: ACTIONS.more, title: 'Add more' }, { id: ACTIONS.cancel, title: 'Cancel' }],
  };
}

/** The ordering bot, registered in the host config under `bots`. */
export class SnackBot implements BotHandler {
  /**
   * @param orders - where orders are kept
   * @param clock - the host's clock (order timestamps)
   * @param receipts - sends the receipt after a confirmation (none when left out)
   */
  constructor(private readonly orders: OrderStore, private readonly clock: Clock, private readonly receipts?: Receipts) {}

  /** @inheritdoc */
  async handle(ctx: BotContext): Promise<void> {
    // STOP, START and "important only" are recorded and confirmed by the host: no menu after them
    if (ctx.keyword) return;
    const { tenantId } = ctx;
    const conversationId = ctx.conversation.id;
    const now = new Date(this.clock.now());
    const content = ctx.message.content;
    const choice = content.type === 'reply' ? content.id : undefined;

    if (choice?.startsWith('item:')) {
      const item = menuItem(choice.slice('item:'.length));
      if (!item) { await ctx.reply(menuMessage('Sorry, that is no longer on the menu. What else would you like?')); return; }
      await ctx.reply({
        type: 'interactive', body: `How many ${item.name} (${euros(item.priceCents)} each)?`,
        buttons: [1, 2, 3].map((n) => ({ id: `qty:${item.id}:${n}`, title: String(n) })),
      });
      return;
    }
    if (choice?.startsWith('qty:')) {
      const [, id, n] = choice.split(':');
      const item = menuItem(id ?? '');
      const quantity = Number(n);
      if (!item || !Number.isInteger(quantity) || quantity < 1) { await ctx.reply(menuMessage('Sorry, I did not get that. What would you like?')); return; }
      const order = await this.orders.addLine(tenantId, conversationId, ctx.conversation.address.channel, ctx.contact.profile.name, { itemId: item.id, name: item.name, quantity, unitCents: item.priceCents }, now);
      await ctx.reply(basketMessage(order));
      return;
    }
    if (choice === ACTIONS.more) { await ctx.reply(menuMessage('What else would you like?')); return; }
    if (choice === ACTIONS.cancel) {
      await this.orders.cancelDraft(tenantId, conversationId, now);
      await ctx.reply('Your order is cancelled. Write any time to order again.');
      return;
    }
    if (choice === ACTIONS.confirm) {
      const order = await this.orders.confirm(tenantId, conversationId, now);
      if (!order) { await ctx.reply(menuMessage('Your basket is empty. What would you like?')); return; }
      await ctx.tag('order', `order:${order.number!}`);
      await ctx.reply(`Order ${order.number!} confirmed: ${orderSummary(order)}, ${euros(order.totalCents)}. Pick it up at the stand and pay there; we will write here as soon as it is ready.`);
      if (this.receipts) await this.receipts.send(ctx, order);
      return;
    }
    const draft = await this.orders.draftOf(tenantId, conversationId);
    if (draft) { await ctx.reply(basketMessage(draft)); return; }
    const name = ctx.contact.profile.name?.split(' ')[0];
    await ctx.reply(menuMessage(`Hi${name ? ` ${name}` : ''}! Welcome to Imbiss Ecke — order here and pick up at the stand. What would you like?`));
  }
}
