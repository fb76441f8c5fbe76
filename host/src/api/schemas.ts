/**
 * The request schemas of the REST API and the console API, written once with zod: every body and
 * query is a closed object (an unknown key is a problem named by its path), every string, array and
 * number is bounded, and content is checked per kind of the core `Content` union (a rich payload is
 * generic JSON with a depth and size bound). A route parses its input with one of these and works on
 * the parsed value only, never on the raw body.
 * @module
 */
import {
  isValidTimeZone, MEDIA_KINDS, PURPOSES,
  type ConsentLedgerAction, type Content, type MediaKind, type RichKind, type TemplateCategory, type TemplateStatus,
} from '@switchboard/core';
import { z } from 'zod';
import { CLICK_TO_CHAT_CHANNELS } from '../consent/click-to-chat.js';
import type { OptInFlowStatus } from '../consent/opt-in-flow-store.js';
import { AGENT_ROLES } from '../console/agent-store.js';
import { passwordProblem } from '../console/password.js';
import { templatePlaceholders } from '../outbound/template-registry.js';
import { MAX_TEMPLATE_NAME, TEMPLATE_NAME } from '../documents/document-template.js';
import { isUsableLocale } from '../documents/format.js';
import { measureJson } from '../safe-json.js';
import { LAST_EVENT_ID_PATTERN } from '../events/event-feed.js';
import { templateVariables } from '../knowledge/template-renderer.js';

// ---- bounds -------------------------------------------------------------------------------------

/** The bounds the schemas hold, in one place (documented in the OpenAPI document and the README). */
export const LIMITS = {
  /** A message's text, caption or body. */
  text: 100_000,
  /** Ids the API hands out or receives (conversation, contact, template, agent ids; user ids). */
  id: 256,
  /** Labels: titles, names, button captions. */
  label: 1_000,
  /** URLs. */
  url: 4_000,
  /** Tags per request (the conversation keeps at most {@link MAX_CONVERSATION_TAGS}). */
  tags: 20,
  /** Characters of a tag. */
  tag: 64,
  /** Buttons, quick replies and rows of one list section. */
  options: 100,
  /** Sections of a list message. */
  sections: 50,
  /** Template parameters. */
  parameters: 100,
  /** Recipients of one notification. */
  recipients: 10_000,
  /** Contact cards of one message. */
  contacts: 50,
  /** Depth of a rich payload (objects and arrays). */
  richDepth: 8,
  /** Values of a rich payload. */
  richNodes: 2_000,
  /** JSON characters of a rich payload. */
  richChars: 64_000,
} as const;

/** Tags one conversation keeps at most (tagging beyond is refused). */
export const MAX_CONVERSATION_TAGS = 100;

// ---- building blocks ----------------------------------------------------------------------------

/** A string of at most `max` characters (may be empty). */
const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);
/** A string of 1 to `max` characters that is not only whitespace. */
const filled = (max: number) => text(max).refine((s) => s.trim() !== '', 'must not be empty');
/** A URL of at most `max` characters. */
const url = (max: number = LIMITS.url) => filled(max).refine((s) => URL.canParse(s), 'must be a URL');
/** An http(s) URL. */
const httpUrl = (max: number = LIMITS.url) => url(max).refine((s) => /^https?:/i.test(s), 'must be an http(s) URL');
/** One of the given values. */
const oneOf = <T extends string>(values: readonly T[]) => z.enum(values as unknown as [T, ...T[]], { error: `must be one of ${values.join(', ')}` });
/** An array of at most `max` items. */
const list = <T extends z.ZodType>(item: T, max: number) => z.array(item).max(max, `must have at most ${max} items`);

/**
 * Generic JSON with a depth, size and length bound: rich payloads are kind-specific and
 * connector-specific, so only their shape is bounded here. The output is a copy.
 */
export const boundedJson = z.unknown().superRefine((v, ctx) => {
  const shape = measureJson(v, { depth: LIMITS.richDepth, nodes: LIMITS.richNodes });
  if (shape.depth > LIMITS.richDepth) ctx.addIssue({ code: 'custom', message: `nests deeper than ${LIMITS.richDepth} levels` });
  else if (shape.nodes > LIMITS.richNodes) ctx.addIssue({ code: 'custom', message: `holds more than ${LIMITS.richNodes} values` });
  else if ((JSON.stringify(v) ?? '').length > LIMITS.richChars) ctx.addIssue({ code: 'custom', message: `is longer than ${LIMITS.richChars} characters as JSON` });
}).transform((v): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)) as unknown));

// ---- content (the core Content union) -----------------------------------------------------------

const mediaRef = z.strictObject({
  id: text(2_000).optional(),
  url: url().optional(),
  mimeType: text(255).optional(),
  caption: text(LIMITS.text).optional(),
  filename: text(500).optional(),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  /** A file stored with `POST /v1/media` (the host sends its bytes, uploading them the platform's way). */
  storedId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be the id of a stored file (POST /v1/media)').optional(),
});
const mediaWithSource = mediaRef.refine((m) => Boolean(m.id || m.url || m.storedId), { message: 'needs an id, a url or a storedId' });

const button = z.strictObject({ id: filled(LIMITS.label), title: filled(LIMITS.label), url: url().optional() });
const listRow = z.strictObject({ id: filled(LIMITS.label), title: filled(LIMITS.label), description: text(LIMITS.label).optional() });
const listSection = z.strictObject({ title: text(LIMITS.label).optional(), rows: list(listRow, LIMITS.options) });

/** A template parameter (positional or named, body, header or button). */
export const TemplateParameterSchema = z.strictObject({
  component: oneOf(['header', 'body', 'button'] as const).optional(),
  name: text(200).optional(),
  text: text(LIMITS.text).optional(),
  media: mediaRef.extend({ kind: oneOf(MEDIA_KINDS) }).optional(),
  index: z.number().int().min(0).max(9).optional(),
});

const TEMPLATE_CATEGORIES: readonly TemplateCategory[] = ['marketing', 'utility', 'authentication'];
const RICH_KINDS: readonly RichKind[] = ['carousel', 'list-picker', 'time-picker', 'payment', 'form', 'auth', 'rich-link'];

/** Template content. */
export const TemplateContentSchema = z.strictObject({
  type: z.literal('template'),
  name: filled(512),
  language: filled(20),
  category: oneOf(TEMPLATE_CATEGORIES),
  parameters: list(TemplateParameterSchema, LIMITS.parameters).optional(),
  fallbackText: text(LIMITS.text).optional(),
});

const mediaContent = <K extends MediaKind>(kind: K) => z.strictObject({ type: z.literal(kind), media: mediaWithSource });

/** Message content, per kind of the core `Content` union; unknown keys at any level are refused. */
export const ContentSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: filled(LIMITS.text), previewUrl: z.boolean().optional() }),
  mediaContent('image'), mediaContent('video'), mediaContent('audio'), mediaContent('document'), mediaContent('sticker'),
  z.strictObject({
    type: z.literal('location'),
    latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180),
    name: text(LIMITS.label).optional(), address: text(LIMITS.label).optional(),
  }),
  z.strictObject({
    type: z.literal('contacts'),
    contacts: list(z.strictObject({
      name: filled(LIMITS.label),
      phones: list(z.strictObject({ phone: filled(64), type: text(64).optional() }), 20).optional(),
      emails: list(z.strictObject({ email: filled(254), type: text(64).optional() }), 20).optional(),
      organization: text(LIMITS.label).optional(),
    }), LIMITS.contacts).min(1, 'must not be empty'),
  }),
  z.strictObject({ type: z.literal('reply'), id: filled(LIMITS.label), title: filled(LIMITS.label) }),
  z.strictObject({ type: z.literal('reaction'), emoji: text(32), target: filled(LIMITS.label) }),
  z.strictObject({
    type: z.literal('interactive'),
    body: filled(LIMITS.text), header: text(LIMITS.label).optional(), footer: text(LIMITS.label).optional(),
    buttons: list(button, LIMITS.options).optional(),
    list: z.strictObject({ button: filled(200), sections: list(listSection, LIMITS.sections).min(1, 'must not be empty') }).optional(),
    quickReplies: list(button, LIMITS.options).optional(),
  }).refine((c) => c.buttons !== undefined || c.list !== undefined || c.quickReplies !== undefined, { message: 'interactive content needs buttons, a list or quick replies' }),
  TemplateContentSchema,
  z.strictObject({ type: z.literal('rich'), kind: oneOf(RICH_KINDS), payload: boundedJson.optional(), fallbackText: text(LIMITS.text).optional() }),
], { error: (issue) => (issue.code === 'invalid_union' ? 'must be one of text, image, video, audio, document, sticker, location, contacts, reply, reaction, interactive, template, rich' : undefined) })
  .transform((c) => c as Content)
  .meta({ id: 'Content', description: 'A message\'s content, one kind of the core Content union; unknown keys at any level are refused' });

/**
 * Content, or a plain string meaning text content (the conversation send's shorthand). A union,
 * not a preprocess, so the document shows the string too.
 */
export const ContentOrTextSchema = z.union([
  z.string().transform((text) => ({ type: 'text' as const, text })).pipe(ContentSchema as unknown as z.ZodType<Content, { type: 'text'; text: string }>).describe('text content, in short'),
  ContentSchema,
], { error: (issue) => (issue.code === 'invalid_union' ? 'must be a string (text) or message content' : undefined) });

// ---- /v1/messages, /v1/policy/evaluate, /v1/notifications ----------------------------------------

const SENDERS = ['bot', 'agent', 'system'] as const;

/** Runs a cross-field check even when other fields have problems, so every problem is listed at once. */
const objectGiven = (payload: { value: unknown }): boolean => typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value);

const sendFields = {
  channel: filled(64),
  accountId: filled(LIMITS.id),
  userId: text(LIMITS.id).optional(),
  conversationId: text(LIMITS.id).optional(),
  content: ContentSchema,
  purpose: oneOf(PURPOSES),
  sender: oneOf(SENDERS).default('bot'),
  topic: text(200).optional(),
  tag: text(64).optional(),
  replyTo: text(512).optional(),
  commerceCategory: text(100).optional(),
};

/**
 * A send request with its target named (the library API's `SendRequest`, and `POST /v1/messages`
 * once a `conversationId` was resolved): `channel`, `accountId`, and `userId` or `conversationId`.
 */
export const SendRequestSchema = z.strictObject(sendFields).superRefine((b, ctx) => {
  if (!b.userId && !b.conversationId) ctx.addIssue({ code: 'custom', path: ['userId'], message: 'or conversationId is required' });
}, { when: objectGiven });

/**
 * The body of `POST /v1/messages` and `POST /v1/policy/evaluate`: give `userId` (with `channel`
 * and `accountId`) or `conversationId` alone — the conversation names the channel, the account and
 * the customer (a `channel` or `accountId` given beside it must be the conversation's).
 */
export const SendRequestBodySchema = z.strictObject({
  ...sendFields,
  channel: sendFields.channel.optional().describe('required with userId; a conversationId names it'),
  accountId: sendFields.accountId.optional().describe('required with userId; a conversationId names it'),
}).superRefine((b, ctx) => {
  if (b.conversationId) return;
  if (!b.userId) ctx.addIssue({ code: 'custom', path: ['userId'], message: 'or conversationId is required' });
  if (b.channel === undefined) ctx.addIssue({ code: 'custom', path: ['channel'], message: 'is required unless conversationId is given' });
  if (b.accountId === undefined) ctx.addIssue({ code: 'custom', path: ['accountId'], message: 'is required unless conversationId is given' });
}, { when: objectGiven });

/** Longest template name in a `document` request (as {@link MAX_TEMPLATE_NAME}). */
const templateName = z.string().max(MAX_TEMPLATE_NAME, `must be at most ${MAX_TEMPLATE_NAME} characters`)
  .regex(TEMPLATE_NAME, 'must be a document template name: lower-case words joined by hyphens (boarding-pass)');

/**
 * A document the host renders and sends (`POST /v1/messages` `document`, instead of `content`): a
 * template's name, the message's data (checked against the template's own closed schema when it is
 * rendered; here only its shape is bounded, as a rich payload's) and an optional caption.
 */
export const DocumentRequestSchema = z.strictObject({
  /** The template (`boarding-pass`, `order-receipt`, or one the host was given). */
  template: templateName,
  /** The message's data, as the template's schema describes it. */
  data: z.record(z.string().max(LIMITS.label), z.unknown()).superRefine((v, ctx) => {
    const shape = measureJson(v, { depth: LIMITS.richDepth, nodes: LIMITS.richNodes });
    if (shape.depth > LIMITS.richDepth) ctx.addIssue({ code: 'custom', message: `nests deeper than ${LIMITS.richDepth} levels` });
    else if (shape.nodes > LIMITS.richNodes) ctx.addIssue({ code: 'custom', message: `holds more than ${LIMITS.richNodes} values` });
    else if (JSON.stringify(v).length > LIMITS.richChars) ctx.addIssue({ code: 'custom', message: `is longer than ${LIMITS.richChars} characters as JSON` });
  }),
  /** Shown with the document (the channel's caption limit applies). */
  caption: text(LIMITS.text).optional(),
  /** The locale to write numbers and dates in where the contact's profile has none (BCP 47: `de-DE`); default `en`. */
  locale: z.string().max(35).refine(isUsableLocale, 'must be a BCP 47 locale the host can format for (e.g. de-DE)').optional(),
  /** The time zone to show instants in where the contact's profile has none (IANA); default the tenant's `timeZone`, else UTC. */
  timeZone: z.string().max(64).refine(isValidTimeZone, 'must be an IANA time zone (e.g. Europe/Berlin)').optional(),
});

const { content: _content, ...targetFields } = sendFields;

/** A document send with its target named (the library API's `DocumentSendRequest`). */
export const SendDocumentRequestSchema = z.strictObject({ ...targetFields, document: DocumentRequestSchema }).superRefine((b, ctx) => {
  if (!b.userId && !b.conversationId) ctx.addIssue({ code: 'custom', path: ['userId'], message: 'or conversationId is required' });
}, { when: objectGiven });

/**
 * The body of `POST /v1/messages`: the target as in {@link SendRequestBodySchema}, and exactly one
 * of `content` (a message as given) or `document` (a document the host renders from a template and
 * sends as a `document` message).
 */
export const SendMessageBodySchema = z.strictObject({
  ...sendFields,
  channel: sendFields.channel.optional().describe('required with userId; a conversationId names it'),
  accountId: sendFields.accountId.optional().describe('required with userId; a conversationId names it'),
  content: ContentSchema.optional().describe('the message; or give document'),
  document: DocumentRequestSchema.optional().describe('a document the host renders from a template and sends as a document message; or give content'),
}).superRefine((b, ctx) => {
  if (b.content === undefined && b.document === undefined) ctx.addIssue({ code: 'custom', path: ['content'], message: 'or document is required' });
  if (b.content !== undefined && b.document !== undefined) ctx.addIssue({ code: 'custom', path: ['document'], message: 'cannot be given beside content: send one or the other' });
  if (b.conversationId) return;
  if (!b.userId) ctx.addIssue({ code: 'custom', path: ['userId'], message: 'or conversationId is required' });
  if (b.channel === undefined) ctx.addIssue({ code: 'custom', path: ['channel'], message: 'is required unless conversationId is given' });
  if (b.accountId === undefined) ctx.addIssue({ code: 'custom', path: ['accountId'], message: 'is required unless conversationId is given' });
}, { when: objectGiven });

/** `POST /v1/notifications`: one template to many recipients. */
export const NotificationRequestSchema = z.strictObject({
  channel: filled(64),
  accountId: filled(LIMITS.id),
  // template content itself (not a pipe from unknown), so the document shows the template it takes
  content: TemplateContentSchema.extend({ type: z.literal('template', { error: 'must be template for notifications' }) }),
  purpose: oneOf(['transactional', 'marketing'] as const),
  topic: text(200).optional(),
  recipients: list(z.strictObject({ userId: filled(LIMITS.id), parameters: list(TemplateParameterSchema, LIMITS.parameters).optional() }), LIMITS.recipients)
    .min(1, 'must not be empty'),
});

// ---- /v1/conversations --------------------------------------------------------------------------

/** A body-less action (resolve, reopen…): nothing or `{}`. */
export const EmptyBodySchema = z.strictObject({});

/** `POST /v1/conversations/:id/messages`. */
export const ConversationMessageSchema = z.strictObject({
  content: ContentOrTextSchema,
  purpose: oneOf(PURPOSES).default('service'),
  // no default: an omitted sender is decided by the key's scopes
  sender: oneOf(['agent', 'bot', 'system'] as const).optional(),
  topic: text(200).optional(),
  tag: text(64).optional(),
});

const queue = filled(64);

/** `POST /v1/conversations/:id/assign`. */
export const AssignSchema = z.strictObject({ agentId: filled(LIMITS.id), queue: queue.optional() });

/** `POST /v1/conversations/:id/handover`: to a human queue, or to a bot handler. */
export const HandoverSchema = z.strictObject({
  to: oneOf(['human', 'bot'] as const).default('human'),
  queue: queue.optional(),
  handler: filled(64).optional(),
}).superRefine((b, ctx) => {
  if (b.to === 'bot' && !b.handler) ctx.addIssue({ code: 'custom', path: ['handler'], message: 'is required to hand over to a bot' });
  if (b.to === 'bot' && b.queue) ctx.addIssue({ code: 'custom', path: ['queue'], message: 'is only for a handover to a human' });
  if (b.to === 'human' && b.handler) ctx.addIssue({ code: 'custom', path: ['handler'], message: 'is only for a handover to a bot' });
});

/** `POST /v1/conversations/:id/transfer`. */
export const TransferSchema = z.strictObject({ agentId: filled(LIMITS.id).optional(), queue: queue.optional() });

const tags = list(filled(LIMITS.tag), LIMITS.tags).min(1, 'must not be empty');

/** `POST /v1/conversations/:id/tags`. */
export const TagsSchema = z.strictObject({ tags });

// ---- /v1/contacts/:id/consent -------------------------------------------------------------------

/** Actions a caller may record through the API. */
export const CONSENT_ACTIONS: readonly ConsentLedgerAction[] = ['opt-in-requested', 'opt-in', 'opt-out', 'blocked', 'unblocked', 'spam-reported', 'important-only', 'all-messages', 'closed', 'reopened'];

/**
 * What a caller may say about a consent event. `source` and `recordedBy` are the server's: an API
 * entry's source is `api` and it names the key that recorded it.
 */
export const ApiConsentEvidenceSchema = z.strictObject({
  wording: text(2_000).optional(),
  privacyPolicy: z.strictObject({ url: httpUrl(2_000).optional(), version: filled(64) }).optional(),
  reference: text(512).optional(),
  text: text(4_096).optional(),
  detail: text(2_000).optional(),
});

/** `POST /v1/contacts/:id/consent`. */
export const ConsentEventSchema = z.strictObject({
  action: oneOf(CONSENT_ACTIONS),
  purpose: oneOf(PURPOSES).optional(),
  channel: filled(64).optional(),
  // no default here: an omitted scope is the tenant's policy.consentScope, which only the route knows
  scope: oneOf(['channel', 'all-channels'] as const).optional()
    .describe('channel: this channel only; all-channels: every channel of the contact. Default: the tenant\'s policy.consentScope (per-channel → channel, otherwise all-channels, which is the default policy)'),
  topic: text(200).optional(),
  evidence: ApiConsentEvidenceSchema.optional(),
}).superRefine((b, ctx) => {
  if ((b.action === 'opt-in' || b.action === 'opt-in-requested') && b.purpose === undefined) ctx.addIssue({ code: 'custom', path: ['purpose'], message: `is required for ${b.action}` });
});

// ---- /v1/templates ------------------------------------------------------------------------------

const TEMPLATE_STATUSES: readonly TemplateStatus[] = ['draft', 'submitted', 'approved', 'rejected', 'paused'];
const examples = list(filled(1_024), 20);

/** `POST /v1/templates`: a new draft. */
export const TemplateCreateSchema = z.strictObject({
  channel: filled(64),
  name: filled(512).regex(/^[a-z0-9_]+$/, 'may contain only lowercase letters, digits and underscores'),
  language: filled(16).regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'must be a language code such as en or en_US'),
  category: oneOf(TEMPLATE_CATEGORIES),
  body: filled(1_024).superRefine((body, ctx) => {
    const { positional, named } = templatePlaceholders(body);
    if (positional.length > 0 && named.length > 0) ctx.addIssue({ code: 'custom', message: 'must not mix numbered and named placeholders' });
    const gap = positional.find((n, i) => n !== i + 1);
    if (gap !== undefined) ctx.addIssue({ code: 'custom', message: `placeholder {{${gap}}} leaves a gap: number placeholders 1..n` });
  }),
  header: filled(60).optional(),
  footer: filled(60).optional(),
  examples: examples.optional(),
});

/** `POST /v1/templates/sync`. */
export const TemplateSyncSchema = z.strictObject({ channel: filled(64).optional() });
/** `POST /v1/templates/:id/submit`. */
export const TemplateSubmitSchema = z.strictObject({ examples: examples.optional() });
/** `POST /v1/templates/:id/status`. */
export const TemplateStatusSchema = z.strictObject({ status: oneOf(['approved', 'rejected', 'paused'] as const), reason: text(512).optional() });

// ---- /v1/opt-ins, /v1/contacts/:id/addresses ----------------------------------------------------

/** Sources a caller may give for an opt-in's first step; `keyword` is recorded by the host only. */
export const OPT_IN_SOURCES = ['web-form', 'checkbox', 'click-to-chat', 'api'] as const;

/**
 * A channel of an opt-in: its name alone, or `{ channel, account, target }`. A union, not a
 * preprocess: the document showed only the object although the name alone is accepted.
 */
const optInChannel = z.union([
  oneOf(CLICK_TO_CHAT_CHANNELS).transform((channel): { channel: typeof channel; account?: string; target?: string } => ({ channel })),
  z.strictObject({ channel: oneOf(CLICK_TO_CHAT_CHANNELS), account: filled(128).optional(), target: filled(128).optional() }),
], { error: (issue) => (issue.code === 'invalid_union' ? `must be one of ${CLICK_TO_CHAT_CHANNELS.join(', ')}, or { channel, account, target }` : undefined) });

/** `POST /v1/opt-ins`. */
export const OptInStartSchema = z.strictObject({
  purpose: oneOf(['transactional', 'marketing'] as const, ),
  source: oneOf(OPT_IN_SOURCES).default('web-form'),
  channels: list(optInChannel, CLICK_TO_CHAT_CHANNELS.length * 4).min(1, 'must not be empty'),
  privacyPolicy: z.strictObject({
    url: filled(2_000).regex(/^https:\/\/\S+$/, 'must be an https URL').optional(),
    version: filled(64).optional(),
  }).optional(),
  confirmWith: oneOf(['start-message', 'reply'] as const).optional(),
  scope: oneOf(['channel', 'all-channels'] as const).optional(),
  language: filled(16).regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$/, 'must be a language tag such as es or pt-BR').optional(),
  contactId: filled(128).optional(),
  address: z.strictObject({ channel: filled(32), userId: filled(LIMITS.id), accountId: filled(128).optional() }).optional(),
  ttlMinutes: z.number().int('must be a whole number of minutes').min(1).max(60 * 24 * 90, 'must be at most 129600 minutes (90 days)').optional(),
  topic: filled(200).optional(),
  wording: filled(2_000).optional(),
  prefill: filled(500).optional(),
}).superRefine((b, ctx) => {
  if (b.contactId && b.address) ctx.addIssue({ code: 'custom', path: ['address'], message: 'give contactId or address, not both' });
});

/** `POST /v1/contacts/:id/addresses`. */
export const AddressLinkSchema = z.strictObject({ channel: filled(64), userId: filled(LIMITS.id), accountId: filled(128).optional() });

// ---- /v1/agents, /v1/console/settings -----------------------------------------------------------

const email = filled(254).transform((s) => s.trim().toLowerCase()).refine((s) => /^[^\s@]{1,64}@[^\s@]{1,189}$/.test(s), 'must be an e-mail address');
/** The shape of a password; its rules (which need the agent's e-mail and name) are checked with them. */
const password = z.string().max(1_024, 'must be at most 1024 characters');
const queues = list(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a queue id'), 50);
const agentName = filled(200).transform((s) => s.trim());

/** `POST /v1/agents`: the password must pass the password rules for this e-mail and name. */
export const AgentCreateSchema = z.strictObject({
  email, name: agentName.optional(), password, role: oneOf(AGENT_ROLES).default('agent'), queues: queues.optional(),
}).superRefine((b, ctx) => {
  // object-level checks also run when a field failed: check the password only with what it needs
  if (typeof b.password !== 'string' || typeof b.email !== 'string' || (b.name !== undefined && typeof b.name !== 'string')) return;
  const problem = passwordProblem(b.password, { email: b.email, name: b.name ?? b.email });
  if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
});

/** `PATCH /v1/agents/:id` (a new password is checked against the agent's rules by the route, which knows the agent). */
export const AgentPatchSchema = z.strictObject({
  name: agentName.optional(), role: oneOf(AGENT_ROLES).optional(), password: password.optional(), disabled: z.boolean().optional(), queues: queues.optional(),
});

/** `PUT /v1/console/settings`: saved replies and knowledge-base links. */
export const ConsoleSettingsSchema = z.strictObject({
  quickReplies: list(z.strictObject({
    id: filled(64).optional(), title: filled(120),
    // a placeholder must be a variable path ({{contact.name}}): one that is not would reach a customer as written
    text: filled(4_096).refine((t) => templateVariables(t).invalid.length === 0, 'has a {{…}} placeholder that is not a variable path (e.g. {{contact.name}}, {{crm.customerId}})'),
  }), 200).default([]),
  knowledgeBase: list(z.strictObject({
    id: filled(64).optional(),
    title: filled(200),
    url: httpUrl(2_048).transform((s) => new URL(s).href),
    keywords: list(filled(64), 50).optional(),
  }), 500).default([]),
});

// ---- console API (/console/api) -----------------------------------------------------------------

/** A reply the agent composed (evaluate and send): text with an optional tag, or an approved template. */
export const ConsoleDraftSchema = z.strictObject({
  kind: oneOf(['text', 'template'] as const).default('text'),
  text: text(20_000).optional(),
  tag: text(64).optional(),
  templateId: filled(200).optional(),
  parameters: z.record(text(200), text(1_024)).refine((p) => Object.keys(p).length <= LIMITS.parameters, `must have at most ${LIMITS.parameters} entries`).optional(),
}).superRefine((b, ctx) => {
  if (b.kind === 'template' && !b.templateId) ctx.addIssue({ code: 'custom', path: ['templateId'], message: 'is required' });
  if (b.kind === 'text' && (typeof b.text !== 'string' || b.text.trim() === '')) ctx.addIssue({ code: 'custom', path: ['text'], message: 'is required' });
});

/** A login field: the login form sends every field, so an empty or null one counts as not given. */
const loginField = (max: number) => z.string().max(max, `must be a string of at most ${max} characters`).nullable().optional()
  .transform((v) => (v === null || v === '' ? undefined : v));

/**
 * `POST /console/api/login`: e-mail and password are required; `tenant` when the host serves
 * several tenants (the route knows).
 */
export const ConsoleLoginSchema = z.strictObject({
  email: loginField(254).transform((v) => v?.trim().toLowerCase() || undefined),
  password: loginField(1_024),
  tenant: loginField(64),
}).superRefine((b, ctx) => {
  if (!b.email) ctx.addIssue({ code: 'custom', path: ['email'], message: 'is required' });
  if (!b.password) ctx.addIssue({ code: 'custom', path: ['password'], message: 'is required' });
});

/** `POST /console/api/conversations/:id/assign`. */
export const ConsoleAssignSchema = z.strictObject({ agentId: text(200).optional(), queue: text(64).optional() });
/** `POST /console/api/conversations/:id/transfer`. */
export const ConsoleTransferSchema = ConsoleAssignSchema;
/** `POST /console/api/conversations/:id/handback`. */
export const HandbackSchema = z.strictObject({ handler: text(64).optional() });
/** `POST /console/api/conversations/:id/tags`. */
export const ConsoleTagsSchema = TagsSchema;
/** `PATCH /console/api/contacts/:id`. */
export const ContactPatchSchema = z.strictObject({
  crmRef: text(200).transform((s) => s.trim()).optional(),
  tags: list(filled(LIMITS.tag), 50).transform((l) => [...new Set(l.map((x) => x.trim()))]).optional(),
});
/** `POST /console/api/contacts/:id/notes`. */
export const NoteSchema = z.strictObject({ text: filled(10_000).transform((s) => s.trim()) });

// ---- queries ------------------------------------------------------------------------------------

const intString = (min: number, max: number) => z.string()
  .regex(/^\d{1,9}$/, 'must be a non-negative integer')
  .transform(Number)
  .refine((n) => n >= min && n <= max, `must be from ${min} to ${max}`);

/** `limit` (1–500) and `offset`. */
export const PAGE_QUERY = { limit: intString(1, 500).optional(), offset: intString(0, 1_000_000_000).optional() };

/** Queries of lists that only page. */
export const PageQuerySchema = z.strictObject(PAGE_QUERY);

/** `GET /v1/conversations`. */
export const ConversationsQuerySchema = z.strictObject({
  ...PAGE_QUERY,
  status: oneOf(['open', 'pending', 'resolved'] as const).optional(),
  channel: filled(64).optional(),
  contactId: filled(LIMITS.id).optional(),
});

/** The streams `/v1/events` offers. */
export const EVENT_STREAMS = ['inbound', 'status', 'consent', 'conversation'] as const;

/** `GET /v1/events`: `streams` is a comma-separated subset. */
export const EventsQuerySchema = z.strictObject({
  streams: text(200).transform((s, ctx) => {
    const requested = s.split(',').map((x) => x.trim()).filter(Boolean);
    for (const x of requested) {
      if (!(EVENT_STREAMS as readonly string[]).includes(x)) ctx.addIssue({ code: 'custom', message: `unknown stream "${x}" (known: ${EVENT_STREAMS.join(', ')})` });
    }
    return requested as (typeof EVENT_STREAMS)[number][];
  }).optional(),
});

/** `GET /v1/templates`. */
export const TemplatesQuerySchema = z.strictObject({ channel: filled(64).optional(), status: oneOf(TEMPLATE_STATUSES).optional() });

const FLOW_STATUSES: readonly OptInFlowStatus[] = ['awaiting-start', 'awaiting-confirmation', 'confirmed'];

/** `GET /v1/opt-ins`. */
export const OptInsQuerySchema = z.strictObject({ ...PAGE_QUERY, status: oneOf(FLOW_STATUSES).optional(), contactId: filled(128).optional() });

/** `GET /console/api/inbox`. */
export const InboxQuerySchema = z.strictObject({
  status: oneOf(['open', 'pending', 'resolved', 'all', 'active'] as const).default('all'),
  assignee: text(200).optional(),
  queue: text(64).optional(),
  channel: text(64).optional(),
});

/** An ISO 8601 date (midnight UTC) or date-time. */
export const isoDate = z.string()
  .regex(/^\d{4}-\d{2}-\d{2}([T ][0-9:.]{2,15}(Z|[+-]\d{2}:?\d{2})?)?$/, 'must be an ISO 8601 date or date-time, e.g. 2025-09-01 or 2025-09-01T00:00:00Z')
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 date or date-time, e.g. 2025-09-01 or 2025-09-01T00:00:00Z')
  .transform((v) => new Date(v.length === 10 ? `${v}T00:00:00Z` : v));

/** The longest period `/v1/analytics` and `/v1/costs` report on. */
export const MAX_REPORT_DAYS = 400;

const RANGE = { from: isoDate, to: isoDate };
const rangeChecked = <T extends { from: Date; to: Date }>(q: T, ctx: z.RefinementCtx): void => {
  // object-level checks also run when a field failed: only compare two dates
  if (!(q.from instanceof Date) || !(q.to instanceof Date)) return;
  if (q.to.getTime() <= q.from.getTime()) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  else if (q.to.getTime() - q.from.getTime() > MAX_REPORT_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: `the period may be at most ${MAX_REPORT_DAYS} days` });
};

/** `GET /v1/analytics`: `from` and `to` (exclusive), at most 400 days apart. */
export const AnalyticsQuerySchema = z.strictObject(RANGE).superRefine(rangeChecked);

/** `GET /v1/costs`. */
export const CostsQuerySchema = z.strictObject({ ...RANGE, ...PAGE_QUERY, channel: filled(64).optional() }).superRefine(rangeChecked);

/** `GET /v1/compliance/report`: `from` and `to` (exclusive), at most 400 days apart, and a page of sends. */
export const ComplianceReportQuerySchema = z.strictObject({ ...RANGE, ...PAGE_QUERY }).superRefine(rangeChecked);

/** `GET /v1/audit`. */
export const AuditQuerySchema = z.strictObject({
  ...PAGE_QUERY, from: isoDate.optional(), to: isoDate.optional(), contactId: filled(LIMITS.id).optional(), conversationId: filled(LIMITS.id).optional(),
});

// ---- media ---------------------------------------------------------------------------------------

/**
 * `POST /v1/media` with a JSON body: the host fetches the file from `url` itself (http or https, a
 * public address unless the config allows private ones), within the tenant's limits.
 */
export const MediaUrlUploadSchema = z.strictObject({
  url: httpUrl(),
  /** What the file is sent as (default: from the type its bytes show). */
  kind: oneOf(MEDIA_KINDS).optional(),
  /** The file name to keep (default: from the response's Content-Disposition or the URL's path). */
  filename: filled(255).optional(),
});

/** The fields of a multipart `POST /v1/media` besides its one file part. */
export const MediaUploadFieldsSchema = z.strictObject({
  kind: oneOf(MEDIA_KINDS).optional(),
  filename: filled(255).optional(),
});

// ---- path parameters and headers ---------------------------------------------------------------

/** Routes with one `:id` (conversations, contacts, templates, decisions, dead letters, agents…). */
export const IdParamsSchema = z.strictObject({ id: filled(LIMITS.id) });

/** A stored file's id (`/v1/media/:id`, `/media/:id`): an id that cannot be one is answered 404, as an unknown one is. */
export const MediaIdParamsSchema = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be the id of a stored file') });

/** Sandbox routes: `/sandbox/:channel/...`. */
export const ChannelParamsSchema = z.strictObject({ channel: filled(64) });

/** `DELETE /console/api/conversations/:id/media/:mediaId`. */
export const ConversationMediaParamsSchema = z.strictObject({ id: filled(LIMITS.id), mediaId: filled(LIMITS.id) });

/** `GET /console/assets/:file`: one of the console's own files. */
export const AssetParamsSchema = z.strictObject({ file: filled(100) });

/** `GET /media/:id/:name`: the name only makes the URL end like the file (the browser saves it so). */
export const NamedMediaParamsSchema = z.strictObject({ id: filled(LIMITS.id), name: filled(500) });

/** `POST /webhooks/:channel/:account`. */
export const WebhookParamsSchema = z.strictObject({ channel: filled(64), account: filled(128) });

/**
 * `Idempotency-Key`: the same key and body replay the first answer; the same key with another
 * body is a 409. Headers are open (a request carries many), so this schema is not closed.
 */
export const IdempotencyHeadersSchema = z.object({
  'Idempotency-Key': z.string().min(1, 'must be 1 to 255 characters').max(255, 'must be 1 to 255 characters').optional()
    .describe('the same key and body replay the first answer (a document is not rendered again); the same key with another body is a 409'),
});

/** `GET /v1/media/:id` and the signed `/media/:id`: conditional and partial reads. */
export const MediaReadHeadersSchema = z.object({
  Range: z.string().max(200).optional().describe('bytes=0-1023: one range of the file (206, or 416 outside it)'),
  'If-None-Match': z.string().max(200).optional().describe('The ETag of a copy held: 304 when it is current'),
  'If-Range': z.string().max(200).optional(),
});

/** `GET /v1/events`: resumes after the last event a client saw. */
export const EventsHeadersSchema = z.object({
  'Last-Event-ID': z.string().trim().refine((v) => v === '' || LAST_EVENT_ID_PATTERN.test(v), 'must be an event id this host sent (a non-negative integer)')
    .transform((v) => (v === '' ? undefined : Number(v))).optional()
    .describe('The id of the last event the client received: the feed resumes after it'),
});

/** `GET /v1/contacts/:id/export`: `Accept: application/zip` asks for the zip when `format` is not given. */
export const ExportHeadersSchema = z.object({
  Accept: z.string().max(1_000).optional().describe('application/zip ranked above application/json chooses the zip (format wins over it)'),
});

