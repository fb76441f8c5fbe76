/**
 * The outbound REST API: `POST /v1/messages` (a content, or a `document` the host renders), the decision records (`GET /v1/messages/:id/decision`,
 * `GET /v1/decisions/:id`), `POST /v1/policy/evaluate`, `POST /v1/notifications` and the template
 * registry under `/v1/templates`.
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  explainVerdict, isSwitchboardError, isTemplateManager, SwitchboardError,
  type Connector, type PolicyReason, type TemplateManager, type TemplateStatus,
} from '@switchboard/core';
import type { Request, Response } from 'express';
import type { TenantConfig } from '../config/host-config.js';
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '../errors.js';
import type { HostFeature, HostFeatureContext } from '../features.js';
import type { HostConnectorBinding } from '../plugins/connector-registry.js';
import type { OutboundQueued, OutboundResult } from './outbound-gateway.js';
import { sendNotification } from './notifications.js';
import type { OutboundRuntime } from './outbound-runtime.js';
import { parseNotificationRequest, parseSendRequest } from './send-request.js';
import { parseDocumentSendRequest } from './document-send.js';
import type { TemplateRecord } from './template-registry.js';
import { SendMessageBodySchema, TemplateCreateSchema, TemplatesQuerySchema, TemplateStatusSchema, TemplateSubmitSchema, TemplateSyncSchema } from '../api/schemas.js';
import { idempotencyKeyOf, parseBody, parseInput, parseQuery } from '../api/validation.js';
import { apiSender } from '../api/api-scopes.js';
import { resolveSendTarget } from '../api/send-target.js';

/** The body of a 422 answer to a refused message. */
export interface PolicyDeniedBody {
  error: {
    code: 'POLICY_DENIED';
    message: string;
    reasons: PolicyReason[];
    /** The decision record of the refusal (`GET /v1/decisions/:id`), when one was kept. */
    decisionId?: string;
    details: { reasons: PolicyReason[]; decisionId?: string };
  };
}

/**
 * The body of a 422 answer to a refused message: every reason, with its source, and the id of the
 * refusal's decision record.
 * @param reasons - the policy engine's reasons
 * @param decisionId - the decision record kept for the refusal, if any
 * @returns `{ error: { code: 'POLICY_DENIED', message, reasons, decisionId?, details: { reasons, decisionId? } } }`
 */
export function policyDeniedBody(reasons: readonly PolicyReason[], decisionId?: string): PolicyDeniedBody {
  const list = [...reasons];
  return {
    error: {
      code: 'POLICY_DENIED',
      message: `the policy refused this message: ${list.map((r) => r.code).join(', ')}`,
      reasons: list,
      ...(decisionId ? { decisionId } : {}),
      details: { reasons: list, ...(decisionId ? { decisionId } : {}) },
    },
  };
}

function tenantOf(req: Request): TenantConfig {
  if (!req.tenant) throw new UnauthorizedError();
  return req.tenant;
}

/** The body of a 202 answer to a queued message (`POST /v1/messages`, the console's send). */
export interface QueuedBody {
  id: string;
  status: 'queued';
  conversationId: string;
  form: OutboundQueued['form'];
  price: OutboundQueued['price'];
  rendering?: OutboundQueued['rendering'];
  decisionId: string;
}

/**
 * The body of a 202 answer to a queued message: its id, form, price, rendering and decision record
 * (not the stored message).
 * @param result - the port's answer
 * @returns `{ id, status, conversationId, form, price, rendering?, decisionId }`
 */
export function queuedBody(result: OutboundQueued): QueuedBody {
  return {
    id: result.id, status: 'queued', conversationId: result.conversationId, form: result.form, price: result.price,
    ...(result.rendering ? { rendering: result.rendering } : {}), decisionId: result.decisionId,
  };
}

/**
 * Validates a new template against {@link TemplateCreateSchema}: name, language, category, body
 * and its placeholders.
 * @param b - the request body
 * @returns the fields of a record
 * @throws RequestValidationError naming every bad field
 */
export function parseTemplateInput(b: unknown): Pick<TemplateRecord, 'channel' | 'name' | 'language' | 'category' | 'body'> & Partial<Pick<TemplateRecord, 'header' | 'footer'>> & { examples?: string[] } {
  const { header, footer, examples, ...fields } = parseInput(TemplateCreateSchema, b);
  return { ...fields, ...(header ? { header } : {}), ...(footer ? { footer } : {}), ...(examples ? { examples } : {}) };
}

/**
 * The template registry's operations, over the tenant's connectors: platforms that review
 * templates (a {@link isTemplateManager} connector) get them submitted and report the review
 * back; on the others an admin records the approval state.
 */
export class TemplateRegistry {
  /**
   * @param runtime - the outbound runtime (its template store)
   * @param bindings - the loaded connector accounts
   * @param now - the host clock
   */
  constructor(
    private readonly runtime: Pick<OutboundRuntime, 'templates'>,
    private readonly bindings: () => readonly HostConnectorBinding[],
    private readonly now: () => number,
  ) {}

  private managerFor(tenantId: string, channel: string): (HostConnectorBinding & { connector: Connector & TemplateManager }) | undefined {
    const b = this.bindings().find((x) => x.channel === channel && x.tenantId === tenantId && isTemplateManager(x.connector));
    return b as never;
  }

  /** Creates a draft. @throws ConflictError when the name and language exist on the channel */
  async create(tenantId: string, input: ReturnType<typeof parseTemplateInput>): Promise<TemplateRecord> {
    if (!this.bindings().some((b) => b.channel === input.channel && b.tenantId === tenantId)) {
      throw new ValidationError('channel', `the tenant has no ${input.channel} account`);
    }
    const at = new Date(this.now());
    const { examples: _examples, ...fields } = input;
    const record: TemplateRecord = { id: randomUUID(), tenantId, ...fields, status: 'draft', createdAt: at, updatedAt: at };
    if (!(await this.runtime.templates.insert(record))) {
      throw new ConflictError(`template ${input.name} (${input.language}) already exists on ${input.channel}`, { name: input.name, language: input.language });
    }
    return record;
  }

  private async get(tenantId: string, id: string): Promise<TemplateRecord> {
    const t = await this.runtime.templates.get(tenantId, id);
    if (!t) throw new NotFoundError('template', id);
    return t;
  }

  /**
   * Submits a draft (or rejected) template for review: to the platform when it reviews templates,
   * else it waits for an admin's decision.
   */
  async submit(tenantId: string, id: string, examples?: string[]): Promise<TemplateRecord> {
    const t = await this.get(tenantId, id);
    if (t.status !== 'draft' && t.status !== 'rejected') throw new ConflictError(`template ${t.name} is ${t.status}; only drafts and rejected templates can be submitted`, { status: t.status });
    const manager = this.managerFor(tenantId, t.channel);
    if (!manager) return (await this.runtime.templates.update(tenantId, id, { status: 'submitted' }, new Date(this.now())))!;
    try {
      const answer = await manager.connector.submitTemplate({
        name: t.name, language: t.language, category: t.category, body: t.body,
        ...(t.header ? { header: t.header } : {}), ...(t.footer ? { footer: t.footer } : {}), ...(examples ? { examples } : {}),
      });
      return (await this.runtime.templates.update(tenantId, id, { status: answer.status, externalId: answer.externalId }, new Date(this.now())))!;
    } catch (error) {
      const e = isSwitchboardError(error) ? error : manager.connector.classify(error);
      throw new SwitchboardError('TEMPLATE_REJECTED', `the platform refused the template: ${e.message}`, false, { details: { platformCode: e.code, ...(e.details ?? {}) } });
    }
  }

  /**
   * Reads the review state of the tenant's templates back from the platforms that review them.
   * @returns the templates whose state changed
   */
  async sync(tenantId: string, channel?: string): Promise<TemplateRecord[]> {
    const changed: TemplateRecord[] = [];
    const channels = [...new Set(this.bindings().filter((b) => b.tenantId === tenantId && isTemplateManager(b.connector) && (!channel || b.channel === channel)).map((b) => b.channel))];
    for (const ch of channels) {
      const manager = this.managerFor(tenantId, ch)!;
      const states = await manager.connector.listTemplates();
      for (const state of states) {
        const t = await this.runtime.templates.find(tenantId, ch, state.name, state.language);
        if (!t || t.status === 'draft' || (t.status === state.status && t.reason === state.reason)) continue;
        const updated = await this.runtime.templates.update(tenantId, t.id, {
          status: state.status, ...(state.externalId ? { externalId: state.externalId } : {}), ...(state.reason ? { reason: state.reason } : {}),
        }, new Date(this.now()));
        if (updated) changed.push(updated);
      }
    }
    return changed;
  }

  /**
   * Records an approval decision on a channel without platform review.
   * @throws ConflictError on a channel whose platform reviews templates (its decision is read by sync)
   */
  async decide(tenantId: string, id: string, status: TemplateStatus, reason?: string): Promise<TemplateRecord> {
    const t = await this.get(tenantId, id);
    if (this.managerFor(tenantId, t.channel)) throw new ConflictError(`${t.channel} reviews templates itself: use POST /v1/templates/sync to read its decision`, { channel: t.channel });
    if (status === 'draft' || status === 'submitted') throw new ValidationError('status', 'must be approved, rejected or paused');
    return (await this.runtime.templates.update(tenantId, id, { status, ...(reason ? { reason } : {}) }, new Date(this.now())))!;
  }
}

/**
 * The outbound feature: mounts the send, dry-run, notification and template routes.
 * @param ctx - the host's services
 * @returns the feature
 */
export function outboundFeature(ctx: HostFeatureContext): HostFeature {
  const { service } = ctx.outbound;
  const registry = new TemplateRegistry(ctx.outbound, () => ctx.bindings, () => ctx.clock.now());
  // every send goes through the host's outbound port (an integrator's gateway, when one is installed)
  const answer = (res: Response, result: OutboundResult): void => {
    if (result.status === 'denied') { res.status(422).json(policyDeniedBody(result.reasons, result.decisionId)); return; }
    res.status(202).json(queuedBody(result));
  };
  return {
    name: 'outbound',
    v1Routes(v1) {
      v1.post('/messages', async (req, res) => {
        const t = tenantOf(req);
        const key = idempotencyKeyOf(req);
        // a conversationId alone names the channel, account and customer (of this tenant only);
        // exactly one of content and document is given
        const body = await resolveSendTarget(req.body, t.id, ctx.stores.conversations, SendMessageBodySchema) as Record<string, unknown>;
        if (body.document !== undefined) {
          const request = parseDocumentSendRequest(body);
          apiSender(req, request.sender, 'bot');
          // rendered, stored and sent as a document message; a refused one leaves no file
          answer(res, await ctx.gateway.send({ tenantId: t.id, ...request, via: 'api', ...(key ? { idempotencyKey: key } : {}) }));
          return;
        }
        const request = parseSendRequest(body);
        // who is a human is granted to the key, not claimed by the body
        apiSender(req, request.sender, 'bot');
        answer(res, await ctx.gateway.send({ tenantId: t.id, ...request, via: 'api', ...(key ? { idempotencyKey: key } : {}) }));
      });
      v1.get('/messages/:id/decision', async (req, res) => {
        const t = tenantOf(req);
        const id = String(req.params.id);
        const record = await ctx.stores.decisions.findByMessage(t.id, id);
        if (!record) throw new NotFoundError('decision of message', id);
        res.json(record);
      });
      v1.get('/decisions/:id', async (req, res) => {
        const t = tenantOf(req);
        const id = String(req.params.id);
        const record = await ctx.stores.decisions.get(t.id, id);
        if (!record) throw new NotFoundError('decision', id);
        res.json(record);
      });
      v1.post('/policy/evaluate', async (req, res) => {
        const t = tenantOf(req);
        const outcome = await service.evaluate(t.id, parseSendRequest(await resolveSendTarget(req.body, t.id, ctx.stores.conversations)));
        // the verdict in words leads: allowed or refused, and every reason with its source and documentation
        const { verdict, summary, reasons } = explainVerdict(outcome.decision);
        res.json({ verdict, summary, reasons, allowed: outcome.decision.allowed, decision: outcome.decision, effective: outcome.effective, explanation: outcome.explanation });
      });
      v1.post('/notifications', async (req, res) => {
        const t = tenantOf(req);
        const results = await sendNotification(ctx.gateway, t.id, parseNotificationRequest(req.body));
        const queued = results.filter((r) => r.status === 'queued').length;
        res.status(queued > 0 ? 202 : 422).json({ queued, denied: results.length - queued, results });
      });
      v1.get('/templates', async (req, res) => {
        const t = tenantOf(req);
        const { channel, status } = parseQuery(TemplatesQuerySchema, req);
        res.json({ items: await ctx.outbound.templates.list(t.id, { ...(channel ? { channel } : {}), ...(status ? { status } : {}) }) });
      });
      v1.post('/templates', async (req, res) => {
        res.status(201).json(await registry.create(tenantOf(req).id, parseTemplateInput(req.body)));
      });
      v1.post('/templates/sync', async (req, res) => {
        const { channel } = parseBody(TemplateSyncSchema, req);
        res.json({ changed: await registry.sync(tenantOf(req).id, channel) });
      });
      v1.get('/templates/:id', async (req, res) => {
        const t = await ctx.outbound.templates.get(tenantOf(req).id, String(req.params.id));
        if (!t) throw new NotFoundError('template', String(req.params.id));
        res.json(t);
      });
      v1.post('/templates/:id/submit', async (req, res) => {
        const { examples } = parseBody(TemplateSubmitSchema, req);
        res.json(await registry.submit(tenantOf(req).id, String(req.params.id), examples));
      });
      v1.post('/templates/:id/status', async (req, res) => {
        const { status, reason } = parseBody(TemplateStatusSchema, req);
        res.json(await registry.decide(tenantOf(req).id, String(req.params.id), status, reason || undefined));
      });
    },
  };
}
