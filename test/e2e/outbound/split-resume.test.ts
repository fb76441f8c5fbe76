/**
 * A message split in parts resumes where it stopped: each connector reports every part the platform
 * accepted (`SendContext.onPartAccepted`) and, given the parts an earlier attempt got accepted
 * (`SendContext.acceptedParts`), sends only the rest. Exact payloads against each fake platform,
 * which fails part 2 once: the platform receives part 1 once, part 2 twice (the first rejected),
 * part 3 once. Apple's requests carry a message id derived from the host's message id and the part
 * index, so a repeated request is the same message: its fake gateway delivers it once. Then the
 * same through a host: the dispatcher records each accepted part on the message and its retry sends
 * only the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type AcceptedPart, type FakeResponse, type RecordedRequest, type Connector, type ConnectorPlugin, type FakePlatform, type OutboundMessage, type ProviderRequest, type SendContext } from '@switchboard/core';
import { configFromObject, createHost, type Host } from '@switchboard/host';
import apple, { FakeAppleServer } from '@switchboard/apple';
import messenger, { FakeMessengerServer } from '@switchboard/messenger';
import telegram, { FakeTelegramServer } from '@switchboard/telegram';
import viber, { FakeViberServer } from '@switchboard/viber';
import whatsapp, { FakeWhatsAppServer } from '@switchboard/whatsapp';
import { eventually } from '../support/host-harness.js';

interface Case {
  plugin: ConnectorPlugin;
  fake: FakePlatform;
  /** The path of a send request. */
  sendPath: RegExp;
  user: string;
  /** Makes the customer reachable on the fake platform. */
  reachable?: () => void;
}

const telegramFake = new FakeTelegramServer();
const viberFake = new FakeViberServer();
const whatsappFake = new FakeWhatsAppServer();
const messengerFake = new FakeMessengerServer();
const CASES: Case[] = [
  // the customer wrote: a free-form message is inside WhatsApp's 24-hour window
  { plugin: whatsapp as ConnectorPlugin, fake: whatsappFake, sendPath: /\/messages$/, user: '4915112345678', reachable: () => { whatsappFake.userMessage({ userId: '4915112345678', text: 'the full report, please' }); } },
  { plugin: messenger as ConnectorPlugin, fake: messengerFake, sendPath: /\/messages$/, user: '6100000000000001', reachable: () => { messengerFake.userMessage({ userId: '6100000000000001', text: 'the full report, please' }); } },
  { plugin: telegram as ConnectorPlugin, fake: telegramFake, sendPath: /\/sendMessage$/, user: '5550100', reachable: () => telegramFake.startUser('5550100') },
  { plugin: viber as ConnectorPlugin, fake: viberFake, sendPath: /\/send_message$/, user: 'viber-user-01==', reachable: () => viberFake.subscribe('viber-user-01==') },
  { plugin: apple as ConnectorPlugin, fake: new FakeAppleServer(), sendPath: /\/message$/, user: 'urn:mbid:split-resume-user' },
];

/** About 2.5 times the channel's text limit, in sentences: three parts. */
const longText = (max: number): string => {
  const sentence = 'Your order left the warehouse and is on its way to you. ';
  return sentence.repeat(Math.ceil((max * 2.5) / sentence.length)).trim();
};

describe.each(CASES)('a split message on $plugin.channel', ({ plugin, fake, sendPath, user, reachable }) => {
  let connector: Connector;
  beforeAll(async () => {
    await fake.start();
    connector = plugin.create(plugin.parseConfig(fake.connectorConfig()));
  });
  afterAll(async () => { await fake.stop(); });

  const message = (id: string): OutboundMessage => ({
    id, to: { channel: plugin.channel, accountId: connector.accountId ?? 'default', userId: user },
    content: { type: 'text', text: longText(plugin.policy.text.maxLength) }, purpose: 'service', sender: 'bot',
  });
  const sends = (): unknown[] => fake.requests.filter((r) => sendPath.test(r.path)).map((r) => r.body);

  it('resumes after part 2 failed once: part 1 once, part 2 twice (first rejected), part 3 once', async () => {
    fake.reset();
    reachable?.();
    const msg = message('split-resume-1');
    const rendered = connector.render(msg);
    const parts = [rendered, ...(rendered.followUps ?? [])].map((r: ProviderRequest) => r.body);
    expect(parts).toHaveLength(3);

    // what the host does: record each accepted part, retry with what it recorded
    const recorded: AcceptedPart[] = [];
    const context = (): SendContext => ({
      acceptedParts: recorded.map((p) => p.externalId),
      onPartAccepted: (part) => {
        recorded.push(part);
        // the platform rejects the next request once (after part 1 was accepted)
        if (part.index === 0) fake.script([{ status: 503, body: 'Service Unavailable' }], sendPath);
      },
    });
    await expect(connector.send(msg, context())).rejects.toMatchObject({ retryable: true });
    expect(recorded.map((p) => p.index)).toEqual([0]);

    const result = await connector.send(msg, context());
    expect(recorded.map((p) => p.index)).toEqual([0, 1, 2]);
    expect(sends()).toEqual([parts[0], parts[1], parts[1], parts[2]]);
    expect([result.externalId, ...(result.partIds ?? [])]).toEqual(recorded.map((p) => p.externalId));
  });

  it('sends nothing when every part was accepted before (a crash after the last part)', async () => {
    fake.reset();
    reachable?.();
    const msg = message('split-resume-2');
    const recorded: string[] = [];
    const first = await connector.send(msg, { onPartAccepted: (p) => { recorded.push(p.externalId); } });
    expect(sends()).toHaveLength(3);
    const again = await connector.send(msg, { acceptedParts: recorded });
    expect(sends()).toHaveLength(3);
    expect([again.externalId, ...(again.partIds ?? [])]).toEqual([first.externalId, ...(first.partIds ?? [])]);
  });

  it.runIf(plugin.channel === 'apple')('a whole message sent again carries the same ids: the gateway delivers each part once', async () => {
    const appleFake = fake as FakeAppleServer;
    fake.reset();
    const msg = message('split-resume-3');
    const first = await connector.send(msg);
    const again = await connector.send(msg);
    expect(again.externalId).toBe(first.externalId);
    expect(sends()).toHaveLength(6);
    expect(appleFake.delivered).toHaveLength(3);
    expect(appleFake.duplicatesAbsorbed).toBe(3);
  });
});

/** The fake Bot API, refusing the n-th sendMessage it receives (counted from 1) once with a 500. */
class FlakyTelegram extends FakeTelegramServer {
  failSend: number | undefined;
  private sends = 0;
  protected override handle(req: RecordedRequest): FakeResponse {
    if (req.path.endsWith('/sendMessage') && ++this.sends === this.failSend) return { status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } };
    return super.handle(req);
  }
}

describe('a split message through the host: the dispatcher records each part and retries from the first one not accepted', () => {
  const KEY = 'split-resume-key-0123456789abcdef';
  const fake = new FlakyTelegram();
  let host: Host;
  let url = '';

  beforeAll(async () => {
    await fake.start();
    host = await createHost(configFromObject({
      logLevel: 'silent',
      store: { kind: 'memory' },
      tenants: [{ id: 'shop', apiKeys: [KEY] }],
      connectors: [{ package: '@switchboard/telegram', plugin: telegram, required: true, accounts: [{ id: 'main', config: fake.connectorConfig() }] }],
    }), { logger: silentLogger, processor: { pollMs: 20 }, outbound: { dispatcher: { pollMs: 20, backoff: { baseMs: 20, maxMs: 50 } } } });
    ({ url } = await host.listen(0, '127.0.0.1'));
  });
  afterAll(async () => {
    await host.stop();
    await fake.stop();
  });

  it('part 2 fails once: the platform receives part 1 once, part 2 twice (the first rejected), part 3 once', async () => {
    const userId = '5550200';
    fake.startUser(userId);
    expect((await fake.deliver(`${url}/webhooks/telegram/main`, fake.userMessage({ userId, text: 'the full report, please' }))).status).toBe(200);
    await eventually(async () => (await host.stores.conversations.list('shop')).length === 1, 30_000);
    fake.reset();
    fake.startUser(userId);
    fake.failSend = 2;
    const text = longText(telegram.policy.text.maxLength);
    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'telegram', accountId: 'main', userId, sender: 'bot', purpose: 'service', content: { type: 'text', text } }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const sent = await eventually(async () => { const m = await host.stores.messages.get('shop', id); return m?.status === 'sent' ? m : undefined; }, 30_000);

    const rendered = telegram.create(telegram.parseConfig(fake.connectorConfig())).render({ id, to: { channel: 'telegram', accountId: 'main', userId }, content: { type: 'text', text } });
    const [p1, p2, p3] = [rendered, ...(rendered.followUps ?? [])].map((r) => r.body);
    const requests = fake.requestsTo(/\/sendMessage$/);
    expect(requests.map((r) => r.body)).toEqual([p1, p2, p2, p3]);
    expect(sent.partIds).toHaveLength(2);
    const entry = await host.stores.outbox.findByMessage('shop', id);
    expect(entry).toMatchObject({ status: 'sent', attempts: 2 });
  });
});
