import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import telegram, { FakeTelegramServer } from '@switchboard/telegram';
import { VirtualTime } from '../support/virtual-time.js';
import { customerWrote, outboundHarness, TENANT, type Harness } from './harness.js';

// The fake platform and the dispatcher share one virtual clock that moves only once nothing is in
// flight: every request reaches the platform at the time its sender saw, so the platform's limits
// are checked against what the dispatcher decided — a stalled or loaded machine slows the test
// down but cannot make the sender look faster than the limit (it did, on wall time: 10 × 429 in 1
// of ~4 runs on two shared cores). Timing assertions read the platform's own clock.

describe('outbound dispatch through the fake Telegram Bot API', () => {
  let time: VirtualTime;
  let fake: FakeTelegramServer;
  let h: Harness;
  let bot: string;

  beforeEach(async () => {
    time = new VirtualTime();
    fake = new FakeTelegramServer({ clock: time.clock });
    await fake.start();
    h = outboundHarness({ plugins: [{ plugin: telegram, fake }], time, dispatcher: { backoff: { baseMs: 200 } } });
    bot = h.bindings[0]!.connector.accountId!;
  });
  afterEach(async () => {
    await h.stop();
    await fake.stop();
  });

  const text = (t: string) => ({ type: 'text' as const, text: t });
  const sends = () => fake.requests.filter((r) => r.path.endsWith('/sendMessage'));
  /** When each sendMessage reached the platform, in platform time. */
  const sendTimes = () => time.calls.filter((c) => c.url.endsWith('/sendMessage')).map((c) => c.at);
  const sentCount = (n: number) => async () => (await h.stores.outbox.counts(TENANT)).sent === n;

  it('paces a burst of 500 messages to one chat at the declared 1 msg/s with no 429', async () => {
    fake.startUser('1001');
    await customerWrote(h, 'telegram', bot, '1001');
    h.dispatcher.start();
    for (let i = 0; i < 500; i++) {
      const out = await h.service.send(TENANT, { channel: 'telegram', accountId: bot, userId: '1001', content: text(`update ${i}`), purpose: 'service', sender: 'bot' });
      expect(out.accepted).toBe(true);
    }
    await h.run(sentCount(500));
    const times = sendTimes();
    // one request per message, none refused: a 429 would have meant a second request and a RATE_LIMITED error
    expect(sends()).toHaveLength(500);
    const outbox = await h.stores.outbox.list(TENANT, { limit: 500 });
    expect(outbox).toHaveLength(500);
    expect(outbox.filter((e) => e.lastError?.code === 'RATE_LIMITED')).toEqual([]);
    // in platform time, every two consecutive sends to the chat are at least the declared 1 s apart
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1_000);
    // and the chat is not kept waiting much longer than its limit asks (0.985 headroom: ~1.015 s apart)
    expect(times.at(-1)! - times[0]!).toBeLessThan(499 * 1_100);
    // and in order
    expect(sends().map((r) => (r.body as { text: string }).text)).toEqual(Array.from({ length: 500 }, (_, i) => `update ${i}`));
  });

  it('regression: paces 500 messages to 500 chats under the 30 msg/s account limit with no 429, on the platform clock (1 run in ~4 failed with 10 × RATE_LIMITED on wall time)', async () => {
    for (let i = 0; i < 500; i++) { fake.startUser(String(2000 + i)); await customerWrote(h, 'telegram', bot, String(2000 + i)); }
    h.dispatcher.start();
    for (let i = 0; i < 500; i++) {
      await h.service.send(TENANT, { channel: 'telegram', accountId: bot, userId: String(2000 + i), content: text('Your order is ready for collection.'), purpose: 'service', sender: 'bot' });
    }
    await h.run(sentCount(500));
    const outbox = await h.stores.outbox.list(TENANT, { limit: 500 });
    expect(outbox.filter((e) => e.lastError?.code === 'RATE_LIMITED').map((e) => e.lastError)).toEqual([]);
    expect(sends()).toHaveLength(500);
    const times = sendTimes();
    // the platform's own bucket (30 per second, bursts tolerated) never refused a send: in no second
    // of platform time did more than 30 arrive
    for (let i = 0; i < times.length; i++) expect(times.filter((t) => t >= times[i]! && t < times[i]! + 1_000).length).toBeLessThanOrEqual(30);
    // 500 messages at 98.5 % of 30/s need ~16.9 s of platform time, and not much more
    const platformSeconds = (times.at(-1)! - times[0]!) / 1000;
    expect(platformSeconds).toBeGreaterThanOrEqual(499 / 30);
    expect(platformSeconds).toBeLessThan((499 / 30 / 0.985) * 1.05);
  });

  it('gets a message through exactly once when the platform answers 503 then 200', async () => {
    fake.startUser('3001');
    await customerWrote(h, 'telegram', bot, '3001');
    fake.script([{ status: 503, body: { ok: false, error_code: 503, description: 'Service Unavailable' } }], /sendMessage$/);
    h.dispatcher.start();
    const out = await h.service.send(TENANT, { channel: 'telegram', accountId: bot, userId: '3001', content: text('Ready'), purpose: 'service', sender: 'bot' });
    expect(out.accepted).toBe(true);
    await h.run(sentCount(1));
    expect(sends()).toHaveLength(2);
    // the entry is completed before the message's status is written: wait for that second write too
    const id = (out as { id: string }).id;
    await h.run(async () => (await h.stores.messages.get(TENANT, id))?.status === 'sent');
    const message = await h.stores.messages.get(TENANT, id);
    expect(message?.status).toBe('sent');
    expect(message?.externalId).toBeTruthy();
  });

  it('honours a 429 retry_after before trying again', async () => {
    fake.startUser('4001');
    await customerWrote(h, 'telegram', bot, '4001');
    fake.script([{ status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } } }], /sendMessage$/);
    h.dispatcher.start();
    await h.service.send(TENANT, { channel: 'telegram', accountId: bot, userId: '4001', content: text('Ready'), purpose: 'service', sender: 'bot' });
    await h.run(sentCount(1));
    expect(sends()).toHaveLength(2);
    const [first, second] = sendTimes();
    // Telegram said 3 s: the second try comes no sooner, in platform time
    expect(second! - first!).toBeGreaterThanOrEqual(3_000);
  });

  it('records a block and sends nothing more to a user who blocked the bot', async () => {
    fake.startUser('5001');
    await customerWrote(h, 'telegram', bot, '5001');
    fake.blockUser('5001');
    h.dispatcher.start();
    const first = await h.service.send(TENANT, { channel: 'telegram', accountId: bot, userId: '5001', content: text('Hello?'), purpose: 'service', sender: 'bot' });
    await h.run(async () => (await h.stores.messages.get(TENANT, (first as { id: string }).id))?.status === 'failed');
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
    const restarted = outboundHarness({ plugins: [{ plugin: telegram, fake }], time, stores: h.stores });
    restarted.dispatcher.start();
    await restarted.run(sentCount(5));
    await restarted.stop();
    expect(sends().map((r) => (r.body as { text: string }).text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });
});
