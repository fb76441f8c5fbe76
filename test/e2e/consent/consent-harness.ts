/**
 * A host with all five first-party connectors, each pointed at its own fake platform server, and
 * the consent feature; helpers to call the API and to make a fake deliver a signed webhook.
 */
import { silentLogger, type Address, type ConnectorPlugin, type ConsentEntry, type ConsentState, type FakePlatform, type RecordedRequest, type SignedWebhook } from '@switchboard/core';
import type { ClickToChatLink } from '../../../host/src/consent/click-to-chat.js';
import type { OptInFlowView } from '../../../host/src/consent/opt-in-service.js';
import { API_SCOPES, configFromObject, createHost, type Host, type HostStores } from '@switchboard/host';
import { createConsentFeature, type ConsentFeatureOptions } from '../../../host/src/consent/consent-feature.js';
import { ScaledTimer } from '../../../host/src/outbound/timer.js';
import { eventually } from '../support/host-harness.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';

export const KEY = 'consent-e2e-key-0123456789abcdef';
export const CHANNELS = ['whatsapp', 'messenger', 'telegram', 'viber', 'apple'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Link targets the connector configs do not carry (phone number, bot username, chat URI). */
export const LINK_TARGETS = { whatsapp: { main: '+49 30 901820' }, telegram: { main: 'acme_travel_bot' }, viber: { main: 'acmetravel' } };

/** A reason the policy gave. */
export interface Reason { code: string; source: string; message: string }

/** The fields of the API's answers these tests read (each endpoint fills some of them). */
export interface Answer {
  flow: OptInFlowView & { id: string };
  links: ClickToChatLink[];
  token: string;
  ledger: ConsentEntry[];
  error: { code: string; message: string; reasons?: Reason[] };
  results: { userId: string; status: string; reasons?: Reason[] }[];
  allowed: boolean;
  decision: { allowed: boolean; reasons?: Reason[] };
  addresses: Address[];
  status: string;
  channels: Record<string, ConsentState>;
}

export interface ConsentHost {
  host: Host;
  url: string;
  fakes: Record<Channel, FakePlatform>;
  api<T = Answer>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Delivers a signed webhook from a channel's fake and waits until the host processed it. */
  deliver(channel: Channel, webhook: SignedWebhook): Promise<void>;
  /** Text messages the fake platform received for a user (sent by the host). */
  sentTexts(channel: Channel, userId: string): string[];
  stop(): Promise<void>;
}

/** Starts every first-party fake platform (for hosts that share them). */
export async function startFakes(): Promise<Record<Channel, FakePlatform>> {
  const fakes = {} as Record<Channel, FakePlatform>;
  for (const channel of CHANNELS) {
    const plugin = (await import(`@switchboard/${channel}`)).default as ConnectorPlugin;
    const fake = plugin.fake!();
    await fake.start();
    fakes[channel] = fake;
  }
  return fakes;
}

export async function startConsentHost(options: { tenant?: Record<string, unknown>; stores?: HostStores; fakes?: Record<Channel, FakePlatform>; consent?: ConsentFeatureOptions } = {}): Promise<ConsentHost> {
  const ownFakes = !options.fakes;
  const fakes = options.fakes ?? await startFakes();
  const config = configFromObject({ store: tempDatabase(),
    logLevel: 'silent',
    tenants: [{ id: 'shop', name: 'Acme Travel', apiKeys: [{ key: KEY, scopes: [...API_SCOPES] }], routing: { escalationQueue: 'support' }, privacyPolicyVersion: '2026-01', ...options.tenant }],
    connectors: CHANNELS.map((channel) => ({ package: `@switchboard/${channel}`, required: true, accounts: [{ id: 'main', config: fakes[channel].connectorConfig() }] })),
  });
  const host = await createHost(config, {
    logger: silentLogger, processor: { pollMs: 20, retryBaseMs: 20 }, // WhatsApp's pair rate paces one message per 6 s to a user: the dispatcher's time runs 100 times faster
    outbound: { timer: new ScaledTimer(100), dispatcher: { pollMs: 20 } },
    features: [createConsentFeature({ secret: 'consent-e2e-secret-0123456789', linkTargets: LINK_TARGETS, ...options.consent })],
    ...(options.stores ? { stores: options.stores } : {}),
  });
  const { url } = await host.listen(0, '127.0.0.1');
  const texts = (channel: Channel, userId: string): string[] => fakes[channel].requests.filter((r) => r.method === 'POST').map((r) => textSent(channel, r, userId)).filter((t): t is string => t !== undefined);
  return {
    host, url, fakes,
    async api(method, path, body) {
      const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async deliver(channel, webhook) {
      const answer = await fakes[channel].deliver(`${url}/webhooks/${channel}/main`, webhook);
      if (answer.status !== 200) throw new Error(`${channel} webhook answered ${answer.status}`);
      await host.processor.idle();
    },
    sentTexts: texts,
    async stop() {
      await host.stop();
      if (ownFakes) for (const f of Object.values(fakes)) await f.stop();
    },
  };
}

/** The fields of the platforms' send requests the tests read. */
interface SentBody {
  to?: string; type?: string; text?: string | { body?: string }; recipient?: { id?: string }; message?: { text?: string };
  chat_id?: number | string; receiver?: string; body?: string;
}

/** The text of a send request a fake received, when it went to `userId`. */
function textSent(channel: Channel, r: RecordedRequest, userId: string): string | undefined {
  const b = r.body as SentBody | undefined;
  if (!b || typeof b !== 'object') return undefined;
  switch (channel) {
    case 'whatsapp': return b.to === userId && b.type === 'text' ? (b.text as { body?: string } | undefined)?.body : undefined;
    case 'messenger': return b.recipient?.id === userId ? b.message?.text : undefined;
    case 'telegram': return String(b.chat_id) === userId ? b.text as string : undefined;
    case 'viber': return b.receiver === userId && b.type === 'text' ? b.text as string : undefined;
    case 'apple': return r.headers['destination-id'] === userId && b.type === 'text' ? b.body : undefined;
  }
}

/** Waits until the fake received a text for the user that matches. */
export async function sentText(h: ConsentHost, channel: Channel, userId: string, pattern: RegExp): Promise<string> {
  return eventually(async () => h.sentTexts(channel, userId).find((t) => pattern.test(t)));
}
