/**
 * Finding 5 of the hardening issue: the Telegram secret token was kept in dead letters (their
 * stored headers) and came back in the GDPR export — with it anyone can forge updates. For every
 * connector (the five first-party ones and the vendor example), a signed webhook the connector
 * cannot parse, naming a known contact, is kept as a dead letter; the proof of origin it carried
 * (secret token, HMAC signature, bearer JWT) and the connector's secret appear nowhere: not in the
 * stored document, not through the dead-letter API, not in the contact's export, not in the audit
 * log, not in anything the host logged (its pino output, captured).
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorPlugin, FakePlatform, SignedWebhook } from '@switchboard/core';
import { configFromObject, createHost, type Host } from '@switchboard/host';
import { createHostLogger, DocumentDeadLetterStore } from '@switchboard/host/testing';
import type { Conversation } from '@switchboard/core';
import smsPlugin from '../../examples/vendor-connector/src/index.js';
import { ACME_SIGNATURE_HEADER, signAcmeWebhook } from '../../examples/vendor-connector/src/acme-api.js';
import { tempDatabase } from '../../host/src/__fixtures__/temp-database.js';
import { eventually } from '../e2e/support/host-harness.js';
import { FIRST_PARTY_CHANNELS, signBody } from '../e2e/support/webhook-signing.js';

const KEY = 'secrets-suite-key-0123456789abcdef';
const CHANNELS = [...FIRST_PARTY_CHANNELS, 'sms'] as const;
type Channel = (typeof CHANNELS)[number];
/** The config field holding the secret each connector proves or checks a webhook's origin with. */
const SECRET_FIELD: Record<Channel, string[]> = {
  whatsapp: ['appSecret', 'verifyToken', 'accessToken'], messenger: ['appSecret', 'verifyToken', 'pageAccessToken'], telegram: ['secretToken', 'botToken'],
  viber: ['authToken'], apple: ['mspSecret'], sms: ['webhookSecret', 'apiKey'],
};
const USER: Record<Channel, string> = {
  whatsapp: '4915550001001', messenger: '7700000001002', telegram: '880000001003', viber: 'vb0000001004', apple: 'urn:mbid:0000001005', sms: '+4915550001006',
};

let host: Host;
let url: string;
const fakes = {} as Record<Channel, FakePlatform>;
const configs = {} as Record<Channel, Record<string, unknown>>;
const logLines: string[] = [];

beforeAll(async () => {
  const connectors: Record<string, unknown>[] = [];
  for (const channel of CHANNELS) {
    const plugin = channel === 'sms' ? (smsPlugin as ConnectorPlugin) : (await import(`@switchboard/${channel}`)).default as ConnectorPlugin;
    const fake = plugin.fake!();
    await fake.start();
    fakes[channel] = fake;
    configs[channel] = fake.connectorConfig();
    connectors.push({ package: channel === 'sms' ? '@acme/switchboard-sms' : `@switchboard/${channel}`, plugin, required: true, accounts: [{ id: 'main', tenant: 'shop', config: configs[channel] }] });
  }
  const destination = new Writable({ write(chunk, _encoding, done) { logLines.push(String(chunk)); done(); } });
  const config = configFromObject({
    logLevel: 'trace', store: tempDatabase('secrets'), pseudonymSalt: 'secrets-suite-salt-0123456789',
    tenants: [{ id: 'shop', apiKeys: [KEY], routing: { escalationQueue: 'support' } }],
    connectors,
  });
  host = await createHost(config, { logger: createHostLogger({ level: 'trace', destination }), processor: { pollMs: 10, retryBaseMs: 10 } });
  url = (await host.listen(0, '127.0.0.1')).url;
});
afterAll(async () => {
  await host?.stop();
  for (const f of Object.values(fakes)) await f.stop();
});

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${KEY}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/** A verified webhook the connector cannot parse (cut-off JSON), naming the user, signed as the platform signs. */
function unparseable(channel: Channel, template: SignedWebhook): SignedWebhook {
  const body = Buffer.from(`{"from":"${USER[channel]}","text":"where is my parcel`);
  const headers = channel === 'sms'
    ? { 'content-type': 'application/json', [ACME_SIGNATURE_HEADER]: signAcmeWebhook(String(configs.sms.webhookSecret), body, Date.now() / 1000) }
    : signBody(channel, configs[channel], body, template.headers);
  return { method: 'POST', headers, body };
}

describe.each(CHANNELS)('secrets never stored: %s', (channel) => {
  it('keeps a signed but unparseable webhook as a dead letter without its proof of origin, and nothing exports or logs it', async () => {
    const webhookUrl = `${url}/webhooks/${channel}/main`;
    const fake = fakes[channel];
    // a known contact first, so the export has someone to be about
    const first = fake.userMessage({ userId: USER[channel], text: 'hello there', name: 'Sam Sender' });
    expect((await fake.deliver(webhookUrl, first)).status).toBe(200);
    const conversation = await eventually(async () => (await api<{ items: Conversation[] }>('/v1/conversations?limit=100')).items.find((c) => c.address.channel === channel && c.address.userId === USER[channel]));

    const broken = unparseable(channel, first);
    const answer = await fake.deliver(webhookUrl, broken);
    expect(answer).toMatchObject({ status: 200 });
    expect(JSON.parse(answer.body)).toMatchObject({ deadLettered: true });

    const plugin = host.registry.get(channel, 'main')!.plugin;
    const declared = plugin.credentialHeaders ?? [];
    expect(declared.length, `${channel} declares its credential headers`).toBeGreaterThan(0);
    const proofs = Object.entries(broken.headers).filter(([name]) => declared.includes(name.toLowerCase()));
    expect(proofs.length, `${channel}'s webhook carries a declared credential header`).toBeGreaterThan(0);
    const secrets = [
      ...proofs.map(([, value]) => value), ...proofs.map(([, value]) => value.replace(/^(Bearer |sha256=)/i, '')),
      ...SECRET_FIELD[channel].map((f) => configs[channel][f]).filter((v): v is string => typeof v === 'string' && v.length >= 8),
      KEY,
    ];
    const holdsNoSecret = (where: string, text: string): void => {
      for (const secret of secrets) expect(text.includes(secret), `${where} holds ${channel}'s "${secret.slice(0, 12)}…"`).toBe(false);
    };

    // the stored document itself, as the driver holds it
    const stored = (await host.stores.driver.collection<{ id: string; channel: string; headers: Record<string, string> }>(DocumentDeadLetterStore.spec).find({})).filter((d) => d.channel === channel);
    expect(stored).toHaveLength(1);
    holdsNoSecret('the stored dead letter', JSON.stringify(stored));
    // the header's name stays, marked: whoever reads the letter sees the platform sent its proof
    for (const [name] of proofs) expect(stored[0]!.headers[name.toLowerCase()]).toBe('[redacted]');

    const letters = await api<{ items: { id: string; channel: string }[] }>('/v1/dead-letters?limit=100');
    holdsNoSecret('GET /v1/dead-letters', JSON.stringify(letters));
    holdsNoSecret('GET /v1/dead-letters/:id', JSON.stringify(await api(`/v1/dead-letters/${stored[0]!.id}`)));

    const exported = await api<{ deadLetters: { id: string }[] }>(`/v1/contacts/${conversation.contactId}/export`);
    expect(exported.deadLetters.map((l) => l.id)).toEqual([stored[0]!.id]);
    holdsNoSecret('the GDPR export', JSON.stringify(exported));

    holdsNoSecret('the audit log', JSON.stringify(await api('/v1/audit?limit=500')));
    expect(logLines.some((l) => l.includes('webhook dead-lettered') && l.includes(channel))).toBe(true);
    holdsNoSecret('the logs', logLines.join(''));
  });
});
