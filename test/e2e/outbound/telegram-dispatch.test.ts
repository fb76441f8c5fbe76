import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import telegram, { FakeTelegramServer } from '@switchboard/telegram';
import { customerWrote, outboundHarness, TENANT, until, type Harness } from './harness.js';

// The fake platform and the dispatcher run on the same scaled clock: Telegram's 1 msg/s per chat
// becomes 100 msg/s of wall time, so pacing is exercised for real without waiting minutes.
const SCALE = 100;

describe('outbound dispatch through the fake Telegram Bot API', () => {
  let fake: FakeTelegramServer;
  let h: Harness;
  let bot: string;

  beforeEach(async () => {
    fake = new FakeTelegramServer({ timeScale: SCALE });
    await fake.start();
    h = outboundHarness({ plugins: [{ plugin: telegram, fake }], timeScale: SCALE, dispatcher: { backoff: { baseMs: 200 } } });
    bot = h.bindings[0]!.connector.accountId!;
  });
  afterEach(async () => {
    await h.stop();
    await fake.stop();
  });

  const text = (t: string) => ({ type: 'text' as const, text: t });
  const sends = () => fake.requests.filter((r) => r.path.endsWith('/sendMessage'));

  it('paces a burst of 500 messages to one chat at the declared 1 msg/s with no 429', async () => {
    fake.startUser('1001');
    await customerWrote(h, 'telegram', bot, '1001');
    h.dispatcher.start();
    for (let i = 0; i < 500; i++) {
      const out = await h.service.send(TENANT, { channel: 'telegram', accountId: bot, userId: '1001', content: text(`update ${i}`), purpose: 'service', sender: 'bot' });
      expect(out.accepted).toBe(true);
    }
    await until(async () => (await h.stores.outbox.counts(TENANT)).sent === 500, 30_000);
    const times = sends().map((r) => r.at.getTime());
    // every request got a 2xx from the fake: nothing was throttled
    // one request per message, none refused: a 429 would have meant a second request and a RATE_LIMITED error
    expect(sends()).toHaveLength(500);
    const outbox = await h.stores.outbox.list(TENANT, { limit: 500 });
    expect(outbox).toHaveLength(500);
    expect(outbox.filter((e) => e.lastError?.code === 'RATE_LIMITED')).toEqual([]);
    // in platform time, consecutive sends are at least ~1 s apart (wall gaps × scale, small tolerance for timers)
    const gaps = times.slice(1).map((t, i) => (t - times[i]!) * SCALE);
    const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
    expect(median).toBeGreaterThanOrEqual(900);
    // and in order
    expect(sends().map((r) => (r.body as { text: string }).text)).toEqual(Array.from({ length: 500 }, (_, i) => `update ${i}`));
  });

  it('paces 500 messages to 500 chats under the 30 msg/s account limit with no 429', async () => {
    // a slower scale here: 30 concurrent chats per second leave the network's jitter less room
    await h.stop(); await fake.stop();
    fake = new FakeTelegramServer({ timeScale: 4 });
    await fake.start();
    h = outboundHarness({ plugins: [{ plugin: telegram, fake }], timeScale: 4 });
    for (let i = 0; i < 500; i++) { fake.startUser(String(2000 + i)); await customerWrote(h, 'telegram', bot, String(2000 + i)); }
    h.dispatcher.start();
    for (let i = 0; i < 500; i++) {
      await h.service.send(TENANT, { channel: 'telegram', accountId: bot, userId: String(2000 + i), content: text('Your order is ready for collection.'), purpose: 'service', sender: 'bot' });
    }
    await until(async () => (await h.stores.outbox.counts(TENANT)).sent === 500, 30_000);
    const outbox = await h.stores.outbox.list(TENANT, { limit: 500 });
    expect(outbox.filter((e) => e.lastError?.code === 'RATE_LIMITED').map((e) => e.lastError)).toEqual([]);
    expect(sends()).toHaveLength(500);
    const times = sends().map((r) => r.at.getTime());
    const platformSeconds = ((times.at(-1)! - times[0]!) * 4) / 1000;
    // 500 messages at 30/s (a full bucket of 30 first) need at least ~15.7 s of platform time
    expect(platformSeconds).toBeGreaterThanOrEqual(15);
  });

  it('gets a message through exactly once when the platform answers 503 then 200', async () => {
    fake.startUser('3001');
    await customerWrote(h, 'telegram', bot, '3001');
    fake.script([{ status: 503, body: { ok: false, error_code: 503, description: 'Service Unavailable' } }], /sendMessage$/);
    h.dispatcher.start();
    const out = await h.service.send(TENANT, { channel: 'telegram', accountId: bot, userId: '3001', content: text('Ready'), purpose: 'service', sender: 'bot' });
    expect(out.accepted).toBe(true);
    await until(async () => (await h.stores.outbox.counts(TENANT)).sent === 1);
    expect(sends()).toHaveLength(2);
    const message = await h.stores.messages.get(TENANT, (out as { id: string }).id);
    expect(message?.status).toBe('sent');
    expect(message?.externalId).toBeTruthy();
  });

  it('honours a 429 retry_after before trying again', async () => {
    fake.startUser('4001');
    await customerWrote(h, 'telegram', bot, '4001');
    fake.script([{ status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } } }], /sendMessage$/);
    h.dispatcher.start();
    await h.service.send(TENANT, { channel: 'telegram', accountId: bot, userId: '4001', content: text('Ready'), purpose: 'service', sender: 'bot' });
    await until(async () => (await h.stores.outbox.counts(TENANT)).sent === 1);
    const [first, second] = sends();
    expect(((second!.at.getTime() - first!.at.getTime()) * SCALE) / 1000).toBeGreaterThanOrEqual(2.9);
  });

  it('records a block and sends nothing more to a user who blocked the bot', async () => {
    fake.startUser('5001');
    await customerWrote(h, 'telegram', bot, '5001');
    fake.blockUser('5001');
    h.dispatcher.start();
    const first = await h.service.send(TENANT, { channel: 'telegram', accountId: bot, userId: '5001', content: text('Hello?'), purpose: 'service', sender: 'bot' });
    await until(async () => (await h.stores.messages.get(TENANT, (first as { id: string }).id))?.status === 'failed');
    const failed = await h.stores.messages.get(TENANT, (first as { id: string }).id);
    expect(failed?.error?.code).toBe('RECIPIENT_BLOCKED');
    const ledger = await h.stores.consent.listByContact(TENANT, 'contact-5001');
    expect(ledger.map((e) => e.action)).toContain('blocked');
    const again = await h.service.send(TENANT, { channel: 'telegram', accountId: bot, userId: '5001', content: text('Still there?'), purpose: 'transactional', topic: 'orders', sender: 'bot' });
    expect(again.accepted).toBe(false);
    expect((again as { reasons: { code: string }[] }).reasons.map((r) => r.code)).toContain('BLOCKED');
    expect(sends()).toHaveLength(1);
  });

  it('refuses a business-initiated message to a user who never wrote (USER_MUST_INITIATE)', async () => {
    const out = await h.service.send(TENANT, { channel: 'telegram', accountId: bot, userId: '6001', content: text('Hi!'), purpose: 'service', sender: 'bot' });
    expect(out).toMatchObject({ accepted: false, reasons: [{ code: 'USER_MUST_INITIATE', source: 'channel' }] });
  });

  it('replays the first answer for a repeated idempotency key and refuses another body with that key', async () => {
    fake.startUser('7001');
    await customerWrote(h, 'telegram', bot, '7001');
    const req = { channel: 'telegram', accountId: bot, userId: '7001', content: text('Once'), purpose: 'service' as const, sender: 'bot' as const };
    const a = await h.service.send(TENANT, req, { idempotencyKey: 'k-1' });
    const b = await h.service.send(TENANT, req, { idempotencyKey: 'k-1' });
    expect(b).toEqual(a);
    await expect(h.service.send(TENANT, { ...req, content: text('Twice') }, { idempotencyKey: 'k-1' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await h.stores.outbox.list(TENANT)).length).toBe(1);
  });

  it('delivers what was left in the outbox after a graceful stop and restart', async () => {
    fake.startUser('8001');
    await customerWrote(h, 'telegram', bot, '8001');
    for (let i = 0; i < 5; i++) await h.service.send(TENANT, { channel: 'telegram', accountId: bot, userId: '8001', content: text(`m${i}`), purpose: 'service', sender: 'bot' });
    expect(sends()).toHaveLength(0);
    // a new dispatcher (a restarted host) on the same store resumes the outbox
    const restarted = outboundHarness({ plugins: [{ plugin: telegram, fake }], timeScale: SCALE, stores: h.stores });
    restarted.dispatcher.start();
    await until(async () => (await h.stores.outbox.counts(TENANT)).sent === 5);
    await restarted.stop();
    expect(sends().map((r) => (r.body as { text: string }).text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });
});
