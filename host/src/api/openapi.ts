/**
 * The OpenAPI 3.1 document of the REST API, served at `/openapi.json`.
 * @module
 */

import { API_SCOPES } from './api-scopes.js';

import { z } from 'zod';
import {
  AddressLinkSchema, AgentCreateSchema, AgentPatchSchema, AssignSchema, ConsentEventSchema, ConsoleSettingsSchema, ContentSchema,
  ConversationMessageSchema, HandoverSchema, MediaUrlUploadSchema, NotificationRequestSchema, OptInStartSchema, SendMessageBodySchema, SendRequestBodySchema, TagsSchema,
  TemplateCreateSchema, TemplateStatusSchema, TemplateSubmitSchema, TemplateSyncSchema, TransferSchema,
} from './schemas.js';
import { SandboxClockSchema, SandboxEventSchema, SandboxMessageSchema, SandboxTemplateReviewSchema } from '../sandbox-schemas.js';

/**
 * The JSON Schema of what a request schema accepts (its input side), so the document says what
 * validation does: closed objects, the same bounds. Cross-field rules (give userId or
 * conversationId…) are in the descriptions and the 400 answers.
 */
const fromZod = (schema: z.ZodType): Record<string, unknown> => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};
const body = (schema: z.ZodType, required = true) => ({ requestBody: { required, content: json(fromZod(schema)) } });

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const errors = {
  400: { description: 'Invalid input', content: json(ref('Error')) },
  401: { description: 'Missing, unknown or revoked API key', content: json(ref('Error')) },
  403: { description: 'The API key lacks the scope the operation needs (FORBIDDEN, details.requiredScope)', content: json(ref('Error')) },
  404: { description: 'Not found (or another tenant\'s)', content: json(ref('Error')) },
};
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const paging = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
  { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
];
const list = (item: string) => json({ type: 'object', properties: { items: { type: 'array', items: ref(item) } }, required: ['items'] });
const op = (summary: string, extra: Record<string, unknown> = {}) => ({ summary, responses: { 200: { description: 'OK' }, ...errors }, ...extra });
const action = (summary: string, bodySchema?: z.ZodType) => ({
  summary,
  parameters: [idParam],
  ...(bodySchema ? body(bodySchema) : {}),
  responses: { 200: { description: 'The updated conversation', content: json(ref('Conversation')) }, ...errors, 409: { description: 'Conflicts with the conversation\'s state', content: json(ref('Error')) } },
});

const consentRef = { type: 'object', required: ['id', 'role', 'action', 'channel', 'scope', 'at', 'evidence'], properties: { id: { type: 'string', description: 'The consent ledger entry' }, role: { enum: ['grant', 'request', 'revocation'] }, action: { type: 'string' }, channel: { type: 'string' }, scope: { enum: ['channel', 'all-channels'] }, purpose: { enum: ['service', 'transactional', 'marketing'] }, topic: { type: 'string' }, at: { type: 'string', format: 'date-time' }, evidence: { type: 'object' } } };
const price = { type: 'object', properties: { amount: { type: 'number' }, currency: { type: 'string' }, category: { type: 'string' }, rateFrom: { type: 'string' } } };
const versions = { type: 'object', required: ['tenantPolicy', 'priceTable', 'channelPolicy', 'effective'], description: 'sha256: and 16 hex digits of the canonical JSON (keys sorted) of each; none for a channel without prices', properties: { tenantPolicy: { type: 'string' }, priceTable: { type: 'string' }, channelPolicy: { type: 'string' }, effective: { type: 'string' } } };

/** The decision record and the compliance report. */
const DECISION_SCHEMAS = {
  DecisionRecord: {
    type: 'object', required: ['id', 'channel', 'accountId', 'userId', 'at', 'via', 'intent', 'verdict', 'reasons', 'consent', 'versions'],
    properties: {
      id: { type: 'string' }, messageId: { type: 'string' }, conversationId: { type: 'string' }, contactId: { type: 'string' },
      channel: { type: 'string' }, accountId: { type: 'string' }, userId: { type: 'string' }, at: { type: 'string', format: 'date-time' },
      via: { enum: ['api', 'notification', 'conversation'] },
      intent: { type: 'object', properties: { purpose: { enum: ['service', 'transactional', 'marketing'] }, topic: { type: 'string' }, sender: { type: 'string' }, tag: { type: 'string' }, broadcast: { type: 'boolean' }, commerceCategory: { type: 'string' }, contentType: { type: 'string' }, template: { type: 'object' } } },
      verdict: { enum: ['allow', 'deny'] }, reasons: { type: 'array', items: ref('PolicyReason') },
      form: { type: 'object' }, price, inWindow: { type: 'boolean' }, market: { type: 'string', description: 'The recipient\'s country the price was taken for' },
      jurisdiction: { type: 'object', properties: { tenantCountry: { type: 'string' }, recipientCountry: { type: 'string' } } },
      usage: { type: 'object', properties: { uniqueRecipients: { type: 'integer' }, recipientCounted: { type: 'boolean' }, limit: { type: 'integer' }, windowMs: { type: 'integer' } } },
      consent: { type: 'array', items: consentRef },
      versions,
      effective: { type: 'array', items: { type: 'object', properties: { rule: { type: 'string' }, label: { type: 'string' }, value: {}, sources: { type: 'array', items: { enum: ['channel', 'business', 'law', 'customer'] } } } } },
      sendCheck: { type: 'object', properties: { at: { type: 'string', format: 'date-time' }, verdict: { enum: ['allow', 'deny'] }, reasons: { type: 'array', items: ref('PolicyReason') }, price, consent: { type: 'array', items: consentRef } } },
    },
  },
  ComplianceReport: {
    type: 'object', required: ['tenantId', 'from', 'to', 'sends', 'totals', 'withdrawnBeforeSend'],
    properties: {
      tenantId: { type: 'string' }, from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' },
      sends: {
        type: 'object', properties: {
          limit: { type: 'integer' }, offset: { type: 'integer' },
          items: { type: 'array', items: { type: 'object', properties: { decisionId: { type: 'string' }, messageId: { type: 'string' }, kind: { enum: ['marketing', 'notification'] }, decidedAt: { type: 'string', format: 'date-time' }, channel: { type: 'string' }, accountId: { type: 'string' }, contactId: { type: 'string' }, topic: { type: 'string' }, template: { type: 'object' }, status: { type: 'string' }, leftAt: { type: 'string', format: 'date-time' }, consent: { type: 'array', items: consentRef }, sendCheck: { type: 'object' }, versions } } },
        },
      },
      totals: { type: 'object', properties: { marketing: { type: 'integer' }, notification: { type: 'integer' }, leftHost: { type: 'integer' }, stoppedAtSendPoint: { type: 'integer' } } },
      withdrawnBeforeSend: { type: 'array', items: { type: 'object', properties: { decisionId: { type: 'string' }, messageId: { type: 'string' }, kind: { enum: ['marketing', 'notification'] }, decidedAt: { type: 'string', format: 'date-time' }, leftAt: { type: 'string', format: 'date-time' }, withdrawal: consentRef } } },
    },
  },
};

/**
 * Builds the document.
 * @returns the OpenAPI object
 */
export function buildOpenApi(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'Switchboard host API', version: '1', description: 'Conversations, messages, contacts, consent and dead letters of one tenant (chosen by the API key). Webhooks from platforms arrive at /webhooks/{channel}/{account}.' },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: `A tenant API key (from the config, \`switchboard keys create\` or POST /v1/api-keys) carrying scopes: ${API_SCOPES.join(', ')}. Each operation needs one (see the integrator guide); a plain config key has every scope but messages:send-as-agent.` } },
      schemas: {
        Error: { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object', description: 'VALIDATION_FAILED: field (the first) and problems, every bad field with its path (content.buttons[0].title) and what is wrong — an unknown key is "is not a known field"', properties: { field: { type: 'string' }, problems: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } } } } } } } } },
        Address: { type: 'object', properties: { channel: { type: 'string' }, accountId: { type: 'string' }, userId: { type: 'string' } } },
        Assignee: { type: 'object', properties: { kind: { enum: ['bot', 'queue', 'agent', 'forward', 'none'] }, handler: { type: 'string' }, queue: { type: 'string' }, agentId: { type: 'string' }, url: { type: 'string' } } },
        Conversation: { type: 'object', properties: { id: { type: 'string' }, contactId: { type: 'string' }, address: ref('Address'), status: { enum: ['open', 'pending', 'resolved'] }, assignee: ref('Assignee'), lastInboundAt: { type: 'string', format: 'date-time' }, tags: { type: 'array', items: { type: 'string' } }, createdAt: { type: 'string', format: 'date-time' }, updatedAt: { type: 'string', format: 'date-time' } } },
        Content: fromZod(ContentSchema),
        Message: { type: 'object', description: 'Media content: once the host stores the file, media.url is the host\'s GET /v1/media/{id} (media.storedId, media.sha256), media.sourceUrl the platform\'s URL if it gave one, media.id the platform\'s id; media.storeState says where the fetch is (pending, stored, refused, quarantined, failed; media.storeNote why)', properties: { id: { type: 'string' }, conversationId: { type: 'string' }, direction: { enum: ['inbound', 'outbound'] }, channel: { type: 'string' }, externalId: { type: 'string' }, content: ref('Content'), status: { enum: ['accepted', 'queued', 'sent', 'delivered', 'read', 'failed'] }, timestamp: { type: 'string', format: 'date-time' } } },
        Contact: { type: 'object', properties: { id: { type: 'string' }, addresses: { type: 'array', items: ref('Address') }, profile: { type: 'object' } } },
        ConsentEntry: { type: 'object', properties: { id: { type: 'string' }, channel: { type: 'string' }, action: { type: 'string' }, purpose: { enum: ['service', 'transactional', 'marketing'] }, topic: { type: 'string' }, scope: { enum: ['channel', 'all-channels'] }, at: { type: 'string', format: 'date-time' }, evidence: { type: 'object' } } },
        PolicyReason: { type: 'object', required: ['code', 'source', 'message'], properties: { code: { type: 'string', description: 'WINDOW_CLOSED, TEMPLATE_REQUIRED, NO_CONSENT, BLOCKED…' }, source: { enum: ['channel', 'business', 'law', 'customer'] }, message: { type: 'string' }, rule: { type: 'string', description: 'The rule that refused it (serviceWindowHours, restrictedCommerce, quietHours…)' }, url: { type: 'string', description: 'Where the rule is documented: the platform\'s page or the legal text' } } },
        PolicyDenied: { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message', 'reasons'], properties: { code: { const: 'POLICY_DENIED' }, message: { type: 'string' }, reasons: { type: 'array', items: ref('PolicyReason') }, decisionId: { type: 'string', description: 'The decision record of the refusal: GET /v1/decisions/{id}' }, details: { type: 'object' } } } } },
        SendRequest: { ...fromZod(SendRequestBodySchema), description: 'Give userId with channel and accountId, or conversationId alone (it names the channel, the account and the customer; a conversation of another tenant is a 404).' },
        SendMessage: { ...fromZod(SendMessageBodySchema), description: 'Give userId with channel and accountId, or conversationId alone (it names the channel, the account and the customer; a conversation of another tenant is a 404). Give exactly one of content and document: a document names a template the host knows (boarding-pass, order-receipt, or its own) and the message\'s data; the host renders the PDF for the recipient (their name, locale and time zone from the contact\'s profile, the message\'s time), stores it (GET /v1/media/{id}, origin generated) and sends it as { type: document, media: { storedId, filename, caption } } through the policy, the outbox and the connector\'s upload. Invalid data is a 400 naming every field under document.data, an unknown template a 404; a message the policy refuses leaves no file.' },
        Accepted: { type: 'object', properties: { id: { type: 'string' }, status: { const: 'queued' }, conversationId: { type: 'string' }, form: { type: 'object' }, price: { type: 'object', properties: { amount: { type: 'number' }, currency: { type: 'string' }, category: { type: 'string' } } }, rendering: { type: 'object' }, decisionId: { type: 'string', description: 'The decision record: GET /v1/messages/{id}/decision' } } },
        ...DECISION_SCHEMAS,
        Template: { type: 'object', properties: { id: { type: 'string' }, channel: { type: 'string' }, name: { type: 'string' }, language: { type: 'string' }, category: { enum: ['marketing', 'utility', 'authentication'] }, body: { type: 'string' }, header: { type: 'string' }, footer: { type: 'string' }, status: { enum: ['draft', 'submitted', 'approved', 'rejected', 'paused'] }, externalId: { type: 'string' }, reason: { type: 'string' } } },
        MediaFile: {
          type: 'object', required: ['id', 'contentType', 'size', 'sha256', 'kind', 'url', 'createdAt'],
          properties: {
            id: { type: 'string', description: 'Send it with content { type, media: { storedId } }' },
            contentType: { type: 'string', description: 'The type found in the bytes (not the one declared)' },
            size: { type: 'integer' }, sha256: { type: 'string', description: 'Hex SHA-256 of the bytes' },
            kind: { enum: ['image', 'video', 'audio', 'document', 'sticker'] }, filename: { type: 'string' },
            url: { type: 'string', description: 'GET it with an API key of the tenant' }, createdAt: { type: 'string', format: 'date-time' },
          },
        },
        DeadLetter: { type: 'object', properties: { id: { type: 'string' }, channel: { type: 'string' }, account: { type: 'string' }, reason: { type: 'string' }, code: { type: 'string' }, rawBody: { type: 'string', contentEncoding: 'base64' }, headers: { type: 'object' }, receivedAt: { type: 'string', format: 'date-time' } } },
      },
    },
    paths: {
      '/healthz': { get: { summary: 'Liveness', security: [], responses: { 200: { description: 'Alive' } } } },
      '/readyz': { get: { summary: 'Readiness: store reachable; which connector plugins loaded or failed and why', security: [], responses: { 200: { description: 'Ready or degraded' }, 503: { description: 'Not ready' } } } },
      '/v1/conversations': { get: op('List conversations, most recently updated first', { parameters: [...paging, { name: 'status', in: 'query', schema: { enum: ['open', 'pending', 'resolved'] } }, { name: 'channel', in: 'query', schema: { type: 'string' } }, { name: 'contactId', in: 'query', schema: { type: 'string' } }], responses: { 200: { description: 'Conversations', content: list('Conversation') }, ...errors } }) },
      '/v1/conversations/{id}': { get: op('Get a conversation', { parameters: [idParam], responses: { 200: { description: 'The conversation', content: json(ref('Conversation')) }, ...errors } }) },
      '/v1/conversations/{id}/messages': {
        get: op('Messages of a conversation in platform-time order', { parameters: [idParam, ...paging], responses: { 200: { description: 'Messages', content: list('Message') }, ...errors } }),
        post: { summary: 'Send a message in the conversation (policy-checked like POST /v1/messages)', parameters: [idParam, { name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } }], ...body(ConversationMessageSchema), responses: { 202: { description: 'Queued' }, 422: { description: 'Refused by policy, every reason named', content: json(ref('PolicyDenied')) }, ...errors } },
      },
      '/v1/conversations/{id}/assign': { post: action('Assign to an agent', AssignSchema) },
      '/v1/conversations/{id}/handover': { post: action('Hand over to a human queue or back to a bot (handler is required for a bot)', HandoverSchema) },
      '/v1/conversations/{id}/transfer': { post: action('Transfer to another agent or queue', TransferSchema) },
      '/v1/conversations/{id}/resolve': { post: action('Resolve') },
      '/v1/conversations/{id}/reopen': { post: action('Reopen') },
      '/v1/conversations/{id}/tags': { post: action('Add tags (a conversation keeps at most 100)', TagsSchema) },
      '/v1/contacts': { get: op('List contacts', { parameters: paging, responses: { 200: { description: 'Contacts', content: list('Contact') }, ...errors } }) },
      '/v1/contacts/{id}/consent': {
        get: op('Consent history (the ledger) and the state derived from it per channel', { parameters: [idParam] }),
        post: { summary: 'Record a consent event: the evidence\'s source is api and names the key that recorded it (the caller describes wording, privacy policy, reference, text and detail); without scope the entry takes the tenant\'s policy.consentScope (all channels of the contact unless per-channel)', parameters: [idParam], ...body(ConsentEventSchema), responses: { 201: { description: 'Recorded', content: json(ref('ConsentEntry')) }, ...errors } },
      },
      '/v1/messages': {
        post: {
          operationId: 'sendMessage',
          summary: 'Send a message — a content, or a document the host renders from a template: checked by the policy engine (channel, tenant, GDPR baseline, the contact\'s consent), written to the outbox, dispatched under the rate limits',
          parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 }, description: 'the same key and body replay the first answer (a document is not rendered again); the same key with another body is a 409' }],
          requestBody: { required: true, content: json(ref('SendMessage')) },
          responses: {
            202: { description: 'Queued', content: json(ref('Accepted')) },
            422: { description: 'Refused by the policy, every reason named (POLICY_DENIED); or the content cannot be sent (CONTENT_UNSUPPORTED: a quarantined file, a rendered document the tenant\'s media limits refuse)', content: json({ oneOf: [ref('PolicyDenied'), ref('Error')] }) },
            409: { description: 'Idempotency-Key reused with another body', content: json(ref('Error')) },
            ...errors,
            404: { description: 'An unknown conversation, account, stored file or document template (or another tenant\'s)', content: json(ref('Error')) },
          },
        },
      },
      '/v1/messages/{id}/decision': {
        get: {
          operationId: 'getMessageDecision', summary: 'Why a message was allowed: its decision record (effective rules with their sources, the consent entries relied on, tenant policy and price-table versions, the send point\'s re-check)',
          parameters: [idParam], responses: { 200: { description: 'The decision record', content: json(ref('DecisionRecord')) }, ...errors },
        },
      },
      '/v1/decisions/{id}': {
        get: {
          operationId: 'getDecision', summary: 'A decision record by its id (a refusal\'s decisionId, or an accepted message\'s)',
          parameters: [idParam], responses: { 200: { description: 'The decision record', content: json(ref('DecisionRecord')) }, ...errors },
        },
      },
      '/v1/compliance/report': {
        get: {
          operationId: 'getComplianceReport', summary: 'Marketing and notification sends of a period with the consent each relied on, and every send that left after its consent was withdrawn (empty when the system works)',
          parameters: [{ name: 'from', in: 'query', required: true, schema: { type: 'string', format: 'date' }, description: 'ISO date or date-time, inclusive' }, { name: 'to', in: 'query', required: true, schema: { type: 'string', format: 'date' }, description: 'ISO date or date-time, exclusive; at most 400 days after from' }, ...paging],
          responses: { 200: { description: 'The report', content: json(ref('ComplianceReport')) }, ...errors },
        },
      },
      '/v1/policy/evaluate': {
        post: {
          summary: 'Dry run: would this message be allowed, and why? The verdict in words first, then every reason with the source that imposed it (channel, business, law, customer) and where the rule is documented; then the decision and the explained effective policy',
          requestBody: { required: true, content: json(ref('SendRequest')) },
          responses: {
            200: {
              description: 'The verdict: nothing is sent or stored',
              content: json({
                type: 'object', required: ['verdict', 'summary', 'reasons', 'allowed', 'decision', 'effective', 'explanation'],
                properties: {
                  verdict: { enum: ['allowed', 'refused'] },
                  summary: { type: 'string', description: 'One or two sentences: "Allowed: … It goes as …, priced …" or "Refused: <reason> (the channel\'s rule); <reason> (the law)…"' },
                  reasons: { type: 'array', items: ref('PolicyReason'), description: 'Every reason it would be refused (empty when allowed)' },
                  allowed: { type: 'boolean' },
                  decision: { type: 'object', description: 'The policy engine\'s decision: allowed with form, price and inWindow, or refused with reasons' },
                  effective: { type: 'array', items: { type: 'object', properties: { rule: { type: 'string' }, label: { type: 'string' }, value: {}, sources: { type: 'array', items: { type: 'string' } } } } },
                  explanation: { type: 'string', description: 'The effective policy as a plain-text table: rule, value, imposed by' },
                },
              }),
            },
            ...errors,
          },
        },
      },
      '/v1/notifications': {
        post: {
          summary: 'A template to many recipients, each checked on its own',
          ...body(NotificationRequestSchema),
          responses: { 202: { description: 'At least one recipient queued; per-recipient results' }, 422: { description: 'Every recipient refused; per-recipient reasons' }, ...errors },
        },
      },
      '/v1/templates': {
        get: op('Templates of the tenant', { parameters: [{ name: 'channel', in: 'query', schema: { type: 'string' } }, { name: 'status', in: 'query', schema: { enum: ['draft', 'submitted', 'approved', 'rejected', 'paused'] } }], responses: { 200: { description: 'Templates', content: list('Template') }, ...errors } }),
        post: { summary: 'Register a template (draft)', ...body(TemplateCreateSchema), responses: { 201: { description: 'Created', content: json(ref('Template')) }, 409: { description: 'Name and language exist on the channel', content: json(ref('Error')) }, ...errors } },
      },
      '/v1/templates/sync': { post: op('Read the review state back from platforms that review templates', body(TemplateSyncSchema, false)) },
      '/v1/templates/{id}': { get: op('Get a template', { parameters: [idParam], responses: { 200: { description: 'The template', content: json(ref('Template')) }, ...errors } }) },
      '/v1/templates/{id}/submit': { post: op('Submit for review (to the platform when it reviews templates)', { parameters: [idParam], ...body(TemplateSubmitSchema, false) }) },
      '/v1/templates/{id}/status': { post: op('Record the approval state on a channel without platform review', { parameters: [idParam], ...body(TemplateStatusSchema) }) },
      '/v1/opt-ins': {
        post: { summary: 'Start an opt-in: records the first step (with its evidence, purpose, topic and privacy policy) and returns click-to-chat links and QR codes per channel, each with a signed start token', ...body(OptInStartSchema), responses: { 201: { description: 'The flow with its links and QR codes' }, ...errors } },
        get: op('Opt-in flows of the tenant'),
      },
      '/v1/opt-ins/{id}': { get: op('An opt-in flow: awaiting-start, awaiting-confirmation or confirmed, with both steps\' evidence', { parameters: [idParam] }) },
      '/v1/contacts/{id}/addresses': { post: { summary: 'Link another channel address to the contact (consent then follows the contact across channels); 409 when another contact owns it', parameters: [idParam], ...body(AddressLinkSchema), responses: { 200: { description: 'The contact' }, 409: { description: 'Owned by another contact', content: json(ref('Error')) }, ...errors } } },
      '/v1/contacts/{id}/consent-state': { get: op('Consent state per channel as the send path sees it (privacy-policy version included)', { parameters: [idParam] }) },
      '/v1/tenant': { get: op('The tenant: name, verification level per channel, privacy-policy version') },
      '/v1/contacts/{id}/export': {
        get: {
          operationId: 'exportContact',
          summary: 'GDPR export: everything held about the contact — JSON by default; a zip of manifest.json (that JSON, each file with its path) and the contact\'s files under media/<id>.<ext> with format=zip or Accept: application/zip (a quarantined file listed with excluded: "quarantined: <reason>", its bytes left out)',
          parameters: [
            idParam,
            { name: 'format', in: 'query', schema: { enum: ['json', 'zip'] }, description: 'Wins over Accept; without it, Accept ranking application/zip above application/json chooses the zip' },
            { name: 'Accept', in: 'header', schema: { type: 'string', example: 'application/zip' } },
          ],
          responses: {
            200: {
              description: 'The export (Content-Disposition: attachment; Vary: Accept). The zip streams the files; a failure mid-way cuts the connection rather than end a truncated zip',
              content: {
                'application/json': { schema: { type: 'object', description: 'format switchboard.contact-export/1; media lists the files: id, messageId, conversationId, kind, contentType, size, sha256, filename, origin, createdAt, quarantined { reason, at }' } },
                'application/zip': { schema: { type: 'string', format: 'binary' } },
              },
            },
            ...errors,
          },
        },
      },
      '/v1/contacts/{id}': {
        get: op('Get a contact', { parameters: [idParam], responses: { 200: { description: 'The contact', content: json(ref('Contact')) }, ...errors } }),
        delete: op('GDPR erasure: messages, files in the media store (bytes and records; deleted.media), profile, addresses, conversations, inbox and outbox entries and dead letters of the contact; consent events kept as pseudonymised proofs', { parameters: [idParam] }),
      },
      '/v1/audit': { get: op('Audit log: who read or changed what through the API', { parameters: [{ name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' } }, { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' } }, { name: 'contactId', in: 'query', schema: { type: 'string' } }, { name: 'conversationId', in: 'query', schema: { type: 'string' } }, ...paging] }) },
      '/v1/retention': { get: op('The tenant\'s retention period') },
      '/v1/retention/purge': { post: op('Purge messages older than the retention period now, and the files of the media store older than it whose message is gone (media)') },
      '/v1/analytics': { get: op('Messages in/out per channel, share answered automatically vs by agents, first-response time, share answered inside the window, opt-in and opt-out counts, cost', { parameters: [{ name: 'from', in: 'query', required: true, schema: { type: 'string', format: 'date' } }, { name: 'to', in: 'query', required: true, schema: { type: 'string', format: 'date' } }] }) },
      '/v1/costs': { get: op('The cost ledger: each sent message priced when it was sent, with totals per channel and category, and mediaStored { files, bytes, quarantined }: what the tenant keeps in the media store now', { parameters: [{ name: 'from', in: 'query', required: true, schema: { type: 'string', format: 'date' } }, { name: 'to', in: 'query', required: true, schema: { type: 'string', format: 'date' } }, { name: 'channel', in: 'query', schema: { type: 'string' } }, ...paging] }) },
      '/v1/agents': {
        get: op('Agents of the tenant (console accounts)'),
        post: { summary: 'Create an agent (the password must pass the password rules)', ...body(AgentCreateSchema), responses: { 201: { description: 'Created (no password hash in the answer)' }, 409: { description: 'E-mail taken', content: json(ref('Error')) }, ...errors } },
      },
      '/v1/agents/{id}': {
        get: op('Get an agent', { parameters: [idParam] }),
        patch: op('Change name, role, password or disable (ends the agent\'s sessions)', { parameters: [idParam], ...body(AgentPatchSchema) }),
        delete: op('Remove an agent', { parameters: [idParam] }),
      },
      '/v1/console/settings': { get: op('Saved replies and knowledge-base links of the console'), put: op('Replace saved replies and knowledge-base links', body(ConsoleSettingsSchema)) },
      '/metrics': { get: { summary: 'Prometheus metrics (bearer metricsToken when configured)', security: [], responses: { 200: { description: 'text/plain; version=0.0.4' }, 401: { description: 'metricsToken required', content: json(ref('Error')) } } } },
      '/v1/api-keys': {
        get: op('The tenant\'s API keys: config keys (source config) and stored ones, revoked included; never a key or its digest (admin)'),
        post: { summary: 'Make an API key (admin; only scopes the caller holds). The key is in this answer only', requestBody: { required: true, content: json({ type: 'object', additionalProperties: false, required: ['scopes'], properties: { scopes: { type: 'array', minItems: 1, maxItems: API_SCOPES.length * 2, items: { enum: [...API_SCOPES] } }, name: { type: 'string', minLength: 1, maxLength: 100 } } }) }, responses: { 201: { description: 'The key (shown once) and its record' }, ...errors } },
      },
      '/v1/api-keys/{id}': { delete: { summary: 'Revoke a stored key: it stops at once in every host on the database (admin)', parameters: [idParam], responses: { 200: { description: 'The revoked key' }, ...errors, 409: { description: 'A config key, or already revoked', content: json(ref('Error')) } } } },
      '/v1/api-keys/{id}/rotate': { post: { summary: 'Replace a stored key by a new one with the same scopes; the old stops at once (admin)', parameters: [idParam], responses: { 201: { description: 'The new key (shown once) and its record' }, ...errors, 409: { description: 'A config key, or revoked', content: json(ref('Error')) } } } },
      '/v1/media': {
        post: {
          operationId: 'uploadMedia',
          summary: 'Store a file to send: a multipart upload (optional fields kind and filename, then one file part), or JSON { url } the host fetches itself (http(s), public addresses only unless the config allows private ones). The type is read from the bytes and checked with the size against the tenant\'s limits; the virus scanner, when configured, runs before the answer',
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { kind: { enum: ['image', 'video', 'audio', 'document', 'sticker'] }, filename: { type: 'string', maxLength: 255 }, file: { type: 'string', format: 'binary' } } } },
              ...json(fromZod(MediaUrlUploadSchema)),
            },
          },
          responses: {
            201: { description: 'Stored', content: json(ref('MediaFile')) },
            ...errors,
            413: { description: 'Larger than the tenant\'s limit for its kind (details.refusal MEDIA_TOO_LARGE, maxBytes); nothing kept', content: json(ref('Error')) },
            415: { description: 'A type the tenant does not allow for its kind (details.refusal MEDIA_TYPE_NOT_ALLOWED, contentType, allowed), or a body that is neither multipart nor JSON; nothing kept', content: json(ref('Error')) },
            422: { description: 'Rejected by the virus scanner (details.refusal MEDIA_QUARANTINED): kept in quarantine, never served or sent', content: json(ref('Error')) },
            502: { description: 'The URL could not be fetched', content: json(ref('Error')) },
            503: { description: 'The media store or the scanner cannot take the file now (retry)', content: json(ref('Error')) },
          },
        },
      },
      '/v1/media/{id}': {
        get: {
          operationId: 'getMedia',
          summary: 'A stored file\'s bytes, with the type found in them, nosniff, a safe Content-Disposition (inline for pictures, audio and video), an ETag of its hash, and byte ranges',
          parameters: [idParam, { name: 'Range', in: 'header', schema: { type: 'string', example: 'bytes=0-1023' } }, { name: 'If-None-Match', in: 'header', schema: { type: 'string' } }],
          responses: {
            200: { description: 'The file', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
            206: { description: 'The range asked for (Content-Range)', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
            304: { description: 'Not modified (If-None-Match)' },
            ...errors,
            403: { description: 'The API key lacks read, or the file is quarantined (details.refusal MEDIA_QUARANTINED)', content: json(ref('Error')) },
            416: { description: 'The range is outside the file (Content-Range: bytes */size)', content: json(ref('Error')) },
          },
        },
      },
      '/media/{id}': {
        get: {
          operationId: 'getSignedMedia',
          summary: 'A stored file through a short-lived signed URL (the console, platforms that fetch files by URL): no API key; answered like GET /v1/media/{id}',
          security: [],
          parameters: [idParam, { name: 'tenant', in: 'query', required: true, schema: { type: 'string' } }, { name: 'exp', in: 'query', required: true, schema: { type: 'string', description: 'Expiry, ms since the epoch' } }, { name: 'sig', in: 'query', required: true, schema: { type: 'string' } }, { name: 'Range', in: 'header', schema: { type: 'string' } }],
          responses: {
            200: { description: 'The file', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
            206: { description: 'The range asked for' },
            400: { description: 'Invalid query', content: json(ref('Error')) },
            403: { description: 'The link is not valid or has expired (details.link), or the file is quarantined', content: json(ref('Error')) },
            404: { description: 'No such file', content: json(ref('Error')) },
            416: { description: 'The range is outside the file', content: json(ref('Error')) },
          },
        },
      },
      '/v1/dead-letters': { get: op('Verified webhooks that could not be parsed, newest first', { parameters: paging, responses: { 200: { description: 'Dead letters', content: list('DeadLetter') }, ...errors } }) },
      '/v1/dead-letters/{id}': { get: op('Get a dead letter', { parameters: [idParam], responses: { 200: { description: 'The dead letter', content: json(ref('DeadLetter')) }, ...errors } }) },
      '/v1/events': { get: { summary: 'Server-Sent Events: inbound, status, consent and conversation streams of the tenant', parameters: [{ name: 'streams', in: 'query', schema: { type: 'string', description: 'comma-separated subset of inbound,status,consent,conversation' } }], responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...errors } } },
      '/webhooks/{channel}/{account}': {
        post: { summary: 'Platform webhook (signed); 200 once stored in the inbox, 401 when the signature fails, 413 beyond 3 MB', security: [], parameters: [{ name: 'channel', in: 'path', required: true, schema: { type: 'string' } }, { name: 'account', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'Accepted (or dead-lettered)' }, 401: { description: 'Verification failed', content: json(ref('Error')) }, 404: { description: 'No such account', content: json(ref('Error')) }, 413: { description: 'Too large', content: json(ref('Error')) } } },
        get: { summary: 'Platform subscription handshake', security: [], parameters: [{ name: 'channel', in: 'path', required: true, schema: { type: 'string' } }, { name: 'account', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'Handshake answer' } } },
      },
      ...sandboxPaths(),
    },
  };
}

/** The sandbox's routes (served only by `switchboard start --sandbox`). */
function sandboxPaths(): Record<string, unknown> {
  const channel = { name: 'channel', in: 'path', required: true, schema: { type: 'string' } };
  const delivered = { 202: { description: 'The fake platform delivered the signed webhook and the host accepted it: { delivered, webhookUrl, hostAnswer }' }, 502: { description: 'The host refused the webhook (hostAnswer.status says how)' }, ...errors };
  return {
    '/sandbox/clock': { post: { summary: 'Sandbox only: moves the host\'s clock and every fake platform\'s forward (service windows, timestamps, signature ages)', ...body(SandboxClockSchema), responses: { 200: { description: '{ now, aheadMs }' }, ...errors } } },
    '/sandbox/{channel}/messages': { post: { summary: 'Sandbox only: the fake platform delivers a signed customer text message to the host', parameters: [channel], ...body(SandboxMessageSchema), responses: delivered } },
    '/sandbox/{channel}/events': { post: { summary: 'Sandbox only: the fake platform delivers any inbound event it simulates (text, media, location, button, subscribe, unsubscribe, block, close, capabilities); a kind the channel\'s fake does not simulate is a 400 listing those it does', parameters: [channel], ...body(SandboxEventSchema), responses: delivered } },
    '/sandbox/{channel}/sent': { get: { summary: 'Sandbox only: what the fake platform accepted from the business, newest first ({ items, total, offset, limit })', parameters: [channel, ...paging, { name: 'userId', in: 'query', schema: { type: 'string', maxLength: 256 } }], responses: { 200: { description: 'The sent log' }, ...errors } } },
    '/sandbox/{channel}/templates/review': { post: { summary: 'Sandbox only: the fake platform reviews a submitted template (APPROVED, REJECTED, PAUSED) and announces it as the platform does; 404 for a template it does not know', parameters: [channel], ...body(SandboxTemplateReviewSchema), responses: { 200: { description: 'Reviewed' }, ...errors } } },
    '/sandbox/{channel}/receipts/flush': { post: { summary: 'Sandbox only: the fake platform posts every pending delivery and read receipt now ({ posted })', parameters: [channel], responses: { 200: { description: '{ posted }' }, ...errors } } },
  };
}
