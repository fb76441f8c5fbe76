/**
 * The snack-stand scenario: a host with Telegram and WhatsApp (each against its fake platform),
 * the ordering bot, and the orders feature. Two customers order, one cancels, the kitchen reads the
 * orders through the API and marks them ready, and the customers get "ready for collection".
 * `npm start` prints it; the test checks the orders and what the platforms received.
 * @module
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@switchboard/core';
import { configFromObject, createHost, type Host, type MediaStore } from '@switchboard/host';
import { ScaledTimer } from '@switchboard/host/testing';
import type { MediaRef } from '@switchboard/core';
import telegramPlugin, { FakeTelegramServer } from '@switchboard/telegram';
import whatsappPlugin, { FakeWhatsAppServer } from '@switchboard/whatsapp';
import { apiClient, botApiParams, eventually, telegramText, whatsappText } from './demo-support.js';
import { MemoryOrderStore, type Order } from './order-store.js';
import { ordersFeature } from './orders-feature.js';
import { Receipts } from './receipts.js';
import { SnackBot } from './snack-bot.js';

/** The stand's API key (a demo value; a real one comes from the environment). */
export const API_KEY = 'snack-stand-demo-key-0123456789ab';
/** The stand's tenant. */
const TENANT_ID = 'imbiss';

/** A stored file's bytes. */
async function readAll(store: MediaStore, id: string): Promise<Buffer> {
  const read = await store.read(TENANT_ID, id);
  if (!read) throw new Error(`the host holds no file ${id}`);
  const chunks: Buffer[] = [];
  for await (const chunk of read.body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
/**
 * How much faster than the wall clock the demo runs. WhatsApp allows about one message every 6 s
 * to the same customer and the host paces to that; at 30× the customer waits 0.2 s of real time.
 */
export const TIME_SCALE = 30;

type Channel = 'telegram' | 'whatsapp';
type Json = Record<string, unknown>;

/** The customers of the demo. */
export const CUSTOMERS = {
  mara: { channel: 'telegram', userId: '700100200', name: 'Mara' },
  kemal: { channel: 'whatsapp', userId: '4917612345678', name: 'Kemal Aydın' },
  ole: { channel: 'telegram', userId: '700100201', name: 'Ole' },
} as const satisfies Record<string, { channel: Channel; userId: string; name: string }>;

/** What the scenario returns. */
export interface SnackStandResult {
  /** `GET /v1/orders` at the end. */
  orders: Order[];
  /** Every line each customer saw, in order. */
  seen: Record<keyof typeof CUSTOMERS, string[]>;
  /** The raw requests the platforms received, per customer. */
  requests: Record<keyof typeof CUSTOMERS, Json[]>;
  /**
   * Each customer's receipt as their phone got it: the platform's reference to the file (WhatsApp's
   * media id, Telegram's file_id, each from the host's upload) and the bytes the platform holds.
   */
  receipts: Partial<Record<keyof typeof CUSTOMERS, { ref: MediaRef; body: Buffer }>>;
  /** The receipts the host rendered and stored (origin `generated`): name, the customer its message went to, bytes. */
  storedReceipts: { filename: string; customer?: keyof typeof CUSTOMERS; body: Buffer }[];
  /** `answerCallbackQuery` calls the Telegram fake received. */
  callbackAnswers: number;
  /** Answer of marking an already-collected order ready again. */
  conflict: { status: number; code: string };
}

/**
 * Runs the scenario.
 * @param options.log - where the transcript goes (default: nowhere)
 * @returns orders, what each customer saw, and the platforms' requests
 */
export async function runSnackStand(options: { log?: (line: string) => void; database?: string } = {}): Promise<SnackStandResult> {
  const log = options.log ?? ((): void => {});
  const time = new ScaledTimer(TIME_SCALE);
  const telegram = new FakeTelegramServer({ clock: time });
  const whatsapp = new FakeWhatsAppServer({ now: () => time.now() });
  await telegram.start();
  await whatsapp.start();
  let host: Host | undefined;
  try {
    const orders = new MemoryOrderStore();
    // a fresh SQLite database file per run (the scenario is scripted); it is left in place to be inspected
    const database = options.database ?? join(mkdtempSync(join(tmpdir(), 'switchboard-snack-stand-')), 'switchboard.db');
    log(`(database: ${database})`);
    const config = configFromObject({
      store: { kind: 'sqlite', path: database },
      logLevel: 'silent',
      tenants: [{ id: 'imbiss', name: 'Imbiss Ecke', apiKeys: [API_KEY], routing: { rules: [{ to: { bot: 'snacks' } }] } }],
      connectors: [
        { package: '@switchboard/telegram', plugin: telegramPlugin, required: true, accounts: [{ id: 'main', config: telegram.connectorConfig() }] },
        { package: '@switchboard/whatsapp', plugin: whatsappPlugin, required: true, accounts: [{ id: 'main', config: whatsapp.connectorConfig() }] },
      ],
      bots: { snacks: new SnackBot(orders, time, new Receipts()) },
    }, { env: {} });
    host = await createHost(config, {
      logger: silentLogger, clock: time, features: [ordersFeature(orders)],
      processor: { pollMs: 10 }, outbound: { timer: time, dispatcher: { pollMs: 10 } },
    });
    const { url } = await host.listen(0, '127.0.0.1');
    const api = apiClient(url, API_KEY);

    const requestsTo = (who: keyof typeof CUSTOMERS): Json[] => {
      const c = CUSTOMERS[who];
      return c.channel === 'whatsapp'
        ? whatsapp.accepted.filter((a) => a.to === c.userId).map((a) => a.body)
        : telegram.requests.filter((r) => /\/send(Message|Document)$/.test(r.path)).map(botApiParams).filter((b) => String(b.chat_id) === c.userId);
    };
    const textOf = (who: keyof typeof CUSTOMERS, body: Json): string => (CUSTOMERS[who].channel === 'whatsapp' ? whatsappText(body) : telegramText(body));
    const seen: SnackStandResult['seen'] = { mara: [], kemal: [], ole: [] };
    let nextTelegramMessageId = 1001;

    /** Delivers what the customer did, waits for the stand's answers (`replies`, default one) and prints them. */
    const act = async (who: keyof typeof CUSTOMERS, what: { text: string } | { tap: string; title: string; row?: boolean }, replies = 1): Promise<string> => {
      const c = CUSTOMERS[who];
      const before = requestsTo(who).length;
      let webhook;
      if ('text' in what) {
        webhook = c.channel === 'whatsapp'
          ? whatsapp.userMessage({ userId: c.userId, text: what.text, name: c.name })
          // Telegram numbers messages per chat, so two customers' first messages both have id 1; the
          // host currently takes the second for a duplicate (see the README), hence ids unique across chats
          : telegram.userMessage({ userId: c.userId, text: what.text, name: c.name, messageId: String(nextTelegramMessageId++) });
      } else if (c.channel === 'telegram') {
        webhook = telegram.callbackQuery({ userId: c.userId, data: what.tap, buttonText: what.title, name: c.name }).webhook;
      } else {
        // a tapped reply button or list row, as the WhatsApp Cloud API delivers it
        const kind = what.row ? 'list_reply' : 'button_reply';
        webhook = whatsapp.webhook({
          contacts: [{ profile: { name: c.name }, wa_id: c.userId }],
          messages: [{ from: c.userId, id: `wamid.demo-${what.tap}-${time.now()}`, timestamp: String(Math.floor(time.now() / 1000)), type: 'interactive', interactive: { type: kind, [kind]: { id: what.tap, title: what.title } } }],
        });
      }
      const fake = c.channel === 'whatsapp' ? whatsapp : telegram;
      const answer = await fake.deliver(`${url}/webhooks/${c.channel}/main`, webhook);
      if (answer.status !== 200) throw new Error(`the host answered ${answer.status} to a signed ${c.channel} webhook`);
      const answers = (await eventually(() => requestsTo(who).length >= before + replies && requestsTo(who).slice(before, before + replies))).map((b) => textOf(who, b));
      log(`${c.name.padEnd(11)} ${'text' in what ? `"${what.text}"` : `taps [${what.title}]`}`);
      for (const reply of answers) log(`${'stand'.padEnd(11)} ${reply.replace(/\n/g, ' / ')}`);
      seen[who].push(...answers);
      return answers[0]!;
    };

    log(`Imbiss Ecke's host is listening on ${url} (demo time runs ${TIME_SCALE}× faster)`);
    log(`  Telegram → fake Bot API at ${telegram.url}; WhatsApp → fake Cloud API at ${whatsapp.url}`);

    log(`\n── 1. Mara orders on Telegram ${'─'.repeat(50)}`);
    await act('mara', { text: 'Hi' });
    await act('mara', { tap: 'item:currywurst', title: 'Currywurst' });
    await act('mara', { tap: 'qty:currywurst:2', title: '2' });
    await act('mara', { tap: 'more', title: 'Add more' });
    await act('mara', { tap: 'item:cola', title: 'Cola' });
    await act('mara', { tap: 'qty:cola:1', title: '1' });
    await act('mara', { tap: 'confirm', title: 'Confirm' }, 2);

    log(`\n── 2. Kemal orders on WhatsApp ${'─'.repeat(49)}`);
    await act('kemal', { text: 'Hello, can I order for pick-up?' });
    await act('kemal', { tap: 'item:falafel', title: 'Falafel wrap', row: true });
    await act('kemal', { tap: 'qty:falafel:1', title: '1' });
    await act('kemal', { tap: 'confirm', title: 'Confirm' }, 2);

    log(`\n── 3. Ole changes his mind ${'─'.repeat(53)}`);
    await act('ole', { text: 'menu' });
    await act('ole', { tap: 'item:fries', title: 'Fries' });
    await act('ole', { tap: 'qty:fries:3', title: '3' });
    await act('ole', { tap: 'cancel', title: 'Cancel' });

    log(`\n── 4. the kitchen works through the API ${'─'.repeat(40)}`);
    const open = (await api<{ items: Order[] }>('/v1/orders?status=confirmed')).body.items;
    log(`GET /v1/orders?status=confirmed → ${open.map((o) => `${o.number} (${o.channel}, ${o.customerName ?? '?'}, ${o.lines.map((l) => `${l.quantity}×${l.itemId}`).join('+')}, ${o.totalCents} ct)`).join('; ')}`);
    for (const order of open) {
      const who = (Object.keys(CUSTOMERS) as (keyof typeof CUSTOMERS)[]).find((k) => CUSTOMERS[k].channel === order.channel && order.customerName === CUSTOMERS[k].name)!;
      const before = requestsTo(who).length;
      const ready = await api<{ order: Order; notification: { status: string } }>(`/v1/orders/${order.id}/ready`, { method: 'POST' });
      log(`POST /v1/orders/${order.number}/ready → ${ready.status}, notification ${ready.body.notification.status}`);
      const text = textOf(who, await eventually(() => requestsTo(who)[before]));
      log(`${'stand'.padEnd(11)} → ${CUSTOMERS[who].name}: ${text}`);
      seen[who].push(text);
    }
    const first = open[0]!;
    const collected = await api<Order>(`/v1/orders/${first.id}/collected`, { method: 'POST' });
    log(`POST /v1/orders/${first.number}/collected → ${collected.status} ${collected.body.status}`);
    const again = await api<{ error: { code: string; message: string } }>(`/v1/orders/${first.id}/ready`, { method: 'POST' });
    log(`POST /v1/orders/${first.number}/ready again → ${again.status} ${again.body.error.code}: ${again.body.error.message}`);
    const all = (await api<{ items: Order[] }>('/v1/orders')).body.items;
    log(`GET /v1/orders → ${all.map((o) => `${o.number ?? '(no number)'} ${o.status}`).join(', ')}`);

    // the receipts the host rendered and stored (generated documents, each linked to the message
    // sending it), and each as the customer's phone opens it: the file the platform holds since the
    // host's upload (WhatsApp's media id, Telegram's file_id: the reference the host kept)
    const receipts: SnackStandResult['receipts'] = {};
    const storedReceipts: SnackStandResult['storedReceipts'] = [];
    for (const file of (await host.media!.store.list(TENANT_ID)).filter((f) => f.origin === 'generated')) {
      const message = file.messageId ? await host.stores.messages.get(TENANT_ID, file.messageId) : undefined;
      const who = (Object.keys(CUSTOMERS) as (keyof typeof CUSTOMERS)[]).find((k) => CUSTOMERS[k].channel === message?.channel && CUSTOMERS[k].userId === message?.userId);
      storedReceipts.push({ filename: file.filename ?? '', ...(who ? { customer: who } : {}), body: await readAll(host.media!.store, file.id) });
      if (!who) continue;
      const kept = await host.outbound.uploadedMedia.find({ tenantId: TENANT_ID, channel: message!.channel, account: 'main', kind: 'document', sha256: file.sha256 }, time.now());
      const held = kept ? (CUSTOMERS[who].channel === 'whatsapp' ? whatsapp : telegram).storedMedia(kept.ref) : undefined;
      if (!kept || !held) throw new Error(`${message!.channel} holds no receipt for ${who}`);
      receipts[who] = { ref: kept.ref, body: held };
      log(`(${CUSTOMERS[who].name} opens the receipt: ${file.filename}, ${held.length} bytes)`);
    }

    const callbackAnswers = telegram.requests.filter((r) => r.path.endsWith('/answerCallbackQuery')).length;
    log(`(the Telegram fake received ${callbackAnswers} answerCallbackQuery calls: one per button tap)`);
    return {
      orders: all, seen, receipts, storedReceipts, callbackAnswers, conflict: { status: again.status, code: again.body.error.code },
      requests: { mara: requestsTo('mara'), kemal: requestsTo('kemal'), ole: requestsTo('ole') },
    };
  } finally {
    await host?.stop();
    await telegram.stop();
    await whatsapp.stop();
  }
}
