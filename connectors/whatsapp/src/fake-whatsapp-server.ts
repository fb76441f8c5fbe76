/**
 * An in-process fake of the WhatsApp Cloud API: the messages endpoint and template management,
 * validated like Graph validates them, answering with Graph's success and error bodies, throttling
 * per number and per pair, and emitting webhooks signed with the app secret.
 * @module
 */
import { randomBytes } from 'node:crypto';
import {
  FakePlatformServer, hmacSha256Hex, isObject,
  type FakePlatformOptions, type FakeResponse, type RecordedRequest, type SignedWebhook,
} from '@switchboard/core';
import { DEFAULT_API_VERSION } from './config.js';
import { SIGNATURE_HEADER } from './whatsapp-connector.js';

/** Fixed sandbox ids and secrets for tests that pass them (`config`); a fake given none keeps the ids and draws its own secrets. */
export const whatsappSandboxConfig = {
  accessToken: 'EAAsandboxWhatsAppAccessToken0000',
  appSecret: 'sandbox-whatsapp-app-secret',
  verifyToken: 'sandbox-whatsapp-verify-token',
  phoneNumberId: '106540352242922',
  businessAccountId: '102290129340398',
} as const;

/** The display number the sandbox phone number id stands for. */
export const SANDBOX_DISPLAY_PHONE_NUMBER = '15550783881';

/** Template categories as Graph spells them. */
export type GraphTemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
/** Review states of a template. */
export type TemplateStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'PAUSED' | 'DISABLED';

/** A message template as the fake stores it. */
export interface FakeTemplate {
  id: string;
  name: string;
  language: string;
  category: GraphTemplateCategory;
  status: TemplateStatus;
  components: unknown[];
  rejectedReason?: string;
}

/** A message the fake accepted. */
export interface AcceptedMessage {
  wamid: string;
  to: string;
  type: string;
  body: Record<string, unknown>;
  at: Date;
}

/** Options of the fake beyond the common ones. */
export interface FakeWhatsAppOptions extends FakePlatformOptions {
  /** Injected time for throttling and the service window (default: the platform clock, `timeScale` times the wall clock). */
  now?: () => number;
}

interface Settings {
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  phoneNumberId: string;
  businessAccountId: string;
  displayPhoneNumber: string;
  /** Messages per second per business number (Cloud API default 80). */
  throughputPerSecond: number;
  /** Interval of the pair rate (one message per 6 s to the same user). */
  pairIntervalMs: number;
  /** Messages that may be sent to one user in a burst before the pair rate applies (Meta documents 45). */
  pairBurst: number;
  /** Refuse free-form messages to users who have not written in 24 h (131047); off by default. */
  enforceServiceWindow: boolean;
}

const SUPPORTED_TYPES = ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contacts', 'interactive', 'template', 'reaction'] as const;
const MEDIA = new Set(['image', 'video', 'audio', 'document', 'sticker']);
const DAY_MS = 24 * 60 * 60 * 1000;

class GraphFailure extends Error {
  constructor(readonly status: number, readonly body: Record<string, unknown>) { super(String((body.error as { message?: string }).message)); }
}

function traceId(): string {
  return randomBytes(9).toString('base64url');
}

function graphError(status: number, code: number, message: string, options: { details?: string; type?: string; subcode?: number } = {}): GraphFailure {
  const error: Record<string, unknown> = { message, type: options.type ?? 'OAuthException', code };
  if (options.subcode !== undefined) error.error_subcode = options.subcode;
  if (options.details !== undefined) error.error_data = { messaging_product: 'whatsapp', details: options.details };
  error.fbtrace_id = traceId();
  return new GraphFailure(status, { error });
}

const invalid = (details: string): GraphFailure => graphError(400, 100, '(#100) Invalid parameter', { details });
const required = (param: string): GraphFailure => graphError(400, 100, `(#100) The parameter ${param} is required.`);
const notValid = (details: string): GraphFailure => graphError(400, 131009, '(#131009) Parameter value is not valid', { details });

function str(obj: Record<string, unknown>, key: string): string | undefined {
  return typeof obj[key] === 'string' ? obj[key] : undefined;
}

function maxLength(value: string | undefined, max: number, param: string): void {
  if (value !== undefined && value.length > max) throw invalid(`Param ${param} must be at most ${max} characters long.`);
}

/** The fake WhatsApp Cloud API. */
export class FakeWhatsAppServer extends FakePlatformServer {
  /** Always `whatsapp`. */
  readonly channel = 'whatsapp';
  /** Messages accepted, oldest first. */
  readonly accepted: AcceptedMessage[] = [];
  private readonly settings: Settings;
  private readonly now: () => number;
  private readonly templates = new Map<string, FakeTemplate>();
  private readonly pairCursor = new Map<string, number>();
  private readonly lastInbound = new Map<string, number>();
  private counter = 0;

  /** @param options - port, latency, config overrides (any {@link whatsappSandboxConfig} field, `throughputPerSecond`, `pairIntervalMs`, `pairBurst`, `enforceServiceWindow`, `templates`) and a clock */
  constructor(options: FakeWhatsAppOptions = {}) {
    super(options);
    const c = options.config ?? {};
    const s = (key: string, fallback: string): string => (typeof c[key] === 'string' ? c[key] : fallback);
    const n = (key: string, fallback: number): number => (typeof c[key] === 'number' ? c[key] : fallback);
    this.settings = {
      // secrets not given are this instance's own: a sandbox reachable by others has no public secret
      accessToken: s('accessToken', `EAA${randomBytes(24).toString('hex')}`),
      appSecret: s('appSecret', randomBytes(16).toString('hex')),
      verifyToken: s('verifyToken', randomBytes(16).toString('base64url')),
      phoneNumberId: s('phoneNumberId', whatsappSandboxConfig.phoneNumberId),
      businessAccountId: s('businessAccountId', whatsappSandboxConfig.businessAccountId),
      displayPhoneNumber: s('displayPhoneNumber', SANDBOX_DISPLAY_PHONE_NUMBER),
      throughputPerSecond: n('throughputPerSecond', 80),
      pairIntervalMs: n('pairIntervalMs', 6000),
      pairBurst: n('pairBurst', 45),
      enforceServiceWindow: c.enforceServiceWindow === true,
    };
    // the platform's clock: scaled with `timeScale` like every fake's, so throttles and windows shrink with it
    this.now = options.now ?? (() => this.platformNow());
    // every new WhatsApp Business Account comes with Meta's approved sample template
    this.seedTemplate({ name: 'hello_world', language: 'en_US', category: 'UTILITY', status: 'APPROVED', components: [{ type: 'BODY', text: 'Hello World' }] });
    if (Array.isArray(c.templates)) {
      for (const t of c.templates) {
        if (isObject(t) && typeof t.name === 'string') {
          this.seedTemplate({
            name: t.name, language: typeof t.language === 'string' ? t.language : 'en_US',
            category: (typeof t.category === 'string' ? t.category.toUpperCase() : 'UTILITY') as GraphTemplateCategory,
            status: (typeof t.status === 'string' ? t.status : 'APPROVED') as TemplateStatus,
            components: Array.isArray(t.components) ? t.components : typeof t.body === 'string' ? [{ type: 'BODY', text: t.body }] : [],
          });
        }
      }
    }
  }

  /** The connector config that talks to this fake. */
  connectorConfig(): Record<string, unknown> {
    const { accessToken, appSecret, verifyToken, phoneNumberId, businessAccountId } = this.settings;
    return { accessToken, appSecret, verifyToken, phoneNumberId, businessAccountId, apiBaseUrl: this.url, apiVersion: DEFAULT_API_VERSION };
  }

  /** The query of a valid subscription handshake, as Meta sends it. */
  handshakeQuery(challenge = '1158201444'): Record<string, string> {
    return { 'hub.mode': 'subscribe', 'hub.verify_token': this.settings.verifyToken, 'hub.challenge': challenge };
  }

  /** Forgets requests, scripts, throttles and accepted messages (templates are kept). */
  override reset(): void {
    super.reset();
    this.accepted.length = 0;
    this.pairCursor.clear();
    this.lastInbound.clear();
  }

  // ---- templates (issue 7) ----

  /** Stores a template directly, bypassing review. @returns the stored template */
  seedTemplate(t: Omit<FakeTemplate, 'id'> & { id?: string }): FakeTemplate {
    const template: FakeTemplate = { ...t, id: t.id ?? this.nextId() };
    this.templates.set(`${t.name}:${t.language}`, template);
    return template;
  }

  /** Every stored template. */
  listTemplates(): FakeTemplate[] {
    return [...this.templates.values()];
  }

  /** Approves a submitted template (all languages when `language` is omitted). @returns how many changed */
  approveTemplate(name: string, language?: string): number {
    return this.review(name, language, 'APPROVED');
  }

  /** Rejects a submitted template. @returns how many changed */
  rejectTemplate(name: string, language?: string, reason = 'INVALID_FORMAT'): number {
    return this.review(name, language, 'REJECTED', reason);
  }

  private review(name: string, language: string | undefined, status: TemplateStatus, reason?: string): number {
    let changed = 0;
    for (const t of this.templates.values()) {
      if (t.name === name && (language === undefined || t.language === language)) {
        t.status = status;
        if (reason !== undefined) t.rejectedReason = reason; else delete t.rejectedReason;
        changed++;
      }
    }
    return changed;
  }

  // ---- webhooks ----

  /**
   * A signed `messages` webhook around any `value` (metadata is filled in).
   * @param value - the change's value without `messaging_product` and `metadata`
   * @param field - the webhook field (`messages`, `user_preferences`…)
   */
  webhook(value: Record<string, unknown>, field = 'messages'): SignedWebhook {
    const payload = {
      object: 'whatsapp_business_account',
      entry: [{
        id: this.settings.businessAccountId,
        changes: [{
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: this.settings.displayPhoneNumber, phone_number_id: this.settings.phoneNumberId },
            ...value,
          },
          field,
        }],
      }],
    };
    const body = Buffer.from(JSON.stringify(payload), 'utf8');
    return {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: `sha256=${hmacSha256Hex(this.settings.appSecret, body)}` },
      body,
    };
  }

  /** A signed webhook carrying a customer's text message (opens the service window in the fake). */
  userMessage(input: { userId: string; text: string; name?: string; messageId?: string; timestamp?: Date; replyTo?: string }): SignedWebhook {
    const at = input.timestamp?.getTime() ?? this.now();
    this.lastInbound.set(input.userId, at);
    const message: Record<string, unknown> = {
      from: input.userId, id: input.messageId ?? this.wamid(input.userId), timestamp: String(Math.floor(at / 1000)), type: 'text', text: { body: input.text },
    };
    if (input.replyTo) message.context = { from: this.settings.displayPhoneNumber, id: input.replyTo };
    return this.webhook({ contacts: [{ profile: { name: input.name ?? 'Sandbox User' }, wa_id: input.userId }], messages: [message] });
  }

  /** A signed status webhook (sent, delivered, read, failed with an error) for an outbound wamid. */
  statusUpdate(input: {
    userId: string; externalId: string; status: 'sent' | 'delivered' | 'read' | 'failed'; timestamp?: Date;
    error?: { code: number; title: string; details?: string }; pricingCategory?: 'marketing' | 'utility' | 'authentication' | 'service';
  }): SignedWebhook {
    const at = input.timestamp?.getTime() ?? this.now();
    const status: Record<string, unknown> = { id: input.externalId, status: input.status, timestamp: String(Math.floor(at / 1000)), recipient_id: input.userId };
    if (input.status !== 'failed' && input.status !== 'read') {
      const category = input.pricingCategory ?? 'service';
      status.pricing = { billable: category !== 'service', pricing_model: 'PMP', category };
    }
    if (input.status === 'failed') {
      const e = input.error ?? { code: 131026, title: 'Message undeliverable', details: 'Message Undeliverable.' };
      status.errors = [{
        code: e.code, title: e.title, message: e.title,
        error_data: { details: e.details ?? e.title }, href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
      }];
    }
    return this.webhook({ statuses: [status] });
  }

  /** A signed `user_preferences` webhook: the user stopped or resumed marketing messages. */
  userPreferences(input: { userId: string; value: 'stop' | 'resume'; name?: string; timestamp?: Date }): SignedWebhook {
    const at = input.timestamp?.getTime() ?? this.now();
    return this.webhook({
      contacts: [{ profile: { name: input.name ?? 'Sandbox User' }, wa_id: input.userId }],
      user_preferences: [{
        wa_id: input.userId,
        detail: input.value === 'stop' ? 'User requested to stop marketing messages' : 'User requested to resume marketing messages',
        category: 'marketing_messages', value: input.value, timestamp: Math.floor(at / 1000),
      }],
    }, 'user_preferences');
  }

  // ---- the API ----

  protected handle(req: RecordedRequest): FakeResponse {
    try {
      return this.route(req);
    } catch (error) {
      if (error instanceof GraphFailure) {
        return { status: error.status, body: error.body, ...(error.status === 401 ? { headers: { 'www-authenticate': 'OAuth "Facebook Platform" "invalid_token"' } } : {}) };
      }
      throw error;
    }
  }

  private route(req: RecordedRequest): FakeResponse {
    const m = /^\/(v\d+\.\d+)\/([^/]+)\/([^/]+)$/.exec(req.path);
    if (!m) throw graphError(400, 2500, `Unknown path components: ${req.path}`);
    const [, , objectId, edge] = m as unknown as [string, string, string, string];
    this.authorize(req);
    if (req.method === 'POST' && edge === 'messages' && objectId === this.settings.phoneNumberId) return this.sendMessage(req);
    if (edge === 'message_templates' && objectId === this.settings.businessAccountId) {
      if (req.method === 'POST') return this.submitTemplate(req);
      if (req.method === 'GET') return { status: 200, body: { data: this.listTemplates().map(publicTemplate), paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' } } } };
    }
    throw graphError(400, 100,
      `Unsupported ${req.method.toLowerCase()} request. Object with ID '${objectId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      { type: 'GraphMethodException', subcode: 33 });
  }

  private authorize(req: RecordedRequest): void {
    const header = req.headers.authorization;
    if (!header) throw graphError(401, 190, 'An active access token must be used to query information about the current user.');
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1];
    if (token !== this.settings.accessToken) throw graphError(401, 190, 'Invalid OAuth access token - Cannot parse access token');
  }

  private jsonBody(req: RecordedRequest): Record<string, unknown> {
    if (!isObject(req.body)) throw graphError(400, 100, '(#100) The parameter messaging_product is required.');
    return req.body;
  }

  private sendMessage(req: RecordedRequest): FakeResponse {
    const body = this.jsonBody(req);
    if (body.messaging_product !== 'whatsapp') throw required('messaging_product');
    const to = str(body, 'to');
    if (!to) throw required('to');
    if (!/^\+?\d{6,15}$/.test(to)) throw invalid(`Invalid recipient phone number: ${to}`);
    if (body.recipient_type !== undefined && body.recipient_type !== 'individual') throw invalid('recipient_type must be individual');
    const type = str(body, 'type') ?? 'text';
    if (!(SUPPORTED_TYPES as readonly string[]).includes(type)) throw invalid(`Param type must be one of {${SUPPORTED_TYPES.join(', ')}} - got "${type}".`);
    if (body.context !== undefined && !(isObject(body.context) && typeof body.context.message_id === 'string')) throw invalid("Param context['message_id'] must be a string");
    const object = body[type];
    if (!isObject(object) && !(type === 'contacts' && Array.isArray(object))) throw required(type);
    this.validate(type, object as Record<string, unknown> | unknown[]);
    const waId = to.replace(/^\+/, '');
    if (this.settings.enforceServiceWindow && type !== 'template') {
      const last = this.lastInbound.get(waId);
      if (last === undefined || this.now() - last > DAY_MS) {
        throw graphError(400, 131047, '(#131047) Re-engagement message', {
          details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
        });
      }
    }
    this.throttle(waId);
    const wamid = this.wamid(waId);
    this.accepted.push({ wamid, to: waId, type, body, at: new Date(this.now()) });
    const message: Record<string, unknown> = { id: wamid };
    if (type === 'template') message.message_status = 'accepted';
    return { status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: waId }], messages: [message] } };
  }

  private throttle(waId: string): void {
    const now = this.now();
    const { throughputPerSecond, pairIntervalMs, pairBurst } = this.settings;
    if (!this.limiter.take(`number:${this.settings.phoneNumberId}`, throughputPerSecond, 1000, now)) {
      throw graphError(400, 130429, '(#130429) Rate limit hit', { details: 'Cloud API message throughput has been reached.' });
    }
    // a leaky bucket: each message books one interval; a burst may run ahead by pairBurst intervals
    const cursor = Math.max(now, this.pairCursor.get(waId) ?? now) + pairIntervalMs;
    if (cursor - now > pairBurst * pairIntervalMs) {
      throw graphError(400, 131056, '(#131056) (Business Account, Consumer Account) pair rate limit hit', {
        details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
      });
    }
    this.pairCursor.set(waId, cursor);
  }

  private validate(type: string, object: Record<string, unknown> | unknown[]): void {
    if (Array.isArray(object)) return this.validateContacts(object);
    if (MEDIA.has(type)) {
      const id = str(object, 'id');
      const link = str(object, 'link');
      if (!id && !link) throw invalid(`Param ${type} must have either id or link`);
      if (id && link) throw invalid(`Param ${type} must have only one of id or link`);
      if (object.caption !== undefined && (type === 'audio' || type === 'sticker')) throw invalid(`Param ${type}['caption'] is not supported for ${type}`);
      maxLength(str(object, 'caption'), 1024, `${type}['caption']`);
      return;
    }
    switch (type) {
      case 'text': {
        const text = str(object, 'body');
        if (text === undefined || text === '') throw required("text['body']");
        maxLength(text, 4096, "text['body']");
        if (object.preview_url !== undefined && typeof object.preview_url !== 'boolean') throw invalid("Param text['preview_url'] must be a boolean");
        return;
      }
      case 'location':
        if (typeof object.latitude !== 'number' || typeof object.longitude !== 'number') throw required("location['latitude'] and location['longitude']");
        return;
      case 'reaction':
        if (!str(object, 'message_id')) throw required("reaction['message_id']");
        if (typeof object.emoji !== 'string') throw required("reaction['emoji']");
        return;
      case 'interactive': return this.validateInteractive(object);
      case 'template': return this.validateTemplate(object);
      default: throw invalid(`contacts must be an array`);
    }
  }

  private validateContacts(list: unknown[]): void {
    if (list.length === 0) throw required('contacts');
    for (const c of list) {
      if (!isObject(c) || !isObject(c.name) || typeof c.name.formatted_name !== 'string') throw required("contacts['name']['formatted_name']");
      const n = c.name;
      if (!['first_name', 'last_name', 'middle_name', 'suffix', 'prefix'].some((k) => typeof n[k] === 'string')) {
        throw invalid("Param contacts['name'] requires at least one of first_name, last_name, middle_name, suffix, prefix");
      }
    }
  }

  private validateInteractive(it: Record<string, unknown>): void {
    const kind = str(it, 'type');
    const body = isObject(it.body) ? str(it.body, 'text') : undefined;
    if (!body) throw required("interactive['body']['text']");
    if (body.length > 1024) throw notValid('Body text length invalid. Min length: 1, Max length: 1024');
    if (isObject(it.header) && (str(it.header, 'text') ?? '').length > 60) throw notValid('Header text length invalid. Min length: 1, Max length: 60');
    if (isObject(it.footer) && (str(it.footer, 'text') ?? '').length > 60) throw notValid('Footer text length invalid. Min length: 1, Max length: 60');
    const action = isObject(it.action) ? it.action : undefined;
    if (!action) throw required("interactive['action']");
    if (kind === 'button') {
      const buttons = Array.isArray(action.buttons) ? action.buttons : [];
      if (buttons.length < 1 || buttons.length > 3) throw notValid('Buttons count should be in range 1 to 3');
      const ids = new Set<string>();
      for (const b of buttons) {
        const reply = isObject(b) && b.type === 'reply' && isObject(b.reply) ? b.reply : undefined;
        const title = reply ? str(reply, 'title') : undefined;
        const id = reply ? str(reply, 'id') : undefined;
        if (!title || !id) throw required("interactive['action']['buttons'][]['reply']['id'/'title']");
        if (title.length > 20) throw notValid('Button title length invalid. Min length: 1, Max length: 20');
        if (id.length > 256) throw notValid('Button id length invalid. Min length: 1, Max length: 256');
        if (ids.has(id)) throw notValid('Button id must be unique');
        ids.add(id);
      }
      return;
    }
    if (kind === 'list') {
      const button = str(action, 'button');
      if (!button) throw required("interactive['action']['button']");
      if (button.length > 20) throw notValid('Button title length invalid. Min length: 1, Max length: 20');
      const sections = Array.isArray(action.sections) ? action.sections : [];
      if (sections.length < 1 || sections.length > 10) throw notValid('Sections count should be in range 1 to 10');
      let rows = 0;
      for (const s of sections) {
        if (!isObject(s) || !Array.isArray(s.rows)) throw required("interactive['action']['sections'][]['rows']");
        if (sections.length > 1 && !str(s, 'title')) throw notValid('Section title is required when there is more than one section');
        for (const r of s.rows) {
          rows++;
          if (!isObject(r) || !str(r, 'id') || !str(r, 'title')) throw required("interactive['action']['sections'][]['rows'][]['id'/'title']");
          if ((str(r, 'title') ?? '').length > 24) throw notValid('Row title length invalid. Min length: 1, Max length: 24');
          if ((str(r, 'description') ?? '').length > 72) throw notValid('Row description length invalid. Min length: 1, Max length: 72');
        }
      }
      if (rows > 10) throw notValid(`Total row count exceed max allowed count: 10`);
      return;
    }
    if (kind === 'cta_url') {
      const p = isObject(action.parameters) ? action.parameters : undefined;
      if (action.name !== 'cta_url' || !p || !str(p, 'display_text') || !str(p, 'url')) throw required("interactive['action']['parameters']['display_text'/'url']");
      if ((str(p, 'display_text') ?? '').length > 20) throw notValid('Display text length invalid. Min length: 1, Max length: 20');
      return;
    }
    throw invalid(`Param interactive['type'] must be one of {button, list, cta_url, product, product_list, flow, location_request_message} - got "${kind ?? ''}".`);
  }

  private validateTemplate(t: Record<string, unknown>): void {
    const name = str(t, 'name');
    if (!name) throw required("template['name']");
    const language = isObject(t.language) ? str(t.language, 'code') : undefined;
    if (!language) throw required("template['language']['code']");
    const stored = this.templates.get(`${name}:${language}`);
    if (!stored || stored.status !== 'APPROVED') {
      throw graphError(404, 132001, '(#132001) Template name does not exist in the translation', {
        details: stored ? `template name (${name}) exists in ${language} but is ${stored.status}` : `template name (${name}) does not exist in ${language}`,
      });
    }
    const components = Array.isArray(t.components) ? t.components : [];
    const bodyParams = components.filter((c) => isObject(c) && c.type === 'body').flatMap((c) => ((c as { parameters?: unknown }).parameters as unknown[] | undefined) ?? []);
    const bodyText = stored.components.filter(isObject).find((c) => c.type === 'BODY')?.text;
    if (typeof bodyText === 'string') {
      const expected = new Set([...bodyText.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((x) => x[1])).size;
      if (bodyParams.length !== expected) {
        throw graphError(400, 132000, '(#132000) Number of parameters does not match the expected number of params', {
          details: `body: number of localizable_params (${bodyParams.length}) does not match the expected number of params (${expected})`,
        });
      }
    }
  }

  private submitTemplate(req: RecordedRequest): FakeResponse {
    const body = this.jsonBody(req);
    const name = str(body, 'name');
    const language = str(body, 'language');
    const category = str(body, 'category')?.toUpperCase();
    if (!name) throw required('name');
    if (!/^[a-z0-9_]{1,512}$/.test(name)) throw invalid('Template name may only contain lowercase letters, digits and underscores.');
    if (!language) throw required('language');
    if (!category || !['MARKETING', 'UTILITY', 'AUTHENTICATION'].includes(category)) throw required('category');
    if (!Array.isArray(body.components) || body.components.length === 0) throw required('components');
    if (this.templates.has(`${name}:${language}`)) {
      throw graphError(400, 100, 'Invalid parameter', { subcode: 2388024, details: `Content in ${language} already exists for template ${name}` });
    }
    const t = this.seedTemplate({ name, language, category: category as GraphTemplateCategory, status: 'PENDING', components: body.components });
    return { status: 200, body: { id: t.id, status: t.status, category: t.category } };
  }

  private wamid(seed: string): string {
    this.counter += 1;
    return `wamid.${Buffer.from(`${seed}:${this.counter}:${randomBytes(6).toString('hex')}`).toString('base64')}`;
  }

  private nextId(): string {
    this.counter += 1;
    return String(1_000_000_000_000_000n + BigInt(this.counter));
  }
}

function publicTemplate(t: FakeTemplate): Record<string, unknown> {
  return {
    name: t.name, language: t.language, category: t.category, status: t.status, id: t.id, components: t.components,
    ...(t.rejectedReason ? { rejected_reason: t.rejectedReason } : {}),
  };
}
