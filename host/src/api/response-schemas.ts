/**
 * The response schemas of the REST API, the console API and the sandbox, written once with zod:
 * the OpenAPI document's responses are generated from them (`io: 'output'`), and the API tests
 * parse real answers with them. A schema with an `id` in its metadata becomes a component of the
 * document (`#/components/schemas/<id>`).
 *
 * Objects the host answers in full are `z.object` (the document says no other key comes); objects
 * whose keys depend on the channel, the connector or a feature's version are `z.looseObject`, with
 * the keys every answer has. No transform appears here: a response schema describes JSON as sent.
 * @module
 */
import { MEDIA_KINDS, PURPOSES, type ConsentLedgerAction, type PolicySourceName } from '@switchboard/core';
import { z } from 'zod';
import { ContactContextSchema } from '../crm/contact-context.js';
import { API_SCOPES } from './api-scopes.js';

/** An instant as the API writes it (ISO 8601, UTC). */
const instant = z.iso.datetime({ offset: true });
/** Any JSON value (a connector's or a feature's own shape). */
const anyJson = z.unknown();
const POLICY_SOURCES = ['channel', 'business', 'law', 'customer'] as const satisfies readonly PolicySourceName[];
const LEDGER_ACTIONS = ['opt-in-requested', 'opt-in', 'opt-out', 'blocked', 'unblocked', 'spam-reported', 'important-only', 'all-messages', 'closed', 'reopened'] as const satisfies readonly ConsentLedgerAction[];
const DELIVERY_STATUSES = ['accepted', 'queued', 'sent', 'delivered', 'read', 'failed'] as const;
const CONTENT_TYPES = ['text', ...MEDIA_KINDS, 'location', 'contacts', 'reply', 'reaction', 'interactive', 'template', 'rich'] as const;

// ---- errors -------------------------------------------------------------------------------------

/** One bad field of a `VALIDATION_FAILED` answer. */
export const ProblemSchema = z.object({ field: z.string(), message: z.string() });

/** The one error envelope every 4xx and 5xx answer uses: `{ error: { code, message, details } }`. */
export const ErrorSchema = z.object({
  error: z.looseObject({
    code: z.string().describe('Stable: VALIDATION_FAILED, NOT_FOUND, UNAUTHORIZED, FORBIDDEN, CONFLICT, POLICY_DENIED…'),
    message: z.string(),
    details: z.looseObject({
      field: z.string().optional().describe('VALIDATION_FAILED: the first bad field'),
      problems: z.array(ProblemSchema).optional().describe('VALIDATION_FAILED: every bad field with its path (content.buttons[0].title) and what is wrong; an unknown key "is not a known field"'),
      unlisted: z.number().int().optional().describe('Problems beyond the first 100, not listed'),
    }).optional(),
  }),
}).meta({ id: 'Error', description: 'Every error answer: a stable code, a message and details (for VALIDATION_FAILED every problem with its path)' });

/** Why the policy engine refused (one reason; every reason is listed). */
export const PolicyReasonSchema = z.object({
  code: z.string().describe('WINDOW_CLOSED, TEMPLATE_REQUIRED, NO_CONSENT, BLOCKED…'),
  source: z.enum(POLICY_SOURCES),
  message: z.string(),
  rule: z.string().optional().describe('The rule that refused it (serviceWindowHours, restrictedCommerce, quietHours…)'),
  url: z.string().optional().describe('Where the rule is documented: the platform\'s page or the legal text'),
}).meta({ id: 'PolicyReason' });

/** A send the policy refused: the {@link ErrorSchema} envelope with code `POLICY_DENIED` and its reasons. */
export const PolicyDeniedSchema = z.object({
  error: z.object({
    code: z.literal('POLICY_DENIED'),
    message: z.string(),
    reasons: z.array(PolicyReasonSchema),
    decisionId: z.string().optional().describe('The decision record of the refusal: GET /v1/decisions/{id}'),
    details: z.object({ reasons: z.array(PolicyReasonSchema), decisionId: z.string().optional() }),
  }),
}).meta({ id: 'PolicyDenied' });

// ---- the core model -----------------------------------------------------------------------------

/** A channel address. */
export const AddressSchema = z.object({ channel: z.string(), accountId: z.string(), userId: z.string() }).meta({ id: 'Address' });

/** Who handles a conversation. */
export const AssigneeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('bot'), handler: z.string() }),
  z.object({ kind: z.literal('queue'), queue: z.string() }),
  z.object({ kind: z.literal('agent'), agentId: z.string(), queue: z.string().optional() }),
  z.object({ kind: z.literal('forward'), url: z.string() }),
  z.object({ kind: z.literal('none') }),
]).meta({ id: 'Assignee' });

/** A conversation. */
export const ConversationSchema = z.object({
  id: z.string(), tenantId: z.string(), contactId: z.string(), address: AddressSchema,
  status: z.enum(['open', 'pending', 'resolved']), assignee: AssigneeSchema,
  lastInboundAt: instant.optional(), lastOutboundAt: instant.optional(), entryPointAt: instant.optional(),
  outboundSinceInbound: z.number().int().optional(), firstResponseAt: instant.optional(),
  tags: z.array(z.string()), crmRef: z.string().optional(), createdAt: instant, updatedAt: instant,
}).meta({ id: 'Conversation' });

/** A message's content as stored and presented (the request side is `Content`; media gain the host's fields). */
export const StoredContentSchema = z.looseObject({ type: z.enum(CONTENT_TYPES) }).meta({
  id: 'StoredContent',
  description: 'The message\'s content, one kind of Content. Media content: once the host stores the file, media.url is the host\'s GET /v1/media/{id} (media.storedId, media.sha256), media.sourceUrl the platform\'s URL if it gave one, media.id the platform\'s id; media.storeState says where the fetch is (pending, stored, refused, quarantined, failed; media.storeNote why)',
});

/** A message. */
export const MessageSchema = z.object({
  id: z.string(), tenantId: z.string(), conversationId: z.string(), direction: z.enum(['inbound', 'outbound']),
  channel: z.string().optional(), accountId: z.string().optional(), userId: z.string().optional(), contactId: z.string().optional(),
  externalId: z.string().optional(), content: StoredContentSchema, status: z.enum(DELIVERY_STATUSES),
  timestamp: instant, createdAt: instant, updatedAt: instant, replyTo: z.string().optional(),
  purpose: z.enum(PURPOSES).optional(), sender: z.enum(['bot', 'agent', 'system']).optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  rendering: z.object({ form: z.enum(['native', 'degraded']), parts: z.number().int() }).optional(),
  price: z.looseObject({ amount: z.number(), currency: z.string(), category: z.string() }).optional(),
  statusHistory: z.array(z.looseObject({ status: z.string(), at: instant })).optional(),
}).catchall(anyJson).meta({ id: 'Message' });

/** A contact. */
export const ContactSchema = z.object({
  id: z.string(), tenantId: z.string(), addresses: z.array(AddressSchema),
  profile: z.looseObject({ name: z.string().optional(), locale: z.string().optional() }),
  capabilities: z.record(z.string(), z.array(z.string())).optional(), tags: z.array(z.string()).optional(), crmRef: z.string().optional(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  createdAt: instant, updatedAt: instant,
}).meta({ id: 'Contact' });

/** The evidence a consent entry keeps. */
export const ConsentEvidenceSchema = z.object({
  source: z.string().describe('web-form, checkbox, click-to-chat, keyword, platform, api (names the key in recordedBy), agent, import'),
  wording: z.string().optional(), privacyPolicy: z.object({ url: z.string().optional(), version: z.string() }).optional(),
  reference: z.string().optional(), text: z.string().optional(), confirms: z.string().optional(), recordedBy: z.string().optional(), detail: z.string().optional(),
});

/** An entry of the consent ledger. */
export const ConsentEntrySchema = z.object({
  id: z.string(), tenantId: z.string(), contactId: z.string(), channel: z.string(), accountId: z.string().optional(),
  action: z.enum(LEDGER_ACTIONS), purpose: z.enum(PURPOSES).optional(), topic: z.string().optional(),
  scope: z.enum(['all-channels', 'channel']), at: instant, evidence: ConsentEvidenceSchema,
}).meta({ id: 'ConsentEntry' });

/** The consent state the send path derives from the ledger, for one channel. */
export const ConsentStateSchema = z.looseObject({
  grants: z.array(z.looseObject({ purpose: z.enum(PURPOSES), channel: z.string(), at: instant, confirmed: z.boolean(), entryId: z.string() })),
  revocations: z.array(z.looseObject({ purpose: z.enum(PURPOSES), channel: z.string(), at: instant, entryId: z.string() })),
  pending: z.array(z.looseObject({ purpose: z.enum(PURPOSES), at: instant, entryId: z.string() })),
  importantOnly: z.boolean(),
}).meta({ id: 'ConsentState' });

/** A template. */
export const TemplateSchema = z.object({
  id: z.string(), tenantId: z.string(), channel: z.string(), name: z.string(), language: z.string(),
  category: z.enum(['marketing', 'utility', 'authentication']), body: z.string(), header: z.string().optional(), footer: z.string().optional(),
  status: z.enum(['draft', 'submitted', 'approved', 'rejected', 'paused']), externalId: z.string().optional(), reason: z.string().optional(),
  createdAt: instant, updatedAt: instant,
}).meta({ id: 'Template' });

/** A stored file, as `POST /v1/media` answers it. */
export const MediaFileSchema = z.looseObject({
  id: z.string().describe('Send it with content { type, media: { storedId } }'),
  contentType: z.string().describe('The type found in the bytes (not the one declared)'),
  size: z.number().int(), sha256: z.string().describe('Hex SHA-256 of the bytes'),
  kind: z.enum(MEDIA_KINDS), filename: z.string().optional(),
  url: z.string().describe('GET it with an API key of the tenant'), createdAt: instant,
}).meta({ id: 'MediaFile' });

/** A verified webhook that could not be parsed. */
export const DeadLetterSchema = z.object({
  id: z.string(), tenantId: z.string(), channel: z.string(), account: z.string(), reason: z.string(), code: z.string(),
  rawBody: z.string().meta({ contentEncoding: 'base64' }), headers: z.record(z.string(), z.string()), receivedAt: instant,
}).meta({ id: 'DeadLetter' });

/** A price as the engine quotes it. */
const PriceSchema = z.looseObject({ amount: z.number(), currency: z.string(), category: z.string().optional() });

/** A send the host accepted (202). */
export const AcceptedSchema = z.looseObject({
  id: z.string().optional(), status: z.string().describe('queued (or the replayed answer\'s status)'),
  conversationId: z.string().optional(), form: anyJson.optional(), price: PriceSchema.optional(), rendering: anyJson.optional(),
  decisionId: z.string().optional().describe('The decision record: GET /v1/messages/{id}/decision'),
}).meta({ id: 'Accepted' });

/** A consent entry a decision relied on. */
const ConsentRefSchema = z.looseObject({
  id: z.string(), role: z.enum(['grant', 'request', 'revocation']), action: z.string(), channel: z.string(),
  scope: z.enum(['channel', 'all-channels']), purpose: z.enum(PURPOSES).optional(), topic: z.string().optional(), at: instant, evidence: anyJson,
});

/** An effective rule with the sources that imposed it. */
const EffectiveRuleSchema = z.looseObject({ rule: z.string(), label: z.string(), value: anyJson, sources: z.array(z.string()) });

/** Why a message was allowed or refused, kept with it. */
export const DecisionRecordSchema = z.looseObject({
  id: z.string(), messageId: z.string().optional(), conversationId: z.string().optional(), contactId: z.string().optional(),
  channel: z.string(), accountId: z.string(), userId: z.string(), at: instant, via: z.enum(['api', 'notification', 'conversation']),
  intent: z.looseObject({ purpose: z.enum(PURPOSES) }), verdict: z.enum(['allow', 'deny']), reasons: z.array(PolicyReasonSchema),
  consent: z.array(ConsentRefSchema),
  versions: z.looseObject({ tenantPolicy: z.string(), priceTable: z.string(), channelPolicy: z.string(), effective: z.string() })
    .describe('sha256: and 16 hex digits of the canonical JSON (keys sorted) of each; none for a channel without prices'),
  effective: z.array(EffectiveRuleSchema).optional(),
}).meta({ id: 'DecisionRecord' });

/** The compliance report of a period. */
export const ComplianceReportSchema = z.looseObject({
  tenantId: z.string(), from: instant, to: instant,
  sends: z.looseObject({ limit: z.number().int(), offset: z.number().int(), items: z.array(z.looseObject({ decisionId: z.string(), kind: z.enum(['marketing', 'notification']), consent: z.array(ConsentRefSchema) })) }),
  totals: z.looseObject({ marketing: z.number().int(), notification: z.number().int() }),
  withdrawnBeforeSend: z.array(z.looseObject({ decisionId: z.string(), withdrawal: ConsentRefSchema })).describe('Sends that left after their consent was withdrawn: empty when the system works'),
}).meta({ id: 'ComplianceReport' });

/** An API key as lists show it: never the key or its digest. */
export const ApiKeySchema = z.looseObject({
  id: z.string(), scopes: z.array(z.enum(API_SCOPES)), name: z.string().optional(), source: z.enum(['config', 'store']).optional(),
  createdAt: instant.optional(), revokedAt: instant.optional(),
}).meta({ id: 'ApiKey' });

/** A console agent: never a password hash. */
export const AgentSchema = z.looseObject({
  id: z.string(), tenantId: z.string(), email: z.string(), name: z.string(), role: z.string(), disabled: z.boolean().optional(), queues: z.array(z.string()).optional(),
}).meta({ id: 'Agent' });

/** An opt-in flow. */
export const OptInFlowSchema = z.looseObject({
  id: z.string(), status: z.enum(['awaiting-start', 'awaiting-confirmation', 'confirmed', 'expired']), purpose: z.enum(PURPOSES),
}).meta({ id: 'OptInFlow' });

/** `POST /v1/opt-ins`: the flow, the signed start token and a click-to-chat link (with its QR codes) per channel. */
export const OptInStartedSchema = z.object({
  flow: OptInFlowSchema,
  token: z.string().describe('The signed start token the links carry'),
  links: z.array(z.object({
    channel: z.string(), url: z.string(), prefilledText: z.string().optional().describe('The text the customer\'s app prefills, when the channel has one'),
    qr: z.object({ svg: z.string(), png: z.string().describe('A data: URL') }),
  })),
}).meta({ id: 'OptInStarted' });

/** `GET /v1/opt-ins/{id}`: the flow and the consent entries of its steps, with their evidence. */
export const OptInDetailSchema = z.object({ flow: OptInFlowSchema, ledger: z.array(ConsentEntrySchema) }).meta({ id: 'OptInDetail' });

// ---- answers built from those -------------------------------------------------------------------

/**
 * A list answer.
 * @param item - the schema of one item
 * @returns `{ items: item[] }`
 */
export const listOf = (item: z.ZodType) => z.object({ items: z.array(item) });

/** A JSON answer whose keys the route's description names (a report, an export, a feature's view). */
export const JsonObjectSchema = z.looseObject({});

/** Bytes of a file or a stream (an OpenAPI 3.1 binary body). */
export const BinarySchema = z.string().meta({ contentMediaType: 'application/octet-stream' });

/** Text: Prometheus metrics, Server-Sent Events, HTML. */
export const TextSchema = z.string();

/** `GET /healthz`. */
export const HealthSchema = z.object({ status: z.literal('ok') });

/** `GET /readyz`. */
export const ReadinessSchema = z.object({
  status: z.enum(['ready', 'degraded', 'not-ready']),
  store: z.looseObject({ kind: z.string(), ok: z.boolean(), error: z.string().optional() }),
  connectors: z.array(z.looseObject({ package: z.string(), channel: z.string().optional(), state: z.enum(['loaded', 'failed']), required: z.boolean(), error: z.string().optional(), accounts: z.array(z.string()) })),
}).catchall(anyJson);

/** `GET /v1/contacts/{id}/consent`. */
export const ConsentHistorySchema = z.object({ contactId: z.string(), history: z.array(ConsentEntrySchema), state: z.record(z.string(), ConsentStateSchema) });

/** `POST /v1/policy/evaluate`. */
export const EvaluationSchema = z.object({
  verdict: z.enum(['allowed', 'refused']),
  summary: z.string().describe('One or two sentences: "Allowed: … It goes as …, priced …" or "Refused: <reason> (the channel\'s rule); <reason> (the law)…"'),
  reasons: z.array(PolicyReasonSchema).describe('Every reason it would be refused (empty when allowed)'),
  allowed: z.boolean(),
  decision: z.looseObject({ allowed: z.boolean() }).describe('The policy engine\'s decision: allowed with form, price and inWindow, or refused with reasons'),
  effective: z.array(EffectiveRuleSchema),
  explanation: z.string().describe('The effective policy as a plain-text table: rule, value, imposed by'),
});

/** `POST /v1/notifications`: per-recipient results. */
export const NotificationResultSchema = z.object({
  queued: z.number().int(), denied: z.number().int(),
  results: z.array(z.discriminatedUnion('status', [
    z.looseObject({ userId: z.string(), status: z.literal('queued'), id: z.string(), price: PriceSchema.optional(), decisionId: z.string().optional() }),
    z.looseObject({ userId: z.string(), status: z.literal('denied'), reasons: z.array(PolicyReasonSchema), decisionId: z.string().optional() }),
  ])),
});

/** `POST /v1/templates/sync`. */
export const TemplateSyncResultSchema = z.object({ changed: z.array(TemplateSchema) });

/** `POST /v1/api-keys` and `/rotate`: the key, shown in this answer only. */
export const CreatedApiKeySchema = ApiKeySchema.extend({ key: z.string().describe('Shown once'), replaces: z.string().optional().describe('rotate: the revoked key\'s id') });

/** `GET /v1/contacts/{id}/consent-state`. */
export const ConsentStateViewSchema = z.object({
  contactId: z.string(), scope: z.enum(['all-channels', 'per-channel']), privacyPolicyVersion: z.string().optional(),
  channels: z.record(z.string(), anyJson),
});

/** `GET /v1/tenant`. */
export const TenantIdentitySchema = z.looseObject({
  id: z.string(), name: z.string().optional(), privacyPolicyVersion: z.string().optional(), consentScope: z.enum(['all-channels', 'per-channel']),
  channels: z.array(z.looseObject({ channel: z.string(), accounts: z.array(z.string()), verificationLevel: z.string(), levels: z.array(z.string()) })),
});

/** `DELETE /v1/contacts/{id}`. */
export const ErasureSchema = z.looseObject({ erased: z.literal(true) });

/** `GET /v1/retention` and `POST /v1/retention/purge`. */
export const RetentionSchema = z.looseObject({ tenantId: z.string(), retention: anyJson.describe('The period (null: none)') });

/** `GET /v1/costs`. */
export const CostsSchema = z.looseObject({
  items: z.array(JsonObjectSchema), totals: z.array(z.looseObject({ channel: z.string() })),
  mediaStored: z.looseObject({ files: z.number().int(), bytes: z.number().int(), quarantined: z.number().int() }).optional(),
});

/** `GET|PUT /v1/console/settings`. */
export const ConsoleSettingsViewSchema = z.looseObject({
  quickReplies: z.array(z.looseObject({ id: z.string().optional(), title: z.string(), text: z.string() })),
  knowledgeBase: z.array(z.looseObject({ id: z.string().optional(), title: z.string(), url: z.string(), keywords: z.array(z.string()).optional() })),
});

/** The console's session: the agent and the CSRF token to send back. */
export const ConsoleSessionSchema = z.looseObject({ agent: AgentSchema, csrf: z.string() });

/** `GET /console/api/media/{id}/link`: a fresh signed URL. */
export const SignedLinkSchema = z.looseObject({ url: z.string(), expiresAt: instant.optional() });

/** `POST /sandbox/clock`. */
export const SandboxClockAnswerSchema = z.object({ now: instant, aheadMs: z.number() });

/** What a fake platform's delivery to the host gave (`/sandbox/{channel}/messages|events`). */
export const SandboxDeliverySchema = z.looseObject({
  delivered: z.boolean(), webhookUrl: z.string().optional(),
  hostAnswer: z.looseObject({ status: z.number().int() }).optional(),
});

/** `GET /sandbox/{channel}/sent`. */
export const SandboxSentSchema = z.object({ items: z.array(JsonObjectSchema), total: z.number().int(), offset: z.number().int(), limit: z.number().int() });

/** `POST /sandbox/{channel}/templates/review`. */
export const SandboxReviewedSchema = z.looseObject({ reviewed: z.literal(true) });

/** `POST /sandbox/{channel}/receipts/flush`. */
export const SandboxFlushedSchema = z.object({ posted: z.number().int() });

/** A contact merge: who folded which contact into which, and what moved. */
export const ContactMergeRecordSchema = z.object({
  id: z.string(), tenantId: z.string(), contactId: z.string().describe('The contact merged away'), intoContactId: z.string().describe('The contact that remains'),
  actor: z.string(), at: instant, state: z.enum(['started', 'done']), addresses: z.array(AddressSchema), conversationIds: z.array(z.string()),
  consentEntries: z.number().int(), notes: z.number().int(), completedAt: instant.optional(),
}).meta({ id: 'ContactMerge' });

/** `POST /v1/contacts/{id}/merge`: the merge record and the contact that remains. */
export const ContactMergeAnswerSchema = ContactMergeRecordSchema.extend({ contact: ContactSchema });

/** `GET /v1/contacts/{id}/timeline`: a page of the contact's messages across channels, newest first. */
export const ContactTimelineSchema = z.object({
  contactId: z.string(),
  conversations: z.array(z.object({ id: z.string(), address: AddressSchema, status: z.enum(['open', 'pending', 'resolved']) })),
  items: z.array(z.object({ at: instant, channel: z.string(), accountId: z.string(), conversationId: z.string(), message: MessageSchema })),
  limit: z.number().int(), offset: z.number().int(),
});

/** `GET /v1/contacts/{id}/context`: the contact's CRM context, or why there is none. */
export const ContactContextAnswerSchema = z.object({
  contactId: z.string(),
  status: z.enum(['found', 'unknown', 'unavailable', 'not-configured']),
  context: ContactContextSchema.optional().describe('status found: what the CRM answered'),
  reason: z.string().optional().describe('status unavailable: why'),
  fetchedAt: instant.optional().describe('When the provider answered (the answer is cached for contactContext.ttlMs)'),
}).meta({ id: 'ContactContextAnswer' });

/** `GET /console/api/conversations/{id}/saved-replies/{replyId}`: a saved reply rendered for the contact. */
export const RenderedReplySchema = z.object({
  id: z.string(), title: z.string(), text: z.string(),
  missing: z.array(z.string()).describe('Placeholders with no value (left in the text)'),
  invalid: z.array(z.string()).describe('Placeholders that are not a path (left in the text)'),
}).meta({ id: 'RenderedReply' });
