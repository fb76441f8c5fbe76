/**
 * The reply box: `POST /conversations/:id/evaluate` (the dry run — may this draft go, and if not,
 * why, and what may go instead) and `POST /conversations/:id/messages` (the send, through the
 * host's one outbound port). A draft is text (with an optional message tag), an approved template,
 * or a file the agent uploaded.
 * @module
 */
import type { Clock, Content, Conversation, TemplateParameter } from '@switchboard/core';
import type express from 'express';
import type { Request } from 'express';
import type { z } from 'zod';
import { ConsoleDraftSchema } from '../../api/schemas.js';
import { idempotencyKeyOf, parseBody } from '../../api/validation.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { MediaStore } from '../../media/media-store.js';
import type { OutboundGateway } from '../../outbound/outbound-gateway.js';
import { policyDeniedBody, queuedBody } from '../../outbound/outbound-routes.js';
import type { OutboundService } from '../../outbound/outbound-service.js';
import type { SendRequest } from '../../outbound/send-request.js';
import { templatePlaceholders, type TemplateRecord, type TemplateStore } from '../../outbound/template-registry.js';
import type { HostStores } from '../../stores/stores.js';
import type { AgentStore } from '../agent-store.js';
import { callerOf } from '../console-auth.js';
import { ConsoleMediaDraftSchema, sendKindOf } from '../console-media.js';
import { composerOf, idParam, loadConversation, obj, type ComposerDeps } from './console-route-kit.js';

/** A reply the agent composed: text (with an optional message tag), an approved template, or a file the agent uploaded. */
interface Draft {
  content: Content;
  tag?: string;
}

/**
 * Fills a template's parameters in its placeholders' order.
 * @param t - the template
 * @param values - by placeholder (`"1"`, `"2"`… or names)
 * @returns template content with its fallback text, for channels that degrade templates
 */
export function templateContent(t: TemplateRecord, values: Record<string, string>): Content {
  const { positional, named } = templatePlaceholders(t.body);
  const parameters: TemplateParameter[] = named.length > 0
    ? named.map((name) => ({ name, text: values[name] ?? '' }))
    : positional.map((n) => ({ text: values[String(n)] ?? '' }));
  return { type: 'template', name: t.name, language: t.language, category: t.category, fallbackText: t.body, ...(parameters.length > 0 ? { parameters } : {}) };
}

/** What the reply box's routes need. */
export interface MessageRouteDeps {
  conversations: Pick<HostStores['conversations'], 'get'>;
  agents: Pick<AgentStore, 'markRead'>;
  /** The reply box's facts (connectors, templates, media limits), offered as alternatives. */
  composer: ComposerDeps;
  /** The templates a draft names. */
  templates: Pick<TemplateStore, 'get'>;
  /** The files a draft names. */
  media: Pick<MediaStore, 'get'>;
  /** The policy engine's dry run. */
  outbound: Pick<OutboundService, 'evaluate'>;
  /** The host's one outbound port. */
  gateway: Pick<OutboundGateway, 'send'>;
  clock: Clock;
}

/**
 * Mounts `POST /conversations/:id/evaluate` and `POST /conversations/:id/messages`.
 * @param api - the console's router, after its session and CSRF checks
 * @param deps - conversations, agents, composer, templates, media, the outbound service and port, clock
 */
export function mountMessageRoutes(api: express.Router, deps: MessageRouteDeps): void {
  const { agents, clock } = deps;

  /**
   * A file the agent uploaded, as message content: only an upload (or a generated document) of this
   * tenant that belongs to no other contact — an agent cannot pass one customer's file to another.
   */
  const mediaContent = async (tenantId: string, c: Conversation, b: z.output<typeof ConsoleMediaDraftSchema>): Promise<Content> => {
    const record = await deps.media.get(tenantId, b.storedId);
    if (!record) throw new NotFoundError('media', b.storedId);
    if (record.origin === 'inbound' || (record.contactId !== undefined && record.contactId !== c.contactId)) {
      throw new ValidationError('storedId', 'must name a file uploaded for this conversation');
    }
    const caption = b.caption?.trim() ? b.caption : undefined;
    return { type: sendKindOf(record, b.sendAs), media: { storedId: record.id, ...(caption ? { caption } : {}) } };
  };

  const draftOf = async (tenantId: string, c: Conversation, req: Request): Promise<Draft> => {
    if (obj(req.body).kind === 'media') {
      const b = parseBody(ConsoleMediaDraftSchema, req);
      return { content: await mediaContent(tenantId, c, b), ...(b.tag ? { tag: b.tag } : {}) };
    }
    const b = parseBody(ConsoleDraftSchema, req);
    if (b.kind === 'template') {
      const t = await deps.templates.get(tenantId, b.templateId!);
      if (!t) throw new NotFoundError('template', b.templateId!);
      return { content: templateContent(t, b.parameters ?? {}) };
    }
    return { content: { type: 'text', text: b.text! }, ...(b.tag ? { tag: b.tag } : {}) };
  };

  const sendRequest = (c: Conversation, d: Draft): SendRequest => ({
    channel: c.address.channel, accountId: c.address.accountId, conversationId: c.id,
    content: d.content, purpose: 'service', sender: 'agent', ...(d.tag ? { tag: d.tag } : {}),
  });

  /** The reply box asks first: may this go, and if not, why, and what may go instead. */
  api.post('/conversations/:id/evaluate', async (req, res) => {
    const { agent } = callerOf(res);
    const c = await loadConversation(deps.conversations, agent.tenantId, idParam(req));
    const draft = await draftOf(agent.tenantId, c, req);
    const outcome = await deps.outbound.evaluate(agent.tenantId, sendRequest(c, draft));
    const info = await composerOf(deps.composer, agent.tenantId, c);
    let tags: { tag: string; allowed: boolean; reasons: unknown[] }[] = [];
    if (!outcome.decision.allowed && draft.content.type !== 'template' && !draft.tag) {
      // offer each tag an agent may use, asking the engine rather than guessing
      tags = await Promise.all(info.window.agentTags.map(async (t) => {
        const probe = await deps.outbound.evaluate(agent.tenantId, sendRequest(c, { ...draft, tag: t.tag }));
        return { tag: t.tag, allowed: probe.decision.allowed, reasons: probe.decision.allowed ? [] : probe.decision.reasons };
      }));
    }
    res.json({
      allowed: outcome.decision.allowed,
      ...(outcome.decision.allowed ? { form: outcome.decision.form, price: outcome.decision.price } : { reasons: outcome.decision.reasons }),
      window: info.window,
      alternatives: { templates: outcome.decision.allowed ? [] : info.templates, tags: tags.filter((t) => t.allowed) },
      explanation: outcome.explanation,
    });
  });

  api.post('/conversations/:id/messages', async (req, res) => {
    const { agent } = callerOf(res);
    const c = await loadConversation(deps.conversations, agent.tenantId, idParam(req));
    const draft = await draftOf(agent.tenantId, c, req);
    const key = idempotencyKeyOf(req);
    // namespaced per agent, so two agents' keys never collide
    // through the host's outbound port, as every send
    const result = await deps.gateway.send({ tenantId: agent.tenantId, ...sendRequest(c, draft), via: 'api', ...(key ? { idempotencyKey: `console:${agent.id}:${key}` } : {}) });
    if (result.status === 'denied') { res.status(422).json(policyDeniedBody(result.reasons)); return; }
    await agents.markRead(agent.tenantId, agent.id, c.id, new Date(clock.now()));
    res.status(202).json(queuedBody(result));
  });
}
