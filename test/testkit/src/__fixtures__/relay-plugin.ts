/**
 * A minimal connector for a made-up "relay" channel, used to test the conformance suite itself:
 * HMAC-signed JSON webhooks, a JSON send API, and a fake server for both.
 */
import {
  CONTENT_TYPES, ConfigError, ContentUnsupportedError, Connector as ConnectorToken, FakePlatformServer,
  MalformedPayloadError, classifyUnknownPlatformFailure, systemClock,
  contentToText, executeProviderRequest, hmacSha256Hex, isObject, optArray, parseJsonObject, reqString, toDate, verifyHmacSha256,
  type CapabilityTable, type ChannelPolicy, type Connector, type ConnectorDeps, type ConnectorError, type ConnectorPlugin,
  type FakeResponse, type InboundEvent, type OutboundMessage, type ProviderRequest, type RawWebhook, type RecordedRequest, type SendResult, type SignedWebhook,
} from '@switchboard/core';
import { ContainerModule } from '@switchboard/core/di';

export interface RelayConfig { secret: string; apiBaseUrl: string; account: string }

export const capabilities = Object.fromEntries(CONTENT_TYPES.map((t) => [t, t === 'text' ? 'native' : t === 'interactive' || t === 'template' ? 'degraded' : 'unsupported'])) as CapabilityTable;

export const policy: ChannelPolicy = {
  channel: 'relay', initiation: 'user', consentRequiredFor: ['marketing'], marketingAllowed: true,
  broadcast: { allowed: false }, rateLimits: [{ scope: 'account', limit: 10, perMs: 1000, enforcement: 'pace' }],
  text: { maxLength: 1000, overflow: 'refuse' }, restrictedCommerce: [],
  sources: [{ rule: 'all', url: 'https://example.com/relay-docs', grade: 'G' }],
};

export class RelayConnector implements Connector {
  readonly channel = 'relay';
  readonly accountId: string;
  constructor(protected readonly config: RelayConfig, protected readonly deps: Partial<ConnectorDeps>) { this.accountId = config.account; }
  handshake(): undefined { return undefined; }
  verify(req: RawWebhook): void {
    verifyHmacSha256({ secret: this.config.secret, body: req.body, signature: req.headers['x-relay-signature'], header: 'X-Relay-Signature' });
  }
  parse(req: RawWebhook): InboundEvent[] {
    const root = parseJsonObject(req.body);
    return optArray(root, 'messages').map((m): InboundEvent => {
      if (!isObject(m)) throw new MalformedPayloadError('messages[] must be objects');
      const ts = m.ts;
      if (typeof ts !== 'number') throw new MalformedPayloadError('ts must be a number');
      return { kind: 'message', channel: 'relay', accountId: this.accountId, userId: reqString(m, 'from'), externalId: reqString(m, 'id'), timestamp: toDate(ts, 'ms'), content: { type: 'text', text: reqString(m, 'text') } };
    });
  }
  render(msg: OutboundMessage): ProviderRequest {
    const c = msg.content;
    if (c.type !== 'text' && c.type !== 'interactive' && c.type !== 'template') throw new ContentUnsupportedError(`${c.type} is not supported on relay`);
    return {
      method: 'POST', url: `${this.config.apiBaseUrl}/send`, headers: { authorization: `Bearer ${this.config.secret}` },
      body: { to: msg.to.userId, text: contentToText(c) }, rendering: { form: c.type === 'text' ? 'native' : 'degraded', parts: 1 },
    };
  }
  async send(msg: OutboundMessage): Promise<SendResult> {
    try {
      const res = await executeProviderRequest(this.render(msg), this.deps.fetch ? { fetch: this.deps.fetch } : {});
      return { externalId: String((res.body as { id: string }).id), acceptedAt: new Date() };
    } catch (e) { throw this.classify(e); }
  }
  // the relay platform documents no error codes of its own: core classifies every failure
  classify(error: unknown): ConnectorError {
    return classifyUnknownPlatformFailure(error, { now: (this.deps.clock ?? systemClock).now(), platform: 'relay' });
  }
}

export class FakeRelayServer extends FakePlatformServer {
  readonly channel = 'relay';
  connectorConfig(): Record<string, unknown> { return { secret: 'relay-secret', apiBaseUrl: this.url, account: 'acct-1' }; }
  userMessage(input: { userId: string; text: string; messageId?: string }): SignedWebhook {
    const body = Buffer.from(JSON.stringify({ messages: [{ id: input.messageId ?? `m-${Date.now()}`, from: input.userId, text: input.text, ts: Date.now() }] }));
    return { method: 'POST', headers: { 'content-type': 'application/json', 'x-relay-signature': hmacSha256Hex('relay-secret', body) }, body };
  }
  protected handle(req: RecordedRequest): FakeResponse | Promise<FakeResponse> {
    if (req.headers.authorization !== 'Bearer relay-secret') return { status: 401, body: { error: 'unauthorized' } };
    if (req.path === '/send') return { status: 200, body: { id: `out-${this.requests.length}` } };
    return { status: 404, body: { error: 'not found' } };
  }
}

export const relayPlugin: ConnectorPlugin<RelayConfig> = {
  apiVersion: 1, channel: 'relay', displayName: 'Relay (test)', policy, capabilities,
  parseConfig(input: unknown): RelayConfig {
    if (!isObject(input)) throw new ConfigError('config', 'must be an object');
    for (const f of ['secret', 'apiBaseUrl', 'account'] as const) if (typeof input[f] !== 'string' || input[f] === '') throw new ConfigError(f, 'required');
    return { secret: input.secret as string, apiBaseUrl: input.apiBaseUrl as string, account: input.account as string };
  },
  create: (config, deps = {}) => new RelayConnector(config, deps),
  module: (config) => new ContainerModule((o) => { o.bind(ConnectorToken).toConstantValue(new RelayConnector(config, {})); }),
  fake: (options) => new FakeRelayServer(options),
};
