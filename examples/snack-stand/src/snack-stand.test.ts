import { describe, expect, it } from 'vitest';
import { silentLogger } from '@switchboard/core';
import { configFromObject, createHost, type BotContext } from '@switchboard/host';
import telegramPlugin, { FakeTelegramServer } from '@switchboard/telegram';
import { eventually } from './demo-support.js';
import { MemoryOrderStore } from './order-store.js';
import { ordersFeature } from './orders-feature.js';
import { runSnackStand } from './snack-stand.js';
import { SnackBot } from './snack-bot.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';
import { readPdf, scanPdf } from '../../../host/src/documents/__fixtures__/read-pdf.js';

describe('MemoryOrderStore', () => {
  it('adds up lines of the same item, numbers orders on confirmation and only moves confirmed → ready → collected', async () => {
    const store = new MemoryOrderStore();
    const at = new Date('2026-06-01T12:00:00Z');
    await store.addLine('t', 'c1', 'telegram', 'Mara', { itemId: 'fries', name: 'Fries', quantity: 1, unitCents: 300 }, at);
    const draft = await store.addLine('t', 'c1', 'telegram', 'Mara', { itemId: 'fries', name: 'Fries', quantity: 2, unitCents: 300 }, at);
    expect(draft).toMatchObject({ status: 'draft', lines: [{ itemId: 'fries', quantity: 3 }], totalCents: 900 });
    expect(await store.advance('t', draft.id, 'ready', at)).toBeUndefined();
    const order = await store.confirm('t', 'c1', at);
    expect(order).toMatchObject({ status: 'confirmed', number: 'A-101' });
    expect(await store.advance('t', draft.id, 'collected', at)).toBeUndefined();
    expect(await store.advance('t', draft.id, 'ready', at)).toMatchObject({ status: 'ready', readyAt: at });
    expect(await store.get('other-tenant', draft.id)).toBeUndefined();
    expect(await store.confirm('t', 'c1', at)).toBeUndefined();
  });
});

describe('the snack bot and consent keywords', () => {
  it('regression: stays quiet on STOP (it sent the menu right after the unsubscribe confirmation)', async () => {
    const calls: string[] = [];
    const ctx = {
      keyword: 'stop', text: 'STOP', tenantId: 't', message: { content: { type: 'text', text: 'STOP' } }, contact: { profile: { name: 'Mara' } },
      conversation: { id: 'c1', address: { channel: 'telegram', accountId: 'bot', userId: '1' } },
      reply: async () => { calls.push('reply'); return { status: 'queued' }; },
      tag: async () => { calls.push('tag'); },
    } as unknown as BotContext;
    await new SnackBot(new MemoryOrderStore(), { now: () => Date.UTC(2026, 5, 1, 12) }).handle(ctx);
    expect(calls).toEqual([]);
  });
});

describe('npm start (the scenario main.ts runs)', () => {
  it('takes orders over Telegram and WhatsApp, stores them, shows them through GET /v1/orders and sends "ready for collection"', async () => {
    const lines: string[] = [];
    const r = await runSnackStand({ log: (l) => lines.push(l) });

    // the orders, as the API lists them
    expect(r.orders.map((o) => [o.number, o.channel, o.customerName, o.status, o.totalCents])).toEqual([
      ['A-101', 'telegram', 'Mara', 'collected', 950],
      ['A-102', 'whatsapp', 'Kemal Aydın', 'ready', 600],
      [undefined, 'telegram', 'Ole', 'cancelled', 900],
    ]);
    expect(r.orders[0]!.lines).toEqual([
      { itemId: 'currywurst', name: 'Currywurst', quantity: 2, unitCents: 350 },
      { itemId: 'cola', name: 'Cola', quantity: 1, unitCents: 250 },
    ]);

    // WhatsApp: the menu as a native list, the quantity as reply buttons, then the texts and the receipt
    const wa = r.requests.kemal;
    expect(wa.map((b) => (b.type === 'interactive' ? `interactive:${(b.interactive as { type: string }).type}` : b.type))).toEqual([
      'interactive:list', 'interactive:button', 'interactive:button', 'text', 'document', 'text',
    ]);
    // the bot's ctx.replyDocument: the host uploaded the PDF (WhatsApp's media upload) and sent it by the id it got back
    expect(wa[4]).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '4917612345678', type: 'document', document: { id: r.receipts.kemal!.ref.id, filename: 'Receipt A-102.pdf', caption: 'Your receipt for order A-102: show the code at the counter' } });
    expect(wa[0]).toMatchObject({
      messaging_product: 'whatsapp', to: '4917612345678',
      interactive: { action: { button: 'Menu', sections: [{ title: 'Snacks', rows: expect.arrayContaining([{ id: 'item:falafel', title: 'Falafel wrap', description: '€6.00 · vegan, with hummus' }]) }, { title: 'Drinks' }] } },
    });
    expect(wa[1]).toMatchObject({ interactive: { action: { buttons: [1, 2, 3].map((n) => ({ type: 'reply', reply: { id: `qty:falafel:${n}`, title: String(n) } })) } } });
    expect(r.seen.kemal.at(-1)).toBe('Order A-102 is ready for collection: 1 × Falafel wrap. Please pay €6.00 at the stand. Enjoy!');

    // Telegram: inline keyboards carry the same ids as callback_data; every tap is answered
    const tg = r.requests.mara;
    expect(tg).toHaveLength(9);
    expect(tg[1]).toMatchObject({ chat_id: 700100200, reply_markup: { inline_keyboard: [[{ text: '1', callback_data: 'qty:currywurst:1' }], [{ text: '2', callback_data: 'qty:currywurst:2' }], [{ text: '3', callback_data: 'qty:currywurst:3' }]] } });
    expect(r.seen.mara[6]).toBe('Order A-101 confirmed: 2 × Currywurst, 1 × Cola, €9.50. Pick it up at the stand and pay there; we will write here as soon as it is ready.');
    // Telegram: one multipart sendDocument carrying the PDF (the host's upload), then reused by file_id
    expect(tg[7]).toEqual({ chat_id: '700100200', document: { filename: 'Receipt A-101.pdf', contentType: 'application/pdf', size: r.receipts.mara!.body.length }, caption: 'Your receipt for order A-101: show the code at the counter' });
    expect(r.seen.mara[7]).toBe('[document Receipt A-101.pdf] Your receipt for order A-101: show the code at the counter');
    expect(r.seen.mara[8]).toBe('Order A-101 is ready for collection: 2 × Currywurst, 1 × Cola. Please pay €9.50 at the stand. Enjoy!');
    expect(r.callbackAnswers).toBe(9);
    // Ole cancelled: no "ready" message for him
    expect(r.seen.ole.at(-1)).toBe('Your order is cancelled. Write any time to order again.');

    expect(r.conflict).toEqual({ status: 409, code: 'CONFLICT' });
    expect(lines.join('\n')).toContain('GET /v1/orders → A-101 collected, A-102 ready, (no number) cancelled');

    // the receipts, as the platforms hold them — byte for byte the host's stored (generated) copies:
    // the lines and total in the stand's German (the platforms do not tell the customer's language),
    // and a QR code the counter scans to the pick-up code; Ole cancelled and got none
    expect(Object.keys(r.receipts).sort()).toEqual(['kemal', 'mara']);
    expect(r.storedReceipts.map((f) => [f.customer, f.filename]).sort()).toEqual([['kemal', 'Receipt A-102.pdf'], ['mara', 'Receipt A-101.pdf']]);
    for (const f of r.storedReceipts) expect(r.receipts[f.customer!]!.body.equals(f.body)).toBe(true);
    const mara = await readPdf(r.receipts.mara!.body);
    expect(mara.pages).toBe(1);
    expect(mara.text[0]!.replace(/\s/g, ' ')).toMatch(/Order receipt Imbiss Ecke · Kastanienallee 1, Berlin ORDER A-101 .* CUSTOMER Mara Item Qty Unit price Amount Currywurst 2 3,50 € 7,00 € Cola 1 2,50 € 2,50 € Total 9,50 €/);
    expect(await scanPdf(r.receipts.mara!.body)).toEqual([{ page: 1, format: 'QRCode', text: 'A-101' }]);
    const kemal = await readPdf(r.receipts.kemal!.body);
    expect(kemal.text[0]!.replace(/\s/g, ' ')).toMatch(/CUSTOMER Kemal Aydın .*Falafel wrap 1 6,00 € 6,00 € Total 6,00 €/);
    expect(await scanPdf(r.receipts.kemal!.body)).toEqual([{ page: 1, format: 'QRCode', text: 'A-102' }]);
  });
});

// Telegram numbers messages per chat: two customers' first messages both carry message_id 1. The
// host keys stored messages by customer as well, so neither is taken for a duplicate of the other.
it('answers two Telegram customers whose first messages share message_id 1', async () => {
  const telegram = new FakeTelegramServer();
  await telegram.start();
  const store = new MemoryOrderStore();
  const host = await createHost(configFromObject({ store: tempDatabase(),
    logLevel: 'silent',
    tenants: [{ id: 'imbiss', apiKeys: ['snack-stand-demo-key-0123456789ab'], routing: { rules: [{ to: { bot: 'snacks' } }] } }],
    connectors: [{ package: '@switchboard/telegram', plugin: telegramPlugin, required: true, accounts: [{ id: 'main', config: telegram.connectorConfig() }] }],
    bots: { snacks: new SnackBot(store, { now: () => Date.now() }) },
  }, { env: {} }), { logger: silentLogger, features: [ordersFeature(store)], processor: { pollMs: 10 }, outbound: { dispatcher: { pollMs: 10 } } });
  const { url } = await host.listen(0, '127.0.0.1');
  try {
    for (const userId of ['800000001', '800000002']) {
      await telegram.deliver(`${url}/webhooks/telegram/main`, telegram.userMessage({ userId, text: 'Hi' }));
    }
    const answered = (userId: string): boolean => telegram.requests.some((r) => r.path.endsWith('/sendMessage') && String((r.body as { chat_id: unknown }).chat_id) === userId);
    await eventually(() => answered('800000001') && answered('800000002'), 30_000);
  } finally {
    await host.stop();
    await telegram.stop();
  }
});
