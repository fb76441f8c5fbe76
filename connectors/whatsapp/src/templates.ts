/**
 * Message template management on the WhatsApp Business Account: submission for Meta's review
 * (`POST /<WABA id>/message_templates`) and reading the review state back (`GET`, paged).
 * @module
 */
import { ConfigError, isObject, type PlatformTemplateState, type ProviderRequest, type TemplateStatus, type TemplateSubmission } from '@switchboard/core';
import type { WhatsAppConfig } from './config.js';

/** Meta's review states and what they mean to the host's registry. */
const STATUS: Readonly<Record<string, TemplateStatus>> = {
  APPROVED: 'approved',
  PENDING: 'submitted',
  IN_APPEAL: 'submitted',
  PENDING_DELETION: 'paused',
  REJECTED: 'rejected',
  PAUSED: 'paused',
  DISABLED: 'paused',
  LIMIT_EXCEEDED: 'paused',
  ARCHIVED: 'paused',
  DELETED: 'paused',
};

/**
 * Maps Meta's template status to the registry's.
 * @param status - e.g. `APPROVED`
 * @returns the registry state (an unknown status counts as submitted: not sendable)
 */
export function templateStatusOf(status: unknown): TemplateStatus {
  return typeof status === 'string' ? STATUS[status.toUpperCase()] ?? 'submitted' : 'submitted';
}

function wabaOf(config: WhatsAppConfig): string {
  if (!config.businessAccountId) throw new ConfigError('businessAccountId', 'is required to manage message templates (the WhatsApp Business Account id)');
  return config.businessAccountId;
}

const headersOf = (config: WhatsAppConfig): Record<string, string> => ({ authorization: `Bearer ${config.accessToken}`, 'content-type': 'application/json' });

/**
 * The submission request: the body with its placeholders' sample values (Meta's reviewers ask for
 * them), an optional text header and footer.
 * @param config - the connector's config (needs `businessAccountId`)
 * @param template - what to submit
 * @returns the request
 * @throws ConfigError without a business account id
 */
export function renderSubmitTemplate(config: WhatsAppConfig, template: TemplateSubmission): ProviderRequest {
  const body: Record<string, unknown> = { type: 'BODY', text: template.body };
  if (template.examples && template.examples.length > 0) body.example = { body_text: [[...template.examples]] };
  const components: Record<string, unknown>[] = [
    ...(template.header ? [{ type: 'HEADER', format: 'TEXT', text: template.header }] : []),
    body,
    ...(template.footer ? [{ type: 'FOOTER', text: template.footer }] : []),
  ];
  return {
    method: 'POST',
    url: `${config.apiBaseUrl}/${config.apiVersion}/${wabaOf(config)}/message_templates`,
    headers: headersOf(config),
    body: { name: template.name, language: template.language, category: template.category.toUpperCase(), components },
  };
}

/**
 * One page of the account's templates.
 * @param config - the connector's config (needs `businessAccountId`)
 * @param after - the paging cursor of the previous page
 * @returns the request
 */
export function renderListTemplates(config: WhatsAppConfig, after?: string): ProviderRequest {
  const query = new URLSearchParams({ fields: 'id,name,language,status,category,rejected_reason', limit: '100', ...(after ? { after } : {}) });
  return {
    method: 'GET',
    url: `${config.apiBaseUrl}/${config.apiVersion}/${wabaOf(config)}/message_templates?${query.toString()}`,
    headers: { authorization: `Bearer ${config.accessToken}` },
  };
}

/**
 * Reads one page of `GET message_templates`.
 * @param body - the answer
 * @returns the templates and the next cursor, when there is a next page
 */
export function readTemplatePage(body: unknown): { templates: PlatformTemplateState[]; after?: string } {
  const data = isObject(body) && Array.isArray(body.data) ? body.data : [];
  const templates: PlatformTemplateState[] = [];
  for (const t of data) {
    if (!isObject(t) || typeof t.name !== 'string' || typeof t.language !== 'string') continue;
    const reason = typeof t.rejected_reason === 'string' && t.rejected_reason !== 'NONE' ? t.rejected_reason : undefined;
    templates.push({
      name: t.name, language: t.language, status: templateStatusOf(t.status),
      ...(typeof t.id === 'string' ? { externalId: t.id } : {}), ...(reason ? { reason } : {}),
    });
  }
  const paging = isObject(body) && isObject(body.paging) ? body.paging : undefined;
  const after = paging && isObject(paging.cursors) && typeof paging.cursors.after === 'string' ? paging.cursors.after : undefined;
  // Graph sends `next` only when there is a next page; the cursors are there either way
  return { templates, ...(after && typeof paging?.next === 'string' ? { after } : {}) };
}
