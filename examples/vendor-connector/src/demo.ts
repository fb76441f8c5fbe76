/**
 * `npm start`: a two-minute tour of the connector against its fake Acme gateway — send an SMS,
 * show the request the gateway received, then receive a signed inbound webhook and a delivery
 * receipt and show what the connector makes of them. Nothing leaves the machine.
 * @module
 */
import type { RawWebhook, SignedWebhook } from '@switchboard/core';
import plugin, { FakeAcmeSmsServer } from './index.js';

const CUSTOMER = '+12025550143';

function asRawWebhook(webhook: SignedWebhook): RawWebhook {
  const headers = Object.fromEntries(Object.entries(webhook.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: webhook.method, path: '/webhooks/sms/main', query: {}, headers, body: webhook.body };
}

function show(title: string, value: unknown): void {
  console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}`);
  console.log(typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

// the same fake the plugin's fake() hands the host's sandbox
const fake = new FakeAcmeSmsServer();
await fake.start();
try {
  const connector = plugin.create(plugin.parseConfig(fake.connectorConfig()));
  show('fake Acme SMS gateway listening', fake.url);

  const result = await connector.send({
    id: 'demo-1', to: { channel: 'sms', accountId: String(fake.connectorConfig().senderId), userId: CUSTOMER },
    content: {
      type: 'interactive', body: 'Your vehicle is ready for collection. Would you like us to',
      buttons: [{ id: 'keep', title: 'keep it until tomorrow' }, { id: 'deliver', title: 'deliver it' }],
    },
    purpose: 'service', sender: 'bot',
  });
  const request = fake.requests.at(-1)!;
  show('request the gateway received', {
    method: request.method, path: request.path,
    headers: { authorization: request.headers.authorization?.replace(/(Bearer \w{12}).*/, '$1…'), 'content-type': request.headers['content-type'] },
    body: request.body,
  });
  show('send result', result);

  const inbound = fake.userMessage({ userId: CUSTOMER, text: '2' });
  show('inbound webhook as delivered (signed)', { headers: inbound.headers, body: JSON.parse(inbound.body.toString('utf8')) });
  connector.verify(asRawWebhook(inbound));
  show('parsed inbound events (signature verified)', connector.parse(asRawWebhook(inbound)));

  const receipt = fake.statusUpdate({ userId: CUSTOMER, externalId: result.externalId, status: 'delivered' });
  connector.verify(asRawWebhook(receipt));
  show('parsed delivery receipt', connector.parse(asRawWebhook(receipt)));
} finally {
  await fake.stop();
}
