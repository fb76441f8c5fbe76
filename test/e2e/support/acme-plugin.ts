/**
 * "Acme Chat": a small but realistic connector plugin the host's end-to-end tests run against,
 * independent of the first-party connectors. Webhooks are JSON signed with HMAC-SHA256 of the raw
 * body (`x-acme-signature: sha256=<hex>`); sends go to `POST /v1/accounts/{account}/messages` with a
 * bearer token. Its fake platform server extends core's FakePlatformServer.
 */
import {
  ConfigError, Connector as ConnectorToken, ContentUnsupportedError, FakePlatformServer, MalformedPayloadError, PermanentError,
  ProviderHttpError, RateLimitedError, RetryableError, connectorOptionsToken, executeProviderRequest, hmacSha256Hex, isObject,
  optString, parseJsonObject, reqArray, reqNumber, reqString, toDate, verifyHmacSha256,
  type CapabilityTable, type ChannelPolicy, type Connector, type ConnectorDeps, type ConnectorError, type ConnectorPlugin,
  type FakePlatformOptions, type FakeResponse, type InboundEvent, type OutboundMessage, type ProviderRequest, type RawWebhook,
  type RecordedRequest, type SendResult, type SignedWebhook,
} from '@switchboard/core';
import { ContainerModule } from '@switchboard/core/di';

export interface AcmeConfig {
  accountId: string;
  appSecret: string;
  accessToken: string;
  apiBaseUrl: string;
}

export const acmeSandboxConfig = {
  accountId: 'acme-account-1',
  appSecret: 'acme-sandbox-app-secret-0123456789',
  accessToken: 'acme-sandbox-access-token',
} as const;

export function parseAcmeConfig(input: unknown): AcmeConfig {
  if (!isObject(input)) throw new ConfigError('(root)', 'must be an object');
  const str = (k: string, fallback?: string): string => {
    const v = input[k] ?? fallback;
    if (typeof v !== 'string' || v === '') throw new ConfigError(k, 'must be a non-empty string');
    return v;
  };
  const appSecret = str('appSecret');
  if (appSecret.length < 16) throw new ConfigError('appSecret', 'must be at least 16 characters');
  return { accountId: str('accountId'), appSecret, accessToken: str('accessToken'), apiBaseUrl: str('apiBaseUrl', 'https://api.acme-chat.example').replace(/\/+$/, '') };
}

const STATUSES = ['sent', 'delivered', 'read', 'failed'] as const;

export class AcmeConnector implements Connector {
  readonly accountId: string;
  constructor(readonly channel: string, private readonly config: AcmeConfig, private readonly deps: Partial<ConnectorDeps> = {}) {
    this.accountId = config.accountId;
  }

  handshake(req: RawWebhook): { status: number; body: string } | undefined {
    if (req.method !== 'GET' || req.query['acme.challenge'] === undefined) return undefined;
    // the platform proves we own the secret: echo the challenge signed with it
    return { status: 200, body: hmacSha256Hex(this.config.appSecret, req.query['acme.challenge']) };
  }

  verify(req: RawWebhook): void {
    verifyHmacSha256({ secret: this.config.appSecret, body: req.body, signature: req.headers['x-acme-signature'], prefix: 'sha256=', header: 'x-acme-signature' });
  }

  parse(req: RawWebhook): InboundEvent[] {
    const root = parseJsonObject(req.body);
    const account = reqString(root, 'account');
    return reqArray(root, 'events').map((raw, i): InboundEvent => {
      if (!isObject(raw)) throw new MalformedPayloadError(`events[${i}] must be an object`);
      const type = reqString(raw, 'type', `events[${i}].`);
      const timestamp = toDate(reqNumber(raw, 'timestamp', `events[${i}].`), 'ms');
      const base = { channel: this.channel, accountId: account, timestamp };
      switch (type) {
        case 'message': {
          const name = optString(raw, 'name');
          return {
            ...base, kind: 'message', userId: reqString(raw, 'from', `events[${i}].`), externalId: reqString(raw, 'id', `events[${i}].`),
            content: { type: 'text', text: reqString(raw, 'text', `events[${i}].`) }, ...(name ? { profile: { name } } : {}),
          };
        }
        case 'status': {
          const status = reqString(raw, 'status', `events[${i}].`);
          if (!(STATUSES as readonly string[]).includes(status)) throw new MalformedPayloadError(`events[${i}].status is not a known status`);
          return { ...base, kind: 'status', userId: reqString(raw, 'recipient', `events[${i}].`), externalId: reqString(raw, 'message_id', `events[${i}].`), status: status as 'read' };
        }
        case 'unsubscribe':
          return { ...base, kind: 'consent', userId: reqString(raw, 'from', `events[${i}].`), action: 'opt-out', purpose: 'marketing' };
        default:
          return { kind: 'unsupported', channel: this.channel, accountId: account, reason: `event type ${type}` };
      }
    });
  }

  render(msg: OutboundMessage): ProviderRequest {
    if (msg.content.type !== 'text') throw new ContentUnsupportedError(`acme renders text only, not ${msg.content.type}`);
    return {
      method: 'POST', url: `${this.config.apiBaseUrl}/v1/accounts/${encodeURIComponent(this.config.accountId)}/messages`,
      headers: { authorization: `Bearer ${this.config.accessToken}` }, body: { to: msg.to.userId, text: msg.content.text, client_ref: msg.id },
      rendering: { form: 'native', parts: 1 },
    };
  }

  async send(msg: OutboundMessage): Promise<SendResult> {
    try {
      const res = await executeProviderRequest(this.render(msg), this.deps.fetch ? { fetch: this.deps.fetch } : {});
      const body = res.body as { id?: unknown };
      return { externalId: String(body.id), acceptedAt: new Date(this.deps.clock?.now() ?? Date.now()), raw: res.body };
    } catch (error) {
      throw this.classify(error);
    }
  }

  classify(error: unknown): ConnectorError {
    if (error instanceof ProviderHttpError) {
      if (error.status === 429) return new RateLimitedError('acme rate limit', 1000, { cause: error });
      if (error.status >= 500) return new RetryableError(`acme ${error.status}`, { cause: error });
      return new PermanentError(`acme ${error.status}`, { cause: error });
    }
    return new RetryableError('acme unreachable', { cause: error });
  }
}

export class FakeAcmeServer extends FakePlatformServer {
  readonly channel: string;
  private readonly config: { accountId: string; appSecret: string; accessToken: string };
  private nextId = 1;
  constructor(options: FakePlatformOptions & { channel?: string } = {}) {
    super(options);
    this.channel = options.channel ?? 'acme';
    this.config = { ...acmeSandboxConfig, ...(options.config as object | undefined) };
  }

  connectorConfig(): Record<string, unknown> {
    return { ...this.config, apiBaseUrl: this.url };
  }

  private sign(payload: unknown): SignedWebhook {
    const body = Buffer.from(JSON.stringify(payload));
    return { method: 'POST', headers: { 'content-type': 'application/json', 'x-acme-signature': `sha256=${hmacSha256Hex(this.config.appSecret, body)}` }, body };
  }

  userMessage(input: { userId: string; text: string; name?: string; messageId?: string; timestamp?: Date }): SignedWebhook {
    return this.sign({
      account: this.config.accountId,
      events: [{ type: 'message', id: input.messageId ?? `acme-m-${this.nextId++}`, from: input.userId, text: input.text, timestamp: (input.timestamp ?? new Date()).getTime(), ...(input.name ? { name: input.name } : {}) }],
    });
  }

  statusUpdate(input: { userId: string; externalId: string; status: 'sent' | 'delivered' | 'read' | 'failed'; timestamp?: Date }): SignedWebhook {
    return this.sign({ account: this.config.accountId, events: [{ type: 'status', message_id: input.externalId, recipient: input.userId, status: input.status, timestamp: (input.timestamp ?? new Date()).getTime() }] });
  }

  /** Any payload, signed with the account's secret (for malformed-payload tests). */
  signed(payload: unknown): SignedWebhook {
    return this.sign(payload);
  }

  /** Raw bytes, signed (for bodies that are not JSON at all). */
  signedRaw(body: Buffer): SignedWebhook {
    return { method: 'POST', headers: { 'content-type': 'application/json', 'x-acme-signature': `sha256=${hmacSha256Hex(this.config.appSecret, body)}` }, body };
  }

  protected handle(req: RecordedRequest): FakeResponse {
    const m = /^\/v1\/accounts\/([^/]+)\/messages$/.exec(req.path);
    if (!m || req.method !== 'POST') return { status: 404, body: { error: { code: 'not_found', message: 'no such endpoint' } } };
    if (req.headers.authorization !== `Bearer ${this.config.accessToken}`) return { status: 401, body: { error: { code: 'unauthorized', message: 'bad token' } } };
    if (decodeURIComponent(m[1]!) !== this.config.accountId) return { status: 403, body: { error: { code: 'forbidden', message: 'not your account' } } };
    const body = req.body as { to?: unknown; text?: unknown };
    if (typeof body?.to !== 'string' || typeof body.text !== 'string') return { status: 400, body: { error: { code: 'invalid', message: 'to and text are required' } } };
    return { status: 200, body: { id: `acme-out-${this.nextId++}` } };
  }
}

const capabilities = Object.fromEntries(
  ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contacts', 'reply', 'reaction', 'interactive', 'template', 'rich']
    .map((t) => [t, t === 'text' ? 'native' : 'unsupported']),
) as CapabilityTable;

export function createAcmePlugin(options: { channel?: string; requiresHumanEscalation?: boolean; optOutKeywords?: string[] } = {}): ConnectorPlugin<AcmeConfig> {
  const channel = options.channel ?? 'acme';
  const policy: ChannelPolicy = {
    channel, initiation: 'user', serviceWindowHours: 24, consentRequiredFor: ['marketing'], marketingAllowed: true,
    broadcast: { allowed: false }, rateLimits: [], text: { maxLength: 4096, overflow: 'split' }, restrictedCommerce: [], sources: [],
    ...(options.requiresHumanEscalation ? { requiresHumanEscalation: true } : {}),
    ...(options.optOutKeywords ? { optOutKeywords: options.optOutKeywords } : {}),
  };
  const plugin: ConnectorPlugin<AcmeConfig> = {
    apiVersion: 1, channel, displayName: `Acme Chat (${channel})`, policy, capabilities,
    parseConfig: parseAcmeConfig,
    create: (config, deps) => new AcmeConnector(channel, config, deps),
    module: (config) => new ContainerModule((o) => {
      o.bind(connectorOptionsToken(channel)).toConstantValue(config);
      o.bind(ConnectorToken).toConstantValue(plugin.create(config));
    }),
    fake: (fakeOptions) => new FakeAcmeServer({ ...fakeOptions, channel }),
  };
  return plugin;
}

export const acmePlugin = createAcmePlugin();
export default acmePlugin;
