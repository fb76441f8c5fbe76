/**
 * Notifications: one template to many recipients, each sent through the outbound port on its own —
 * judged by the policy as part of a broadcast when there are several, with its own decision record
 * and outbox entry. `POST /v1/notifications` and bot handlers' `ctx.notify` use it.
 * @module
 */
import { isSwitchboardError } from '@switchboard/core';
import type { OutboundGateway } from './outbound-gateway.js';
import type { NotificationResult } from './outbound-service.js';
import type { NotificationRequest } from './send-request.js';

/**
 * Sends a notification through the port, one recipient after the other.
 * @param gateway - the outbound port
 * @param tenantId - the tenant
 * @param req - template, purpose, topic and recipients (each with its own parameters, if any)
 * @returns one result per recipient: queued, or denied with the policy's reasons (a recipient the
 *   template's parameters do not fit is denied as CONTENT_UNSUPPORTED, not failing the others)
 * @example
 * ```ts
 * const results = await sendNotification(gateway, 'air', {
 *   channel: 'whatsapp', accountId: 'main', purpose: 'transactional', topic: 'flight updates',
 *   content: { type: 'template', name: 'gate_change', language: 'en', category: 'utility' },
 *   recipients: [{ userId: '4915112345678' }],
 * });
 * ```
 */
export async function sendNotification(gateway: OutboundGateway, tenantId: string, req: NotificationRequest): Promise<NotificationResult[]> {
  const results: NotificationResult[] = [];
  const broadcast = req.recipients.length > 1;
  for (const recipient of req.recipients) {
    const content = recipient.parameters ? { ...req.content, parameters: recipient.parameters } : req.content;
    try {
      const result = await gateway.send({
        tenantId, channel: req.channel, accountId: req.accountId, userId: recipient.userId, content, purpose: req.purpose, sender: 'system',
        ...(req.topic ? { topic: req.topic } : {}), via: 'notification', ...(broadcast ? { broadcast } : {}),
      });
      results.push(result.status === 'queued'
        ? { userId: recipient.userId, status: 'queued', id: result.id, price: result.price, decisionId: result.decisionId }
        : { userId: recipient.userId, status: 'denied', reasons: result.reasons, ...(result.decisionId ? { decisionId: result.decisionId } : {}) });
    } catch (error) {
      if (!isSwitchboardError(error) || error.code !== 'VALIDATION_FAILED') throw error;
      results.push({ userId: recipient.userId, status: 'denied', reasons: [{ code: 'CONTENT_UNSUPPORTED', source: 'business', message: error.message }] });
    }
  }
  return results;
}
