/**
 * Every HTTP operation the host serves, as data: method, path, `operationId`, and the schemas of its
 * path parameters, query, headers, body and responses. The routes validate with the same schemas
 * (`parseParams`, `parseQuery`, `parseHeaders`, `parseBody`), and the OpenAPI document
 * (`openapi.ts`) is generated from this table: no schema is written twice. A test walks the routes
 * mounted on a real host and fails when one has no operation here, or one here is not mounted.
 * @module
 */
import { z } from 'zod';
import {
  ConsolePresencePutSchema, PresenceListSchema, PresencePutSchema, PresenceViewSchema, SlaTimerListSchema,
} from '../assignment/assignment-routes.js';
import { ContactExportQuerySchema, ZIP_CONTENT_TYPE } from '../compliance/contact-export-zip.js';
import { ConsoleMediaDraftSchema, ConsoleUploadQuerySchema } from '../console/console-media.js';
import { SignedMediaQuerySchema } from '../media/media-routes.js';
import { SearchPageSchema, SearchQuerySchema } from '../search/search-schemas.js';
import {
  SandboxClockSchema, SandboxEventSchema, SandboxMessageSchema, SandboxSentQuerySchema, SandboxTemplateReviewSchema,
} from '../sandbox-schemas.js';
import { ApiKeyIdParamsSchema, CreateApiKeyBody } from './api-key-routes.js';
import { ContactMergeSchema, ContactUpdateSchema, TimelineQuerySchema } from '../contacts/contact-schemas.js';
import { ContactContextAnswerSchema, RenderedReplySchema, ContactMergeAnswerSchema, ContactMergeRecordSchema, ContactTimelineSchema } from './response-schemas.js';
import { ContactContextQuerySchema } from '../crm/contact-context-routes.js';
import { SavedReplyParamsSchema } from '../knowledge/knowledge-routes.js';
import {
  AcceptedSchema, AgentSchema, ApiKeySchema, BinarySchema, ComplianceReportSchema, ConsentEntrySchema, ConsentHistorySchema,
  ConsentStateViewSchema, ConsoleSessionSchema, ConsoleSettingsViewSchema, ContactSchema, ConversationSchema, CostsSchema,
  CreatedApiKeySchema, DeadLetterSchema, DecisionRecordSchema, ErasureSchema, ErrorSchema, EvaluationSchema, HealthSchema,
  JsonObjectSchema, listOf, MediaFileSchema, MessageSchema, NotificationResultSchema, OptInDetailSchema, OptInFlowSchema, OptInStartedSchema, PolicyDeniedSchema,
  ReadinessSchema, RetentionSchema, SandboxClockAnswerSchema, SandboxDeliverySchema, SandboxFlushedSchema, SandboxReviewedSchema,
  SandboxSentSchema, SignedLinkSchema, TemplateSchema, TemplateSyncResultSchema, TenantIdentitySchema, TextSchema,
} from './response-schemas.js';
import {
  AddressLinkSchema, AgentCreateSchema, AgentPatchSchema, AnalyticsQuerySchema, AssetParamsSchema, AssignSchema, AuditQuerySchema,
  ChannelParamsSchema, ComplianceReportQuerySchema, ConsentEventSchema, ConsoleAssignSchema, ConsoleDraftSchema, ConsoleLoginSchema,
  ConsoleSettingsSchema, ConsoleTagsSchema, ConsoleTransferSchema, ContactPatchSchema, ConversationMediaParamsSchema,
  ConversationMessageSchema, ConversationsQuerySchema, CostsQuerySchema, EmptyBodySchema, EventsHeadersSchema, EventsQuerySchema,
  ExportHeadersSchema, HandbackSchema, HandoverSchema, IdempotencyHeadersSchema, IdParamsSchema, InboxQuerySchema,
  MediaIdParamsSchema, MediaReadHeadersSchema, MediaUploadFieldsSchema, MediaUrlUploadSchema, NamedMediaParamsSchema, NoteSchema,
  NotificationRequestSchema, OptInStartSchema, OptInsQuerySchema, PageQuerySchema, SendMessageBodySchema, SendRequestBodySchema,
  TagsSchema, TemplateCreateSchema, TemplateStatusSchema, TemplateSubmitSchema, TemplatesQuerySchema, TemplateSyncSchema,
  TransferSchema, WebhookParamsSchema,
} from './schemas.js';
import {
  WebhookAttemptSchema, WebhookAttemptsQuerySchema, WebhookDeliveriesQuerySchema, WebhookDeliveryParamsSchema, WebhookDeliverySchema,
  WebhookEndpointCreateSchema, WebhookEndpointParamsSchema, WebhookEndpointPatchSchema, WebhookEndpointSchema,
} from '../webhooks/webhook-schemas.js';

/**
 * The part of the host that serves an operation: `core` and `webhooks` are always there, a
 * feature's operations when the feature is mounted (by its name), `sandbox` in sandbox mode.
 */
export type OperationArea = 'core' | 'webhooks' | 'events' | 'outbound' | 'media' | 'consent' | 'compliance' | 'analytics' | 'console' | 'assignment' | 'sandbox' | 'integrations';

/** How a caller proves who it is. */
export type OperationSecurity =
  /** A tenant API key (`Authorization: Bearer`) with the operation's scope. */
  | 'apiKey'
  /** The console's session cookie (and `X-CSRF-Token` on a change). */
  | 'consoleSession'
  /** The metrics token when one is configured. */
  | 'metricsToken'
  /** Nothing: public, signed in the URL, or verified by the platform's signature. */
  | 'none';

/** One answer of an operation. */
export interface OperationResponse {
  /** What it means. */
  description: string;
  /** Its body by media type (none: no body, as a 204 or 304). */
  content?: Readonly<Record<string, z.ZodType>>;
}

/** One HTTP operation. */
export interface Operation {
  /** camelCase verb and noun, unique across the host (`listConversations`). */
  operationId: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express's form: `/v1/conversations/:id`. */
  path: string;
  area: OperationArea;
  security: OperationSecurity;
  summary: string;
  description?: string;
  params?: z.ZodObject;
  query?: z.ZodType;
  headers?: z.ZodObject;
  /** The request body by media type, and whether one is required. */
  body?: { content: Readonly<Record<string, z.ZodType>>; required: boolean };
  /** Answers by HTTP status; the standard errors (400, 401, 403, 404) are added by {@link withStandardErrors}. */
  responses: Readonly<Record<number, OperationResponse>>;
}

const JSON_TYPE = 'application/json';
const json = (schema: z.ZodType): Readonly<Record<string, z.ZodType>> => ({ [JSON_TYPE]: schema });
const body = (schema: z.ZodType, required = true): Operation['body'] => ({ content: json(schema), required });
const ok = (description: string, schema: z.ZodType): OperationResponse => ({ description, content: json(schema) });
const error = (description: string): OperationResponse => ({ description, content: json(ErrorSchema) });
const noContent = (description: string): OperationResponse => ({ description });

/** A conversation action's answers: the updated conversation, or 409 when its state does not allow it. */
const conversationAction = { 200: ok('The updated conversation', ConversationSchema), 409: error('Conflicts with the conversation\'s state') };
/** A send's answers (202 queued, 422 refused by the policy, 409 a reused Idempotency-Key). */
const sendAnswers = {
  202: ok('Queued', AcceptedSchema),
  409: error('Idempotency-Key reused with another body'),
  422: { description: 'Refused by the policy, every reason named (POLICY_DENIED); or the content cannot be sent (CONTENT_UNSUPPORTED)', content: json(z.union([PolicyDeniedSchema, ErrorSchema])) },
};
/** What a fake platform's delivery answers. */
const delivered = {
  202: ok('The fake platform delivered the signed webhook and the host accepted it', SandboxDeliverySchema),
  502: ok('The host refused the webhook (hostAnswer.status says how)', SandboxDeliverySchema),
};
const fileAnswers = {
  200: { description: 'The file, with the type found in it, nosniff, a safe Content-Disposition (inline for pictures, audio and video) and an ETag of its hash', content: { '*/*': BinarySchema } },
  206: { description: 'The range asked for (Content-Range)', content: { '*/*': BinarySchema } },
  304: noContent('Not modified (If-None-Match)'),
  416: error('The range is outside the file (Content-Range: bytes */size)'),
};
/** A console reply: text or a template (`ConsoleDraftSchema`), or a file uploaded for the conversation. */
const ConsoleReplySchema = z.union([ConsoleDraftSchema, ConsoleMediaDraftSchema]);

/** Every operation of the host. */
export const OPERATIONS: readonly Operation[] = [
  // ---- the host itself ----
  { operationId: 'getHealth', method: 'get', path: '/healthz', area: 'core', security: 'none', summary: 'Liveness', responses: { 200: ok('Alive', HealthSchema) } },
  {
    operationId: 'getReadiness', method: 'get', path: '/readyz', area: 'core', security: 'none', summary: 'Readiness: store reachable; which connector plugins loaded or failed and why',
    responses: { 200: ok('Ready or degraded', ReadinessSchema), 503: ok('Not ready', ReadinessSchema) },
  },
  { operationId: 'getOpenApi', method: 'get', path: '/openapi.json', area: 'core', security: 'none', summary: 'This document (the operations this host serves)', responses: { 200: ok('The OpenAPI 3.1 document', JsonObjectSchema) } },
  {
    operationId: 'receiveWebhook', method: 'post', path: '/webhooks/:channel/:account', area: 'webhooks', security: 'none', params: WebhookParamsSchema,
    summary: 'Platform webhook (signed by the platform); 200 once stored in the inbox, 401 when the signature fails, 413 beyond 3 MB',
    description: 'Served before the API on a lean path: the body is the platform\'s own, verified on its raw bytes.',
    body: { content: { '*/*': BinarySchema }, required: true },
    responses: { 200: ok('Accepted (or dead-lettered)', JsonObjectSchema), 401: error('Verification failed'), 404: error('No such account'), 413: error('Too large') },
  },
  {
    operationId: 'verifyWebhookSubscription', method: 'get', path: '/webhooks/:channel/:account', area: 'webhooks', security: 'none', params: WebhookParamsSchema,
    summary: 'Platform subscription handshake (the platform\'s own query; the answer is the challenge it asked for)',
    responses: {
      200: { description: 'Handshake answer', content: { 'text/plain': TextSchema } },
      403: { description: 'The connector refused the handshake (its verify token does not match): the connector\'s own answer', content: { 'text/plain': TextSchema } },
      404: error('No such account'),
      405: error('Not a handshake the connector recognises'),
    },
  },

  // ---- conversations, contacts, dead letters (the API's own routes) ----
  { operationId: 'listConversations', method: 'get', path: '/v1/conversations', area: 'core', security: 'apiKey', summary: 'List conversations, most recently updated first', query: ConversationsQuerySchema, responses: { 200: ok('Conversations', listOf(ConversationSchema)) } },
  { operationId: 'getConversation', method: 'get', path: '/v1/conversations/:id', area: 'core', security: 'apiKey', summary: 'Get a conversation', params: IdParamsSchema, responses: { 200: ok('The conversation', ConversationSchema) } },
  { operationId: 'listConversationMessages', method: 'get', path: '/v1/conversations/:id/messages', area: 'core', security: 'apiKey', summary: 'Messages of a conversation in platform-time order', params: IdParamsSchema, query: PageQuerySchema, responses: { 200: ok('Messages', listOf(MessageSchema)) } },
  {
    operationId: 'sendConversationMessage', method: 'post', path: '/v1/conversations/:id/messages', area: 'core', security: 'apiKey',
    summary: 'Send a message in the conversation (policy-checked like POST /v1/messages); an omitted sender is an agent only for a key that may send as one',
    params: IdParamsSchema, headers: IdempotencyHeadersSchema, body: body(ConversationMessageSchema), responses: sendAnswers,
  },
  { operationId: 'assignConversation', method: 'post', path: '/v1/conversations/:id/assign', area: 'core', security: 'apiKey', summary: 'Assign to an agent', params: IdParamsSchema, body: body(AssignSchema), responses: conversationAction },
  { operationId: 'handOverConversation', method: 'post', path: '/v1/conversations/:id/handover', area: 'core', security: 'apiKey', summary: 'Hand over to a human queue or back to a bot (handler is required for a bot)', params: IdParamsSchema, body: body(HandoverSchema, false), responses: conversationAction },
  { operationId: 'transferConversation', method: 'post', path: '/v1/conversations/:id/transfer', area: 'core', security: 'apiKey', summary: 'Transfer to another agent or queue', params: IdParamsSchema, body: body(TransferSchema), responses: conversationAction },
  { operationId: 'resolveConversation', method: 'post', path: '/v1/conversations/:id/resolve', area: 'core', security: 'apiKey', summary: 'Resolve', params: IdParamsSchema, body: body(EmptyBodySchema, false), responses: conversationAction },
  { operationId: 'reopenConversation', method: 'post', path: '/v1/conversations/:id/reopen', area: 'core', security: 'apiKey', summary: 'Reopen', params: IdParamsSchema, body: body(EmptyBodySchema, false), responses: conversationAction },
  { operationId: 'tagConversation', method: 'post', path: '/v1/conversations/:id/tags', area: 'core', security: 'apiKey', summary: 'Add tags (a conversation keeps at most 100)', params: IdParamsSchema, body: body(TagsSchema), responses: conversationAction },
  { operationId: 'listContacts', method: 'get', path: '/v1/contacts', area: 'core', security: 'apiKey', summary: 'List contacts', query: PageQuerySchema, responses: { 200: ok('Contacts', listOf(ContactSchema)) } },
  { operationId: 'getContact', method: 'get', path: '/v1/contacts/:id', area: 'core', security: 'apiKey', summary: 'Get a contact', params: IdParamsSchema, responses: { 200: ok('The contact', ContactSchema) } },
  { operationId: 'getContactConsent', method: 'get', path: '/v1/contacts/:id/consent', area: 'core', security: 'apiKey', summary: 'Consent history (the ledger) and the state derived from it per channel', params: IdParamsSchema, responses: { 200: ok('History and state', ConsentHistorySchema) } },
  {
    operationId: 'recordContactConsent', method: 'post', path: '/v1/contacts/:id/consent', area: 'core', security: 'apiKey', params: IdParamsSchema, body: body(ConsentEventSchema),
    summary: 'Record a consent event: the evidence\'s source is api and names the key that recorded it (the caller describes wording, privacy policy, reference, text and detail); without scope the entry takes the tenant\'s policy.consentScope (all channels of the contact unless per-channel)',
    responses: { 201: ok('Recorded', ConsentEntrySchema) },
  },
  { operationId: 'listDeadLetters', method: 'get', path: '/v1/dead-letters', area: 'core', security: 'apiKey', summary: 'Verified webhooks that could not be parsed, newest first', query: PageQuerySchema, responses: { 200: ok('Dead letters', listOf(DeadLetterSchema)) } },
  { operationId: 'getDeadLetter', method: 'get', path: '/v1/dead-letters/:id', area: 'core', security: 'apiKey', summary: 'Get a dead letter', params: IdParamsSchema, responses: { 200: ok('The dead letter', DeadLetterSchema) } },
  { operationId: 'listApiKeys', method: 'get', path: '/v1/api-keys', area: 'core', security: 'apiKey', summary: 'The tenant\'s API keys: config keys (source config) and stored ones, revoked included; never a key or its digest (admin)', responses: { 200: ok('The keys', listOf(ApiKeySchema)) } },
  { operationId: 'createApiKey', method: 'post', path: '/v1/api-keys', area: 'core', security: 'apiKey', summary: 'Make an API key (admin; only scopes the caller holds). The key is in this answer only', body: body(CreateApiKeyBody), responses: { 201: ok('The key (shown once) and its record', CreatedApiKeySchema) } },
  { operationId: 'rotateApiKey', method: 'post', path: '/v1/api-keys/:id/rotate', area: 'core', security: 'apiKey', summary: 'Replace a stored key by a new one with the same scopes; the old stops at once (admin)', params: ApiKeyIdParamsSchema, responses: { 201: ok('The new key (shown once) and its record', CreatedApiKeySchema), 409: error('A config key, or revoked') } },
  { operationId: 'revokeApiKey', method: 'delete', path: '/v1/api-keys/:id', area: 'core', security: 'apiKey', summary: 'Revoke a stored key: it stops at once in every host on the database (admin)', params: ApiKeyIdParamsSchema, responses: { 200: ok('The revoked key', ApiKeySchema), 409: error('A config key, or already revoked') } },

  // ---- events ----
  {
    operationId: 'streamEvents', method: 'get', path: '/v1/events', area: 'events', security: 'apiKey', query: EventsQuerySchema, headers: EventsHeadersSchema,
    summary: 'Server-Sent Events: inbound, status, consent and conversation streams of the tenant (resumable with Last-Event-ID)',
    responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': TextSchema } } },
  },

  // ---- outbound ----
  {
    operationId: 'sendMessage', method: 'post', path: '/v1/messages', area: 'outbound', security: 'apiKey', headers: IdempotencyHeadersSchema, body: body(SendMessageBodySchema),
    summary: 'Send a message — a content, or a document the host renders from a template: checked by the policy engine (channel, tenant, GDPR baseline, the contact\'s consent), written to the outbox, dispatched under the rate limits',
    responses: { ...sendAnswers, 404: error('An unknown conversation, account, stored file or document template (or another tenant\'s)') },
  },
  { operationId: 'getMessageDecision', method: 'get', path: '/v1/messages/:id/decision', area: 'outbound', security: 'apiKey', params: IdParamsSchema, summary: 'Why a message was allowed: its decision record (effective rules with their sources, the consent entries relied on, tenant policy and price-table versions, the send point\'s re-check)', responses: { 200: ok('The decision record', DecisionRecordSchema) } },
  { operationId: 'getDecision', method: 'get', path: '/v1/decisions/:id', area: 'outbound', security: 'apiKey', params: IdParamsSchema, summary: 'A decision record by its id (a refusal\'s decisionId, or an accepted message\'s)', responses: { 200: ok('The decision record', DecisionRecordSchema) } },
  {
    operationId: 'evaluatePolicy', method: 'post', path: '/v1/policy/evaluate', area: 'outbound', security: 'apiKey', body: body(SendRequestBodySchema),
    summary: 'Dry run: would this message be allowed, and why? The verdict in words first, then every reason with the source that imposed it (channel, business, law, customer) and where the rule is documented; then the decision and the explained effective policy',
    responses: { 200: ok('The verdict: nothing is sent or stored', EvaluationSchema) },
  },
  {
    operationId: 'sendNotification', method: 'post', path: '/v1/notifications', area: 'outbound', security: 'apiKey', body: body(NotificationRequestSchema),
    summary: 'A template to many recipients, each checked on its own',
    responses: { 202: ok('At least one recipient queued; per-recipient results', NotificationResultSchema), 422: ok('Every recipient refused; per-recipient reasons', NotificationResultSchema) },
  },
  { operationId: 'listTemplates', method: 'get', path: '/v1/templates', area: 'outbound', security: 'apiKey', query: TemplatesQuerySchema, summary: 'Templates of the tenant', responses: { 200: ok('Templates', listOf(TemplateSchema)) } },
  { operationId: 'createTemplate', method: 'post', path: '/v1/templates', area: 'outbound', security: 'apiKey', body: body(TemplateCreateSchema), summary: 'Register a template (draft)', responses: { 201: ok('Created', TemplateSchema), 409: error('Name and language exist on the channel') } },
  { operationId: 'syncTemplates', method: 'post', path: '/v1/templates/sync', area: 'outbound', security: 'apiKey', body: body(TemplateSyncSchema, false), summary: 'Read the review state back from platforms that review templates', responses: { 200: ok('The templates whose state changed', TemplateSyncResultSchema) } },
  { operationId: 'getTemplate', method: 'get', path: '/v1/templates/:id', area: 'outbound', security: 'apiKey', params: IdParamsSchema, summary: 'Get a template', responses: { 200: ok('The template', TemplateSchema) } },
  { operationId: 'submitTemplate', method: 'post', path: '/v1/templates/:id/submit', area: 'outbound', security: 'apiKey', params: IdParamsSchema, body: body(TemplateSubmitSchema, false), summary: 'Submit for review (to the platform when it reviews templates)', responses: { 200: ok('The submitted template', TemplateSchema), 409: error('Not a draft, or the platform refused it') } },
  { operationId: 'setTemplateStatus', method: 'post', path: '/v1/templates/:id/status', area: 'outbound', security: 'apiKey', params: IdParamsSchema, body: body(TemplateStatusSchema), summary: 'Record the approval state on a channel without platform review', responses: { 200: ok('The template', TemplateSchema), 409: error('The channel\'s platform reviews templates itself (use sync)') } },

  // ---- media ----
  {
    operationId: 'uploadMedia', method: 'post', path: '/v1/media', area: 'media', security: 'apiKey',
    summary: 'Store a file to send: a multipart upload (optional fields kind and filename, then one file part), or JSON { url } the host fetches itself (http(s), public addresses only unless the config allows private ones). The type is read from the bytes and checked with the size against the tenant\'s limits; the virus scanner, when configured, runs before the answer',
    body: { required: true, content: { 'multipart/form-data': MediaUploadFieldsSchema.extend({ file: BinarySchema.describe('The file: one part, last') }), ...json(MediaUrlUploadSchema) } },
    responses: {
      201: ok('Stored', MediaFileSchema),
      413: error('Larger than the tenant\'s limit for its kind (details.refusal MEDIA_TOO_LARGE, maxBytes); nothing kept'),
      415: error('A type the tenant does not allow for its kind (details.refusal MEDIA_TYPE_NOT_ALLOWED, contentType, allowed), or a body that is neither multipart nor JSON; nothing kept'),
      422: error('Rejected by the virus scanner (details.refusal MEDIA_QUARANTINED): kept in quarantine, never served or sent'),
      502: error('The URL could not be fetched'),
      503: error('The media store or the scanner cannot take the file now (retry)'),
    },
  },
  {
    operationId: 'getMedia', method: 'get', path: '/v1/media/:id', area: 'media', security: 'apiKey', params: MediaIdParamsSchema, headers: MediaReadHeadersSchema,
    summary: 'A stored file\'s bytes, with the type found in them, nosniff, a safe Content-Disposition (inline for pictures, audio and video), an ETag of its hash, and byte ranges',
    responses: { ...fileAnswers, 403: error('The API key lacks read, or the file is quarantined (details.refusal MEDIA_QUARANTINED)') },
  },
  {
    operationId: 'getSignedMedia', method: 'get', path: '/media/:id', area: 'media', security: 'none', params: MediaIdParamsSchema, query: SignedMediaQuerySchema, headers: MediaReadHeadersSchema,
    summary: 'A stored file through a short-lived signed URL (the console, platforms that fetch files by URL): no API key; answered like GET /v1/media/{id}',
    responses: { ...fileAnswers, 403: error('The link is not valid or has expired (details.link), or the file is quarantined') },
  },
  {
    operationId: 'getSignedMediaNamed', method: 'get', path: '/media/:id/:name', area: 'media', security: 'none', params: NamedMediaParamsSchema, query: SignedMediaQuerySchema, headers: MediaReadHeadersSchema,
    summary: 'The same signed file with a file name at the end of its URL, for platforms that read the name from the URL (the name is not signed and not used)',
    responses: { ...fileAnswers, 403: error('The link is not valid or has expired (details.link), or the file is quarantined') },
  },

  // ---- consent ----
  { operationId: 'startOptIn', method: 'post', path: '/v1/opt-ins', area: 'consent', security: 'apiKey', body: body(OptInStartSchema), summary: 'Start an opt-in: records the first step (with its evidence, purpose, topic and privacy policy) and returns click-to-chat links and QR codes per channel, each with a signed start token', responses: { 201: ok('The flow with its links and QR codes', OptInStartedSchema) } },
  { operationId: 'listOptIns', method: 'get', path: '/v1/opt-ins', area: 'consent', security: 'apiKey', query: OptInsQuerySchema, summary: 'Opt-in flows of the tenant', responses: { 200: ok('Flows', listOf(OptInFlowSchema)) } },
  { operationId: 'getOptIn', method: 'get', path: '/v1/opt-ins/:id', area: 'consent', security: 'apiKey', params: IdParamsSchema, summary: 'An opt-in flow: awaiting-start, awaiting-confirmation or confirmed, with both steps\' evidence', responses: { 200: ok('The flow and its steps\' consent entries', OptInDetailSchema) } },
  {
    operationId: 'linkContactAddress', method: 'post', path: '/v1/contacts/:id/addresses', area: 'consent', security: 'apiKey', params: IdParamsSchema, body: body(AddressLinkSchema),
    summary: 'Link another channel address to the contact (consent then follows the contact across channels); 409 when another contact owns it',
    responses: { 200: ok('Already linked: the contact', ContactSchema), 201: ok('Linked: the contact', ContactSchema), 409: error('Owned by another contact (its first message made one): details.contactId names it, details.merge the POST /v1/contacts/{id}/merge that folds it into this contact and so links the address') },
  },
  { operationId: 'getContactConsentState', method: 'get', path: '/v1/contacts/:id/consent-state', area: 'consent', security: 'apiKey', params: IdParamsSchema, summary: 'Consent state per channel as the send path sees it (privacy-policy version included)', responses: { 200: ok('The state', ConsentStateViewSchema) } },
  { operationId: 'getTenant', method: 'get', path: '/v1/tenant', area: 'consent', security: 'apiKey', summary: 'The tenant: name, verification level per channel, privacy-policy version', responses: { 200: ok('The tenant', TenantIdentitySchema) } },

  // ---- compliance ----
  {
    operationId: 'exportContact', method: 'get', path: '/v1/contacts/:id/export', area: 'compliance', security: 'apiKey', params: IdParamsSchema, query: ContactExportQuerySchema, headers: ExportHeadersSchema,
    summary: 'GDPR export: everything held about the contact — JSON by default; a zip of manifest.json (that JSON, each file with its path) and the contact\'s files under media/<id>.<ext> with format=zip or Accept: application/zip (a quarantined file listed with excluded: "quarantined: <reason>", its bytes left out)',
    responses: {
      200: {
        description: 'The export (Content-Disposition: attachment; Vary: Accept). The zip streams the files; a failure mid-way cuts the connection rather than end a truncated zip',
        content: { [JSON_TYPE]: JsonObjectSchema.describe('format switchboard.contact-export/1; media lists the files: id, messageId, conversationId, kind, contentType, size, sha256, filename, origin, createdAt, quarantined { reason, at }'), [ZIP_CONTENT_TYPE]: BinarySchema },
      },
    },
  },
  { operationId: 'eraseContact', method: 'delete', path: '/v1/contacts/:id', area: 'compliance', security: 'apiKey', params: IdParamsSchema, body: body(EmptyBodySchema, false), summary: 'GDPR erasure: messages, files in the media store (bytes and records; deleted.media), profile, addresses, conversations, inbox and outbox entries and dead letters of the contact; consent events kept as pseudonymised proofs', responses: { 200: ok('What was erased', ErasureSchema) } },
  { operationId: 'listAudit', method: 'get', path: '/v1/audit', area: 'compliance', security: 'apiKey', query: AuditQuerySchema, summary: 'Audit log: who read or changed what through the API', responses: { 200: ok('Audit entries', listOf(JsonObjectSchema)) } },
  { operationId: 'getComplianceReport', method: 'get', path: '/v1/compliance/report', area: 'compliance', security: 'apiKey', query: ComplianceReportQuerySchema, summary: 'Marketing and notification sends of a period with the consent each relied on, and every send that left after its consent was withdrawn (empty when the system works)', responses: { 200: ok('The report', ComplianceReportSchema) } },
  { operationId: 'getRetention', method: 'get', path: '/v1/retention', area: 'compliance', security: 'apiKey', summary: 'The tenant\'s retention period', responses: { 200: ok('The period', RetentionSchema) } },
  { operationId: 'purgeRetention', method: 'post', path: '/v1/retention/purge', area: 'compliance', security: 'apiKey', summary: 'Purge messages older than the retention period now, and the files of the media store older than it whose message is gone (media)', responses: { 200: ok('What was purged', RetentionSchema) } },

  // ---- analytics ----
  { operationId: 'getAnalytics', method: 'get', path: '/v1/analytics', area: 'analytics', security: 'apiKey', query: AnalyticsQuerySchema, summary: 'Messages in/out per channel, share answered automatically vs by agents, first-response time, share answered inside the window, opt-in and opt-out counts, cost', responses: { 200: ok('The report', JsonObjectSchema) } },
  { operationId: 'getCosts', method: 'get', path: '/v1/costs', area: 'analytics', security: 'apiKey', query: CostsQuerySchema, summary: 'The cost ledger: each sent message priced when it was sent, with totals per channel and category, and mediaStored { files, bytes, quarantined }: what the tenant keeps in the media store now', responses: { 200: ok('The ledger', CostsSchema) } },
  { operationId: 'getMetrics', method: 'get', path: '/metrics', area: 'analytics', security: 'metricsToken', summary: 'Prometheus metrics (bearer metricsToken when configured)', responses: { 200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': TextSchema } }, 401: error('metricsToken required') } },

  // ---- console: agents and settings on /v1 ----
  { operationId: 'listAgents', method: 'get', path: '/v1/agents', area: 'console', security: 'apiKey', summary: 'Agents of the tenant (console accounts)', responses: { 200: ok('Agents', listOf(AgentSchema)) } },
  { operationId: 'createAgent', method: 'post', path: '/v1/agents', area: 'console', security: 'apiKey', body: body(AgentCreateSchema), summary: 'Create an agent (the password must pass the password rules)', responses: { 201: ok('Created (no password hash in the answer)', AgentSchema), 409: error('E-mail taken') } },
  { operationId: 'getAgent', method: 'get', path: '/v1/agents/:id', area: 'console', security: 'apiKey', params: IdParamsSchema, summary: 'Get an agent', responses: { 200: ok('The agent', AgentSchema) } },
  { operationId: 'updateAgent', method: 'patch', path: '/v1/agents/:id', area: 'console', security: 'apiKey', params: IdParamsSchema, body: body(AgentPatchSchema), summary: 'Change name, role, password or disable (ends the agent\'s sessions)', responses: { 200: ok('The agent', AgentSchema) } },
  { operationId: 'deleteAgent', method: 'delete', path: '/v1/agents/:id', area: 'console', security: 'apiKey', params: IdParamsSchema, body: body(EmptyBodySchema, false), summary: 'Remove an agent', responses: { 204: noContent('Removed') } },
  { operationId: 'getConsoleSettings', method: 'get', path: '/v1/console/settings', area: 'console', security: 'apiKey', summary: 'Saved replies and knowledge-base links of the console', responses: { 200: ok('The settings', ConsoleSettingsViewSchema) } },
  { operationId: 'replaceConsoleSettings', method: 'put', path: '/v1/console/settings', area: 'console', security: 'apiKey', body: body(ConsoleSettingsSchema), summary: 'Replace saved replies and knowledge-base links', responses: { 200: ok('The settings', ConsoleSettingsViewSchema) } },

  // ---- console: the page and its API (a session cookie; X-CSRF-Token on every change) ----
  { operationId: 'getConsolePage', method: 'get', path: '/console', area: 'console', security: 'none', summary: 'The agent console (a single page; /console redirects to /console/)', responses: { 200: { description: 'The page', content: { 'text/html': TextSchema } }, 301: noContent('To /console/') } },
  { operationId: 'getConsoleAsset', method: 'get', path: '/console/assets/:file', area: 'console', security: 'none', params: AssetParamsSchema, summary: 'A file of the console (script, style sheet, icon)', responses: { 200: { description: 'The file', content: { '*/*': BinarySchema } } } },
  {
    operationId: 'consoleLogin', method: 'post', path: '/console/api/login', area: 'console', security: 'none', body: body(ConsoleLoginSchema),
    summary: 'Log in an agent: sets the session and CSRF cookies (and a device cookie); tenant is required when the host serves several',
    responses: { 200: ok('The session', ConsoleSessionSchema), 401: error('E-mail or password is wrong (one answer for every failure)'), 429: error('Too many failed logins (Retry-After)'), 503: error('Too many logins being checked (Retry-After)') },
  },
  { operationId: 'consoleLogout', method: 'post', path: '/console/api/logout', area: 'console', security: 'consoleSession', summary: 'End the session', responses: { 204: noContent('Logged out') } },
  { operationId: 'getConsoleMe', method: 'get', path: '/console/api/me', area: 'console', security: 'consoleSession', summary: 'The logged-in agent and the CSRF token', responses: { 200: ok('The session', ConsoleSessionSchema) } },
  { operationId: 'getConsoleMeta', method: 'get', path: '/console/api/meta', area: 'console', security: 'consoleSession', summary: 'What the console shows around conversations: channels, queues, agents, bots, saved replies, knowledge base', responses: { 200: ok('The console\'s reference data', JsonObjectSchema) } },
  { operationId: 'listConsoleInbox', method: 'get', path: '/console/api/inbox', area: 'console', security: 'consoleSession', query: InboxQuerySchema, summary: 'The inbox: conversations with their contact, last message, unread state and window', responses: { 200: ok('Inbox rows', listOf(JsonObjectSchema)) } },
  { operationId: 'getConsoleInboxRow', method: 'get', path: '/console/api/inbox/:id', area: 'console', security: 'consoleSession', params: IdParamsSchema, summary: 'One inbox row', responses: { 200: ok('The row', JsonObjectSchema) } },
  {
    operationId: 'uploadConsoleMedia', method: 'post', path: '/console/api/conversations/:id/media', area: 'console', security: 'consoleSession', params: IdParamsSchema, query: ConsoleUploadQuerySchema,
    summary: 'Attach a file to a reply: the request body is the file itself, stored with the tenant\'s limits and scanner and linked to the conversation',
    body: { content: { '*/*': BinarySchema }, required: true },
    responses: { 201: ok('Stored', JsonObjectSchema), 413: error('Larger than the tenant\'s limit'), 415: error('A type the tenant does not allow'), 422: error('Rejected by the virus scanner') },
  },
  { operationId: 'deleteConsoleMedia', method: 'delete', path: '/console/api/conversations/:id/media/:mediaId', area: 'console', security: 'consoleSession', params: ConversationMediaParamsSchema, summary: 'Remove an attachment not sent yet', responses: { 204: noContent('Removed'), 409: error('Already sent') } },
  { operationId: 'getConsoleMediaLink', method: 'get', path: '/console/api/media/:id/link', area: 'console', security: 'consoleSession', params: IdParamsSchema, summary: 'A fresh short-lived signed URL of a stored file (an expired link is replaced this way)', responses: { 200: ok('The link', SignedLinkSchema) } },
  { operationId: 'getConsoleConversation', method: 'get', path: '/console/api/conversations/:id', area: 'console', security: 'consoleSession', params: IdParamsSchema, summary: 'A conversation with its messages (media with signed URLs), contact and composer state', responses: { 200: ok('The conversation view', JsonObjectSchema) } },
  { operationId: 'markConsoleConversationRead', method: 'post', path: '/console/api/conversations/:id/read', area: 'console', security: 'consoleSession', params: IdParamsSchema, summary: 'Mark the conversation read for this agent', responses: { 204: noContent('Marked') } },
  {
    operationId: 'evaluateConsoleReply', method: 'post', path: '/console/api/conversations/:id/evaluate', area: 'console', security: 'consoleSession', params: IdParamsSchema, body: body(ConsoleReplySchema),
    summary: 'May this reply go, and if not, why, and what may go instead (templates, message tags)', responses: { 200: ok('The verdict with alternatives', JsonObjectSchema) },
  },
  { operationId: 'sendConsoleReply', method: 'post', path: '/console/api/conversations/:id/messages', area: 'console', security: 'consoleSession', params: IdParamsSchema, headers: IdempotencyHeadersSchema, body: body(ConsoleReplySchema), summary: 'Send the agent\'s reply through the policy and the outbox', responses: sendAnswers },
  { operationId: 'assignConsoleConversation', method: 'post', path: '/console/api/conversations/:id/assign', area: 'console', security: 'consoleSession', params: IdParamsSchema, body: body(ConsoleAssignSchema, false), summary: 'Assign to an agent (default: oneself)', responses: conversationAction },
  { operationId: 'transferConsoleConversation', method: 'post', path: '/console/api/conversations/:id/transfer', area: 'console', security: 'consoleSession', params: IdParamsSchema, body: body(ConsoleTransferSchema), summary: 'Transfer to another agent or queue', responses: conversationAction },
  { operationId: 'handBackConsoleConversation', method: 'post', path: '/console/api/conversations/:id/handback', area: 'console', security: 'consoleSession', params: IdParamsSchema, body: body(HandbackSchema, false), summary: 'Hand the conversation back to a bot', responses: conversationAction },
  { operationId: 'resolveConsoleConversation', method: 'post', path: '/console/api/conversations/:id/resolve', area: 'console', security: 'consoleSession', params: IdParamsSchema, summary: 'Resolve', responses: conversationAction },
  { operationId: 'reopenConsoleConversation', method: 'post', path: '/console/api/conversations/:id/reopen', area: 'console', security: 'consoleSession', params: IdParamsSchema, summary: 'Reopen', responses: conversationAction },
  { operationId: 'tagConsoleConversation', method: 'post', path: '/console/api/conversations/:id/tags', area: 'console', security: 'consoleSession', params: IdParamsSchema, body: body(ConsoleTagsSchema), summary: 'Add tags', responses: conversationAction },
  { operationId: 'getConsoleContact', method: 'get', path: '/console/api/contacts/:id', area: 'console', security: 'consoleSession', params: IdParamsSchema, summary: 'A contact with its notes, conversations and consent', responses: { 200: ok('The contact view', JsonObjectSchema) } },
  { operationId: 'updateConsoleContact', method: 'patch', path: '/console/api/contacts/:id', area: 'console', security: 'consoleSession', params: IdParamsSchema, body: body(ContactPatchSchema), summary: 'Change the contact\'s CRM reference and tags', responses: { 200: ok('The contact', ContactSchema) } },
  { operationId: 'addConsoleContactNote', method: 'post', path: '/console/api/contacts/:id/notes', area: 'console', security: 'consoleSession', params: IdParamsSchema, body: body(NoteSchema), summary: 'Add a note to the contact', responses: { 201: ok('The note', JsonObjectSchema) } },
  {
    operationId: 'exportConsoleContact', method: 'post', path: '/console/api/contacts/:id/export', area: 'console', security: 'consoleSession', params: IdParamsSchema,
    summary: 'GDPR export on an admin\'s behalf (answered as GET /v1/contacts/{id}/export answers)', responses: { 200: ok('The export', JsonObjectSchema), 409: error('The tenant has no configured API key with compliance:export') },
  },
  {
    operationId: 'eraseConsoleContact', method: 'post', path: '/console/api/contacts/:id/erase', area: 'console', security: 'consoleSession', params: IdParamsSchema,
    summary: 'GDPR erasure on an admin\'s behalf (answered as DELETE /v1/contacts/{id} answers); the contact\'s notes go too', responses: { 200: ok('What was erased', ErasureSchema), 409: error('The tenant has no configured API key with compliance:erase') },
  },
  { operationId: 'getConsoleSupervisorView', method: 'get', path: '/console/api/supervisor', area: 'console', security: 'consoleSession', summary: 'Supervisors: load per agent and queue', responses: { 200: ok('The team\'s load', JsonObjectSchema) } },
  { operationId: 'streamConsoleEvents', method: 'get', path: '/console/api/events', area: 'console', security: 'consoleSession', headers: EventsHeadersSchema, summary: 'Live updates of the console (Server-Sent Events; ends with event logout when the session does)', responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': TextSchema } } } },

  // ---- assignment: presence, capacity and SLA timers ----
  { operationId: 'listPresence', method: 'get', path: '/v1/presence', area: 'assignment', security: 'apiKey', summary: 'Every agent\'s presence (online, away, offline), capacity and open conversations', responses: { 200: ok('The presence board', PresenceListSchema) } },
  { operationId: 'setAgentPresence', method: 'put', path: '/v1/agents/:id/presence', area: 'assignment', security: 'apiKey', params: IdParamsSchema, body: body(PresencePutSchema), summary: 'Set an agent\'s presence or capacity (supervisor override); offline sends their open conversations back to their queues, online assigns waiting ones', responses: { 200: ok('The agent\'s presence', PresenceViewSchema) } },
  { operationId: 'listSlaTimers', method: 'get', path: '/v1/sla/timers', area: 'assignment', security: 'apiKey', summary: 'Open conversations whose reply is running, due or breached under their queue\'s SLA', responses: { 200: ok('The timers, soonest due first', SlaTimerListSchema) } },
  { operationId: 'listConsolePresence', method: 'get', path: '/console/api/presence', area: 'assignment', security: 'consoleSession', summary: 'The team\'s presence and load', responses: { 200: ok('The presence board', PresenceListSchema) } },
  { operationId: 'setConsolePresence', method: 'put', path: '/console/api/presence', area: 'assignment', security: 'consoleSession', body: body(ConsolePresencePutSchema), summary: 'Set one\'s own presence; it ends with the session', responses: { 200: ok('The agent\'s presence', PresenceViewSchema) } },
  { operationId: 'listConsoleSlaTimers', method: 'get', path: '/console/api/sla', area: 'assignment', security: 'consoleSession', summary: 'SLA timers for the console\'s badges', responses: { 200: ok('The timers, soonest due first', SlaTimerListSchema) } },
  // ---- contacts: profile, merge, timeline (issue 20) ----
  {
    operationId: 'updateContact', method: 'patch', path: '/v1/contacts/:id', area: 'core', security: 'apiKey', params: IdParamsSchema, body: body(ContactUpdateSchema),
    summary: 'Change a contact: name, locale, IANA time zone, tags, CRM reference, custom attributes (merged key by key; null clears)', responses: { 200: ok('The contact', ContactSchema) },
  },
  {
    operationId: 'mergeContact', method: 'post', path: '/v1/contacts/:id/merge', area: 'core', security: 'apiKey', params: IdParamsSchema, body: body(ContactMergeSchema),
    summary: 'Fold another contact into this one: addresses, conversations, the consent ledger with its evidence, notes; a merge record names who and what. Asking again completes or repeats the same merge',
    responses: { 200: ok('The merge record and the remaining contact', ContactMergeAnswerSchema), 409: error('The other contact is being merged into a third one') },
  },
  { operationId: 'listContactMerges', method: 'get', path: '/v1/contacts/:id/merges', area: 'core', security: 'apiKey', params: IdParamsSchema, summary: 'Merges into or of the contact, newest first', responses: { 200: ok('Merge records', listOf(ContactMergeRecordSchema)) } },
  {
    operationId: 'getContactContext', method: 'get', path: '/v1/contacts/:id/context', area: 'core', security: 'apiKey', params: IdParamsSchema, query: ContactContextQuerySchema,
    summary: 'The contact\'s CRM context from the configured provider (cached; refresh=true asks again); status says found, unknown, unavailable or not-configured', responses: { 200: ok('The context', ContactContextAnswerSchema) },
  },
  {
    operationId: 'getConsoleContactContext', method: 'get', path: '/console/api/contacts/:id/context', area: 'console', security: 'consoleSession', params: IdParamsSchema, query: ContactContextQuerySchema,
    summary: 'The contact\'s CRM context for the contact panel', responses: { 200: ok('The context', ContactContextAnswerSchema) },
  },
  {
    operationId: 'renderConsoleSavedReply', method: 'get', path: '/console/api/conversations/:id/saved-replies/:replyId', area: 'console', security: 'consoleSession', params: SavedReplyParamsSchema,
    summary: 'A saved reply rendered for the conversation\'s contact ({{contact.name}}, {{contact.attributes.x}}, {{crm.…}}); unfilled placeholders stay in the text and are named in missing',
    responses: { 200: ok('The rendered reply', RenderedReplySchema) },
  },
  { operationId: 'getContactTimeline', method: 'get', path: '/v1/contacts/:id/timeline', area: 'core', security: 'apiKey', params: IdParamsSchema, query: TimelineQuerySchema, summary: 'The contact\'s messages across every channel, newest first, paged', responses: { 200: ok('A page of the timeline', ContactTimelineSchema) } },

  // ---- sandbox (switchboard start --sandbox) ----
  { operationId: 'advanceSandboxClock', method: 'post', path: '/sandbox/clock', area: 'sandbox', security: 'apiKey', body: body(SandboxClockSchema), summary: 'Sandbox only: moves the host\'s clock and every fake platform\'s forward (service windows, timestamps, signature ages)', responses: { 200: ok('The clock', SandboxClockAnswerSchema) } },
  { operationId: 'simulateSandboxMessage', method: 'post', path: '/sandbox/:channel/messages', area: 'sandbox', security: 'apiKey', params: ChannelParamsSchema, body: body(SandboxMessageSchema), summary: 'Sandbox only: the fake platform delivers a signed customer text message to the host', responses: delivered },
  { operationId: 'simulateSandboxEvent', method: 'post', path: '/sandbox/:channel/events', area: 'sandbox', security: 'apiKey', params: ChannelParamsSchema, body: body(SandboxEventSchema), summary: 'Sandbox only: the fake platform delivers any inbound event it simulates (text, media, location, button, subscribe, unsubscribe, block, close, capabilities); a kind the channel\'s fake does not simulate is a 400 listing those it does', responses: delivered },
  { operationId: 'listSandboxSent', method: 'get', path: '/sandbox/:channel/sent', area: 'sandbox', security: 'apiKey', params: ChannelParamsSchema, query: SandboxSentQuerySchema, summary: 'Sandbox only: what the fake platform accepted from the business, newest first', responses: { 200: ok('The sent log', SandboxSentSchema) } },
  { operationId: 'reviewSandboxTemplate', method: 'post', path: '/sandbox/:channel/templates/review', area: 'sandbox', security: 'apiKey', params: ChannelParamsSchema, body: body(SandboxTemplateReviewSchema), summary: 'Sandbox only: the fake platform reviews a submitted template (APPROVED, REJECTED, PAUSED) and announces it as the platform does; 404 for a template it does not know', responses: { 200: ok('Reviewed', SandboxReviewedSchema) } },
  { operationId: 'flushSandboxReceipts', method: 'post', path: '/sandbox/:channel/receipts/flush', area: 'sandbox', security: 'apiKey', params: ChannelParamsSchema, summary: 'Sandbox only: the fake platform posts every pending delivery and read receipt now', responses: { 200: ok('How many it posted', SandboxFlushedSchema) } },

  // ---- inbox search (search/) ----
  {
    operationId: 'searchInbox', method: 'get', path: '/v1/search', area: 'core', security: 'apiKey', query: SearchQuerySchema,
    summary: 'Search conversations and messages: message text and captions, contact name, phone number or address (partial digits), tag, CRM reference; filtered and paged',
    description: 'Conversations matching as a whole (name, address, tag, CRM reference) come first, most recently updated first, then matching messages, newest first. Each hit\'s `matches` give the text and the `[start, end)` ranges of the matching words (offsets, not markup).',
    responses: { 200: ok('A page of hits', SearchPageSchema) },
  },
  { operationId: 'searchConsoleInbox', method: 'get', path: '/console/api/search', area: 'console', security: 'consoleSession', query: SearchQuerySchema, summary: 'The console\'s search box: as GET /v1/search, for the agent\'s tenant', responses: { 200: ok('A page of hits', SearchPageSchema) } },
  // ---- integrations: event webhooks (Standard Webhooks signatures, a durable queue) ----
  { operationId: 'listWebhookEndpoints', method: 'get', path: '/v1/webhook-endpoints', area: 'integrations', security: 'apiKey', query: PageQuerySchema, summary: 'The tenant\'s event webhook endpoints (from the config, the API and the forward route); secrets are never answered', responses: { 200: ok('Endpoints', listOf(WebhookEndpointSchema)) } },
  { operationId: 'createWebhookEndpoint', method: 'post', path: '/v1/webhook-endpoints', area: 'integrations', security: 'apiKey', body: body(WebhookEndpointCreateSchema), summary: 'Subscribe an endpoint to event types; its secrets are named by environment variable (write-only)', responses: { 201: ok('Created', WebhookEndpointSchema), 409: error('The tenant has an endpoint with this id') } },
  { operationId: 'getWebhookEndpoint', method: 'get', path: '/v1/webhook-endpoints/:id', area: 'integrations', security: 'apiKey', params: WebhookEndpointParamsSchema, summary: 'An endpoint', responses: { 200: ok('The endpoint', WebhookEndpointSchema) } },
  { operationId: 'updateWebhookEndpoint', method: 'patch', path: '/v1/webhook-endpoints/:id', area: 'integrations', security: 'apiKey', params: WebhookEndpointParamsSchema, body: body(WebhookEndpointPatchSchema), summary: 'Change an endpoint; enabled: true resumes one disabled by a 410 (an endpoint from the config takes only enabled)', responses: { 200: ok('The endpoint', WebhookEndpointSchema), 409: error('Defined by the config') } },
  { operationId: 'deleteWebhookEndpoint', method: 'delete', path: '/v1/webhook-endpoints/:id', area: 'integrations', security: 'apiKey', params: WebhookEndpointParamsSchema, body: body(EmptyBodySchema, false), summary: 'Remove an endpoint with its queue and delivery log', responses: { 204: noContent('Removed'), 409: error('Defined by the config') } },
  { operationId: 'listWebhookDeliveries', method: 'get', path: '/v1/webhook-endpoints/:id/deliveries', area: 'integrations', security: 'apiKey', params: WebhookEndpointParamsSchema, query: WebhookDeliveriesQuerySchema, summary: 'The endpoint\'s deliveries, newest first: state, attempts, last status, the exact body', responses: { 200: ok('Deliveries', listOf(WebhookDeliverySchema)) } },
  { operationId: 'listWebhookAttempts', method: 'get', path: '/v1/webhook-endpoints/:id/attempts', area: 'integrations', security: 'apiKey', params: WebhookEndpointParamsSchema, query: WebhookAttemptsQuerySchema, summary: 'The delivery log: every attempt with its status code, latency and error, newest first', responses: { 200: ok('Attempts', listOf(WebhookAttemptSchema)) } },
  { operationId: 'redeliverWebhook', method: 'post', path: '/v1/webhook-endpoints/:id/deliveries/:deliveryId/redeliver', area: 'integrations', security: 'apiKey', params: WebhookDeliveryParamsSchema, body: body(EmptyBodySchema, false), summary: 'Deliver an event again (same webhook-id), now', responses: { 202: ok('Queued again', WebhookDeliverySchema) } },
];

/**
 * An operation's answers with the standard errors it can give: 400 when it takes input, 401 and
 * 403 when a caller must prove who it is, 404 when its path names something.
 * @param op - the operation
 * @returns its responses, the operation's own winning over the standard ones
 */
export function withStandardErrors(op: Operation): Record<number, OperationResponse> {
  const standard: Record<number, OperationResponse> = {};
  if (op.params || op.query || op.body || op.headers) standard[400] = error('Invalid input: VALIDATION_FAILED lists every problem with its path');
  if (op.security === 'apiKey') {
    standard[401] = error('Missing, unknown or revoked API key');
    standard[403] = error('The API key lacks the scope the operation needs (FORBIDDEN, details.requiredScope)');
  } else if (op.security === 'consoleSession') {
    standard[401] = error('No session, or it has ended');
    standard[403] = error('The CSRF token is missing or wrong, or the agent\'s role does not allow it');
  }
  if (op.params) standard[404] = error('Not found (or another tenant\'s)');
  return { ...standard, ...op.responses };
}
